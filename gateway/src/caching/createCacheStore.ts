// Builds a cache's store from its config: a bounded in-memory LRU (Apollo's InMemoryLRUCache) or the
// shared Redis (redisKeyValueCache.ts), always behind failSafeKeyValueCache.ts, so that a failing
// store is a miss, counted in gateway_cache_store_errors_total{cache} and logged at most every 10 s.
import { InMemoryLRUCache, type KeyValueCache } from '@apollo/utils.keyvaluecache';
import type { GatewayMetrics } from '../metrics.js';
import { logRedisConnectionEvents, type ConnectionEventLogger } from '../redis/redisConnection.js';
import type { CacheStoreConfig } from './cacheStoreConfig.js';
import { FailSafeKeyValueCache } from './failSafeKeyValueCache.js';
import { RedisKeyValueCache } from './redisKeyValueCache.js';

/** Which cache a store serves: the label of its metrics and log lines. */
export type CacheName = 'response' | 'apq';

export interface CacheStore {
  /** Never throws: failures are misses (reads) or dropped writes. */
  readonly cache: KeyValueCache<string>;
  readonly kind: CacheStoreConfig['kind'];
  /** Waits (at most 2 s) for Redis to connect, so the first requests already share entries. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface CreateCacheStoreOptions {
  logger: ConnectionEventLogger;
  metrics: Pick<GatewayMetrics, 'cacheStoreErrors'>;
  /** Values longer than this are not stored (characters ≈ bytes). */
  maxEntryBytes?: number;
  /** Longest TTL of any entry, seconds. */
  maxTtlSeconds?: number;
  onWrite?(result: 'stored' | 'too_large'): void;
  /** Clock of the memory store, ms (tests). @default performance.now */
  now?: () => number;
}

export function createCacheStore(name: CacheName, config: CacheStoreConfig, options: CreateCacheStoreOptions): CacheStore {
  let redis: RedisKeyValueCache | undefined;
  let inner: KeyValueCache<string>;
  if (config.kind === 'memory') {
    inner = new InMemoryLRUCache<string>({
      maxSize: config.maxBytes,
      // What an entry costs: its JSON and its key (a 64-character hash plus prefixes), in characters.
      sizeCalculation: (value: string, key: string) => value.length + key.length,
      ...(options.now ? { perf: { now: options.now } } : {}),
    });
  } else {
    redis = new RedisKeyValueCache({
      url: config.url,
      keyPrefix: config.keyPrefix,
      commandTimeoutMs: config.commandTimeoutMs,
      maxWaitMs: config.maxWaitMs,
      connectTimeoutMs: config.connectTimeoutMs,
      onConnectionEvent: logRedisConnectionEvents(options.logger, `${name}-cache`),
    });
    inner = redis;
  }
  let lastErrorLoggedMs = 0;
  const cache = new FailSafeKeyValueCache(inner, {
    maxEntryBytes: options.maxEntryBytes,
    maxTtlSeconds: options.maxTtlSeconds,
    onWrite: options.onWrite,
    onError: (operation, error) => {
      options.metrics.cacheStoreErrors.inc({ cache: name, operation });
      // While Redis is down every request fails its lookup: one line per 10 s is enough to see it.
      const now = Date.now();
      if (now - lastErrorLoggedMs >= 10_000) {
        lastErrorLoggedMs = now;
        options.logger.warn({ event: 'cache_store_error', cache: name, operation, err: (error as Error)?.message }, `${name} cache store failed; served without it`);
      }
    },
  });
  return {
    cache,
    kind: config.kind,
    start: async () => {
      await redis?.waitUntilReady(2_000);
    },
    stop: async () => {
      await redis?.close();
    },
  };
}
