// Startup of one gateway: spawn, then the time until the first query that succeeds (HTTP 200, data,
// no errors). The `listening` line alone is not enough: a gateway may listen before its schema is usable.
import { spawnBenchProcess, type BenchProcess } from './benchProcess.js';
import type { GatewaySpec } from './benchTopology.js';
import { processTreeCpuTimeMs } from './processStats.js';

export interface StartedGateway {
  spec: GatewaySpec;
  process: BenchProcess;
  graphqlUrl: string;
  /** Spawn → first successful query, in ms. */
  startupMs: number;
  /** Spawn → the `listening` log line, in ms. */
  listeningMs: number;
  /**
   * CPU the gateway's process spent from spawn to its first successful answer, in ms (user + system).
   * Other work on a shared box stretches the wall-clock startup far more than it changes this.
   */
  startupCpuMs: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function postGraphQLOnce(url: string, query: string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, text: await response.text() };
}

/** The `data` of a successful answer; throws on errors or missing data. */
export function successfulData(text: string): unknown {
  const body = JSON.parse(text) as { data?: unknown; errors?: unknown };
  if (body.errors !== undefined || body.data === undefined || body.data === null) throw new Error(`unexpected answer: ${text.slice(0, 300)}`);
  return body.data;
}

export async function startGatewayTimed(options: {
  spec: GatewaySpec;
  probeQuery: string;
  repoRoot: string;
  logDir: string;
  /** Every spawned process is added here, so the caller can stop it whatever happens. */
  started: BenchProcess[];
  /** Suffix of the log file name, so successive startups keep their own logs. */
  attempt: number;
}): Promise<StartedGateway> {
  const { spec } = options;
  const gateway = await spawnBenchProcess({
    name: `${spec.label.replace(/[^a-z0-9]+/gi, '-')}-${options.attempt}`,
    nodeArgs: spec.nodeArgs,
    env: spec.env,
    cwd: options.repoRoot,
    logDir: options.logDir,
  });
  options.started.push(gateway);
  const listeningMs = performance.now() - gateway.spawnedAtMs;
  const graphqlUrl = `${gateway.url}${spec.graphqlPath}`;
  // 20 ms between attempts: small against startups of seconds; 30 s at most.
  const deadline = performance.now() + 30_000;
  let last = '';
  while (performance.now() < deadline) {
    try {
      const { status, text } = await postGraphQLOnce(graphqlUrl, options.probeQuery, spec.requestHeaders());
      if (status === 200) {
        successfulData(text);
        const startupMs = performance.now() - gateway.spawnedAtMs;
        return { spec, process: gateway, graphqlUrl, startupMs, listeningMs, startupCpuMs: processTreeCpuTimeMs(gateway.pid) };
      }
      last = `HTTP ${status}: ${text.slice(0, 200)}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await sleep(20);
  }
  throw new Error(`${spec.label}: no successful query within 30 s (last: ${last})\n${gateway.logTail()}`);
}
