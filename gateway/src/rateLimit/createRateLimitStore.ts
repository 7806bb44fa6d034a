// Builds the configured store: in-memory by default, Redis when config says so.
import { MemoryRateLimitStore } from './memoryRateLimitStore.js';
import type { RateLimitConfig } from './rateLimitConfig.js';
import type { RateLimitStore } from './rateLimitStore.js';
import { RedisRateLimitStore } from './redisRateLimitStore.js';

export interface StoreLogger {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
}

export function createRateLimitStore(storeConfig: RateLimitConfig['store'], logger: StoreLogger): RateLimitStore {
  if (storeConfig.kind === 'memory') return new MemoryRateLimitStore();
  let lastErrorLoggedMs = 0;
  return new RedisRateLimitStore({
    url: storeConfig.url,
    commandTimeoutMs: storeConfig.commandTimeoutMs,
    maxWaitMs: storeConfig.maxWaitMs,
    connectTimeoutMs: storeConfig.connectTimeoutMs,
    onConnectionEvent: (event, error) => {
      if (event === 'ready') {
        logger.info({ store: 'redis' }, 'rate-limit store connected');
      } else if (event === 'error') {
        // Reconnect attempts fail every ~1 s while Redis is down: one line per 10 s is enough to see it.
        const now = Date.now();
        if (now - lastErrorLoggedMs >= 10_000) {
          lastErrorLoggedMs = now;
          logger.warn({ store: 'redis', err: error?.message }, 'rate-limit store connection error');
        }
      }
    },
  });
}
