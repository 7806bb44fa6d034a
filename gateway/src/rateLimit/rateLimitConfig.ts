// Config of per-field rate limits; the gateway config embeds this under the key `rateLimits`.
// Every object is .strict(): a typo is a startup error, not a silently ignored limit.
import { z } from 'zod';
import { parseWindowLikeGraphqlRateLimit } from './rateLimitWindow.js';
import { isAddressOrCidr } from './clientAddress.js';

/** "Type.field", as in the supergraph, e.g. "Query.users". */
export const fieldCoordinateSchema = z
  .string()
  .regex(/^[_A-Za-z][_0-9A-Za-z]*\.[_A-Za-z][_0-9A-Za-z]*$/, 'must be "Type.field", e.g. "Query.users"');

const windowSchema = z.string().refine((w) => {
  const ms = parseWindowLikeGraphqlRateLimit(w);
  return ms !== undefined && ms >= 1;
}, 'must be a window in graphql-rate-limit syntax, e.g. "10s", "1m", "1h"');

/**
 * A limit for one field: adds a limit when the supergraph declares none (then `max` and a window are
 * required), or overrides the supergraph's `@rateLimit` argument by argument.
 */
export const fieldLimitConfigSchema = z
  .object({
    /** Hits allowed per window, per identity (and per identityArgs values). */
    max: z.number().int().positive().optional(),
    /** Window in graphql-rate-limit syntax ("10s", "1m"), as in the directive. Give this or `windowMs`. */
    window: windowSchema.optional(),
    /** Window in milliseconds. Give this or `window`. */
    windowMs: z.number().int().positive().optional(),
    /** Argument names (dot paths into input objects allowed) whose values become part of the key. */
    identityArgs: z.array(z.string().min(1)).optional(),
    /** Message of the RATE_LIMITED error for this field. */
    message: z.string().min(1).optional(),
    /** true removes the limit (e.g. an unlimited tier). @default false */
    disabled: z.boolean().optional(),
  })
  .strict()
  .refine((limit) => !(limit.window !== undefined && limit.windowMs !== undefined), 'give either window or windowMs, not both');

export type FieldLimitConfig = z.infer<typeof fieldLimitConfigSchema>;

const trustedProxySchema = z.string().refine(isAddressOrCidr, 'must be an IP address or CIDR, e.g. "10.0.0.0/8"');

const redisStoreSchema = z
  .object({
    kind: z.literal('redis'),
    /** redis:// or rediss:// URL of the Redis shared by every gateway instance. */
    url: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL'),
    /**
     * How long Redis may stay silent (no reply at all) before an operation's check fails, in ms; then
     * onStoreUnavailable applies. @default 50 (rate limiting sits on every request's path; at most 50)
     */
    commandTimeoutMs: z.number().int().min(1).max(50).default(50),
    /**
     * Longest total wait for one check while Redis keeps answering the checks queued ahead of it (a burst),
     * in ms: a busy Redis is waited for, so counts stay exact. @default 1000
     */
    maxWaitMs: z.number().int().min(1).max(10_000).default(1_000),
    /** Longest wait for a (re)connection attempt, in ms. @default 1000 */
    connectTimeoutMs: z.number().int().min(10).max(60_000).default(1_000),
    /** Prefix of every key, so several gateways or apps can share one Redis. @default "gw:rl:" */
    keyPrefix: z.string().default('gw:rl:'),
  })
  .strict();

const memoryStoreSchema = z.object({ kind: z.literal('memory') }).strict();

export const rateLimitConfigSchema = z
  .object({
    /** Enforce per-field limits at all. @default true */
    enabled: z.boolean().default(true),
    /**
     * Where counters live. memory: exact within one process (the default, for one instance);
     * redis: shared and exact across every instance using the same Redis.
     * @default { kind: "memory" }
     */
    store: z.discriminatedUnion('kind', [memoryStoreSchema, redisStoreSchema]).default({ kind: 'memory' }),
    /**
     * When the store cannot answer: "open" admits the operation (with a warn log line and the
     * gateway_rate_limit_store_failures_total metric); "closed" rejects it with 503 SERVICE_UNAVAILABLE.
     * @default "open" (a Redis outage must not take the API down)
     */
    onStoreUnavailable: z.enum(['open', 'closed']).default('open'),
    /**
     * Peers whose X-Forwarded-For is believed (IPs or CIDRs). The client IP is the right-most address not in
     * this list; from any other peer the header is ignored (it is trivially spoofed).
     * @default [] (trust no proxy: the socket's peer is the client)
     */
    trustedProxies: z.array(trustedProxySchema).default([]),
    /** Limits added or overridden per "Type.field", for every tier. @default {} */
    fields: z.record(fieldCoordinateSchema, fieldLimitConfigSchema).default({}),
    /**
     * Per identity tier ("anonymous", "authenticated", or an API-key consumer's tier): limits added or
     * overridden per "Type.field" on top of `fields`. @default {}
     */
    tiers: z
      .record(z.string().min(1), z.object({ fields: z.record(fieldCoordinateSchema, fieldLimitConfigSchema).default({}) }).strict())
      .default({}),
  })
  .strict();

export type RateLimitConfig = z.infer<typeof rateLimitConfigSchema>;

