// A distinct, valid client JWT for every request of the deep scenario, so our gateway verifies a token
// it has never seen on every request (its verified-token cache cannot answer) and stock forwards a
// different Authorization header each time, as real traffic from many callers looks.
//
// Minted with node:crypto's HMAC rather than jose's SignJWT: this runs in the load generator, which
// shares the 2 cores with the gateways under test, and jose's WebCrypto signing costs ~10× more CPU per
// token. The output is a plain RFC 7519 HS256 JWT; our gateway verifies it with jose.
import { createHmac } from 'node:crypto';

export interface DistinctTokenOptions {
  /** The HS256 secret our gateway is configured with. */
  secret: string;
  issuer: string;
  audience: string;
  /** Subjects cycled through, one per token (rate-limit buckets are per subject). */
  subjects: readonly string[];
  /** Space-separated `scope` claim. */
  scope: string;
  /** Lifetime of each token, in s. @default 900 */
  lifetimeSeconds?: number;
}

const ENCODED_HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

/** Returns a function answering `Bearer <new token>` on every call (a unique `jti` each). */
export function createDistinctTokenSource(options: DistinctTokenOptions): () => string {
  const key = Buffer.from(options.secret, 'utf8');
  const lifetimeSeconds = options.lifetimeSeconds ?? 900;
  let counter = 0;
  return () => {
    counter += 1;
    const issuedAt = Math.floor(Date.now() / 1000);
    const claims = {
      sub: options.subjects[counter % options.subjects.length],
      scope: options.scope,
      iss: options.issuer,
      aud: options.audience,
      iat: issuedAt,
      exp: issuedAt + lifetimeSeconds,
      jti: `bench-${process.pid}-${counter}`,
    };
    const signingInput = `${ENCODED_HEADER}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
    return `Bearer ${signingInput}.${createHmac('sha256', key).update(signingInput).digest('base64url')}`;
  };
}
