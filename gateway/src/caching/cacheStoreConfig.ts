// Where a cache of the gateway keeps its entries (the response cache, APQ): in this process's memory
// (bounded LRU, the default) or in a Redis shared by every gateway instance. One schema factory, so both
// caches take the same keys; each embeds it with its own defaults. Every object is .strict().
import { z } from 'zod';

export interface CacheStoreDefaults {
  /** Default of the memory store's `maxBytes`. */
  maxBytes: number;
  /** Default of the Redis store's `keyPrefix`. */
  keyPrefix: string;
}

/** The `store` key of a cache's config, with that cache's defaults. */
export function cacheStoreSchema(defaults: CacheStoreDefaults) {
  const memory = z
    .object({
      kind: z.literal('memory'),
      /**
       * Most this process keeps, in bytes (stored JSON and keys, counted as characters ≈ bytes); least
       * recently used entries go first. Each instance has its own: entries are not shared.
       * @default per cache (see its config)
       */
      maxBytes: z.number().int().min(1024).max(4 * 1024 ** 3).default(defaults.maxBytes),
    })
    .strict();
  const redis = z
    .object({
      kind: z.literal('redis'),
      /** redis:// or rediss:// URL of the Redis shared by every gateway instance. */
      url: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL'),
      /** Prefix of every key, so several gateways or apps can share one Redis. @default per cache (see its config) */
      keyPrefix: z.string().default(defaults.keyPrefix),
      /**
       * How long Redis may stay silent before a lookup counts as a miss (and a write is dropped), in ms.
       * A cache only saves work: waiting long for it would cost more than it saves. @default 50
       */
      commandTimeoutMs: z.number().int().min(1).max(1_000).default(50),
      /** Longest total wait for one call while Redis answers calls queued ahead of it (a burst), in ms. @default 200 */
      maxWaitMs: z.number().int().min(1).max(10_000).default(200),
      /** Longest wait for a (re)connection attempt, in ms. @default 1000 */
      connectTimeoutMs: z.number().int().min(10).max(60_000).default(1_000),
    })
    .strict();
  return z.discriminatedUnion('kind', [memory, redis]);
}

export type CacheStoreConfig = z.infer<ReturnType<typeof cacheStoreSchema>>;
