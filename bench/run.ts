// `npm run bench`: our gateway (compiled) against stock @apollo/gateway + @apollo/server, in one run,
// over the same real users + orders subgraphs on 127.0.0.1. Prints markdown tables and writes
// bench/RESULTS.md. Never part of `npm test`.
//
// Flags (for development; the recorded results use the defaults):
//   --duration S     measured seconds per scenario and gateway      (default 10)
//   --warmup S       unrecorded warm-up seconds before each          (default 2)
//   --concurrency N  in-flight requests                              (default 16)
//   --rounds N       slices the measured time is cut into           (default 4)
//   --startups N     startup samples per gateway (median reported)  (default 3)
//   --no-write       print only, leave bench/RESULTS.md alone
//   --analysis-only  only the in-process policy-analysis measurement (printed, not written)
//   --identity-only  only the in-process identity signing/verification measurement (printed, not written)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { stopAllBenchProcesses, type BenchProcess } from './benchProcess.js';
import { startBenchTopology } from './benchTopology.js';
import { median, type GatewayResult, type LoadSettings, type Scenario, type ScenarioResult } from './benchResults.js';
import { prepareCompiledEntries } from './compiledEntries.js';
import { startGatewayTimed, type StartedGateway } from './gatewayStartup.js';
import { measureScenarioInterleaved } from './interleavedScenario.js';
import { residentSetMiB } from './processStats.js';
import { analysisTable, identityTable, markdownTables, resultsMarkdown } from './resultsReport.js';
import { measurePolicyAnalysisCost } from './policyAnalysisCost.js';
import { measureIdentityCost } from './identityCost.js';

const repoRoot = resolve(fileURLToPath(new URL('..', import.meta.url)));

const SCENARIOS: Scenario[] = [
  { name: 'single-subgraph', query: '{ users(first: 10) { id name createdAt } }' },
  { name: 'cross-service', query: '{ users(first: 10) { id name orders(first: 5) { id status } } }' },
];
/** The whole run must end by then, whatever hangs: 6 min, twice the expected ~1.5 min. */
const WATCHDOG_MS = 6 * 60_000;

function positiveNumber(raw: string, flag: string, max: number): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || value > max) throw new Error(`${flag} must be a number in (0, ${max}], got "${raw}"`);
  return value;
}

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    concurrency: { type: 'string', default: '16' },
    rounds: { type: 'string', default: '4' },
    startups: { type: 'string', default: '3' },
    'no-write': { type: 'boolean', default: false },
    'analysis-only': { type: 'boolean', default: false },
    'identity-only': { type: 'boolean', default: false },
  },
  strict: true,
});
const load: LoadSettings = {
  durationMs: positiveNumber(values.duration, '--duration', 60) * 1000,
  warmupMs: positiveNumber(values.warmup, '--warmup', 30) * 1000,
  concurrency: Math.round(positiveNumber(values.concurrency, '--concurrency', 256)),
  rounds: Math.round(positiveNumber(values.rounds, '--rounds', 20)),
};
const startupSamples = Math.round(positiveNumber(values.startups, '--startups', 10));

const runStartedAt = performance.now();
const log = (line: string) => process.stderr.write(`[bench +${((performance.now() - runStartedAt) / 1000).toFixed(1)}s] ${line}\n`);
const started: BenchProcess[] = [];
const logDir = mkdtempSync(join(tmpdir(), 'gw-bench-'));

async function abort(reason: string, code: number): Promise<never> {
  log(reason);
  await Promise.race([stopAllBenchProcesses(started), new Promise((r) => setTimeout(r, 6_000))]);
  process.exit(code); // the exit hook in benchProcess.ts SIGKILLs anything still alive
}
setTimeout(() => void abort(`watchdog: still running after ${WATCHDOG_MS / 1000} s, stopping everything`, 1), WATCHDOG_MS).unref();
process.once('SIGINT', () => void abort('interrupted', 130));
process.once('SIGTERM', () => void abort('terminated', 143));

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8', timeout: 10_000 }).trim();
  } catch {
    return '';
  }
}

function crossCountsOf(data: unknown): { users: number; orders: number } {
  const users = (data as { users: { orders: unknown[] }[] }).users;
  return { users: users.length, orders: users.reduce((sum, user) => sum + user.orders.length, 0) };
}

async function main(): Promise<void> {
  const loadBefore = loadavg()[0]!;
  log(`load average ${loadBefore.toFixed(2)} on ${cpus().length} CPUs; logs in ${logDir}`);
  // In process and first, before any bench process competes for the CPUs.
  const identity = values['analysis-only'] ? [] : await measureIdentityCost();
  if (identity.length > 0) process.stdout.write(`\n${identityTable(identity)}\n`);
  if (values['identity-only']) return;
  const analysis = measurePolicyAnalysisCost(repoRoot);
  process.stdout.write(`\n${analysisTable(analysis)}\n`);
  if (values['analysis-only']) return;
  const compiled = prepareCompiledEntries(repoRoot);
  const topology = await startBenchTopology({ repoRoot, logDir, ...compiled, started });
  log(`subgraphs up: ${topology.subgraphs.map((s) => `${s.name} ${s.url}`).join(', ')}`);

  const specs = [topology.ours, topology.stock];
  const startups: StartedGateway[][] = specs.map(() => []);
  // Startup samples alternate between the gateways; each is stopped before the next spawn, except
  // the last one of each, which serves the load.
  for (let sample = 0; sample < startupSamples; sample += 1) {
    const last = sample === startupSamples - 1;
    const order = sample % 2 === 0 ? [0, 1] : [1, 0];
    for (const index of order) {
      const gateway = await startGatewayTimed({ spec: specs[index]!, probeQuery: SCENARIOS[0]!.query, repoRoot, logDir, started, attempt: sample + 1 });
      startups[index]!.push(gateway);
      log(`${gateway.spec.label}: first successful query ${gateway.startupMs.toFixed(0)} ms after spawn (listening line at ${gateway.listeningMs.toFixed(0)} ms)`);
      if (!last) await gateway.process.stop();
    }
  }
  const gateways = startups.map((samples) => samples[samples.length - 1]!);
  const rssIdleMiB = gateways.map((gateway) => residentSetMiB(gateway.process.pid));

  const scenarioResults: ScenarioResult[][] = gateways.map(() => []);
  for (const scenario of SCENARIOS) {
    const perGateway = await measureScenarioInterleaved({ gateways, scenario, load, log });
    perGateway.forEach((result, index) => scenarioResults[index]!.push(result));
  }
  const results: GatewayResult[] = gateways.map((gateway, index) => ({
    label: gateway.spec.label,
    startupSamplesMs: startups[index]!.map((s) => s.startupMs),
    listeningSamplesMs: startups[index]!.map((s) => s.listeningMs),
    rssIdleMiB: rssIdleMiB[index]!,
    rssAfterLoadMiB: residentSetMiB(gateway.process.pid),
    scenarios: scenarioResults[index]!,
  }));
  log(`startup medians: ${results.map((r) => `${r.label} ${median(r.startupSamplesMs).toFixed(0)} ms`).join(', ')}`);
  await stopAllBenchProcesses(started);

  // Equal data across gateways was checked before load (interleavedScenario.ts).
  const crossCounts = crossCountsOf(results[0]!.scenarios[1]!.sampleData);
  const erroneous = results.flatMap((r) => r.scenarios.filter((s) => s.errors > 0).map((s) => `${r.label} / ${s.scenario}: ${s.errors} errors (${s.firstError})`));

  const tables = markdownTables(results);
  process.stdout.write(`\n${tables}\n`);
  if (erroneous.length > 0) throw new Error(`requests failed under load, results not recorded:\n${erroneous.join('\n')}`);
  if (!values['no-write']) {
    const markdown = resultsMarkdown(results, {
      date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      nproc: cpus().length,
      cpuModel: cpus()[0]?.model.trim() ?? 'unknown CPU',
      nodeVersion: process.version,
      commit: git(['rev-parse', '--short', 'HEAD']) || 'unknown',
      dirtyTree: git(['status', '--porcelain', '--', 'gateway', 'subgraphs', 'bench', ':!bench/RESULTS.md']) !== '',
      loadBefore,
      loadAfter: loadavg()[0]!,
      totalSeconds: (performance.now() - runStartedAt) / 1000,
      load,
      scenarios: SCENARIOS,
      crossCounts,
      analysis,
      identity,
    });
    writeFileSync(join(repoRoot, 'bench/RESULTS.md'), markdown);
    log('wrote bench/RESULTS.md');
  }
  rmSync(logDir, { recursive: true, force: true });
}

main().then(
  () => process.exit(0),
  (error: unknown) => abort(`failed: ${(error as Error).stack ?? String(error)}\n(process logs kept in ${logDir})`, 1),
);
