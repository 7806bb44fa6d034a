// The `tracing` config and the standard OTEL_* variables: what turns tracing on, which source wins, and bad
// values refused with the key or variable named.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, configFromEnv, resolveConfig } from '../../../../gateway/src/config.js';
import { NON_PROPAGATABLE_HEADERS } from '../../../../gateway/src/internalHeaders.js';
import { tracesEndpoint, tracingEnabled } from '../../../../gateway/src/tracing/tracingConfig.js';

const REQUIRED = { supergraph: { path: 'supergraph.graphql' } };

function resolve(file: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) {
  return resolveConfig([REQUIRED, file, configFromEnv(env)]).tracing;
}

function configError(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.message;
  }
  return assert.fail('expected a ConfigError');
}

describe('tracing config', () => {
  test('off by default: no endpoint, no OTEL_* variable', { timeout: 10_000 }, () => {
    const tracing = resolve({});
    assert.equal(tracingEnabled(tracing), false);
    assert.equal(tracing.sampler, 'parentbased_always_on');
    assert.deepEqual(tracing.acceptTraceparentFrom, []);
  });

  test('an endpoint turns it on; enabled alone exports to the spec default localhost:4318', { timeout: 10_000 }, () => {
    assert.equal(tracingEnabled(resolve({ tracing: { endpoint: 'http://collector:4318/v1/traces' } })), true);
    const defaulted = resolve({ tracing: { enabled: true } });
    assert.equal(tracingEnabled(defaulted), true);
    assert.equal(tracesEndpoint(defaulted), 'http://localhost:4318/v1/traces');
  });

  test('OTEL_EXPORTER_OTLP_ENDPOINT gets /v1/traces appended; the traces-specific variable is used as is and wins', { timeout: 10_000 }, () => {
    assert.equal(resolve({}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }).endpoint, 'http://collector:4318/v1/traces');
    const both = resolve({}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b:4318/custom' });
    assert.equal(both.endpoint, 'http://b:4318/custom');
    assert.equal(tracingEnabled(both), true);
  });

  test('env wins over the config file, as every env variable does; empty variables count as unset', { timeout: 10_000 }, () => {
    const file = { tracing: { endpoint: 'http://file:4318/v1/traces', serviceName: 'from-file', sampler: 'always_on', batch: { scheduledDelayMs: 1000 } } };
    const tracing = resolve(file, {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://env:4318',
      OTEL_SERVICE_NAME: 'from-env',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
      OTEL_BSP_SCHEDULE_DELAY: '200',
    });
    assert.equal(tracing.endpoint, 'http://env:4318/v1/traces');
    assert.equal(tracing.serviceName, 'from-env');
    assert.equal(tracing.sampler, 'parentbased_traceidratio');
    assert.equal(tracing.sampleRatio, 0.25);
    assert.equal(tracing.batch.scheduledDelayMs, 200);
    assert.equal(resolve(file, { OTEL_SERVICE_NAME: '', OTEL_EXPORTER_OTLP_ENDPOINT: ' ' }).serviceName, 'from-file');
  });

  test('OTEL_SDK_DISABLED=true and OTEL_TRACES_EXPORTER=none turn it off whatever the file says', { timeout: 10_000 }, () => {
    const file = { tracing: { enabled: true, endpoint: 'http://file:4318/v1/traces' } };
    assert.equal(tracingEnabled(resolve(file, { OTEL_SDK_DISABLED: 'true' })), false);
    assert.equal(tracingEnabled(resolve(file, { OTEL_TRACES_EXPORTER: 'none' })), false);
    assert.equal(tracingEnabled(resolve(file, { OTEL_SDK_DISABLED: 'false' })), true);
  });

  test('bad values stop startup naming the variable or key', { timeout: 10_000 }, () => {
    assert.match(configError(() => resolve({}, { OTEL_TRACES_SAMPLER: 'traceidration' })), /tracing\.sampler/);
    assert.match(configError(() => resolve({}, { OTEL_TRACES_SAMPLER_ARG: 'half' })), /OTEL_TRACES_SAMPLER_ARG/);
    assert.match(configError(() => resolve({}, { OTEL_TRACES_SAMPLER_ARG: '2' })), /tracing\.sampleRatio/);
    assert.match(configError(() => resolve({}, { OTEL_TRACES_EXPORTER: 'zipkin' })), /OTEL_TRACES_EXPORTER/);
    assert.match(configError(() => resolve({}, { OTEL_SDK_DISABLED: 'yes' })), /OTEL_SDK_DISABLED/);
    assert.match(configError(() => resolve({}, { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })), /tracing\.protocol/);
    assert.match(configError(() => resolve({}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })), /tracing\.endpoint/);
    assert.match(configError(() => resolve({ tracing: { acceptTraceparentFrom: ['10.0.0.0/33'] } })), /tracing\.acceptTraceparentFrom\.0/);
    assert.match(configError(() => resolve({ tracing: { sampleRate: 1 } })), /tracing\.sampleRate/);
  });

  test('no client can pass traceparent/tracestate to subgraphs through propagateHeaders', { timeout: 10_000 }, () => {
    assert.ok(NON_PROPAGATABLE_HEADERS.has('traceparent'));
    assert.ok(NON_PROPAGATABLE_HEADERS.has('tracestate'));
    assert.match(configError(() => resolveConfig([REQUIRED, { subgraphDefaults: { propagateHeaders: ['traceparent'] } }])), /propagateHeaders/);
  });
});
