// Our gateway with 1 worker against `--workers 2`, side by side in one run: the deep scenario over the four
// benchmark subgraphs, in alternating slices (interleavedScenario.ts), CPU and RSS counted over each
// gateway's whole process tree (the primary and its workers). Both run the deep scenario's config with
// rate limits off: more than one worker needs the Redis store (the memory one is refused), and this
// measures how the gateway's own work spreads over cores, not Redis. Everything else is as in the deep
// scenario (a distinct JWT per request, demand control, identity signing, logs, metrics).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import type { BenchProcess } from './benchProcess.js';
import type { LoadSettings, ScenarioResult } from './benchResults.js';
import type { CompiledEntries } from './compiledEntries.js';
import { startDeepTopology } from './deep/deepTopology.js';
import { DEEP_TEST_QUERY } from './deep/deepQuery.js';
import { startGatewayTimed, type StartedGateway } from './gatewayStartup.js';
import { measureScenarioInterleaved } from './interleavedScenario.js';
import { stopAllBenchProcesses } from './benchProcess.js';

export interface WorkersRun {
  load: LoadSettings;
  labels: string[];
  results: ScenarioResult[];
  /** Spawn → first deep answer, in ms (with 2 workers: once the primary says every worker serves). */
  startupMs: number[];
}

export async function runWorkersComparison(options: {
  repoRoot: string;
  logDir: string;
  compiled: CompiledEntries;
  started: BenchProcess[];
  load: LoadSettings;
  log: (line: string) => void;
}): Promise<WorkersRun> {
  const { compiled, logDir, log } = options;
  const topology = await startDeepTopology({ repoRoot: options.repoRoot, logDir, ...compiled, ourNodeFlags: compiled.ourGatewayNodeFlags, started: options.started });
  const configAt = topology.ours.nodeArgs.indexOf('--config') + 1;
  const deepConfig = parseYaml(readFileSync(topology.ours.nodeArgs[configAt]!, 'utf8')) as Record<string, unknown>;
  const configPath = join(logDir, 'workers-gateway.yaml');
  writeFileSync(configPath, toYaml({ ...deepConfig, rateLimits: { enabled: false } }));
  const nodeArgs = topology.ours.nodeArgs.map((arg, index) => (index === configAt ? configPath : arg));
  const specs = [
    { ...topology.ours, label: 'ours, 1 worker', nodeArgs },
    { ...topology.ours, label: 'ours, --workers 2', nodeArgs: [...nodeArgs, '--workers', '2'] },
  ];
  const gateways: StartedGateway[] = [];
  for (const spec of specs) {
    const gateway = await startGatewayTimed({ spec, probeQuery: DEEP_TEST_QUERY, repoRoot: options.repoRoot, logDir, started: options.started, attempt: 0 });
    log(`${spec.label} (workers): first answer ${gateway.startupMs.toFixed(0)} ms after spawn`);
    gateways.push(gateway);
  }
  const results = await measureScenarioInterleaved({ gateways, scenario: { name: 'deep', query: DEEP_TEST_QUERY, load: options.load }, load: options.load, log });
  await stopAllBenchProcesses([topology.subgraphs, ...gateways.map((g) => g.process)]);
  return { load: options.load, labels: specs.map((s) => s.label), results, startupMs: gateways.map((g) => g.startupMs) };
}

const fixed = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}×` : 'n/a');

export function workersTable(run: WorkersRun): string {
  const rows = [
    '| Gateway | Throughput (req/s) | p50 (ms) | p95 (ms) | p99 (ms) | CPU per request, all processes (ms) | Requests | Errors | Startup to first deep answer (ms) | RSS of all processes after each slice (MiB) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    ...run.results.map(
      (s, index) =>
        `| ${run.labels[index]} | ${fixed(s.requestsPerSecond, 0)} | ${fixed(s.p50Ms)} | ${fixed(s.p95Ms)} | ${fixed(s.p99Ms)} | ${fixed(s.gatewayCpuMsPerRequest, 2)} | ` +
        `${s.requests} | ${s.errors} | ${fixed(run.startupMs[index]!, 0)} | ${s.rssMiBAfterSlices.map((m) => fixed(m, 0)).join(', ')} |`,
    ),
  ];
  const [one, two] = run.results;
  if (one && two) {
    rows.push(
      '',
      `**2 workers ÷ 1 (same run):** throughput ${ratio(two.requestsPerSecond, one.requestsPerSecond)}, p50 ${ratio(two.p50Ms, one.p50Ms)}, ` +
        `p99 ${ratio(two.p99Ms, one.p99Ms)}, CPU per request ${ratio(two.gatewayCpuMsPerRequest, one.gatewayCpuMsPerRequest)}.`,
    );
  }
  return `${rows.join('\n')}\n`;
}
