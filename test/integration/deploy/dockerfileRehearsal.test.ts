// deploy/Dockerfile, performed without a container engine (none can run here): `npm run deploy:rehearse`
// runs its steps in a temp folder and starts the runtime stage's CMD with the production config
// (deploy/gateway.production.yaml) and only the env a `docker run -e` would pass, then runs the
// image's HEALTHCHECK. Real redis-server for the rate-limit store; the subgraphs (cluster DNS names in
// the production config) are not there, so only subgraph-free operations are asked.
// The build stage's full `npm ci` and `tsc` take this checkout's results when their inputs in the stage
// are the checkout's (--reuse-checkout-build, scripts/src/rehearsalBuildCache.ts: what CI's `npm ci` and
// the suite's build just did, ~60 CPU-s not spent twice); the production-only install runs for real, from
// the local npm cache only (--offline), unless an earlier rehearsal in this checkout ran it on the same inputs
// (--layer-cache, scripts/src/rehearsalLayerCache.ts: lockfile, manifests, command, env, npm and node; ~16 CPU-s);
// it is never taken from the checkout's own install.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { postGraphQL } from '../../support/http.js';
import { repoRoot, startProcess, stopAll, type RunningProcess } from '../../support/processes.js';
import { startRedis, type RunningRedis } from '../../support/redis.js';

/** npm ci of the gateway's production dependencies (and, on a cache miss, the full npm ci and tsc): minutes on a loaded box. */
const BUILD_TIMEOUT_MS = 14 * 60_000;
/** Results of `npm ci` steps earlier rehearsals ran (git-ignored, like everything under node_modules). */
const LAYER_CACHE = join(repoRoot, 'node_modules/.cache/dockerfile-rehearsal/layers');

describe('the Dockerfile, rehearsed', () => {
  let redis: RunningRedis;
  let image: RunningProcess;
  // Outside the checkout (the build context), on the same filesystem as the layer cache where the machine's
  // temp folder is (then a cached layer goes into the stage by hard links; elsewhere it is copied).
  const out = mkdtempSync(join(tmpdir(), 'gateway-image-test-'));
  const local = (url: string) => url.replace('//0.0.0.0:', '//127.0.0.1:');
  let adminUrl: string;
  let apiUrl: string;

  before(async () => {
    redis = await startRedis();
    image = await startProcess({
      name: 'dockerfile-rehearsal',
      entry: 'scripts/dist/dockerfileRehearsal.js',
      args: ['--out', out, '--reuse-checkout-build', '--layer-cache', LAYER_CACHE, '--offline', ...['SUPERGRAPH_PATH', 'PORT', 'ADMIN_PORT', 'INTERNAL_IDENTITY_SECRET', 'RATE_LIMIT_REDIS_URL'].flatMap((name) => ['--env', name])],
      env: {
        SUPERGRAPH_PATH: join(repoRoot, 'supergraph.graphql'),
        PORT: '0',
        ADMIN_PORT: '0',
        INTERNAL_IDENTITY_SECRET: randomBytes(32).toString('base64url'),
        RATE_LIMIT_REDIS_URL: redis.url,
      },
      readyTimeoutMs: BUILD_TIMEOUT_MS,
    });
    const listening = await image.waitForLog((record) => record.msg === 'listening');
    apiUrl = local(String(listening.url));
    adminUrl = local(String(listening.adminUrl));
  }, { timeout: BUILD_TIMEOUT_MS + 60_000 });
  after(async () => {
    await stopAll([image]);
    await redis?.stop();
    // Both stages' node_modules: hundreds of MB, ~35,000 entries. rm(1) removes them on ~0.6 CPU-s, Node's
    // recursive rmSync (JavaScript walking the tree) on ~1.7.
    const removed = spawnSync('rm', ['-rf', '--', out], { encoding: 'utf8' });
    assert.equal(removed.status, 0, `rm -rf ${out}: ${removed.stderr}`);
  }, { timeout: 60_000 });

  test('the HEALTHCHECK passes against the started image', { timeout: 60_000 }, async () => {
    const healthy = await image.waitForLog((record) => record.msg === 'rehearsal_healthy');
    assert.match(String(healthy.healthcheck), /\/healthz/);
    assert.equal(healthy.user, 'node');
  });

  test('production behaviour: admin port only for the ops endpoints, introspection off, Redis store', { timeout: 60_000 }, async () => {
    assert.equal((await fetch(`${adminUrl}/healthz`)).status, 200);
    assert.deepEqual(await (await fetch(`${adminUrl}/readyz`)).json(), { status: 'ready' });
    assert.equal((await fetch(`${adminUrl}/metrics`)).status, 200);
    assert.equal((await fetch(`${apiUrl}/metrics`)).status, 404);
    const typename = await postGraphQL(`${apiUrl}/graphql`, { query: '{ __typename }' });
    assert.deepEqual(typename.body.data, { __typename: 'Query' });
    const introspection = await postGraphQL(`${apiUrl}/graphql`, { query: '{ __schema { queryType { name } } }' });
    assert.equal(introspection.status, 400, 'NODE_ENV=production from the image turns introspection off');
    await image.waitForLog((record) => record.store === 'redis' && /connected/.test(String(record.msg)));
  });

  test('the build steps the checkout has done come from it; the production install runs', { timeout: 60_000 }, () => {
    const runs = image.logRecords().filter((record) => record.event === 'run' || record.event === 'cache_miss');
    const step = (pattern: RegExp) => runs.filter((record) => pattern.test(String(record.msg)));
    assert.equal(step(/^RUN npm ci --ignore-scripts/)[0]?.cached, true, JSON.stringify(runs));
    assert.equal(step(/^RUN npx tsc -b gateway/)[0]?.cached, true, JSON.stringify(runs));
    assert.equal(step(/^RUN node scripts\/bundleEntries\.mjs gateway/)[0]?.cached, true, JSON.stringify(runs));
    // Never from the checkout's own install: it runs now (and is kept), or an earlier rehearsal ran it on the same inputs.
    const production = step(/^RUN npm ci --omit=dev/).map((record) => ({ event: record.event, cached: record.cached === true, cache: record.cache }));
    const ranNow = [
      { event: 'cache_miss', cached: false, cache: 'checkout' },
      { event: 'cache_miss', cached: false, cache: 'layer' },
      { event: 'run', cached: false, cache: undefined },
    ];
    const ranEarlier = [
      { event: 'cache_miss', cached: false, cache: 'checkout' },
      { event: 'run', cached: true, cache: 'layer' },
    ];
    assert.ok(isDeepStrictEqual(production, ranNow) || isDeepStrictEqual(production, ranEarlier), JSON.stringify(production));
    assert.ok(existsSync(join(out, 'build/app/gateway/dist/main.js')), "the compiled gateway is the tsc step's result");
  });

  test('the runtime stage holds production dependencies and compiled JavaScript only', { timeout: 60_000 }, () => {
    const app = join(out, 'runtime', 'app');
    assert.match(readFileSync(join(app, 'gateway/dist/main.js'), 'utf8').slice(0, 200), /\n\/\/ bundled by scripts\/bundleEntries\.mjs\n/, 'the CMD starts the bundled entry');
    // The root's and the gateway's devDependencies, and a dependency of the dev tools only.
    for (const devOnly of ['typescript', 'tsx', 'playwright-core', 'esbuild', 'react', '@graphql-inspector/core']) {
      assert.equal(existsSync(join(app, 'node_modules', devOnly)), false, `${devOnly} is not in the image`);
    }
    assert.equal(existsSync(join(app, 'node_modules/@federation-gateway/users')), false, 'no subgraph workspace');
    assert.ok(existsSync(join(out, 'runtime/etc/gateway/config/gateway.yaml')), 'the production config at the CMD path');
  });
});
