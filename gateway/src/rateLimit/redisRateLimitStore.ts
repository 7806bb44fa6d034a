// Redis-backed store shared by every gateway instance: one round trip (EVALSHA) per operation, atomic.
// Redis trouble surfaces as RateLimitStoreUnavailableError within about commandTimeoutMs (the connection's
// deadline, redis/redisConnection.ts); the caller decides fail-open or fail-closed. ioredis keeps
// reconnecting in the background, so the store recovers by itself.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RedisConnection, type RedisConnectionOptions } from '../redis/redisConnection.js';
import {
  RateLimitStoreUnavailableError,
  type RateLimitCheck,
  type RateLimitConsumeResult,
  type RateLimitStore,
} from './rateLimitStore.js';
import { SLIDING_WINDOW_LUA, SLIDING_WINDOW_SHA1 } from './slidingWindowScript.js';

/**
 * The values (and their defaults) come from `rateLimits.store` (rateLimitConfig.ts); redis/redisConnection.ts
 * documents each. Rate limiting sits on every request's path, so commandTimeoutMs stays small, and a busy
 * Redis is waited for up to maxWaitMs so that counts stay exact (failing open on a burst would admit past the limit).
 */
export type RedisRateLimitStoreOptions = RedisConnectionOptions;

export class RedisRateLimitStore implements RateLimitStore {
  readonly client: Redis;
  private readonly connection: RedisConnection;

  constructor(options: RedisRateLimitStoreOptions) {
    this.connection = new RedisConnection(options);
    this.client = this.connection.client;
    // Load the script on every (re)connect, so a burst right after a Redis restart does not pay NOSCRIPT + EVAL
    // per request (EVALSHA still falls back to EVAL when this races).
    this.client.on('ready', () => {
      this.client.script('LOAD', SLIDING_WINDOW_LUA).catch(() => undefined);
    });
  }

  /** Resolves once connected, or after `timeoutMs` (the store then fails per call until Redis answers). */
  waitUntilReady(timeoutMs: number): Promise<boolean> {
    return this.connection.waitUntilReady(timeoutMs);
  }

  async consume(checks: readonly RateLimitCheck[], nowMs: number, operationId: string = randomUUID()): Promise<RateLimitConsumeResult> {
    if (checks.length === 0) return { allowed: true, results: [] };
    const keys = checks.map((c) => c.key);
    const args: (string | number)[] = [Math.floor(nowMs), operationId];
    for (const c of checks) args.push(c.max, c.windowMs, c.cost);
    let reply: unknown;
    try {
      reply = await this.connection.withDeadline(this.evaluate(keys, args));
    } catch (error) {
      throw new RateLimitStoreUnavailableError(`rate-limit store (Redis) unavailable: ${(error as Error).message}`, { cause: error });
    }
    return parseReply(reply, checks.length);
  }

  /** ZREM of exactly the members this operation's consume added (the script names them op:i:j). */
  async refund(checks: readonly RateLimitCheck[], _nowMs: number, operationId: string): Promise<void> {
    const pipeline = this.client.pipeline();
    checks.forEach((check, index) => {
      const members = Array.from({ length: check.cost }, (_, j) => `${operationId}:${index + 1}:${j + 1}`);
      if (members.length > 0) pipeline.zrem(check.key, ...members);
    });
    try {
      await this.connection.withDeadline(pipeline.exec());
    } catch (error) {
      throw new RateLimitStoreUnavailableError(`rate-limit store (Redis) unavailable: ${(error as Error).message}`, { cause: error });
    }
  }

  close(): Promise<void> {
    return this.connection.close();
  }

  /** EVALSHA, falling back to EVAL (which caches the script) only when Redis lost it, e.g. after a restart. */
  private async evaluate(keys: string[], args: (string | number)[]): Promise<unknown> {
    try {
      return await this.client.evalsha(SLIDING_WINDOW_SHA1, keys.length, ...keys, ...args);
    } catch (error) {
      if (!String((error as Error).message).includes('NOSCRIPT')) throw error;
      return await this.client.eval(SLIDING_WINDOW_LUA, keys.length, ...keys, ...args);
    }
  }
}

function parseReply(reply: unknown, checkCount: number): RateLimitConsumeResult {
  if (!Array.isArray(reply) || reply.length !== 1 + 3 * checkCount) {
    throw new RateLimitStoreUnavailableError(`unexpected reply from the rate-limit script: ${JSON.stringify(reply)}`);
  }
  const numbers = reply.map((v) => Number(v));
  const results = [];
  for (let i = 0; i < checkCount; i++) {
    results.push({ remaining: numbers[1 + 3 * i] ?? 0, resetMs: numbers[2 + 3 * i] ?? 0, retryAfterMs: numbers[3 + 3 * i] ?? 0 });
  }
  return { allowed: numbers[0] === 1, results };
}
