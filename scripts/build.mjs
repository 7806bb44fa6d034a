#!/usr/bin/env node
// What `npm start`, `npm run compose` and the other dev scripts run before their tool: the build, when it is
// not fresh. `tsc -b tsconfig.build.json` only when an input is newer than its project's build state
// (scripts/tscBuildFreshness.mjs: tsc's own no-op check loads the compiler, ~1 s of every start), then the
// stale bundles (scripts/bundleEntries.mjs; all of them, or the one named).
//   node scripts/build.mjs [ENTRY]      e.g. scripts/compose
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleStaleEntries } from './bundleEntries.mjs';
import { tscBuildIsFresh } from './tscBuildFreshness.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
if (!tscBuildIsFresh(repoRoot)) {
  const tsc = spawnSync(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-b', 'tsconfig.build.json'], { cwd: repoRoot, stdio: 'inherit' });
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
}
await bundleStaleEntries(process.argv[2]);
