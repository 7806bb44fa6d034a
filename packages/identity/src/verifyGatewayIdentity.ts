// Verification of the identity token a subgraph receives, bound to the request body it came with.
//
// Hand-written on node:crypto rather than jose's jwtVerify, on purpose: every subgraph request is
// verified, and jose's WebCrypto path (an asynchronous HMAC on libuv's thread pool) measured 60-150 µs
// of CPU per token on our 2-core box even with the key imported once, against ~10 µs here
// (bench/RESULTS.md, "Identity signing and verification"). The token format is fixed (we mint it:
// gatewayIdentity.ts), so only what RFC 7515/7519 require for that one format is checked, strictly:
// three base64url segments; a header with `alg: "HS256"` and no `crit`; the HMAC-SHA256 signature compared
// in constant time against its one canonical encoding; then `iss`, `aud`, `exp`, `nbf`, `iat` (age), the
// claim types, and last the body digest. test/unit/packages/identity covers each refusal.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import {
  BODY_DIGEST_CLAIM,
  bodySha256,
  DEFAULT_MAX_AGE_SECONDS,
  GATEWAY_IDENTITY_HEADER,
  GATEWAY_IDENTITY_ISSUER,
  GatewayIdentityError,
  hmacKeyFor,
  type VerifiedGatewayIdentity,
  type VerifyGatewayIdentityOptions,
} from './gatewayIdentity.js';

/**
 * The claims of an identity token, as verification accepts them (registered claims checked there too).
 * Not exported: a zod type in this package's declarations would put zod's (~95 declaration files) into
 * every program that compiles against the package (each subgraph, the kit, a new scaffold).
 */
const claimsSchema = z.object({
  iss: z.string(),
  aud: z.union([z.string(), z.array(z.string())]),
  iat: z.number(),
  exp: z.number(),
  nbf: z.number().optional(),
  // `sub` is absent for anonymous callers: JWT requires `sub` to be a string when present.
  sub: z.string().min(1).optional(),
  scopes: z.array(z.string()),
  roles: z.array(z.string()),
  kind: z.enum(['user', 'apiKey', 'anonymous']),
  tier: z.string(),
  jti: z.string().optional(),
  [BODY_DIGEST_CLAIM]: z.string().regex(/^[0-9a-f]{64}$/),
});

export type GatewayIdentityVerifier = (token: string | undefined | null, body: string | Uint8Array) => Promise<VerifiedGatewayIdentity>;

const BASE64URL_SEGMENT = /^[A-Za-z0-9_-]+$/;

function decodeJsonSegment(segment: string): unknown {
  try {
    return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A verifier for one subgraph (its name is the audience), created once and called per request. */
export function createGatewayIdentityVerifier(options: Omit<VerifyGatewayIdentityOptions, 'body'>): GatewayIdentityVerifier {
  const key = hmacKeyFor(options.secret);
  const maxAgeSeconds = options.maxAgeSeconds ?? DEFAULT_MAX_AGE_SECONDS;
  const invalid = () => new GatewayIdentityError('invalid gateway identity token');

  const verify = (token: string | undefined | null, body: string | Uint8Array): VerifiedGatewayIdentity => {
    if (!token) throw new GatewayIdentityError(`missing ${GATEWAY_IDENTITY_HEADER} header`);
    const segments = token.split('.');
    if (segments.length !== 3 || !segments.every((segment) => BASE64URL_SEGMENT.test(segment))) throw invalid();
    const [encodedHeader, encodedPayload, signature] = segments as [string, string, string];
    const header = decodeJsonSegment(encodedHeader);
    // HS256 only: `none`, RS*/ES* (the key-confusion attacks) and anything critical we do not know are refused.
    if (!isObject(header) || header.alg !== 'HS256' || 'crit' in header) throw invalid();
    const expected = createHmac('sha256', key).update(`${encodedHeader}.${encodedPayload}`).digest('base64url');
    // Compared as the canonical encoding: another spelling of the same bytes is not the token we minted.
    if (signature.length !== expected.length || !timingSafeEqual(Buffer.from(signature), Buffer.from(expected))) throw invalid();

    const parsed = claimsSchema.safeParse(decodeJsonSegment(encodedPayload));
    if (!parsed.success) throw new GatewayIdentityError('gateway identity token has malformed claims');
    const claims = parsed.data;
    if (claims.iss !== GATEWAY_IDENTITY_ISSUER) throw new GatewayIdentityError('gateway identity token refused: iss unexpected');
    const audiences = typeof claims.aud === 'string' ? [claims.aud] : claims.aud;
    if (!audiences.includes(options.audience)) {
      // The signature was valid: the gateway knows this subgraph by another name. Saying both names
      // makes the fix obvious in the gateway's log.
      throw new GatewayIdentityError(
        `gateway identity token is for ${JSON.stringify(claims.aud)}, but this subgraph is "${options.audience}" (its name in code must be its name in rover.yaml)`,
      );
    }
    const now = Math.floor(Date.now() / 1000);
    if (claims.exp <= now) throw new GatewayIdentityError('gateway identity token expired');
    if (claims.nbf !== undefined && claims.nbf > now) throw new GatewayIdentityError('gateway identity token refused: nbf in the future');
    if (claims.iat > now) throw new GatewayIdentityError('gateway identity token refused: iat in the future (check the clocks)');
    if (now - claims.iat > maxAgeSeconds) throw new GatewayIdentityError('gateway identity token expired (older than the maximum age)');
    // Last: hashing the body is the step that grows with the request, and an unsigned request should not buy it.
    if (claims[BODY_DIGEST_CLAIM] !== bodySha256(body)) {
      throw new GatewayIdentityError('gateway identity token was signed for another request body (bodySha256 does not match)');
    }
    const { sub, scopes, roles, kind, tier, jti } = claims;
    return { identity: { subject: sub ?? null, scopes, roles, kind, tier }, requestId: jti ?? null };
  };
  // Asynchronous signature kept: callers await it, and a future key source may need to be.
  return async (token, body) => verify(token, body);
}

/**
 * Verifies one token from the gateway; throws GatewayIdentityError with a safe message when it is refused.
 * A server verifying many requests creates one verifier instead (createGatewayIdentityVerifier).
 */
export async function verifyGatewayIdentity(token: string | undefined | null, options: VerifyGatewayIdentityOptions): Promise<VerifiedGatewayIdentity> {
  return createGatewayIdentityVerifier(options)(token, options.body);
}
