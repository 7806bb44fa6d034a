// A cache store that fails never fails a request: reads are misses, writes are dropped, each reported;
// oversized values are not stored; no entry lives longer than the cap, whatever its writer asked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InMemoryLRUCache, type KeyValueCache, type KeyValueCacheSetOptions } from '@apollo/utils.keyvaluecache';
import { FailSafeKeyValueCache } from '../../../../gateway/src/caching/failSafeKeyValueCache.js';

const failing: KeyValueCache<string> = {
  get: () => Promise.reject(new Error('connection refused')),
  set: () => Promise.reject(new Error('connection refused')),
  delete: () => Promise.reject(new Error('connection refused')),
};

test('a failing store: get is a miss, set and delete are dropped, each reported', { timeout: 10_000 }, async () => {
  const errors: string[] = [];
  const cache = new FailSafeKeyValueCache(failing, { onError: (operation) => errors.push(operation) });
  assert.equal(await cache.get('k'), undefined);
  await cache.set('k', 'v');
  assert.equal(await cache.delete('k'), false);
  assert.deepEqual(errors, ['get', 'set', 'delete']);
});

test('values over maxEntryBytes are not stored; TTLs are capped by maxTtlSeconds (and given to writes without one)', { timeout: 10_000 }, async () => {
  const ttls: (number | null | undefined)[] = [];
  const inner = new InMemoryLRUCache<string>();
  const recording: KeyValueCache<string> = {
    get: (key) => inner.get(key),
    set: (key, value, options?: KeyValueCacheSetOptions) => {
      ttls.push(options?.ttl);
      return inner.set(key, value, options);
    },
    delete: (key) => inner.delete(key),
  };
  const writes: string[] = [];
  const cache = new FailSafeKeyValueCache(recording, { maxEntryBytes: 10, maxTtlSeconds: 60, onError: () => assert.fail('no error expected'), onWrite: (r) => writes.push(r) });
  await cache.set('big', 'x'.repeat(11), { ttl: 5 });
  assert.equal(await cache.get('big'), undefined);
  await cache.set('a', 'small', { ttl: 5 });
  await cache.set('b', 'small', { ttl: 3600 });
  await cache.set('c', 'small');
  assert.deepEqual(ttls, [5, 60, 60]);
  assert.deepEqual(writes, ['too_large', 'stored', 'stored', 'stored']);
  assert.equal(await cache.get('a'), 'small');
});
