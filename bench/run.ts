// `npm run bench`: our gateway (compiled) against stock @apollo/gateway + @apollo/server, in one run.
// Light scenarios over the real users + orders subgraphs, then the deep scenario over the four
// benchmark subgraphs (bench/deep). Prints markdown tables and writes bench/RESULTS.md.
// Never part of `npm test`.
//
// Flags (the recorded results use the defaults):
//   --quick               about a minute, prints only (light 3 s, deep 15 s per gateway)
//   --only light|deep|workers  run one part only (prints only; deep and workers also skip the in-process
//                         measurements; workers: ours with 1 worker against --workers 2, deep scenario)
//   --only startup        only startup samples (--startups N, default 5 here): ours, stock and every --also
//                         build in turn, in front of the light subgraphs; wall and CPU ms to the first answer
//   --duration S          light: measured seconds per scenario and gateway   (default 10)
//   --warmup S            light: unrecorded warm-up before each              (default 2)
//   --concurrency N       light: in-flight requests                           (default 16)
//   --rounds N            light: slices the measured time is cut into        (default 10)
//   --startups N          startup samples per gateway (median reported), after one unrecorded
//                         warm-up spawn of each                               (default 5)
//   --deep-duration S     deep: measured seconds per gateway                  (default 60)
//   --deep-warmup S       deep: unrecorded warm-up per gateway                (default 5)
//   --deep-concurrency N  deep: in-flight requests                            (default 50)
//   --deep-rounds N       deep: slices, alternating                           (default 30)
//   --profile DIR         run our deep-scenario gateway under `node --cpu-prof`, profiles into DIR
//   --also LABEL=MAIN     deep: one more contestant, our gateway from another build (e.g. a copy of
//                         gateway/dist from before a change, inside this repo so its packages resolve),
//                         same config, in the same alternating slices: a lever's before/after side by side.
//                         'LABEL=--node-flag ... MAIN' runs it with node flags.
//   --no-write            print only, leave bench/RESULTS.md alone
//   --keep-logs           keep every process's log (e.g. a contestant run with --trace-gc) and say where
//   --watchdog MIN        stop everything after MIN minutes                   (default 10)
//   --analysis-only       only the in-process policy-analysis measurement (printed, not written)
//   --identity-only       only the in-process identity signing/verification measurement (printed, not written)
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { stopAllBenchProcesses, type BenchProcess } from './benchProcess.js';
import { startBenchTopology, type GatewaySpec } from './benchTopology.js';
import { median, type DeepRun, type GatewayResult, type LoadSettings, type Scenario, type ScenarioResult } from './benchResults.js';
import { prepareCompiledEntries } from './compiledEntries.js';
import { DEEP_TEST_QUERY } from './deep/deepQuery.js';
import { startDeepTopology } from './deep/deepTopology.js';
import { startGatewayTimed, postGraphQLOnce, type StartedGateway } from './gatewayStartup.js';
import { measureScenarioInterleaved } from './interleavedScenario.js';
import { residentSetMiB } from './processStats.js';
import { analysisTable, cachedTable, identityTable, KEPT_SECTION_MARKER, markdownTables, resultsMarkdown, type CachedResult } from './resultsReport.js';
import { measurePolicyAnalysisCost } from './policyAnalysisCost.js';
import { measureIdentityCost } from './identityCost.js';
import { runWorkersComparison, workersTable, type WorkersRun } from './workersComparison.js';

const repoRoot = resolve(fileURLToPath(new URL('..', import.meta.url)));

const LIGHT_SCENARIOS: Scenario[] = [
  { name: 'single-subgraph', query: '{ users(first: 10) { id name createdAt } }' },
  { name: 'cross-service', query: '{ users(first: 10) { id name orders(first: 5) { id status } } }' },
];
/**
 * Measured apart, against ours with and without the response cache (memory store): the same caller
 * repeats the same query, so after the first answer nearly every request is a hit (the cross-service
 * answer is PRIVATE for 10 s: refilled once per 10 s). The uncached scenarios stay the reference.
 */
const CACHED_SCENARIOS: Scenario[] = [{ name: 'cross-service, cached', query: LIGHT_SCENARIOS[1]!.query }];

function positiveNumber(raw: string, flag: string, max: number): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || value > max) throw new Error(`${flag} must be a number in (0, ${max}], got "${raw}"`);
  return value;
}

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    duration: { type: 'string' },
    warmup: { type: 'string' },
    concurrency: { type: 'string', default: '16' },
    rounds: { type: 'string' },
    startups: { type: 'string' },
    'deep-duration': { type: 'string' },
    'deep-warmup': { type: 'string' },
    'deep-concurrency': { type: 'string', default: '50' },
    'deep-rounds': { type: 'string' },
    profile: { type: 'string' },
    also: { type: 'string', multiple: true, default: [] },
    'no-write': { type: 'boolean', default: false },
    'keep-logs': { type: 'boolean', default: false },
    watchdog: { type: 'string', default: '10' },
    'analysis-only': { type: 'boolean', default: false },
    'identity-only': { type: 'boolean', default: false },
  },
  strict: true,
});
if (values.only !== undefined && !['light', 'deep', 'workers', 'startup'].includes(values.only)) throw new Error(`--only must be light, deep, workers or startup, got "${values.only}"`);
/** Whether a part runs: every part in a full run, else the one --only names. */
const runs = (part: 'light' | 'deep' | 'workers') => values.only === undefined || values.only === part;
const quick = values.quick;
/** A flag's value, else the quick or the reference default. */
const setting = (raw: string | undefined, flag: string, max: number, reference: number, quickValue: number) =>
  positiveNumber(raw ?? String(quick ? quickValue : reference), flag, max);
const lightLoad: LoadSettings = {
  durationMs: setting(values.duration, '--duration', 120, 10, 3) * 1000,
  warmupMs: setting(values.warmup, '--warmup', 30, 2, 1) * 1000,
  concurrency: Math.round(positiveNumber(values.concurrency, '--concurrency', 256)),
  rounds: Math.round(setting(values.rounds, '--rounds', 200, 10, 4)),
};
const deepLoad: LoadSettings = {
  durationMs: setting(values['deep-duration'], '--deep-duration', 300, 60, 15) * 1000,
  warmupMs: setting(values['deep-warmup'], '--deep-warmup', 60, 5, 3) * 1000,
  concurrency: Math.round(positiveNumber(values['deep-concurrency'], '--deep-concurrency', 256)),
  rounds: Math.round(setting(values['deep-rounds'], '--deep-rounds', 200, 30, 10)),
};
const deepScenario: Scenario = { name: 'deep', query: DEEP_TEST_QUERY, load: deepLoad };
/**
 * The whole run must end by then, whatever hangs: 10 min by default, about three times the expected ~3.5 min
 * on a quiet box. On a loaded one each slice also waits for its slowest in-flight request, so a run with
 * many slices or extra contestants needs more (`--watchdog MIN`).
 */
const WATCHDOG_MS = positiveNumber(values.watchdog, '--watchdog', 120) * 60_000;
const startupSamples = Math.round(setting(values.startups, '--startups', 10, 5, 1));
// Only a complete reference run is recorded.
const write = !values['no-write'] && !quick && values.only === undefined && values.profile === undefined && values.also.length === 0;
const extraContestants = values.also.map((pair) => {
  const at = pair.indexOf('=');
  if (at <= 0) throw new Error(`--also must be LABEL=[NODE_FLAGS ]PATH/main.js, got "${pair}"`);
  const words = pair.slice(at + 1).trim().split(/\s+/);
  return { label: pair.slice(0, at), nodeFlags: words.slice(0, -1), main: resolve(words[words.length - 1]!) };
});

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

/**
 * One unrecorded spawn of each contestant before the startup samples. The first spawn after a build reads
 * freshly written bundles and cold module files (a reference run once recorded ours' first sample 30 %
 * above its others); warming every contestant once measures both from the same page-cache state.
 */
async function warmUpStartups(specs: GatewaySpec[]): Promise<void> {
  for (const spec of specs) {
    const gateway = await startGatewayTimed({ spec, probeQuery: LIGHT_SCENARIOS[0]!.query, repoRoot, logDir, started, attempt: 0 });
    log(`${spec.label}: warm-up spawn (not recorded) answered ${gateway.startupMs.toFixed(0)} ms after spawn`);
    await gateway.process.stop();
  }
}

/** `--only startup`: startup samples alone, every contestant in turn (the order rotates each sample). */
async function runStartupOnly(compiled: ReturnType<typeof prepareCompiledEntries>): Promise<void> {
  const topology = await startBenchTopology({ repoRoot, logDir, ...compiled, started });
  const ourArgs = topology.ours.nodeArgs.slice(topology.ours.nodeArgs.indexOf(compiled.ourGatewayMain) + 1);
  const extras = extraContestants.map(({ label, nodeFlags, main }) => ({ ...topology.ours, label, nodeArgs: [...nodeFlags, main, ...ourArgs] }));
  const specs = [topology.ours, topology.stock, ...extras];
  const samples = Math.round(setting(values.startups, '--startups', 30, 5, 5));
  const startups: StartedGateway[][] = specs.map(() => []);
  await warmUpStartups(specs);
  for (let sample = 0; sample < samples; sample += 1) {
    for (let step = 0; step < specs.length; step += 1) {
      const index = (sample + step) % specs.length;
      const gateway = await startGatewayTimed({ spec: specs[index]!, probeQuery: LIGHT_SCENARIOS[0]!.query, repoRoot, logDir, started, attempt: sample + 1 });
      startups[index]!.push(gateway);
      log(`${gateway.spec.label}: first successful query ${gateway.startupMs.toFixed(0)} ms after spawn, ${gateway.startupCpuMs.toFixed(0)} CPU ms`);
      await gateway.process.stop();
    }
  }
  const medianOf = (index: number, pick: (gateway: StartedGateway) => number) => median(startups[index]!.map(pick));
  const rows = specs.map(
    (spec, index) =>
      `| ${spec.label} | ${medianOf(index, (g) => g.startupMs).toFixed(0)} | ${medianOf(index, (g) => g.startupCpuMs).toFixed(0)} | ` +
      `${medianOf(index, (g) => g.listeningMs).toFixed(0)} | ${startups[index]!.map((g) => g.startupMs.toFixed(0)).join(', ')} |`,
  );
  const ratios = specs
    .map((spec, index) =>
      index === 1
        ? ''
        : `**${spec.label} ÷ stock:** wall ${(medianOf(index, (g) => g.startupMs) / medianOf(1, (g) => g.startupMs)).toFixed(2)}×, ` +
          `CPU ${(medianOf(index, (g) => g.startupCpuMs) / medianOf(1, (g) => g.startupCpuMs)).toFixed(2)}×`,
    )
    .filter(Boolean);
  process.stdout.write(
    '\n| Gateway | Spawn to first answer, median (ms) | CPU to first answer, median (ms) | Spawn to "listening", median (ms) | Samples (ms) |\n' +
      `|---|---:|---:|---:|---|\n${rows.join('\n')}\n\n${ratios.join('; ')}\n`,
  );
  await stopAllBenchProcesses(topology.subgraphs);
}

/** Light scenarios: startup samples, then each scenario against both gateways. */
async function runLight(compiled: ReturnType<typeof prepareCompiledEntries>): Promise<{ results: GatewayResult[]; cached: CachedResult[] }> {
  const topology = await startBenchTopology({ repoRoot, logDir, ...compiled, started });
  log(`subgraphs up: ${topology.subgraphs.map((s) => `${s.name} ${s.url}`).join(', ')}`);
  const specs = [topology.ours, topology.stock];
  const startups: StartedGateway[][] = specs.map(() => []);
  await warmUpStartups(specs);
  // Startup samples alternate between the gateways; each is stopped before the next spawn, except
  // the last one of each, which serves the load.
  for (let sample = 0; sample < startupSamples; sample += 1) {
    const last = sample === startupSamples - 1;
    const order = sample % 2 === 0 ? [0, 1] : [1, 0];
    for (const index of order) {
      const gateway = await startGatewayTimed({ spec: specs[index]!, probeQuery: LIGHT_SCENARIOS[0]!.query, repoRoot, logDir, started, attempt: sample + 1 });
      startups[index]!.push(gateway);
      log(`${gateway.spec.label}: first successful query ${gateway.startupMs.toFixed(0)} ms after spawn, ${gateway.startupCpuMs.toFixed(0)} CPU ms (listening line at ${gateway.listeningMs.toFixed(0)} ms)`);
      if (!last) await gateway.process.stop();
    }
  }
  const gateways = startups.map((samples) => samples[samples.length - 1]!);
  const rssIdleMiB = gateways.map((gateway) => residentSetMiB(gateway.process.pid));
  const scenarioResults: ScenarioResult[][] = gateways.map(() => []);
  for (const scenario of LIGHT_SCENARIOS) {
    const perGateway = await measureScenarioInterleaved({ gateways, scenario, load: lightLoad, log });
    perGateway.forEach((result, index) => scenarioResults[index]!.push(result));
  }
  const results = gateways.map((gateway, index) => ({
    label: gateway.spec.label,
    startupSamplesMs: startups[index]!.map((s) => s.startupMs),
    startupCpuSamplesMs: startups[index]!.map((s) => s.startupCpuMs),
    listeningSamplesMs: startups[index]!.map((s) => s.listeningMs),
    rssIdleMiB: rssIdleMiB[index]!,
    rssAfterLoadMiB: residentSetMiB(gateway.process.pid),
    scenarios: scenarioResults[index]!,
  }));
  log(`startup medians: ${results.map((r) => `${r.label} ${median(r.startupSamplesMs).toFixed(0)} ms (CPU ${median(r.startupCpuSamplesMs).toFixed(0)} ms)`).join(', ')}`);

  // The cached scenario: ours (uncached, already warm) against a fresh gateway with the response cache on.
  const cachedGateway = await startGatewayTimed({ spec: topology.oursCached, probeQuery: LIGHT_SCENARIOS[0]!.query, repoRoot, logDir, started, attempt: 1 });
  const cachedPair = [gateways[0]!, cachedGateway];
  const cachedResults: ScenarioResult[][] = cachedPair.map(() => []);
  for (const scenario of CACHED_SCENARIOS) {
    const perGateway = await measureScenarioInterleaved({ gateways: cachedPair, scenario, load: lightLoad, log });
    perGateway.forEach((result, index) => cachedResults[index]!.push(result));
  }
  const cached = cachedPair.map((gateway, index) => ({ label: gateway.spec.label, scenarios: cachedResults[index]! }));
  // The deep phase gets the cores to itself.
  await stopAllBenchProcesses([...topology.subgraphs, ...gateways.map((g) => g.process), cachedGateway.process]);
  return { results, cached };
}

/** The deep scenario: both gateways in front of the four benchmark subgraphs. */
async function runDeep(compiled: ReturnType<typeof prepareCompiledEntries>): Promise<DeepRun> {
  const profileDir = values.profile === undefined ? undefined : resolve(values.profile);
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const topology = await startDeepTopology({
    repoRoot,
    logDir,
    ...compiled,
    ourNodeFlags: [...compiled.ourGatewayNodeFlags, ...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [])],
    started,
  });
  log(`deep subgraphs up: ${topology.subgraphs.url}`);
  const gateways: StartedGateway[] = [];
  const ourArgs = topology.ours.nodeArgs.slice(topology.ours.nodeArgs.indexOf(compiled.ourGatewayMain) + 1);
  const extras = extraContestants.map(({ label, nodeFlags, main }) => ({ ...topology.ours, label, nodeArgs: [...nodeFlags, main, ...ourArgs] }));
  for (const spec of [topology.ours, topology.stock, ...extras]) {
    const gateway = await startGatewayTimed({ spec, probeQuery: DEEP_TEST_QUERY, repoRoot, logDir, started, attempt: 0 });
    log(`${spec.label} (deep): first answer ${gateway.startupMs.toFixed(0)} ms after spawn`);
    gateways.push(gateway);
  }
  // Subgraph fetches one request causes, per gateway (counted by the subgraphs process).
  const fetchesPerRequest: number[] = [];
  for (const gateway of gateways) {
    const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
    const before = sum(await topology.subgraphRequestCounts());
    await postGraphQLOnce(gateway.graphqlUrl, DEEP_TEST_QUERY, gateway.spec.requestHeaders());
    fetchesPerRequest.push(sum(await topology.subgraphRequestCounts()) - before);
  }
  const results = await measureScenarioInterleaved({ gateways, scenario: deepScenario, load: deepLoad, log });
  await stopAllBenchProcesses([topology.subgraphs, ...gateways.map((g) => g.process)]);
  return {
    load: deepLoad,
    results,
    labels: gateways.map((g) => g.spec.label),
    startupMs: gateways.map((g) => g.startupMs),
    fetchesPerRequest,
  };
}

async function main(): Promise<void> {
  const loadBefore = loadavg()[0]!;
  log(`load average ${loadBefore.toFixed(2)} on ${cpus().length} CPUs; logs in ${logDir}`);
  // In process and first, before any bench process competes for the CPUs. Skipped by `--only deep` (the
  // deep inner loop; such a run is never recorded).
  const inProcess = runs('light');
  const identity = inProcess && !values['analysis-only'] ? await measureIdentityCost() : [];
  if (identity.length > 0) process.stdout.write(`\n${identityTable(identity)}\n`);
  if (values['identity-only']) return;
  const analysis = inProcess ? measurePolicyAnalysisCost(repoRoot) : [];
  if (analysis.length > 0) process.stdout.write(`\n${analysisTable(analysis)}\n`);
  if (values['analysis-only']) return;
  const compiled = prepareCompiledEntries(repoRoot);
  if (values.only === 'startup') {
    await runStartupOnly(compiled);
    return;
  }
  const lightRun = runs('light') ? await runLight(compiled) : undefined;
  const light = lightRun?.results;
  const cached = lightRun?.cached ?? [];
  const loadBetween = loadavg()[0]!;
  const deep = runs('deep') ? await runDeep(compiled) : undefined;
  // After the deep phase, which stopped its gateways: 1 and 2 workers have the cores to themselves.
  const workers: WorkersRun | undefined = runs('workers')
    ? await runWorkersComparison({ repoRoot, logDir, compiled, started, load: deepLoad, log })
    : undefined;

  const erroneous = [
    ...[...(light ?? []), ...cached].flatMap((r) => r.scenarios.filter((s) => s.errors > 0).map((s) => `${r.label} / ${s.scenario}: ${s.errors} errors (${s.firstError})`)),
    ...(deep?.results ?? []).flatMap((s, index) => (s.errors > 0 ? [`${deep!.labels[index]} / deep: ${s.errors} errors (${s.firstError})`] : [])),
    ...(workers?.results ?? []).flatMap((s, index) => (s.errors > 0 ? [`${workers!.labels[index]} / deep: ${s.errors} errors (${s.firstError})`] : [])),
  ];
  const tables = markdownTables(light, deep);
  process.stdout.write(`\n${tables}\n`);
  if (cached.length > 0) process.stdout.write(`\n${cachedTable(cached)}\n`);
  if (workers) process.stdout.write(`\n${workersTable(workers)}\n`);
  if (erroneous.length > 0) throw new Error(`requests failed under load, results not recorded:\n${erroneous.join('\n')}`);
  if (write && light && deep && workers) {
    const resultsPath = join(repoRoot, 'bench/RESULTS.md');
    let kept = '';
    try {
      const previous = readFileSync(resultsPath, 'utf8');
      const at = previous.indexOf(KEPT_SECTION_MARKER);
      if (at >= 0) kept = previous.slice(at);
    } catch {
      // first run: nothing to keep
    }
    const markdown = resultsMarkdown(light, deep, {
      date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      nproc: cpus().length,
      cpuModel: cpus()[0]?.model.trim() ?? 'unknown CPU',
      nodeVersion: process.version,
      commit: git(['rev-parse', '--short', 'HEAD']) || 'unknown',
      dirtyTree: git(['status', '--porcelain', '--', 'gateway', 'subgraphs', 'bench', ':!bench/RESULTS.md']) !== '',
      loadBefore,
      loadBetween,
      loadAfter: loadavg()[0]!,
      totalSeconds: (performance.now() - runStartedAt) / 1000,
      load: lightLoad,
      scenarios: LIGHT_SCENARIOS,
      // Equal data across gateways was checked before load (interleavedScenario.ts).
      crossCounts: crossCountsOf(light[0]!.scenarios[1]!.sampleData),
      analysis,
      identity,
      cached,
      cachedScenarios: CACHED_SCENARIOS,
    });
    const workersSection = [
      '## Workers: 1 against --workers 2 (deep scenario)',
      '',
      'Ours with one worker against `--workers 2` (bench/workersComparison.ts), the deep scenario\'s load and config with rate limits off in both ' +
        '(more than one worker needs the Redis store), alternating slices; CPU and RSS summed over each gateway\'s processes (the primary and its workers). ' +
        `The load generator and the four benchmark subgraphs share the same ${cpus().length} CPUs.`,
      '',
      workersTable(workers),
    ].join('\n');
    writeFileSync(resultsPath, `${markdown}\n${workersSection}${kept ? `\n${kept}` : ''}`);
    log('wrote bench/RESULTS.md');
  }
  if (values['keep-logs']) log(`process logs kept in ${logDir}`);
  else rmSync(logDir, { recursive: true, force: true });
}

main().then(
  () => process.exit(0),
  (error: unknown) => abort(`failed: ${(error as Error).stack ?? String(error)}\n(process logs kept in ${logDir})`, 1),
);
