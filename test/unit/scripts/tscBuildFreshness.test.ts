// run-tests.mjs skips `tsc -b tsconfig.build.json` when scripts/tscBuildFreshness.mjs says every project's
// build state is newer than its inputs. A wrong "fresh" would run the tests on stale compiled code, so each
// way an input can be newer, and each state tsc would not call clean, must answer "not fresh". The stage is
// a solution of two projects (app references lib) with build states written here, times set by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
// @ts-expect-error: a plain ES module script (no declarations); the shape used here is checked by the assertions.
import { tscBuildIsFresh } from '../../../scripts/tscBuildFreshness.mjs';
import { repoRoot } from '../../support/processes.js';
import { tempDir } from '../../support/tempDirs.js';

const isFresh = tscBuildIsFresh as (root: string, buildConfig?: string) => boolean;
const typescriptVersion = (JSON.parse(readFileSync(createRequire(join(repoRoot, 'package.json')).resolve('typescript/package.json'), 'utf8')) as { version: string }).version;

/** Seconds since the epoch: sources at T, lib's state at T+10, app's at T+20. */
const T = 1_700_000_000;
const CLEAN_STATE = { fileNames: [], fileInfos: [], root: [], options: {}, version: typescriptVersion };

function write(path: string, text: string, seconds: number): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  utimesSync(path, seconds, seconds);
}

/** A fresh solution: every input at T, lib's state at T+10, app's at T+20 (folders' times set last). */
function stage(): string {
  const root = tempDir('tsc-freshness-');
  symlinkSync(join(repoRoot, 'node_modules'), join(root, 'node_modules'));
  write(join(root, 'package.json'), '{}', T);
  write(join(root, 'tsconfig.base.json'), '{ "compilerOptions": { "strict": true } }', T);
  write(join(root, 'tsconfig.build.json'), '{\n  // the solution\n  "files": [],\n  "references": [{ "path": "lib" }, { "path": "app" }],\n}\n', T);
  const project = (references: string[]) =>
    JSON.stringify({
      extends: '../tsconfig.base.json',
      compilerOptions: { rootDir: 'src', outDir: 'dist', tsBuildInfoFile: 'dist/.tsbuildinfo' },
      include: ['src'],
      references: references.map((path) => ({ path })),
    });
  write(join(root, 'lib/tsconfig.json'), project([]), T);
  write(join(root, 'lib/src/nested/value.ts'), 'export const value = 1;\n', T);
  write(join(root, 'app/tsconfig.json'), project(['../lib']), T);
  write(join(root, 'app/src/main.ts'), 'export const main = 2;\n', T);
  for (const dir of ['lib/src/nested', 'lib/src', 'app/src']) utimesSync(join(root, dir), T, T);
  write(join(root, 'lib/dist/.tsbuildinfo'), JSON.stringify(CLEAN_STATE), T + 10);
  write(join(root, 'app/dist/.tsbuildinfo'), JSON.stringify(CLEAN_STATE), T + 20);
  return root;
}

test('a solution whose every state is newer than its inputs and its references is fresh', { timeout: 10_000 }, () => {
  assert.equal(isFresh(stage()), true);
});

test('a source, a file added in a subfolder, a tsconfig or the base tsconfig newer than the state: not fresh', { timeout: 10_000 }, () => {
  const edited = stage();
  utimesSync(join(edited, 'app/src/main.ts'), T + 30, T + 30);
  assert.equal(isFresh(edited), false, 'an edited source');

  const added = stage();
  writeFileSync(join(added, 'lib/src/nested/other.ts'), 'export {};\n');
  utimesSync(join(added, 'lib/src/nested/other.ts'), T, T);
  // Only the folder's own time tells that a file was added (the new file may carry an old time, e.g. from git).
  assert.equal(isFresh(added), false, 'a file added to a subfolder');

  const config = stage();
  utimesSync(join(config, 'lib/tsconfig.json'), T + 15, T + 15);
  assert.equal(isFresh(config), false, "a project's tsconfig");

  const base = stage();
  utimesSync(join(base, 'tsconfig.base.json'), T + 30, T + 30);
  assert.equal(isFresh(base), false, 'the tsconfig every project extends');
});

test('a referenced project rebuilt after its dependant: not fresh', { timeout: 10_000 }, () => {
  const root = stage();
  utimesSync(join(root, 'lib/dist/.tsbuildinfo'), T + 25, T + 25);
  assert.equal(isFresh(root), false);
});

test('a state with errors or pending work, from another TypeScript, or missing: not fresh', { timeout: 10_000 }, () => {
  const withErrors = stage();
  write(join(withErrors, 'app/dist/.tsbuildinfo'), JSON.stringify({ ...CLEAN_STATE, semanticDiagnosticsPerFile: [[1, []]] }), T + 20);
  assert.equal(isFresh(withErrors), false, 'diagnostics recorded');

  const otherVersion = stage();
  write(join(otherVersion, 'lib/dist/.tsbuildinfo'), JSON.stringify({ ...CLEAN_STATE, version: '4.0.0' }), T + 10);
  assert.equal(isFresh(otherVersion), false, 'written by another TypeScript');

  const missing = stage();
  write(join(missing, 'app/dist/.tsbuildinfo'), 'not json', T + 20);
  assert.equal(isFresh(missing), false, 'unreadable state');
});

test('a tsconfig this reader does not understand (a glob, files listed): not fresh, tsc decides', { timeout: 10_000 }, () => {
  const glob = stage();
  write(join(glob, 'app/tsconfig.json'), JSON.stringify({ extends: '../tsconfig.base.json', compilerOptions: { tsBuildInfoFile: 'dist/.tsbuildinfo' }, include: ['src/**/*.ts'] }), T);
  assert.equal(isFresh(glob), false, 'an include glob');

  const files = stage();
  write(join(files, 'tsconfig.build.json'), JSON.stringify({ files: ['x.ts'], references: [{ path: 'lib' }] }), T);
  assert.equal(isFresh(files), false, 'a solution with files of its own');
});
