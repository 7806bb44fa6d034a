// A cache only saves work, so its store failing must never fail a request: a read that throws is a miss,
// a write that throws is dropped, and each is reported (metric, log) instead. Apollo Server does not
// guard its APQ reads (a throwing cache answers 500), and @apollo/utils.keyvaluecache's
// ErrorsAreMissesCache covers reads only, without a way to count them: hence this wrapper. It also
// bounds what one entry may take (one huge response must not evict a whole memory store, nor sit in
// Redis) and how long any entry lives, whatever TTL its writer asked for.
import type { KeyValueCache, KeyValueCacheSetOptions } from '@apollo/utils.keyvaluecache';

export interface FailSafeKeyValueCacheOptions {
  /** Values longer than this (characters of the stored string ≈ bytes) are not stored. @default no limit */
  maxEntryBytes?: number;
  /** Longest TTL of any entry, seconds; also the TTL of writes that ask for none. @default no limit */
  maxTtlSeconds?: number;
  /** A store call failed (already turned into a miss or a dropped write). */
  onError(operation: 'get' | 'set' | 'delete', error: unknown): void;
  /** What became of a write. */
  onWrite?(result: 'stored' | 'too_large'): void;
}

export class FailSafeKeyValueCache implements KeyValueCache<string> {
  constructor(
    private readonly inner: KeyValueCache<string>,
    private readonly options: FailSafeKeyValueCacheOptions,
  ) {}

  async get(key: string): Promise<string | undefined> {
    try {
      return await this.inner.get(key);
    } catch (error) {
      this.options.onError('get', error);
      return undefined;
    }
  }

  /**
   * The inner store's set is called before this function first awaits, so a memory store holds the
   * entry by the time the caller's response goes out (the response-cache plugin does not await writes).
   */
  async set(key: string, value: string, setOptions?: KeyValueCacheSetOptions): Promise<void> {
    const { maxEntryBytes, maxTtlSeconds } = this.options;
    if (maxEntryBytes !== undefined && value.length > maxEntryBytes) {
      this.options.onWrite?.('too_large');
      return;
    }
    const asked = setOptions?.ttl ?? undefined;
    const ttl = maxTtlSeconds === undefined ? asked : Math.min(asked ?? maxTtlSeconds, maxTtlSeconds);
    try {
      await this.inner.set(key, value, ttl === undefined ? setOptions : { ...setOptions, ttl });
      this.options.onWrite?.('stored');
    } catch (error) {
      this.options.onError('set', error);
    }
  }

  async delete(key: string): Promise<boolean | void> {
    try {
      return await this.inner.delete(key);
    } catch (error) {
      this.options.onError('delete', error);
      return false;
    }
  }
}
