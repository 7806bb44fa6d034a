// Redis-backed store shared by every gateway instance: one round trip (EVALSHA) per operation, atomic.
// Redis trouble surfaces as RateLimitStoreUnavailableError within about commandTimeoutMs; the caller decides
// fail-open or fail-closed. ioredis keeps reconnecting in the background, so the store recovers by itself.
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Redis } from 'ioredis';

// ioredis is loaded on first use (~100 ms of module loading), so a gateway with the default in-memory
// store does not pay for it at startup. It is CommonJS, so a synchronous require keeps this API sync.
const requireModule = createRequire(import.meta.url);
import {
  RateLimitStoreUnavailableError,
  type RateLimitCheck,
  type RateLimitConsumeResult,
  type RateLimitStore,
} from './rateLimitStore.js';
import { SLIDING_WINDOW_LUA, SLIDING_WINDOW_SHA1 } from './slidingWindowScript.js';

/** The values (and their defaults) come from `rateLimits.store` (rateLimitConfig.ts). */
export interface RedisRateLimitStoreOptions {
  /** redis:// or rediss:// URL. */
  url: string;
  /**
   * How long Redis may stay silent (no reply to any call) before a call fails, milliseconds. Rate limiting
   * sits on every request's path, so a dead or hung Redis must cost at most this much latency before the
   * fail-open/closed policy applies.
   */
  commandTimeoutMs: number;
  /**
   * Longest total wait for one operation while Redis is answering operations queued ahead of it (a burst),
   * milliseconds. A Redis that answers nothing at all fails after commandTimeoutMs regardless.
   */
  maxWaitMs: number;
  /** Longest wait for a (re)connection attempt, milliseconds. */
  connectTimeoutMs: number;
  /** Called on connection errors and state changes (for logs); never throws. */
  onConnectionEvent?: (event: 'ready' | 'error' | 'end', error?: Error) => void;
}

export class RedisRateLimitStore implements RateLimitStore {
  readonly client: Redis;

  private readonly commandTimeoutMs: number;
  /** Longest total wait for one call while Redis keeps answering calls queued ahead of it, ms. */
  private readonly maxWaitMs: number;
  /** When the last reply (to any call) arrived, performance.now() ms. */
  private lastReplyAt = 0;

  constructor(options: RedisRateLimitStoreOptions) {
    this.commandTimeoutMs = options.commandTimeoutMs;
    this.maxWaitMs = options.maxWaitMs;
    const { Redis: RedisClient } = requireModule('ioredis') as typeof import('ioredis');
    this.client = new RedisClient(options.url, {
      // Only a backstop that clears commands a hung Redis never answers; the request-facing deadline is
      // withDeadline() below. ioredis's own commandTimeout fires in the timers phase, before this process
      // has read replies already waiting on the socket, and counts time queued behind a burst: it reports
      // a healthy Redis as timed out, and fail-open then admits far past the limit.
      commandTimeout: this.maxWaitMs + this.commandTimeoutMs,
      connectTimeout: options.connectTimeoutMs,
      // No offline queue: while disconnected a command fails at once instead of waiting for a reconnect,
      // so a dead Redis costs a request nothing but the policy decision.
      enableOfflineQueue: false,
      // A rate-limit check is not worth retrying: the next request checks again.
      maxRetriesPerRequest: 0,
      // Keep reconnecting forever, backing off to 1 s, so the store recovers when Redis comes back.
      retryStrategy: (attempt: number) => Math.min(50 * 2 ** Math.min(attempt, 10), 1_000),
      lazyConnect: false,
    });
    const notify = options.onConnectionEvent ?? (() => undefined);
    // Without an 'error' listener ioredis prints every reconnect failure to stderr.
    this.client.on('error', (error: Error) => notify('error', error));
    this.client.on('ready', () => {
      // Load the script on every (re)connect, so a burst right after a Redis restart does not pay NOSCRIPT + EVAL
      // per request (EVALSHA still falls back to EVAL when this races).
      this.client.script('LOAD', SLIDING_WINDOW_LUA).catch(() => undefined);
      notify('ready');
    });
    this.client.on('end', () => notify('end'));
  }

  /** Resolves once connected, or after `timeoutMs` (the store then fails per call until Redis answers). */
  async waitUntilReady(timeoutMs: number): Promise<boolean> {
    if (this.client.status === 'ready') return true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.client.off('ready', onReady);
        resolve(false);
      }, timeoutMs);
      const onReady = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.client.once('ready', onReady);
    });
  }

  async consume(checks: readonly RateLimitCheck[], nowMs: number, operationId: string = randomUUID()): Promise<RateLimitConsumeResult> {
    if (checks.length === 0) return { allowed: true, results: [] };
    const keys = checks.map((c) => c.key);
    const args: (string | number)[] = [Math.floor(nowMs), operationId];
    for (const c of checks) args.push(c.max, c.windowMs, c.cost);
    let reply: unknown;
    try {
      reply = await this.withDeadline(this.evaluate(keys, args));
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
      await this.withDeadline(pipeline.exec());
    } catch (error) {
      throw new RateLimitStoreUnavailableError(`rate-limit store (Redis) unavailable: ${(error as Error).message}`, { cause: error });
    }
  }

  async close(): Promise<void> {
    try {
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
  }

  /**
   * Fails the call once Redis has been SILENT for commandTimeoutMs: no reply to this call, and no reply to
   * any other call on this connection either. Replies come back in order, so while a burst of operations is
   * queued a busy but healthy Redis keeps answering the ones ahead of ours: that is progress, and waiting
   * for it (up to maxWaitMs in all) keeps the count exact, whereas failing open on it would admit past the
   * limit. A dead or hung Redis answers nothing and is detected within commandTimeoutMs.
   * When the timer fires, pending I/O first gets one turn (setImmediate runs after the poll phase), so a
   * reply that arrived while this process was busy still counts: the deadline measures Redis, not our lag.
   */
  private withDeadline<T>(work: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const startedAt = performance.now();
      let timer: NodeJS.Timeout;
      const onTimer = () => {
        setImmediate(() => {
          if (settled) return;
          const now = performance.now();
          const silentForMs = now - Math.max(this.lastReplyAt, startedAt);
          if (silentForMs < this.commandTimeoutMs && now - startedAt < this.maxWaitMs) {
            timer = setTimeout(onTimer, this.commandTimeoutMs - silentForMs);
            return;
          }
          settled = true;
          reject(new Error(`Redis answered nothing for ${this.commandTimeoutMs} ms (gave up after ${Math.round(now - startedAt)} ms)`));
        });
      };
      timer = setTimeout(onTimer, this.commandTimeoutMs);
      work.then(
        (value) => {
          this.lastReplyAt = performance.now();
          clearTimeout(timer);
          if (settled) return;
          settled = true;
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          if (settled) return;
          settled = true;
          reject(error);
        },
      );
    });
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
