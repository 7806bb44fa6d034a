// "Off costs nothing": with tracing off the OpenTelemetry SDK is never loaded, whatever the gateway imports;
// turning it on loads it (the control that makes this test able to fail). The SDK's packages are CommonJS,
// so whatever loaded them is listed in the CommonJS module cache.
// The check runs in a fresh `node` of its own (no other module may have loaded the SDK before it looks) on
// the gateway as the build compiled it (gateway/dist, what the gateway runs; scripts/run-tests.mjs builds
// first): ~2 CPU-s, against ~4.9 for a test process of its own loading the sources through tsx.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { repoRoot } from '../../../support/processes.js';

const run = promisify(execFile);

// Ours only: @apollo/gateway loads its own OTel metrics packages (1.x, under the root node_modules) at import.
const OUR_SDK = String.raw`/@opentelemetry[\\/](exporter-trace-otlp-http|sdk-trace)[\\/]|gateway[\\/]node_modules[\\/]@opentelemetry[\\/]/`;

const CHECK = `
import { createRequire } from 'node:module';
import { pino } from 'pino';
const loadedSdkModules = () => Object.keys(createRequire(import.meta.url).cache).filter((path) => ${OUR_SDK}.test(path));
await import('./gateway/dist/server.js');
const { resolveConfig } = await import('./gateway/dist/config.js');
const { loadRequestTracing } = await import('./gateway/dist/tracing/loadRequestTracing.js');
const logger = pino({ level: 'silent' });
const off = resolveConfig([{ supergraph: { path: 'supergraph.graphql' } }]);
const offTracing = await loadRequestTracing(off.tracing, logger);
const offModules = loadedSdkModules();
const on = resolveConfig([{ supergraph: { path: 'supergraph.graphql' }, tracing: { endpoint: 'http://127.0.0.1:9/v1/traces' } }]);
const tracing = await loadRequestTracing(on.tracing, logger);
const onModules = loadedSdkModules();
await tracing?.shutdown();
process.stdout.write(JSON.stringify({ offTracing: offTracing === undefined ? 'undefined' : typeof offTracing, offModules, onTracing: Boolean(tracing), onModules }));
`;

describe('tracing off', () => {
  test('the whole gateway imported and tracing resolved off: no SDK module loaded; on: loaded', { timeout: 30_000 }, async () => {
    // A bare environment (nothing like NODE_OPTIONS or OTEL_* may load modules first), but the run's id, by
    // which scripts/run-tests.mjs's teardown finds anything left; killed if it outlives the test.
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, FEDERATION_GATEWAY_TEST_RUN: process.env.FEDERATION_GATEWAY_TEST_RUN };
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', CHECK], { cwd: repoRoot, encoding: 'utf8', env, timeout: 25_000, killSignal: 'SIGKILL' });
    const seen = JSON.parse(stdout) as { offTracing: string; offModules: string[]; onTracing: boolean; onModules: string[] };
    assert.equal(seen.offTracing, 'undefined');
    assert.deepEqual(seen.offModules, []);
    assert.ok(seen.onTracing);
    assert.ok(seen.onModules.length > 0, 'tracing on loads the SDK');
  });
});
