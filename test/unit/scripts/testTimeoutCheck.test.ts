// run-tests.mjs refuses to start when a test or hook has no timeout of its own (scripts/testTimeoutCheck.mjs).
// Files that passed are remembered by their text's hash so that a run loads no parser for them; an edit
// that drops a timeout must still be caught, and a file that failed is never remembered as passed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
// @ts-expect-error: a plain ES module script (no declarations); the shape used here is checked by the assertions.
import { callsWithoutTimeout } from '../../../scripts/testTimeoutCheck.mjs';
import { tempDir } from '../../support/tempDirs.js';

const check = callsWithoutTimeout as (files: string[], options?: { passedFile?: string }) => string[];

const WITH_TIMEOUTS = "test('a', { timeout: 1_000 }, () => {});\nbefore(() => {}, { timeout: 1_000 });\n";
const WITHOUT = "test('a', { timeout: 1_000 }, () => {});\ndescribe('d', () => {\n  it('b', () => {});\n  after(() => {});\n});\n";

test('every test() / it() and hook without a timeout is named with its line', { timeout: 10_000 }, () => {
  const dir = tempDir('timeout-check-');
  const file = join(dir, 'a.test.ts');
  writeFileSync(file, WITHOUT);
  assert.deepEqual(check([file]), [`${file}:3: it(…) has no { timeout }`, `${file}:4: after(…) has no { timeout }`]);
});

test('a passing file is remembered; the same file edited to drop a timeout is reported again and not remembered', { timeout: 10_000 }, () => {
  const dir = tempDir('timeout-check-');
  const passedFile = join(dir, 'cache/passed.json');
  const good = join(dir, 'good.test.ts');
  const bad = join(dir, 'bad.test.ts');
  writeFileSync(good, WITH_TIMEOUTS);
  writeFileSync(bad, WITHOUT);
  assert.equal(check([good, bad], { passedFile }).length, 2);
  const remembered = JSON.parse(readFileSync(passedFile, 'utf8')) as string[];
  assert.equal(remembered.length, 1, 'only the passing file');

  assert.deepEqual(check([good], { passedFile }), []);
  writeFileSync(good, WITHOUT);
  assert.deepEqual(check([good], { passedFile }), [`${good}:3: it(…) has no { timeout }`, `${good}:4: after(…) has no { timeout }`]);
  assert.deepEqual(check([bad], { passedFile }).length, 2, 'a file that failed is checked again');
});
