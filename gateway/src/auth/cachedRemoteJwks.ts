// A JWKS key resolver that keeps serving the last good key set while the identity provider is down.
// jose's createRemoteJWKSet throws once its cache is stale and the endpoint fails; here a failed
// fetch keeps the previous keys, and refetches (stale set, unknown `kid`, failed fetch) are spaced
// by a cooldown so tokens with random kids cannot turn us into a traffic amplifier.
import { createLocalJWKSet, errors, type JSONWebKeySet, type JWSHeaderParameters, type FlattenedJWSInput, type CryptoKey } from 'jose';
import { AuthKeysUnavailableError } from './authErrors.js';

export interface CachedRemoteJwksOptions {
  url: string;
  /** Age after which the set is refetched (the old one is kept if that fails). */
  cacheMaxAgeMs: number;
  /** Minimum gap between two fetch attempts. */
  refetchCooldownMs: number;
  /** Timeout of one fetch. */
  timeoutMs: number;
  /** Injected clock for tests. @default Date.now */
  now?: (() => number) | undefined;
  /** Called when a fetch fails (for a log line); the old keys stay in use. */
  onFetchError?: (error: unknown) => void;
}

interface KeySetSnapshot {
  resolve: ReturnType<typeof createLocalJWKSet>;
  fetchedAt: number;
}

export class CachedRemoteJwks {
  private lastGood: KeySetSnapshot | undefined;
  private lastAttemptAt = Number.NEGATIVE_INFINITY;
  private inFlight: Promise<void> | undefined;
  private readonly now: () => number;

  constructor(private readonly options: CachedRemoteJwksOptions) {
    this.now = options.now ?? Date.now;
  }

  /** jose key-resolver signature: pass `(header, token) => jwks.getKey(header, token)` to jwtVerify. */
  async getKey(header: JWSHeaderParameters, token: FlattenedJWSInput): Promise<CryptoKey> {
    const stale = !this.lastGood || this.now() - this.lastGood.fetchedAt >= this.options.cacheMaxAgeMs;
    if (stale) await this.refreshIfCooledDown();
    if (!this.lastGood) throw new AuthKeysUnavailableError(new Error(`no JWKS could be fetched from ${this.options.url}`));
    try {
      return await this.lastGood.resolve(header, token);
    } catch (error) {
      // An unknown kid may mean the issuer rotated keys: refetch once (subject to the cooldown).
      if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
      const before = this.lastGood;
      await this.refreshIfCooledDown();
      if (this.lastGood === before) throw error;
      return this.lastGood.resolve(header, token);
    }
  }

  private async refreshIfCooledDown(): Promise<void> {
    if (this.inFlight) return this.inFlight;
    if (this.now() - this.lastAttemptAt < this.options.refetchCooldownMs) return;
    this.lastAttemptAt = this.now();
    this.inFlight = this.fetchKeySet()
      .then((jwks) => {
        this.lastGood = { resolve: createLocalJWKSet(jwks), fetchedAt: this.now() };
      })
      .catch((error: unknown) => this.options.onFetchError?.(error))
      .finally(() => {
        this.inFlight = undefined;
      });
    return this.inFlight;
  }

  private async fetchKeySet(): Promise<JSONWebKeySet> {
    const response = await fetch(this.options.url, {
      headers: { accept: 'application/json' },
      redirect: 'error',
      signal: AbortSignal.timeout(this.options.timeoutMs),
    });
    if (!response.ok) throw new Error(`JWKS fetch ${this.options.url} answered HTTP ${response.status}`);
    const body = (await response.json()) as unknown;
    if (!body || typeof body !== 'object' || !Array.isArray((body as { keys?: unknown }).keys)) {
      throw new errors.JWKSInvalid('JWKS response is not a JSON Web Key Set');
    }
    // createLocalJWKSet validates each key lazily; validate the shape eagerly so a bad set never
    // replaces a good one.
    createLocalJWKSet(body as JSONWebKeySet);
    return body as JSONWebKeySet;
  }
}
