// One Redis connection as every shared store of the gateway uses it (rate limits, response cache, APQ):
// ioredis without an offline queue or retries (a dead Redis costs a request nothing but the store's
// policy decision), reconnecting forever in the background, and a deadline that measures Redis's
// silence rather than this process's event-loop lag. ioredis is loaded on first use (~100 ms of module
// loading), so a gateway with only in-memory stores does not pay for it at startup.
import { createRequire } from 'node:module';
import type { Redis } from 'ioredis';

// ioredis is CommonJS: a synchronous require keeps the constructors below synchronous.
const requireModule = createRequire(import.meta.url);

export interface RedisConnectionOptions {
  /** redis:// or rediss:// URL. */
  url: string;
  /**
   * How long Redis may stay silent (no reply to any call) before a call fails, milliseconds. Stores sit on
   * request paths, so a dead or hung Redis must cost at most this much latency. (Each store's config
   * schema holds its default: rateLimitConfig.ts, cacheStoreConfig.ts.)
   */
  commandTimeoutMs: number;
  /**
   * Longest total wait for one call while Redis is answering calls queued ahead of it (a burst),
   * milliseconds. A Redis that answers nothing at all fails after commandTimeoutMs regardless.
   */
  maxWaitMs: number;
  /** Longest wait for a (re)connection attempt, milliseconds. */
  connectTimeoutMs: number;
  /** Called on connection errors and state changes (for logs); never throws. */
  onConnectionEvent?: (event: 'ready' | 'error' | 'end', error?: Error) => void;
}

export class RedisConnection {
  readonly client: Redis;

  private readonly commandTimeoutMs: number;
  private readonly maxWaitMs: number;
  /** When the last reply (to any call) arrived, performance.now() ms. */
  private lastReplyAt = 0;

  constructor(options: RedisConnectionOptions) {
    this.commandTimeoutMs = options.commandTimeoutMs;
    this.maxWaitMs = options.maxWaitMs;
    const { Redis: RedisClient } = requireModule('ioredis') as typeof import('ioredis');
    this.client = new RedisClient(options.url, {
      // Only a backstop that clears commands a hung Redis never answers; the request-facing deadline is
      // withDeadline() below. ioredis's own commandTimeout fires in the timers phase, before this process
      // has read replies already waiting on the socket, and counts time queued behind a burst: it reports
      // a healthy Redis as timed out.
      commandTimeout: this.maxWaitMs + this.commandTimeoutMs,
      connectTimeout: options.connectTimeoutMs,
      // No offline queue: while disconnected a command fails at once instead of waiting for a reconnect.
      enableOfflineQueue: false,
      // A store call is not worth retrying: the next request calls again.
      maxRetriesPerRequest: 0,
      // Keep reconnecting forever, backing off to 1 s, so the store recovers when Redis comes back.
      retryStrategy: (attempt: number) => Math.min(50 * 2 ** Math.min(attempt, 10), 1_000),
      lazyConnect: false,
    });
    const notify = options.onConnectionEvent ?? (() => undefined);
    // Without an 'error' listener ioredis prints every reconnect failure to stderr.
    this.client.on('error', (error: Error) => notify('error', error));
    this.client.on('ready', () => notify('ready'));
    this.client.on('end', () => notify('end'));
  }

  /** Resolves once connected, or after `timeoutMs` (calls then fail fast until Redis answers). */
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

  async close(): Promise<void> {
    try {
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
  }

  /**
   * Fails the call once Redis has been SILENT for commandTimeoutMs: no reply to this call, and no reply to
   * any other call on this connection either. Replies come back in order, so while a burst is queued a busy
   * but healthy Redis keeps answering the calls ahead of ours: that is progress, and waiting for it (up to
   * maxWaitMs in all) keeps results exact. A dead or hung Redis answers nothing and is detected within
   * commandTimeoutMs. When the timer fires, pending I/O first gets one turn (setImmediate runs after the
   * poll phase), so a reply that arrived while this process was busy still counts: the deadline measures
   * Redis, not our lag.
   */
  withDeadline<T>(work: Promise<T>): Promise<T> {
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
}

export interface ConnectionEventLogger {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
}

/**
 * Logs a store's connection events: 'ready' once per (re)connect, errors at most once per 10 s (ioredis
 * retries about every second while Redis is down; one line per 10 s is enough to see it).
 */
export function logRedisConnectionEvents(logger: ConnectionEventLogger, store: string): NonNullable<RedisConnectionOptions['onConnectionEvent']> {
  let lastErrorLoggedMs = 0;
  return (event, error) => {
    if (event === 'ready') {
      logger.info({ store: 'redis', for: store }, `${store} store connected`);
    } else if (event === 'error') {
      const now = Date.now();
      if (now - lastErrorLoggedMs >= 10_000) {
        lastErrorLoggedMs = now;
        logger.warn({ store: 'redis', for: store, err: error?.message }, `${store} store connection error`);
      }
    }
  };
}
