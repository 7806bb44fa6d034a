// Config of automatic persisted queries (Apollo's APQ protocol); the gateway config embeds it under `apq`.
import { z } from 'zod';
import { cacheStoreSchema } from '../caching/cacheStoreConfig.js';

export const apqConfigSchema = z
  .object({
    /**
     * Accept APQ requests (`extensions.persistedQuery.sha256Hash`, by GET or POST): a known hash runs its
     * query, an unknown one answers PERSISTED_QUERY_NOT_FOUND and the client sends hash and query once to
     * register it. Off: such requests answer PERSISTED_QUERY_NOT_SUPPORTED. @default true
     */
    enabled: z.boolean().default(true),
    /**
     * Where registered queries live. memory: this instance only (a client meeting another instance registers
     * again), bounded LRU; redis: shared by every instance.
     * @default { kind: "memory", maxBytes: 16777216 } (16 MiB); Redis keyPrefix "gw:apq:"
     */
    store: cacheStoreSchema({ maxBytes: 16 * 1024 ** 2, keyPrefix: 'gw:apq:' }).prefault({ kind: 'memory' }),
    /**
     * How long a registered query is kept, in seconds. An expired one costs its client one more round trip
     * (it registers again); the TTL bounds what the store holds. @default 86400 (1 day)
     */
    ttlSeconds: z.number().int().min(1).max(31 * 86_400).default(86_400),
  })
  .strict();

export type ApqConfig = z.infer<typeof apqConfigSchema>;
