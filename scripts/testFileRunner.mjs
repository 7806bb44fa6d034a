// The node:test runner as scripts/run-tests.mjs starts it: `node --test` sorts its files by path, so this
// drives node:test's run() instead, which keeps the order it is given (run-tests.mjs puts the longest
// files first, so that the last minute of a run is not one long file running alone).
//   node [--import tsx …] scripts/testFileRunner.mjs --concurrency N FILE...
// Each file still runs in its own process (with this process's execArgv); the spec reporter goes to
// stdout (run-tests.mjs reports each file's time, CPU and processes); the exit code is 1 when any test or
// file failed.
import { run } from 'node:test';
import { spec } from 'node:test/reporters';
import { parseArgs } from 'node:util';

const { values, positionals: files } = parseArgs({
  options: { concurrency: { type: 'string', default: '2' }, 'test-name-pattern': { type: 'string', multiple: true } },
  allowPositionals: true,
  strict: true,
});

const stream = run({
  files,
  concurrency: Number(values.concurrency),
  ...(values['test-name-pattern'] ? { testNamePatterns: values['test-name-pattern'] } : {}),
});
stream.on('test:fail', () => {
  process.exitCode = 1;
});
stream.compose(new spec()).pipe(process.stdout);
