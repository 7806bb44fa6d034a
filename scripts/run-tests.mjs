#!/usr/bin/env node
// Runs node's built-in test runner over every *.test.ts under the given folders (default: test/),
// between a global setup and a global teardown (Node 20 has no --test-global-setup):
//   setup     `npm run build` (tsc -b, incremental): every process a test starts is compiled JS;
//             a run id in the environment, inherited by every process the tests start.
//   teardown  every process still carrying that run id is listed, killed with its process group, and
//             fails the run: a test that leaks a gateway or a Redis is a failing test.
// Timeouts are per test (in the test files, checked by testTimeoutCheck.mjs before anything runs), not
// per file: Node 20's --test-timeout given to the runner would cancel a whole file. RUN_DEADLINE_MS only
// bounds a run that hangs outside any test.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { callsWithoutTimeout } from './testTimeoutCheck.mjs';

const repoRoot = resolve(fileURLToPath(new URL('..', import.meta.url)));
/** 15 min: the suite takes ~2 min on a quiet machine and ~3x that on a loaded one. */
const RUN_DEADLINE_MS = 15 * 60_000;
const RUN_ID_VARIABLE = 'FEDERATION_GATEWAY_TEST_RUN';

const roots = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const passThrough = process.argv.slice(2).filter((a) => a.startsWith('--'));
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
files.sort();
if (files.length === 0) {
  console.error('run-tests: no *.test.ts files found');
  process.exit(1);
}

const missingTimeouts = callsWithoutTimeout(files);
if (missingTimeouts.length > 0) {
  console.error(`run-tests: every test and hook needs its own timeout (see scripts/testTimeoutCheck.mjs):\n  ${missingTimeouts.join('\n  ')}`);
  process.exit(1);
}

// Global setup: compile every part the tests start as a process (a no-op when nothing changed).
const build = spawnSync(process.execPath, [resolve(repoRoot, 'node_modules/typescript/bin/tsc'), '-b', 'tsconfig.build.json'], {
  cwd: repoRoot,
  stdio: 'inherit',
});
if (build.status !== 0) {
  console.error('run-tests: the build failed (tsc -b tsconfig.build.json); no test was run');
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

const runId = randomUUID();
const startedAt = Date.now();
// The test files run TypeScript through tsx; the condition resolves our workspace packages to their
// sources in-process (as `npm run check:types` does). Processes the tests spawn run compiled JS.
const runner = spawn(
  process.execPath,
  [
    '--conditions=@federation-gateway/source',
    '--import',
    'tsx',
    '--test',
    '--test-concurrency=2',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    `--test-reporter=${resolve(repoRoot, 'scripts/testFileTimings.mjs')}`,
    '--test-reporter-destination=stderr',
    ...passThrough,
    ...files,
  ],
  { cwd: process.cwd(), stdio: 'inherit', env: { ...process.env, [RUN_ID_VARIABLE]: runId } },
);
let deadlineHit = false;
const deadline = setTimeout(() => {
  deadlineHit = true;
  console.error(`run-tests: the run exceeded ${RUN_DEADLINE_MS / 60_000} min; stopping it`);
  runner.kill('SIGKILL');
}, RUN_DEADLINE_MS);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => runner.kill(signal));

runner.on('exit', (code, signal) => {
  clearTimeout(deadline);
  // Global teardown: nothing a test started may outlive the run.
  const leftovers = processesOfThisRun(runId);
  for (const { pid } of leftovers) killGroupAndProcess(pid);
  const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
  if (leftovers.length > 0) {
    console.error(`run-tests: ${leftovers.length} process(es) outlived the tests that started them (killed now):`);
    for (const { pid, command } of leftovers) console.error(`  pid ${pid}: ${command}`);
  } else {
    console.error(`run-tests: ${files.length} files in ${seconds} s; no process left behind`);
  }
  const failed = deadlineHit || leftovers.length > 0 || code !== 0 || signal !== null;
  process.exit(failed ? code || 1 : 0);
});
