// A KeyValueCache (the interface Apollo Server's APQ and response cache take) on the gateway's Redis
// connection (redis/redisConnection.ts). Hand-written rather than @apollo/utils.keyvadapter + keyv +
// @keyv/redis: that stack brings a second Redis client library (node-redis) next to the ioredis the
// rate limits already use, with its own offline queue and timeouts; here every cache and the rate
// limits share one connection policy (no offline queue, a deadline on Redis's silence, reconnecting in
// the background), in 3 commands. Errors are thrown: failSafeKeyValueCache.ts turns them into misses.
import type { KeyValueCache, KeyValueCacheSetOptions } from '@apollo/utils.keyvaluecache';
import { RedisConnection, type RedisConnectionOptions } from '../redis/redisConnection.js';

export interface RedisKeyValueCacheOptions extends RedisConnectionOptions {
  /** Prefix of every key this cache writes, e.g. "gw:rc:". */
  keyPrefix: string;
}

export class RedisKeyValueCache implements KeyValueCache<string> {
  readonly connection: RedisConnection;
  private readonly keyPrefix: string;

  constructor(options: RedisKeyValueCacheOptions) {
    this.connection = new RedisConnection(options);
    this.keyPrefix = options.keyPrefix;
  }

  async get(key: string): Promise<string | undefined> {
    const value = await this.connection.withDeadline(this.connection.client.get(this.keyPrefix + key));
    return value ?? undefined;
  }

  /** `ttl` in seconds (KeyValueCache's unit); none: the entry stays until Redis evicts it. */
  async set(key: string, value: string, options?: KeyValueCacheSetOptions): Promise<void> {
    const { client } = this.connection;
    const ttl = options?.ttl;
    // EX takes whole seconds > 0: a fractional TTL rounds up rather than to "no expiry".
    const write = typeof ttl === 'number' && ttl > 0 ? client.set(this.keyPrefix + key, value, 'EX', Math.ceil(ttl)) : client.set(this.keyPrefix + key, value);
    await this.connection.withDeadline(write);
  }

  async delete(key: string): Promise<boolean> {
    return (await this.connection.withDeadline(this.connection.client.del(this.keyPrefix + key))) > 0;
  }

  waitUntilReady(timeoutMs: number): Promise<boolean> {
    return this.connection.waitUntilReady(timeoutMs);
  }

  close(): Promise<void> {
    return this.connection.close();
  }
}
