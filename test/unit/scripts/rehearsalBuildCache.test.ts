// The Dockerfile rehearsal's build cache takes a step's result from the checkout only when the stage holds
// exactly the inputs the checkout's own step read; anything missing or different runs the step for real
// (as `docker build` would, and fails the same way). Stages here are temp folders holding copies of this
// checkout's files (scripts/run-tests.mjs has built it, so its .tsbuildinfo files exist).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cacheDecision } from '../../../scripts/src/rehearsalBuildCache.js';
import { repoRoot } from '../../support/processes.js';

const NPM_CI = 'npm ci --ignore-scripts --no-audit --no-fund';
const TSC = 'npx tsc -b gateway/tsconfig.json';

/** A stage holding copies of these checkout paths. */
function stageWith(paths: string[]): string {
  const stage = mkdtempSync(join(tmpdir(), 'rehearsal-cache-'));
  for (const path of paths) cpSync(join(repoRoot, path), join(stage, path), { recursive: true, filter: (source) => !/\/(node_modules|dist)(\/|$)/.test(source) });
  return stage;
}

const workspaceManifests = (): string[] => {
  const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as { packages: Record<string, unknown> };
  return Object.keys(lock.packages)
    .filter((path) => !path.includes('node_modules'))
    .map((path) => join(path, 'package.json'));
};

describe('rehearsal build cache', () => {
  test('npm ci: a hit with the lockfile and every workspace manifest as checked in; a miss without one, or with one changed', { timeout: 30_000 }, () => {
    const stage = stageWith(['package-lock.json', '.npmrc', ...workspaceManifests()]);
    try {
      const hit = cacheDecision(NPM_CI, repoRoot, stage);
      assert.equal(hit.hit, true, hit.reason);
      rmSync(join(stage, 'bench/package.json'));
      assert.deepEqual(cacheDecision(NPM_CI, repoRoot, stage), { hit: false, reason: "bench/package.json differs from the checkout's" });
      cpSync(join(repoRoot, 'bench/package.json'), join(stage, 'bench/package.json'));
      appendFileSync(join(stage, 'package-lock.json'), '\n');
      assert.equal(cacheDecision(NPM_CI, repoRoot, stage).hit, false);
      // A production-only or single-workspace install is never taken from the checkout.
      assert.equal(cacheDecision('npm ci --omit=dev --workspace gateway', repoRoot, stage).hit, false);
    } finally {
      rmSync(stage, { recursive: true, force: true });
    }
  });

  test('tsc -b: a hit with the sources the checkout built; a miss when one is missing or edited', { timeout: 30_000 }, () => {
    const stage = stageWith(['tsconfig.base.json', 'gateway/tsconfig.json', 'gateway/src', 'packages/identity/tsconfig.json', 'packages/identity/src']);
    try {
      const hit = cacheDecision(TSC, repoRoot, stage);
      assert.equal(hit.hit, true, hit.reason);
      appendFileSync(join(stage, 'gateway/src/errors.ts'), '\n// edited\n');
      assert.deepEqual(cacheDecision(TSC, repoRoot, stage), { hit: false, reason: 'gateway/src/errors.ts is not in the stage as the checkout built it' });
      cpSync(join(repoRoot, 'gateway/src/errors.ts'), join(stage, 'gateway/src/errors.ts'));
      rmSync(join(stage, 'packages/identity/src'), { recursive: true });
      assert.match(cacheDecision(TSC, repoRoot, stage).reason, /^packages\/identity\/src\/.* is not in the stage/);
      cpSync(join(repoRoot, 'packages/identity/src'), join(stage, 'packages/identity/src'), { recursive: true });
      appendFileSync(join(stage, 'tsconfig.base.json'), '\n');
      assert.deepEqual(cacheDecision(TSC, repoRoot, stage), { hit: false, reason: "tsconfig.base.json differs from the checkout's" });
    } finally {
      rmSync(stage, { recursive: true, force: true });
    }
  });

  test("a hit puts the checkout's compiled output into the stage", { timeout: 30_000 }, () => {
    const stage = stageWith(['tsconfig.base.json', 'gateway/tsconfig.json', 'gateway/src', 'packages/identity/tsconfig.json', 'packages/identity/src']);
    try {
      const decision = cacheDecision(TSC, repoRoot, stage);
      assert.ok(decision.hit);
      decision.apply();
      assert.deepEqual(readFileSync(join(stage, 'gateway/dist/main.js')), readFileSync(join(repoRoot, 'gateway/dist/main.js')));
      assert.deepEqual(readFileSync(join(stage, 'packages/identity/dist/index.js')), readFileSync(join(repoRoot, 'packages/identity/dist/index.js')));
    } finally {
      rmSync(stage, { recursive: true, force: true });
    }
  });
});
