#!/usr/bin/env node
// Runs node's test runner over every *.test.ts under the given folders (default: test/), between a global
// setup and a global teardown (Node 20 has no --test-global-setup):
//   setup     `tsc -b tsconfig.build.json` (incremental; not even started when every project's state is
//             newer than its inputs), then scripts/bundleEntries.mjs (every process entry bundled into its
//             dist/main.js; a no-op when fresh): every process a test starts is compiled JS; the test files'
//             timeouts checked (testTimeoutCheck.mjs; a file that passed before is not parsed again);
//             a run id in the environment, inherited by every process the tests start.
//   checks    with --checks (npm test): the type checks, in a lane of their own beside the test files
//             (they used to run before them and added ~20 s of wall time); their output is shown when
//             they fail, and fails the run. schema:check and compose:check on the committed graph are
//             test files' work (test/integration/scripts/compose.test.ts runs `compose.js --check` on it,
//             schemaCheck.test.ts computes schema:check's report on a copy of it): running them here as
//             well composed the same graph twice more (~1.9 CPU-s).
//   tests     scripts/testFileRunner.mjs, 2 processes at a time, the longest first (the last run's
//             times per file, else a guess from the layer and how many processes the file starts), so
//             that no long one starts last and runs alone. Test files share processes
//             (scripts/testFileGroups.mjs): the unit files one, the integration files a few of about
//             equal length; starting node, tsx and the support modules once per group instead of once
//             per file saves ~1 CPU-s a file. --isolate gives each file its own process again (to rule
//             out one file affecting another).
//   teardown  every process still carrying that run id is listed, killed with its process group, and
//             fails the run: a test that leaks a gateway or a Redis is a failing test.
// After the run: per file, its wall time, the CPU seconds of its process tree and how many processes it
// started (scripts/testFileResources.mjs), slowest first, and the run's total CPU.
// Timeouts are per test (in the test files, checked by testTimeoutCheck.mjs before anything runs), not
// per file: Node 20's --test-timeout given to the runner would cancel a whole file. RUN_DEADLINE_MS only
// bounds a run that hangs outside any test.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative, resolve } from 'node:path';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { bundleStaleEntries } from './bundleEntries.mjs';
import { compileIfStale } from './build.mjs';
import { callsWithoutTimeout } from './testTimeoutCheck.mjs';
import { planProcesses, timingKey } from './testFileGroups.mjs';

/** The run's wall time counts from here: the build and the checks before the first test are part of it. */
const startedAt = Date.now();
const repoRoot = resolve(fileURLToPath(new URL('..', import.meta.url)));
/**
 * 25 min: only for a run that hangs outside any test (each test has its own timeout). A whole run took
 * 14.5 min at load average ~18 on 2 cores (four engineers' suites at once, 2026-12-01): a 15-min bound
 * would fail a healthy run on a crowded box.
 */
const RUN_DEADLINE_MS = 25 * 60_000;
const RUN_ID_VARIABLE = 'FEDERATION_GATEWAY_TEST_RUN';
/** Last run's wall seconds per test file (git-ignored, like everything under node_modules). */
const TIMINGS_CACHE = join(repoRoot, 'node_modules/.cache/run-tests/file-seconds.json');
/** Hashes of test files that passed the timeout check (scripts/testTimeoutCheck.mjs). */
const TIMEOUTS_PASSED_CACHE = join(repoRoot, 'node_modules/.cache/run-tests/timeouts-passed.json');
/**
 * package.json scripts that --checks runs beside the tests (the build they start with has just run). Not
 * schema:check and compose:check: the scripts' test files assert both on the committed graph.
 */
const CHECK_SCRIPTS = ['check:types'];

const USAGE = 'usage: node scripts/run-tests.mjs [--checks] [--isolate] [--concurrency=N] [--test-name-pattern=RE]... [FILE|FOLDER]...';
let parsed;
try {
  parsed = parseArgs({
    options: {
      checks: { type: 'boolean', default: false },
      isolate: { type: 'boolean', default: false },
      // 2 on the 2-core box: 3 side by side with 2 on a quiet box took 154 s / 290 CPU-s against 143 s / 260
      // (README, Tests; two pairs at load 5-9 agreed on the CPU): not better; 4 not measured.
      // TEST_CONCURRENCY or --concurrency=N.
      concurrency: { type: 'string', default: process.env.TEST_CONCURRENCY ?? '2' },
      'test-name-pattern': { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
    strict: true,
  });
} catch (error) {
  console.error(`run-tests: ${error.message} (${USAGE})`);
  process.exit(2);
}
const { values: options, positionals: roots } = parsed;
if (options.help) {
  console.log(USAGE);
  process.exit(0);
}
const concurrency = Number(options.concurrency);
if (!Number.isInteger(concurrency) || concurrency < 1) {
  console.error(`run-tests: --concurrency must be a whole number >= 1 (${USAGE})`);
  process.exit(2);
}

const files = [];
function walk(dir) {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (entry === 'node_modules' || entry === 'fixtures' || entry === 'dist') continue;
    if (statSync(path).isDirectory()) walk(path);
    else if (entry.endsWith('.test.ts')) files.push(relative(process.cwd(), path));
  }
}
for (const root of roots.length > 0 ? roots : ['test']) {
  if (statSync(root).isFile()) files.push(root);
  else walk(root);
}
if (files.length === 0) {
  console.error('run-tests: no *.test.ts files found');
  process.exit(1);
}

function readTimings() {
  try {
    return JSON.parse(readFileSync(TIMINGS_CACHE, 'utf8'));
  } catch {
    return {};
  }
}

/**
 * Expected seconds of a file: its last measured wall time, else a guess. The guess only has to rank
 * files: a browser or whole-system test, or one that installs packages, is long; an integration file
 * costs about a second per process it starts; a unit file is short.
 */
function expectedSeconds(file, timings) {
  const measured = timings[relative(repoRoot, resolve(file))];
  if (typeof measured === 'number') return measured;
  const source = readFileSync(file, 'utf8');
  if (/\bnpm ci\b|launchChromium|startNpmStart/.test(source)) return 60;
  const starts = source.match(/\bstart[A-Z]\w*\(|\bspawn(Sync)?\(|\bexecFile(Sync)?\(/g)?.length ?? 0;
  return file.includes('/unit/') ? 1 + starts : 2 + 2 * starts;
}
const timings = readTimings();

// Global setup: compile every part the tests start as a process (scripts/build.mjs: `tsc -b` runs only
// when an input is newer than its project's build state, ~1 s before the first test otherwise), in its own
// process, while this one checks the test files' timeouts.
const build = compileIfStale();
const missingTimeouts = callsWithoutTimeout(files, { passedFile: TIMEOUTS_PASSED_CACHE });
if ((await build) !== 0) {
  console.error('run-tests: the build failed (tsc -b tsconfig.build.json); no test was run');
  process.exit(1);
}
if (missingTimeouts.length > 0) {
  console.error(`run-tests: every test and hook needs its own timeout (see scripts/testTimeoutCheck.mjs):\n  ${missingTimeouts.join('\n  ')}`);
  process.exit(1);
}
// The gateway, subgraphs and services the tests spawn are the bundles `npm run build` makes, not tsc's unbundled entries.
try {
  await bundleStaleEntries();
} catch (error) {
  console.error(`run-tests: bundling the process entries failed (scripts/bundleEntries.mjs: ${error.message}); no test was run`);
  process.exit(1);
}

/** Every live process (but this one) whose environment carries the run id. */
function processesOfThisRun(runId) {
  const marker = `${RUN_ID_VARIABLE}=${runId}`;
  const found = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (!readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0').includes(marker)) continue;
      const command = readFileSync(`/proc/${entry}/cmdline`, 'latin1').split('\0').join(' ').trim();
      // A zombie (exited, not yet reaped) is not running anything.
      if (/^State:\s+Z/m.test(readFileSync(`/proc/${entry}/status`, 'latin1'))) continue;
      found.push({ pid: Number(entry), command });
    } catch {
      // exited while we looked, or not ours to read
    }
  }
  return found;
}

function killGroupAndProcess(pid) {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      // gone already
    }
  }
}

/** CPU seconds (user + sys) of this process and of every child it has reaped, from /proc. */
function treeCpuSeconds() {
  const stat = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return [11, 12, 13, 14].reduce((sum, index) => sum + Number(stat[index]), 0) / 100;
}

const runId = randomUUID();
const env = { ...process.env, [RUN_ID_VARIABLE]: runId };
const resourcesDir = mkdtempSync(join(tmpdir(), 'run-tests-'));
const resourcesLog = join(resourcesDir, 'files.jsonl');
const children = new Set();

const plan = planProcesses({
  repoRoot,
  files,
  dir: resourcesDir,
  concurrency,
  isolate: options.isolate,
  expectedSeconds: (file) => expectedSeconds(file, timings),
});
/** A group's generated file -> its label, for the report. */
const groupLabels = new Map(plan.filter((p) => p.members.length > 0).map((p) => [p.entry, p.label]));

/** The checks lane: each package.json script in turn, output kept for the report. */
async function runChecks() {
  const scripts = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).scripts;
  const results = [];
  for (const name of CHECK_SCRIPTS) {
    // Run as npm would (node_modules/.bin on PATH), less the build npm test has just done.
    const command = scripts[name].replace(/^node scripts\/build\.mjs( [\w/]+)? && /, '');
    const started = Date.now();
    const child = spawn('sh', ['-c', command], {
      cwd: repoRoot,
      env: { ...env, PATH: `${join(repoRoot, 'node_modules/.bin')}${delimiter}${process.env.PATH}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const code = await new Promise((resolveExit) => child.on('close', (exitCode, signal) => resolveExit(exitCode ?? signal)));
    children.delete(child);
    results.push({ name, command, code, output, seconds: (Date.now() - started) / 1000 });
  }
  return results;
}

/** The tests lane: scripts/testFileRunner.mjs over the files, longest first. */
function runTestFiles() {
  // The test files run TypeScript through tsx's ES module loader only (`tsx/esm`: every test file and
  // support module is an ES module; without tsx's require() hooks a test process starts on ~0.05-0.08
  // CPU-s less); the condition resolves our workspace packages to their sources in-process (as
  // `npm run check:types` does). Processes the tests spawn run compiled JS.
  const runner = spawn(
    process.execPath,
    [
      '--conditions=@federation-gateway/source',
      '--import',
      'tsx/esm',
      '--import',
      resolve(repoRoot, 'scripts/testFileResources.mjs'),
      resolve(repoRoot, 'scripts/testFileRunner.mjs'),
      `--concurrency=${concurrency}`,
      ...(options['test-name-pattern'] ?? []).map((pattern) => `--test-name-pattern=${pattern}`),
      ...plan.map((p) => p.entry),
    ],
    { cwd: process.cwd(), stdio: 'inherit', env: { ...env, TEST_FILE_RESOURCES_LOG: resourcesLog } },
  );
  children.add(runner);
  return new Promise((resolveExit) =>
    runner.on('exit', (code, signal) => {
      children.delete(runner);
      resolveExit({ code, signal });
    }),
  );
}

/** Per test file: wall time, CPU of its process tree, processes it spawned (scripts/testFileResources.mjs). */
function reportFileResources() {
  let rows = [];
  try {
    rows = readFileSync(resourcesLog, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line));
  } catch {
    return;
  }
  const processes = rows.filter((r) => !r.member).sort((a, b) => b.wallMs - a.wallMs);
  const members = rows.filter((r) => r.member).sort((a, b) => b.wallMs - a.wallMs);
  const row = (r, label, indent = '') =>
    `  ${indent}${(r.wallMs / 1000).toFixed(1).padStart(6)} s ${r.cpuSeconds.toFixed(1).padStart(7)} s ${(r.selfCpuSeconds ?? 0).toFixed(1).padStart(6)} s ${String(r.spawned).padStart(5)}  ${label}`;
  const total = (key) => processes.reduce((sum, r) => sum + r[key], 0);
  console.error('\nrun-tests: per test process, slowest first: wall, CPU of its process tree, CPU of the test process alone, processes it started (a group: then its files)');
  for (const r of processes) {
    const label = groupLabels.get(r.file);
    if (label === undefined) {
      console.error(row(r, r.file));
      continue;
    }
    const own = members.filter((m) => m.group === r.file);
    console.error(row(r, `${label}: ${own.length} files in one process`));
    for (const m of own) console.error(row(m, m.file, '  '));
  }
  console.error(row({ wallMs: total('wallMs'), cpuSeconds: total('cpuSeconds'), selfCpuSeconds: total('selfCpuSeconds'), spawned: total('spawned') }, `in all ${processes.length} processes (${files.length} files), ${concurrency} at a time`));
  // Next run's order: these times (a file in a group: from its first hook to its last), over the older ones.
  const updated = { ...timings };
  for (const r of [...processes.filter((p) => !groupLabels.has(p.file)), ...members]) {
    const file = timingKey(repoRoot, r.file);
    if (!file.startsWith('..')) updated[file] = Math.round(r.wallMs / 100) / 10;
  }
  try {
    mkdirSync(dirname(TIMINGS_CACHE), { recursive: true });
    writeFileSync(TIMINGS_CACHE, `${JSON.stringify(updated, null, 1)}\n`);
  } catch {
    // a read-only checkout: the next run guesses the order again
  }
}

let deadlineHit = false;
const deadline = setTimeout(() => {
  deadlineHit = true;
  console.error(`run-tests: the run exceeded ${RUN_DEADLINE_MS / 60_000} min; stopping it`);
  for (const child of children) child.kill('SIGKILL');
}, RUN_DEADLINE_MS);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => children.forEach((child) => child.kill(signal)));

const [checks, tests] = await Promise.all([options.checks ? runChecks() : Promise.resolve([]), runTestFiles()]);
clearTimeout(deadline);
// Global teardown: nothing a test started may outlive the run.
const leftovers = processesOfThisRun(runId);
for (const { pid } of leftovers) killGroupAndProcess(pid);
reportFileResources();
rmSync(resourcesDir, { recursive: true, force: true });

const failedChecks = checks.filter((check) => check.code !== 0);
for (const check of failedChecks) console.error(`\nrun-tests: ${check.name} failed (${check.command}, exit ${check.code}):\n${check.output.trimEnd()}`);
if (checks.length > 0) {
  console.error(`\nrun-tests: checks beside the tests: ${checks.map((c) => `${c.name} ${c.code === 0 ? 'ok' : 'FAILED'} in ${c.seconds.toFixed(1)} s`).join(', ')}`);
}
const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
if (leftovers.length > 0) {
  console.error(`run-tests: ${leftovers.length} process(es) outlived the tests that started them (killed now):`);
  for (const { pid, command } of leftovers) console.error(`  pid ${pid}: ${command}`);
} else {
  console.error(`run-tests: ${files.length} files in ${seconds} s (${treeCpuSeconds().toFixed(1)} CPU-s in all, build and checks included); no process left behind`);
}
const failed = deadlineHit || leftovers.length > 0 || failedChecks.length > 0 || tests.code !== 0 || tests.signal !== null;
process.exit(failed ? tests.code || 1 : 0);
