// What startup does not do twice, and what it does not load unless used (issue 13, startup to first answer):
// the supergraph is built once per load (validateSupergraphSdl's build is the one @apollo/gateway uses),
// Apollo's telemetry stays off unless configured, and its OpenTelemetry metrics modules are never loaded then.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEFERRED_TELEMETRY_MODULES } from '../../../gateway/src/deferredApolloTelemetry.js';
import { DEFERRED_APOLLO_DEPENDENCIES } from '../../../gateway/src/deferredApolloDependencies.js';
import { deferModule, stillDeferred } from '../../../gateway/src/deferredModule.js';
import { Supergraph } from '@apollo/federation-internals';
import { validateSupergraphSdl } from '../../../gateway/src/supergraph/supergraphFile.js';

const supergraphPath = fileURLToPath(new URL('../../../supergraph.graphql', import.meta.url));
const execFileAsync = promisify(execFile);
const gatewayRequire = createRequire(createRequire(import.meta.url).resolve('@apollo/gateway'));

/** Counts Supergraph.build calls while `run` runs. */
async function countingBuilds(run: () => Promise<void>): Promise<number> {
  const original = Supergraph.build;
  let calls = 0;
  Supergraph.build = (...args: Parameters<typeof Supergraph.build>) => {
    calls += 1;
    return original.apply(Supergraph, args);
  };
  try {
    await run();
  } finally {
    Supergraph.build = original;
  }
  return calls;
}

test('a loaded supergraph is built once, Apollo telemetry stays off, and its metrics modules are never loaded', { timeout: 60_000 }, async () => {
  // A fresh process: unit test files share one, in which @apollo/gateway was loaded long before.
  const probe = fileURLToPath(new URL('../../fixtures/startupWorkProbe.mjs', import.meta.url));
  const { stdout } = await execFileAsync(process.execPath, [probe, supergraphPath], { timeout: 50_000, env: { ...process.env, APOLLO_TELEMETRY_DISABLED: '' } });
  const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
  assert.deepEqual(result, {
    modules: DEFERRED_TELEMETRY_MODULES.length,
    deferredAtStart: DEFERRED_TELEMETRY_MODULES.length,
    // Nothing loaded them: @apollo/gateway required them, never used them.
    deferredAfterLoad: DEFERRED_TELEMETRY_MODULES.length,
    // One build: the validating one in loadSupergraphFile; @apollo/gateway reused it.
    builds: 1,
    prebuilt: true,
    apolloTelemetry: false,
    telemetryDisabledEnv: 'true',
    usersField: true,
    // deferredApolloDependencies.ts: required by @apollo/* at load, none used by a start.
    dependencies: DEFERRED_APOLLO_DEPENDENCIES.size,
    dependenciesDeferredAfterLoad: DEFERRED_APOLLO_DEPENDENCIES.size,
  });
});

test("each deferred dependency's stand-in answers as the real module would", { timeout: 30_000 }, () => {
  for (const [id, options] of DEFERRED_APOLLO_DEPENDENCIES) {
    const real = gatewayRequire(id) as Record<string, unknown>;
    // What the stand-in answers without loading (TypeScript's interop reads it at require time).
    assert.equal(real.__esModule, options.esModule, `${id}: __esModule`);
    assert.equal(typeof real === 'function', options.callable === true, `${id}: callable`);
    // A facade's values are the module's own (a function stands for a function: it loads the module when called).
    for (const [key, value] of Object.entries(options.facade?.(() => real) ?? {})) {
      if (typeof value === 'function') assert.equal(typeof real[key], 'function', `${id}: the facade's ${key} stands for a function`);
      else assert.equal(value, real[key], `${id}: the facade's ${key}`);
    }
  }
});

test('a callable stand-in loads on its first call; the facade fetcher is the real one on its first fetch', { timeout: 30_000 }, async () => {
  const queryGraphsRequire = createRequire(createRequire(gatewayRequire.resolve('@apollo/query-planner')).resolve('@apollo/query-graphs'));
  const deepEqualId = queryGraphsRequire.resolve('deep-equal');
  delete gatewayRequire.cache[deepEqualId];
  deferModule(deepEqualId, DEFERRED_APOLLO_DEPENDENCIES.get(deepEqualId));
  const deepEqual = gatewayRequire(deepEqualId) as ((a: unknown, b: unknown) => boolean) & { __esModule?: boolean };
  assert.equal(deepEqual.__esModule, undefined);
  assert.ok(stillDeferred.has(deepEqualId), '__esModule is answered without loading');
  assert.equal(deepEqual({ a: [1] }, { a: [1] }), true);
  assert.equal(deepEqual({ a: [1] }, { a: [2] }), false);
  assert.ok(!stillDeferred.has(deepEqualId));

  const fetchId = gatewayRequire.resolve('make-fetch-happen');
  delete gatewayRequire.cache[fetchId];
  deferModule(fetchId, DEFERRED_APOLLO_DEPENDENCIES.get(fetchId));
  const standIn = gatewayRequire(fetchId) as { defaults(options: object): (url: string) => Promise<unknown> };
  // As RemoteGraphQLDataSource's constructor does: no load.
  const fetcher = standIn.defaults({ maxSockets: Infinity, retry: false });
  assert.ok(stillDeferred.has(fetchId));
  // Port 1 on loopback: refused at once, by make-fetch-happen's own request.
  await assert.rejects(fetcher('http://127.0.0.1:1/'), (error: NodeJS.ErrnoException) => error.code === 'ECONNREFUSED' && error.name === 'FetchError');
  assert.ok(!stillDeferred.has(fetchId));
});

test('a deferred module loads on first use and is then the real module for every requirer', { timeout: 30_000 }, () => {
  const id = gatewayRequire.resolve('@opentelemetry/sdk-metrics');
  // In the shared unit-test process the module may be loaded already: a stand-in is installed for this test.
  delete gatewayRequire.cache[id];
  deferModule(id);
  const standIn = gatewayRequire(id) as typeof import('@opentelemetry/sdk-metrics');
  assert.ok(stillDeferred.has(id));
  const provider = new standIn.MeterProvider();
  assert.ok(!stillDeferred.has(id));
  const real = gatewayRequire(id) as typeof import('@opentelemetry/sdk-metrics');
  assert.notEqual(real, standIn, 'the cache now holds the real exports object');
  assert.ok(provider instanceof real.MeterProvider);
  assert.ok(Object.keys(standIn).includes('MeterProvider'), "keys are the real module's");
  assert.ok('PeriodicExportingMetricReader' in standIn);
});

test('an SDL nobody prepared is still built by @apollo/gateway itself', { timeout: 30_000 }, async () => {
  const sdl = readFileSync(supergraphPath, 'utf8');
  const prepared = validateSupergraphSdl(sdl, 'supergraph.graphql');
  const { buildSupergraphOnce } = await import('../../../gateway/src/supergraph/buildSupergraphOnce.js');
  const { ApolloGateway } = await import('@apollo/gateway');
  // As federation.ts does with the default config: no usage telemetry to Apollo from a test.
  process.env.APOLLO_TELEMETRY_DISABLED = 'true';
  const gateway = new ApolloGateway({ supergraphSdl: prepared.sdlForGateway, logger: { debug() {}, info() {}, warn() {}, error() {} } });
  assert.equal(buildSupergraphOnce(gateway, () => undefined), true, 'the hook is in place on this @apollo/gateway version');
  const builds = await countingBuilds(async () => {
    await gateway.load();
  });
  await gateway.stop();
  assert.equal(builds, 1);
});

test("reading a request's credentials does not load Node's built-in fetch; a Headers object is still read", { timeout: 30_000 }, async () => {
  // A fresh process: this one has long loaded Node's built-in undici (the test support speaks fetch).
  const readCredentials = new URL('../../../gateway/dist/auth/readCredentials.js', import.meta.url).href;
  const script = [
    `const { bearerTokenFrom } = await import(${JSON.stringify(readCredentials)});`,
    "const fromRecord = bearerTokenFrom({ authorization: 'Bearer abc' });",
    "const undiciLoaded = process.moduleLoadList.some((name) => name.includes('deps/undici'));",
    "const fromHeaders = bearerTokenFrom(new Headers({ authorization: 'Bearer def' }));",
    'console.log(JSON.stringify({ fromRecord, undiciLoaded, fromHeaders }));',
  ].join('\n');
  const { stdout } = await execFileAsync(process.execPath, ['--input-type=module', '-e', script], { timeout: 20_000 });
  assert.deepEqual(JSON.parse(stdout.trim()), { fromRecord: 'abc', undiciLoaded: false, fromHeaders: 'def' });
});
