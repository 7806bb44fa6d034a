// Measures one gateway: spawn → first successful query (startup), one checked answer per scenario,
// then per scenario a warm-up and a measured closed-loop run (throughput, latency, gateway CPU per
// request), and RSS idle and after load. The gateway is stopped before returning, even on failure.
import { spawnBenchProcess, type BenchProcess } from './benchProcess.js';
import { runClosedLoopLoad, type LoadResult } from './closedLoopLoad.js';
import { cpuTimeMs, residentSetMiB } from './processStats.js';
import type { GatewaySpec } from './benchTopology.js';

export interface Scenario {
  name: string;
  query: string;
}

export interface LoadSettings {
  concurrency: number;
  warmupMs: number;
  durationMs: number;
}

export interface ScenarioResult extends LoadResult {
  scenario: string;
  /** CPU ms the gateway process spent per answered request during the measured run. */
  gatewayCpuMsPerRequest: number;
  /** The `data` of one answer before load, compared across gateways. */
  sampleData: unknown;
  sampleBytes: number;
}

export interface GatewayResult {
  label: string;
  /** Spawn → first 200 answer with data and no errors, in ms. */
  startupMs: number;
  /** Spawn → the `listening` log line, in ms. */
  listeningMs: number;
  rssIdleMiB: number;
  rssAfterLoadMiB: number;
  scenarios: ScenarioResult[];
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function postOnce(url: string, query: string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, text: await response.text() };
}

function dataOf(text: string): unknown {
  const body = JSON.parse(text) as { data?: unknown; errors?: unknown };
  if (body.errors !== undefined || body.data === undefined || body.data === null) throw new Error(`unexpected answer: ${text.slice(0, 300)}`);
  return body.data;
}

/** Polls with the first scenario's query until one succeeds; 20 ms between attempts, 30 s at most. */
async function waitForFirstSuccess(gateway: BenchProcess, url: string, spec: GatewaySpec, query: string): Promise<number> {
  const deadline = performance.now() + 30_000;
  let last = '';
  while (performance.now() < deadline) {
    try {
      const { status, text } = await postOnce(url, query, spec.headers);
      if (status === 200) {
        dataOf(text);
        return performance.now() - gateway.spawnedAtMs;
      }
      last = `HTTP ${status}: ${text.slice(0, 200)}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await sleep(20);
  }
  throw new Error(`${spec.label}: no successful query within 30 s (last: ${last})\n${gateway.logTail()}`);
}

export async function measureGateway(options: {
  spec: GatewaySpec;
  scenarios: Scenario[];
  load: LoadSettings;
  repoRoot: string;
  logDir: string;
  started: BenchProcess[];
  log: (line: string) => void;
}): Promise<GatewayResult> {
  const { spec, scenarios, load, log } = options;
  const gateway = await spawnBenchProcess({
    name: spec.label.replace(/[^a-z0-9]+/gi, '-'),
    nodeArgs: spec.nodeArgs,
    env: spec.env,
    cwd: options.repoRoot,
    logDir: options.logDir,
  });
  options.started.push(gateway);
  try {
    const listeningMs = performance.now() - gateway.spawnedAtMs;
    const url = `${gateway.url}${spec.graphqlPath}`;
    const startupMs = await waitForFirstSuccess(gateway, url, spec, scenarios[0]!.query);
    const rssIdleMiB = residentSetMiB(gateway.pid);
    log(`${spec.label}: first successful query ${startupMs.toFixed(0)} ms after spawn (listening at ${listeningMs.toFixed(0)} ms), RSS ${rssIdleMiB.toFixed(1)} MiB`);

    const results: ScenarioResult[] = [];
    for (const scenario of scenarios) {
      const sample = await postOnce(url, scenario.query, spec.headers);
      if (sample.status !== 200) throw new Error(`${spec.label} / ${scenario.name}: HTTP ${sample.status}: ${sample.text.slice(0, 300)}`);
      const sampleData = dataOf(sample.text);
      const body = JSON.stringify({ query: scenario.query });
      const loadOptions = { url, body, headers: spec.headers, concurrency: load.concurrency };
      // The warm-up lets V8 optimise the hot paths (gateway and subgraphs) before anything is recorded.
      await runClosedLoopLoad({ ...loadOptions, durationMs: load.warmupMs });
      const cpuBeforeMs = cpuTimeMs(gateway.pid);
      const result = await runClosedLoopLoad({ ...loadOptions, durationMs: load.durationMs });
      const gatewayCpuMsPerRequest = (cpuTimeMs(gateway.pid) - cpuBeforeMs) / Math.max(1, result.requests);
      log(
        `${spec.label} / ${scenario.name}: ${result.requestsPerSecond.toFixed(0)} req/s, p50 ${result.p50Ms.toFixed(1)} ms, ` +
          `p99 ${result.p99Ms.toFixed(1)} ms, ${result.errors} errors${result.firstError ? ` (first: ${result.firstError})` : ''}`,
      );
      results.push({ ...result, scenario: scenario.name, gatewayCpuMsPerRequest, sampleData, sampleBytes: Buffer.byteLength(sample.text) });
    }
    const rssAfterLoadMiB = residentSetMiB(gateway.pid);
    return { label: spec.label, startupMs, listeningMs, rssIdleMiB, rssAfterLoadMiB, scenarios: results };
  } finally {
    await gateway.stop();
  }
}
