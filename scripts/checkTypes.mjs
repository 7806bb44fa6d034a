#!/usr/bin/env node
// `npm run check:types`: type checks the repository (tsconfig.json) and the explorer's browser code (its
// own tsconfig, DOM types) with `tsc -b`, which skips a project whose inputs are all older than its
// incremental state (node_modules/.cache/tsc/*.tsbuildinfo): ~1 CPU-s instead of ~10 when nothing changed
// since the last check passed (`tsc -p` parses all ~1,650 files even then). A failed check stays failed:
// tsc -b reports the same errors again until they are fixed.
//
// Why the touch below: with noEmit, tsc rewrites the state only when the program changed. After a change
// to a tsconfig alone (no source changed), the state stays older than that tsconfig, and every later
// check would run again in full. So after a check that passed, each state's time is set to when the check
// started: an input changed while it ran is still newer, and is checked next time.
import { spawnSync } from 'node:child_process';
import { existsSync, utimesSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Each project and the tsBuildInfoFile its tsconfig names. */
const PROJECTS = [
  { config: 'tsconfig.json', state: 'node_modules/.cache/tsc/check.tsbuildinfo' },
  { config: 'gateway/explorer/browser/tsconfig.json', state: 'node_modules/.cache/tsc/check-browser.tsbuildinfo' },
];

const startedAt = new Date();
const tsc = join(repoRoot, 'node_modules/typescript/bin/tsc');
const result = spawnSync(process.execPath, [tsc, '-b', ...PROJECTS.map((p) => p.config)], { cwd: repoRoot, stdio: 'inherit' });
if (result.status === 0) {
  for (const { state } of PROJECTS) {
    const path = join(repoRoot, state);
    if (existsSync(path)) utimesSync(path, startedAt, startedAt);
  }
}
process.exit(result.status ?? 1);
