// Builds the configured store: in-memory by default, Redis when config says so.
import { MemoryRateLimitStore } from './memoryRateLimitStore.js';
import type { RateLimitConfig } from './rateLimitConfig.js';
import type { RateLimitStore } from './rateLimitStore.js';
import { RedisRateLimitStore } from './redisRateLimitStore.js';
import { logRedisConnectionEvents, type ConnectionEventLogger } from '../redis/redisConnection.js';

export function createRateLimitStore(storeConfig: RateLimitConfig['store'], logger: ConnectionEventLogger): RateLimitStore {
  if (storeConfig.kind === 'memory') return new MemoryRateLimitStore();
  return new RedisRateLimitStore({
    url: storeConfig.url,
    commandTimeoutMs: storeConfig.commandTimeoutMs,
    maxWaitMs: storeConfig.maxWaitMs,
    connectTimeoutMs: storeConfig.connectTimeoutMs,
    onConnectionEvent: logRedisConnectionEvents(logger, 'rate-limit'),
  });
}
