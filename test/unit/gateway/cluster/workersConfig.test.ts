// server.workers: its sources (file, env WORKERS; the flag is in test/integration/gateway/workers.test.ts),
// "auto", and the per-process state refused with more than one worker.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { ConfigError, configFromEnv, resolveConfig } from '../../../../gateway/src/config.js';
import { refusePerWorkerState, resolveWorkerCount } from '../../../../gateway/src/cluster/workersConfig.js';

const REQUIRED = { supergraph: { path: 'supergraph.graphql' } };
const REDIS = { rateLimits: { store: { kind: 'redis', url: 'redis://127.0.0.1:6379' } } };

describe('server.workers', () => {
  test('defaults to 1 (no cluster primary); a number, "auto" (one per core), env WORKERS', { timeout: 10_000 }, () => {
    assert.equal(resolveConfig([REQUIRED]).server.workers, 1);
    assert.equal(resolveWorkerCount(resolveConfig([REQUIRED]).server.workers), 1);
    assert.equal(resolveWorkerCount(resolveConfig([{ ...REQUIRED, server: { workers: 3 } }]).server.workers), 3);
    assert.equal(resolveWorkerCount(resolveConfig([REQUIRED, configFromEnv({ WORKERS: 'auto' })]).server.workers), availableParallelism());
    assert.equal(resolveConfig([{ ...REQUIRED, server: { workers: 3 } }, configFromEnv({ WORKERS: '2' })]).server.workers, 2);
    assert.throws(() => configFromEnv({ WORKERS: 'many' }), /env WORKERS must be a whole number/);
    assert.throws(() => resolveConfig([{ ...REQUIRED, server: { workers: 0 } }]), /server\.workers/);
  });

  test('more than one worker refuses the memory rate-limit store, naming the Redis store and its env var', { timeout: 10_000 }, () => {
    const memory = resolveConfig([REQUIRED]);
    assert.throws(
      () => refusePerWorkerState(memory, 2),
      (error: unknown) => error instanceof ConfigError && /rateLimits\.store/.test(error.message) && /RATE_LIMIT_REDIS_URL/.test(error.message),
    );
    // One worker, the Redis store, or no rate limits at all: nothing counted per worker.
    refusePerWorkerState(memory, 1);
    refusePerWorkerState(resolveConfig([{ ...REQUIRED, ...REDIS }]), 2);
    refusePerWorkerState(resolveConfig([{ ...REQUIRED, rateLimits: { enabled: false } }]), 2);
    // The per-process caches only cost hit rate: allowed.
    refusePerWorkerState(resolveConfig([{ ...REQUIRED, ...REDIS, responseCache: { enabled: true }, apq: {} }]), 2);
  });
});
