// Runs the whole `npm test` N times in a row while another process keeps one core busy, and prints each
// run's wall time and result: the measurement behind the README's "under load" line (issue 11 asks that
// the suite pass three times in a row like this).
//
//   node scripts/suite-under-load.mjs [--runs N] [--no-load] [-- test files/folders]
//                                      (npm run test:under-load -- --runs 3)
// Files after `--` go to npm test's runner (e.g. `-- test/unit` to try the script quickly).
//
// The busy loop is one `node` process of its own (one thread: one core), started here and killed here by
// its PID when the runs end, also on Ctrl-C. It also stops by itself after MAX_LOAD_MS, so even a killed
// script cannot leave a core spinning. Each run's full output goes to test-output/suite-under-load/.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const repoRoot = resolve(fileURLToPath(new URL('..', import.meta.url)));
/** 2 h: far beyond N suite runs on a loaded machine, short enough that a stray loop ends by itself. */
const MAX_LOAD_MS = 2 * 60 * 60 * 1000;

const { values, positionals } = parseArgs({
  options: { runs: { type: 'string', default: '3' }, 'no-load': { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' } },
  strict: true,
  allowPositionals: true,
});
const testArgs = positionals.length > 0 ? ['--', ...positionals] : [];
if (values.help) {
  console.log('usage: node scripts/suite-under-load.mjs [--runs N] [--no-load] [-- test files]');
  process.exit(0);
}
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1 || runs > 20) {
  console.error('suite-under-load: --runs must be a whole number from 1 to 20');
  process.exit(2);
}

const logDir = join(repoRoot, 'test-output', 'suite-under-load');
mkdirSync(logDir, { recursive: true });

/** One core busy: a single-threaded spin loop in its own process, bounded in time. */
function startBusyCore() {
  const child = spawn(process.execPath, ['-e', `const end = Date.now() + ${MAX_LOAD_MS}; while (Date.now() < end) {}`], {
    stdio: 'ignore',
  });
  console.log(`suite-under-load: busy loop on one core, PID ${child.pid} (stops by itself after ${MAX_LOAD_MS / 60_000} min)`);
  return child;
}

let busy = values['no-load'] ? undefined : startBusyCore();
let current;
function stopBusy() {
  if (busy && busy.exitCode === null && busy.signalCode === null) busy.kill('SIGKILL');
  busy = undefined;
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    stopBusy();
    // npm test's own runner kills its processes by group on SIGTERM/SIGINT.
    if (current && current.exitCode === null) current.kill(signal);
    process.exit(130);
  });
}
process.on('exit', stopBusy);

/** The summary lines of node --test and run-tests (counts, slowest files, leftovers) from one run's output. */
function summaryOf(output) {
  const counts = Object.fromEntries([...output.matchAll(/^ℹ (tests|pass|fail|cancelled) (\d+)$/gm)].map((m) => [m[1], Number(m[2])]));
  const runner = output.match(/^run-tests: \d+ files in .*$/m)?.[0];
  return { counts, runner };
}

function runSuite(index) {
  return new Promise((resolveRun) => {
    const logFile = join(logDir, `run-${index}.log`);
    const log = createWriteStream(logFile);
    let output = '';
    const started = process.hrtime.bigint();
    current = spawn('npm', ['test', ...testArgs], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [current.stdout, current.stderr]) {
      stream.on('data', (chunk) => {
        log.write(chunk);
        output += chunk.toString();
      });
    }
    current.on('close', (code, signal) => {
      log.end();
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      resolveRun({ index, code, signal, seconds, logFile, ...summaryOf(output) });
    });
  });
}

console.log(`suite-under-load: ${runs} run(s) of npm test ${testArgs.join(' ')}, ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
const results = [];
for (let index = 1; index <= runs; index += 1) {
  const result = await runSuite(index);
  results.push(result);
  const { pass = '?', fail = '?', tests = '?' } = result.counts;
  const verdict = result.code === 0 ? 'PASS' : `FAIL (exit ${result.code ?? result.signal})`;
  console.log(`run ${index}: ${verdict} in ${result.seconds.toFixed(1)} s; tests ${tests}, pass ${pass}, fail ${fail}; ${result.runner ?? 'no runner summary'}; log ${result.logFile}`);
}
stopBusy();

const passed = results.filter((r) => r.code === 0).length;
const times = results.map((r) => `${r.seconds.toFixed(0)} s`).join(', ');
console.log(`\nsuite-under-load: ${passed}/${runs} passed ${values['no-load'] ? 'without an extra busy core' : 'with one core kept busy'} (load average now ${loadavg().map((l) => l.toFixed(2)).join(' ')}); wall times ${times}`);
process.exitCode = passed === runs ? 0 : 1;
