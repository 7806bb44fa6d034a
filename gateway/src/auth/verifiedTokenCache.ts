// A bounded cache of tokens that already passed verification. Clients send the same token on many
// requests, and verifying an HS256 or RS256 JWT costs ~150 µs of CPU (jose/WebCrypto) each time: the
// largest single cost on the gateway's request path. The cache key is the whole token, signature
// included, so a token that differs in any byte is verified from scratch; an entry lives until the
// token's `exp` (plus the clock tolerance) or `maxAgeMs`, whichever comes first, so a key removed from a
// JWKS stops being honoured within `maxAgeMs`.
import type { AuthIdentity } from './authIdentity.js';
import type { AccessTokenVerifier } from './verifyAccessToken.js';

/** The values come from `auth.jwt` (authConfig.ts: verifiedCacheMaxEntries, verifiedCacheMaxAgeMs, clockToleranceSec). */
export interface VerifiedTokenCacheOptions {
  /** Entries kept; the oldest is evicted first. */
  maxEntries: number;
  /** Longest an entry is trusted, in ms. */
  maxAgeMs: number;
  /** Added to `exp` like jose's clockTolerance, in seconds. */
  clockToleranceSec: number;
  /** Clock, epoch ms. @default Date.now */
  now?: (() => number) | undefined;
}

interface Entry {
  identity: AuthIdentity;
  /** Epoch ms after which the entry is dropped. */
  expiresAtMs: number;
}

export function withVerifiedTokenCache(verify: AccessTokenVerifier, options: VerifiedTokenCacheOptions): AccessTokenVerifier {
  const { maxEntries, maxAgeMs } = options;
  const now = options.now ?? Date.now;
  // A Map iterates in insertion order: the first key is the oldest entry.
  const entries = new Map<string, Entry>();

  return async (token) => {
    const cached = entries.get(token);
    if (cached) {
      if (cached.expiresAtMs > now()) return cached.identity;
      entries.delete(token);
    }
    const identity = await verify(token);
    const exp = identity.claims.exp;
    const expiresAtMs = Math.min(typeof exp === 'number' ? (exp + options.clockToleranceSec) * 1000 : 0, now() + maxAgeMs);
    if (expiresAtMs > now()) {
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value as string);
      entries.set(token, { identity, expiresAtMs });
    }
    return identity;
  };
}
