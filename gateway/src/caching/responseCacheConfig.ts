// Config of the response cache; the gateway config embeds it under `responseCache`. Every object is .strict().
import { z } from 'zod';
import { cacheStoreSchema } from './cacheStoreConfig.js';

export const responseCacheConfigSchema = z
  .object({
    /**
     * Cache whole query responses for as long as the subgraphs' cache hints allow (their Cache-Control:
     * the smallest maxAge across every subgraph that answered; PRIVATE answers per caller). Off by default:
     * a gateway in front of subgraphs that declare hints should start serving cached answers by choice.
     * @default false
     */
    enabled: z.boolean().default(false),
    /**
     * Where entries live. memory: this instance only, bounded LRU; redis: shared by every instance.
     * @default { kind: "memory", maxBytes: 67108864 } (64 MiB); Redis keyPrefix "gw:rc:"
     */
    store: cacheStoreSchema({ maxBytes: 64 * 1024 ** 2, keyPrefix: 'gw:rc:' }).prefault({ kind: 'memory' }),
    /**
     * Responses larger than this (JSON characters ≈ bytes) are served but not stored: one huge answer must
     * not evict the rest of a memory store. @default 1048576 (1 MiB)
     */
    maxEntryBytes: z.number().int().min(1024).max(64 * 1024 ** 2).default(1_048_576),
    /**
     * Longest time any entry is kept, in seconds, whatever maxAge a subgraph declares (a hint of a year
     * from a misconfigured subgraph must not pin an answer that long). @default 3600 (1 h)
     */
    maxTtlSeconds: z.number().int().min(1).max(31 * 86_400).default(3_600),
  })
  .strict();

export type ResponseCacheConfig = z.infer<typeof responseCacheConfigSchema>;
