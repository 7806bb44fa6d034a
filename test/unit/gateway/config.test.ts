// The config object: defaults from the schemas, sources merged by precedence (defaults < file < env <
// CLI), unknown keys and bad values refused with the key named, frozen after load.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, configFromEnv, readConfigFile, resolveConfig } from '../../../gateway/src/config.js';
import { NON_PROPAGATABLE_HEADERS } from '../../../gateway/src/internalHeaders.js';
import { tempDir } from '../../support/tempDirs.js';

const REQUIRED = { supergraph: { path: 'supergraph.graphql' } };

function configError(sources: Record<string, unknown>[]): string {
  try {
    resolveConfig(sources);
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.message;
  }
  return assert.fail('expected a ConfigError');
}

describe('config', () => {
  test('defaults come from the schemas: loopback, port 4000, 30 s subgraph timeout, memory rate-limit store', { timeout: 10_000 }, () => {
    const config = resolveConfig([REQUIRED]);
    assert.equal(config.server.host, '127.0.0.1');
    assert.equal(config.server.port, 4000);
    assert.equal(config.subgraphDefaults.timeoutMs, 30_000);
    assert.deepEqual(config.subgraphDefaults.propagateHeaders, []);
    assert.equal(config.rateLimits.store.kind, 'memory');
    assert.equal(config.auth, undefined, 'no auth section: every caller anonymous');
    assert.equal(config.logLevel, 'info');
  });

  test('precedence: defaults < file < env < CLI flags; objects merge, arrays replace', { timeout: 10_000 }, () => {
    const file = { ...REQUIRED, server: { port: 5000, host: '0.0.0.0' }, subgraphDefaults: { propagateHeaders: ['x-a', 'x-b'] } };
    const env = configFromEnv({ PORT: '6000', LOG_LEVEL: 'warn' });
    const cli = { server: { port: 7000 }, subgraphDefaults: { propagateHeaders: ['x-c'] } };
    const config = resolveConfig([file, env, cli]);
    assert.equal(config.server.port, 7000);
    assert.equal(config.server.host, '0.0.0.0', 'kept from the file: the flag did not set it');
    assert.equal(config.logLevel, 'warn');
    assert.deepEqual(config.subgraphDefaults.propagateHeaders, ['x-c']);
    assert.equal(resolveConfig([file, env]).server.port, 6000);
  });

  test('env: the variables the gateway honours, and a clear error for a bad PORT', { timeout: 10_000 }, () => {
    assert.deepEqual(configFromEnv({ HOST: '::1', SUPERGRAPH_PATH: '/s.graphql', INTERNAL_IDENTITY_SECRET: 'x'.repeat(32), UNRELATED: '1' }), {
      server: { host: '::1' },
      supergraph: { path: '/s.graphql' },
      internalIdentity: { secret: 'x'.repeat(32) },
    });
    assert.throws(() => configFromEnv({ PORT: '80a' }), /env PORT must be a whole number/);
  });

  test('env: ADMIN_PORT turns the admin listener on; RATE_LIMIT_REDIS_URL selects the Redis store', { timeout: 10_000 }, () => {
    const file = { ...REQUIRED, rateLimits: { store: { kind: 'redis', url: 'redis://redis:6379', keyPrefix: 'p:' } } };
    const config = resolveConfig([file, configFromEnv({ ADMIN_PORT: '0', RATE_LIMIT_REDIS_URL: 'redis://:secret@redis:6380' })]);
    assert.deepEqual({ ...config.admin }, { enabled: true, port: 0 });
    assert.deepEqual({ ...config.rateLimits.store }, { kind: 'redis', url: 'redis://:secret@redis:6380', keyPrefix: 'p:', commandTimeoutMs: 50, maxWaitMs: 1000, connectTimeoutMs: 1000 });
    assert.equal(resolveConfig([REQUIRED]).admin.enabled, undefined, 'unset: on in production only (server.ts)');
    assert.throws(() => configFromEnv({ ADMIN_PORT: 'x' }), /env ADMIN_PORT must be a whole number/);
  });

  test('env: METRICS_EVENT_LOOP_RESOLUTION_MS sets metrics.eventLoopResolutionMs beside the file\'s other metrics keys', { timeout: 10_000 }, () => {
    assert.equal(resolveConfig([REQUIRED]).metrics.eventLoopResolutionMs, 10, "prom-client's default");
    const config = resolveConfig([{ ...REQUIRED, metrics: { maxClients: 5 } }, configFromEnv({ METRICS_EVENT_LOOP_RESOLUTION_MS: '1000' })]);
    assert.deepEqual({ ...config.metrics }, { maxOperationNames: 100, maxClients: 5, eventLoopResolutionMs: 1000 });
    assert.throws(() => configFromEnv({ METRICS_EVENT_LOOP_RESOLUTION_MS: '1s' }), /env METRICS_EVENT_LOOP_RESOLUTION_MS must be a whole number/);
    assert.throws(() => resolveConfig([REQUIRED, configFromEnv({ METRICS_EVENT_LOOP_RESOLUTION_MS: '0' })]), /metrics\.eventLoopResolutionMs/);
  });

  test('an unknown key anywhere is refused, naming its full path', { timeout: 10_000 }, () => {
    assert.match(configError([{ ...REQUIRED, sever: { port: 1 } }]), /unknown key "sever"/);
    assert.match(configError([{ ...REQUIRED, server: { prot: 1 } }]), /unknown key "server\.prot"/);
    assert.match(configError([{ ...REQUIRED, subgraphs: { users: { timeoutMS: 5 } } }]), /unknown key "subgraphs\.users\.timeoutMS"/);
  });

  test('a bad value is refused, naming the key', { timeout: 10_000 }, () => {
    assert.match(configError([{ ...REQUIRED, server: { port: 70_000 } }]), /server\.port/);
    assert.match(configError([{ server: { port: 1 } }]), /supergraph/);
    assert.match(configError([{ ...REQUIRED, internalIdentity: { secret: 'too-short' } }]), /internalIdentity\.secret/);
    assert.match(configError([{ ...REQUIRED, subgraphs: { users: { url: 'not a url' } } }]), /subgraphs\.users\.url/);
  });

  test('propagateHeaders: names are lower-cased; every internal or connection header is refused', { timeout: 10_000 }, () => {
    assert.deepEqual(resolveConfig([{ ...REQUIRED, subgraphDefaults: { propagateHeaders: ['Accept-Language'] } }]).subgraphDefaults.propagateHeaders, ['accept-language']);
    assert.ok(NON_PROPAGATABLE_HEADERS.has('x-gateway-identity') && NON_PROPAGATABLE_HEADERS.has('x-gateway-signature'));
    for (const name of NON_PROPAGATABLE_HEADERS) {
      assert.match(configError([{ ...REQUIRED, subgraphDefaults: { propagateHeaders: [name.toUpperCase()] } }]), /subgraphDefaults\.propagateHeaders\.0: this header cannot be propagated/, name);
      assert.match(configError([{ ...REQUIRED, subgraphs: { users: { propagateHeaders: [name] } } }]), /subgraphs\.users\.propagateHeaders\.0/, name);
    }
  });

  test('the loaded config is deeply frozen', { timeout: 10_000 }, () => {
    const config = resolveConfig([{ ...REQUIRED, subgraphs: { users: { url: 'http://users.invalid/graphql' } } }]);
    assert.ok(Object.isFrozen(config) && Object.isFrozen(config.server) && Object.isFrozen(config.subgraphs.users));
    assert.throws(() => {
      (config.server as { port: number }).port = 1;
    }, TypeError);
  });

  test('config files: YAML or JSON; empty is {}; not an object, unparsable or unreadable are clear errors', { timeout: 10_000 }, () => {
    const dir = tempDir('gw-config-');
    const write = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    assert.deepEqual(readConfigFile(write('a.yaml', 'server:\n  port: 4100\n')), { server: { port: 4100 } });
    assert.deepEqual(readConfigFile(write('b.json', '{"server":{"port":4200}}')), { server: { port: 4200 } });
    assert.deepEqual(readConfigFile(write('empty.yaml', '')), {});
    assert.throws(() => readConfigFile(write('list.yaml', '- 1\n- 2\n')), /must contain an object at the top level/);
    assert.throws(() => readConfigFile(write('bad.yaml', 'server: [\n')), /is not valid YAML\/JSON/);
    assert.throws(() => readConfigFile(join(dir, 'missing.yaml')), /cannot read config file .*ENOENT/);
  });
});
