// "Off costs nothing": with tracing off the OpenTelemetry SDK is never loaded, whatever the gateway imports;
// turning it on loads it (the control that makes this test able to fail). The SDK's packages are CommonJS,
// so whatever loaded them is listed in the CommonJS module cache.
// run-tests: own process (no other test file may have loaded the SDK before this one looks)
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { pino } from 'pino';

// Ours only: @apollo/gateway loads its own OTel metrics packages (1.x, under the root node_modules) at import.
const OUR_SDK = /@opentelemetry[\\/](exporter-trace-otlp-http|sdk-trace)[\\/]|gateway[\\/]node_modules[\\/]@opentelemetry[\\/]/;

function loadedSdkModules(): string[] {
  return Object.keys(createRequire(import.meta.url).cache).filter((path) => OUR_SDK.test(path));
}

describe('tracing off', () => {
  test('the whole gateway imported and tracing resolved off: no SDK module loaded; on: loaded', { timeout: 30_000 }, async () => {
    await import('../../../../gateway/src/server.js');
    const { resolveConfig } = await import('../../../../gateway/src/config.js');
    const { loadRequestTracing } = await import('../../../../gateway/src/tracing/loadRequestTracing.js');
    const logger = pino({ level: 'silent' });
    const off = resolveConfig([{ supergraph: { path: 'supergraph.graphql' } }]);
    assert.equal(await loadRequestTracing(off.tracing, logger), undefined);
    assert.deepEqual(loadedSdkModules(), []);

    const on = resolveConfig([{ supergraph: { path: 'supergraph.graphql' }, tracing: { endpoint: 'http://127.0.0.1:9/v1/traces' } }]);
    const tracing = await loadRequestTracing(on.tracing, logger);
    assert.ok(tracing);
    assert.ok(loadedSdkModules().length > 0, 'tracing on loads the SDK');
    await tracing.shutdown();
  });
});
