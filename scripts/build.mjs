#!/usr/bin/env node
// What `npm start`, `npm run compose` and the other dev scripts run before their tool, and what the test
// runner builds with: the build, when it is not fresh. `tsc -b tsconfig.build.json` only when an input is
// newer than its project's build state (scripts/tscBuildFreshness.mjs: tsc's own no-op check loads the
// compiler, ~1 s of every start), then the stale bundles (scripts/bundleEntries.mjs; all of them, or the one named).
//   node scripts/build.mjs [ENTRY]      e.g. scripts/compose
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleStaleEntries } from './bundleEntries.mjs';
import { tscBuildIsFresh } from './tscBuildFreshness.mjs';

const thisScript = fileURLToPath(import.meta.url);
const repoRoot = resolve(dirname(thisScript), '..');

/**
 * Starts `tsc -b tsconfig.build.json` in a process of its own unless every project is fresh (so a caller
 * can do other work meanwhile); resolves with its exit code, 0 when it did not need to run.
 */
export function compileIfStale() {
  if (tscBuildIsFresh(repoRoot)) return Promise.resolve(0);
  return new Promise((resolveExit) => {
    const child = spawn(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-b', 'tsconfig.build.json'], { cwd: repoRoot, stdio: 'inherit' });
    child.on('error', () => resolveExit(1));
    child.on('close', (code) => resolveExit(code ?? 1));
  });
}

if (process.argv[1] === thisScript) {
  const code = await compileIfStale();
  if (code !== 0) process.exit(code);
  await bundleStaleEntries(process.argv[2]);
}
