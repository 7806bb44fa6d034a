// API keys for service clients. Config stores only SHA-256 hashes; a presented key is hashed and
// compared against every consumer with crypto.timingSafeEqual, visiting all of them, so neither
// the comparison nor the loop length tells an attacker how close a guess was.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ApiKeyConsumer } from './authConfig.js';
import { AuthenticationError } from './authErrors.js';
import type { AuthIdentity } from './authIdentity.js';

/** Keys are random tokens, not passwords: longer than this is an abuse, not a key. */
const MAX_API_KEY_BYTES = 512;

export type ApiKeyVerifier = (presentedKey: string) => AuthIdentity;

export function createApiKeyVerifier(consumers: readonly ApiKeyConsumer[]): ApiKeyVerifier {
  const hashed = consumers.map((consumer) => ({ consumer, digest: Buffer.from(consumer.keySha256, 'hex') }));
  return (presentedKey: string): AuthIdentity => {
    if (presentedKey.length === 0 || Buffer.byteLength(presentedKey) > MAX_API_KEY_BYTES) {
      throw new AuthenticationError('invalid api key', 'ApiKey');
    }
    const digest = createHash('sha256').update(presentedKey, 'utf8').digest();
    let match: ApiKeyConsumer | undefined;
    for (const entry of hashed) {
      if (timingSafeEqual(digest, entry.digest) && !match) match = entry.consumer;
    }
    // A revoked key gets the same answer as an unknown one: no oracle for which keys once existed.
    if (!match || match.revoked) throw new AuthenticationError('invalid api key', 'ApiKey');
    return {
      subject: match.name,
      scopes: [...match.scopes],
      roles: [...match.roles],
      claims: {},
      kind: 'apiKey',
      tier: match.tier,
    };
  };
}

/** Hex SHA-256 of a key, as stored in config (`keySha256`). */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}
