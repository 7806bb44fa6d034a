// Mints a token signed with the local dev key, as `npm run token` and `npm start` print it.
import { SignJWT } from 'jose';
import type { DevSigningKey } from '@federation-gateway/gateway/dev-signing-key';

export interface DevTokenClaims {
  subject: string;
  scopes: string[];
  roles?: string[];
  tier?: string;
  /** Lifetime in seconds. */
  ttlSeconds: number;
}

export async function mintDevToken(key: DevSigningKey, claims: DevTokenClaims): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ scope: claims.scopes.join(' '), roles: claims.roles ?? [], ...(claims.tier ? { tier: claims.tier } : {}) })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.subject)
    .setIssuer(key.issuer)
    .setAudience(key.audience)
    .setIssuedAt(now)
    .setExpirationTime(now + claims.ttlSeconds)
    .sign(new TextEncoder().encode(key.secret));
}
