// The Dockerfile rehearsal's layer cache: an `npm ci` step's result is kept after it ran for real, and a later
// stage takes it only when everything the step reads is the same (lockfile, every workspace manifest, .npmrc,
// the command, its environment); each file of the kept result is the one the real run wrote (hard links).
// The "install" here writes its node_modules by hand: what is under test is the keying and the kept tree.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { layerDecision, type LayerDecision } from '../../../scripts/src/rehearsalLayerCache.js';

const PRODUCTION_CI = 'npm ci --omit=dev --workspace gateway --ignore-scripts';
const env = { PATH: process.env.PATH, HOME: process.env.HOME, npm_config_offline: 'true' };

/** A stage with a lockfile naming the root and one workspace, and their manifests. */
function stage(root: string, name: string): string {
  const dir = join(root, name);
  mkdirSync(join(dir, 'gateway'), { recursive: true });
  writeFileSync(join(dir, 'package-lock.json'), JSON.stringify({ packages: { '': { workspaces: ['gateway'] }, gateway: {}, 'node_modules/a': {}, 'gateway/node_modules/b': {} } }));
  writeFileSync(join(dir, 'package.json'), '{"workspaces":["gateway"]}');
  writeFileSync(join(dir, 'gateway/package.json'), '{"name":"gateway"}');
  return dir;
}

/** What a real install would have written: the root's node_modules (with a workspace link) and the workspace's own. */
function install(dir: string): void {
  mkdirSync(join(dir, 'node_modules/a'), { recursive: true });
  writeFileSync(join(dir, 'node_modules/a/index.js'), 'module.exports = 1;\n');
  symlinkSync('../gateway', join(dir, 'node_modules/gateway'));
  mkdirSync(join(dir, 'gateway/node_modules/b'), { recursive: true });
  writeFileSync(join(dir, 'gateway/node_modules/b/index.js'), 'module.exports = 2;\n');
}

function decide(cache: string, dir: string, command = PRODUCTION_CI, stepEnv: NodeJS.ProcessEnv = env): LayerDecision {
  const decision = layerDecision(cache, command, dir, stepEnv);
  assert.ok(decision, 'an npm ci step is one the cache keeps');
  return decision;
}

/** A folder for PATH whose `npm` is laid out as npm installs itself: bin/npm links into lib/node_modules/npm. */
function npmPackageOnPath(root: string, name: string, version: string): string {
  const packageDir = join(root, name, 'lib/node_modules/npm');
  mkdirSync(join(packageDir, 'bin'), { recursive: true });
  writeFileSync(join(packageDir, 'package.json'), JSON.stringify({ name: 'npm', version }));
  writeFileSync(join(packageDir, 'bin/npm-cli.js'), '');
  mkdirSync(join(root, name, 'bin'));
  symlinkSync('../lib/node_modules/npm/bin/npm-cli.js', join(root, name, 'bin/npm'));
  return join(root, name, 'bin');
}

/** A folder for PATH whose `npm` is a wrapper script (no package next to it): its version is asked. */
function npmWrapperOnPath(root: string, name: string, version: string): string {
  mkdirSync(join(root, name));
  writeFileSync(join(root, name, 'npm'), `#!/bin/sh\necho ${version}\n`);
  chmodSync(join(root, name, 'npm'), 0o755);
  return join(root, name);
}

describe('rehearsal layer cache', () => {
  test('a miss keeps the real run; the same inputs later take exactly that result', { timeout: 30_000 }, () => {
    const root = mkdtempSync(join(tmpdir(), 'rehearsal-layer-'));
    try {
      const cache = join(root, 'cache');
      const first = stage(root, 'first');
      const miss = decide(cache, first);
      assert.equal(miss.hit, false, miss.reason);
      install(first);
      assert.ok(!miss.hit);
      miss.store();

      const second = stage(root, 'second');
      const hit = decide(cache, second);
      assert.equal(hit.hit, true, hit.reason);
      assert.ok(hit.hit);
      hit.apply();
      assert.equal(readFileSync(join(second, 'node_modules/a/index.js'), 'utf8'), 'module.exports = 1;\n');
      assert.equal(readFileSync(join(second, 'gateway/node_modules/b/index.js'), 'utf8'), 'module.exports = 2;\n');
      assert.equal(readlinkSync(join(second, 'node_modules/gateway')), '../gateway', 'workspace links stay relative');
      assert.equal(statSync(join(second, 'node_modules/a/index.js')).ino, statSync(join(first, 'node_modules/a/index.js')).ino, 'the file the real run wrote');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('a changed lockfile, workspace manifest, .npmrc, command or environment misses', { timeout: 30_000 }, () => {
    const root = mkdtempSync(join(tmpdir(), 'rehearsal-layer-'));
    try {
      const cache = join(root, 'cache');
      const first = stage(root, 'first');
      const miss = decide(cache, first);
      install(first);
      assert.ok(!miss.hit);
      miss.store();
      const changes: [string, (dir: string) => LayerDecision][] = [
        ['lockfile', (dir) => (appendFileSync(join(dir, 'package-lock.json'), '\n'), decide(cache, dir))],
        ['workspace manifest', (dir) => (writeFileSync(join(dir, 'gateway/package.json'), '{"name":"gateway","dependencies":{"a":"1"}}'), decide(cache, dir))],
        ['.npmrc', (dir) => (writeFileSync(join(dir, '.npmrc'), 'omit=optional\n'), decide(cache, dir))],
        ['command', (dir) => decide(cache, dir, 'npm ci --omit=dev --ignore-scripts')],
        ['environment', (dir) => decide(cache, dir, PRODUCTION_CI, { ...env, NODE_ENV: 'production' })],
      ];
      for (const [what, change] of changes) {
        const dir = stage(root, what.replaceAll(/\W/g, '-'));
        assert.equal(decide(cache, dir).hit, true, `${what}: the unchanged stage hits`);
        assert.equal(change(dir).hit, false, `${what} changed: a miss`);
      }
      assert.equal(layerDecision(cache, 'npx tsc -b gateway/tsconfig.json', first, env), undefined, 'only npm ci steps are kept');
      // The latest layer only: a stored miss replaces the earlier one.
      const other = stage(root, 'other');
      appendFileSync(join(other, 'package-lock.json'), '\n');
      const otherMiss = decide(cache, other);
      install(other);
      assert.ok(!otherMiss.hit);
      otherMiss.store();
      assert.equal(decide(cache, stage(root, 'again')).hit, false, 'the earlier layer was dropped');
      assert.equal(existsSync(cache), true);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
  test('the npm on PATH is part of the key, read from its package or else asked', { timeout: 30_000 }, () => {
    const root = mkdtempSync(join(tmpdir(), 'rehearsal-layer-'));
    try {
      const cases: [string, (name: string, version: string) => string][] = [
        ['package', (name, version) => npmPackageOnPath(root, name, version)],
        ['wrapper', (name, version) => npmWrapperOnPath(root, name, version)],
      ];
      for (const [layout, npmOnPath] of cases) {
        const cache = join(root, `cache-${layout}`);
        const withNpm = (bin: string) => ({ ...env, PATH: `${bin}${delimiter}${process.env.PATH}` });
        const first = stage(root, `${layout}-first`);
        const miss = decide(cache, first, PRODUCTION_CI, withNpm(npmOnPath(`${layout}-a`, '10.1.0')));
        install(first);
        assert.ok(!miss.hit);
        miss.store();
        assert.equal(decide(cache, stage(root, `${layout}-same`), PRODUCTION_CI, withNpm(npmOnPath(`${layout}-b`, '10.1.0'))).hit, true, `${layout}: the same npm version hits`);
        assert.equal(decide(cache, stage(root, `${layout}-other`), PRODUCTION_CI, withNpm(npmOnPath(`${layout}-c`, '10.2.0'))).hit, false, `${layout}: another npm version misses`);
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
