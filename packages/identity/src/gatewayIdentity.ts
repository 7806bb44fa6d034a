// The identity the gateway forwards to subgraphs, as a short-lived HS256 JWT in the `x-gateway-identity`
// header. Subgraphs trust only what this token says (never client headers), so a caller cannot bypass
// the gateway's authentication by talking to a subgraph directly.
import { createHmac } from 'node:crypto';
import { decodeJwt, jwtVerify, errors as joseErrors } from 'jose';
import { z } from 'zod';

/** Header the gateway sets on every subgraph request. */
export const GATEWAY_IDENTITY_HEADER = 'x-gateway-identity';
/** `iss` of every identity token. */
export const GATEWAY_IDENTITY_ISSUER = 'federation-gateway';
/** HS256 keys shorter than 32 bytes are brute-forceable; refuse them at startup. */
export const MIN_SECRET_LENGTH = 32;
/** 60 s: long enough for a slow subgraph hop, short enough that a leaked token is useless soon. */
export const DEFAULT_MAX_AGE_SECONDS = 60;

export interface ForwardedIdentity {
  /** The caller's id (token `sub`); null for anonymous callers. */
  subject: string | null;
  scopes: string[];
  roles: string[];
  kind: 'user' | 'apiKey' | 'anonymous';
  /** Rate-limit tier, e.g. "free"; "anonymous" for anonymous callers by convention. */
  tier: string;
}

export interface SignGatewayIdentityOptions {
  secret: string;
  /** The subgraph name the token is for (its `aud`), e.g. "users". */
  audience: string;
  identity: ForwardedIdentity;
  /** Becomes the token's `jti`, so a subgraph log line can be joined with the gateway's. */
  requestId: string;
  /** Seconds since the epoch; defaults to now. Tests set it in the past to make stale tokens. */
  issuedAt?: number;
  /** @default 60 */
  expiresInSeconds?: number;
}

export interface VerifyGatewayIdentityOptions {
  secret: string;
  /** This subgraph's name; a token minted for another subgraph is refused. */
  audience: string;
  /** Oldest accepted token by `iat`, in seconds. @default 60 */
  maxAgeSeconds?: number;
}

export interface VerifiedGatewayIdentity {
  identity: ForwardedIdentity;
  requestId: string | null;
}

/** Why a token was refused; the message is safe to return to the caller. */
export class GatewayIdentityError extends Error {
  override readonly name = 'GatewayIdentityError';
}

const claimsSchema = z.object({
  // `sub` is absent for anonymous callers: JWT requires `sub` to be a string when present.
  sub: z.string().min(1).optional(),
  scopes: z.array(z.string()),
  roles: z.array(z.string()),
  kind: z.enum(['user', 'apiKey', 'anonymous']),
  tier: z.string(),
  jti: z.string().optional(),
});

function keyFrom(secret: string): Uint8Array {
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new GatewayIdentityError(`INTERNAL_IDENTITY_SECRET must be at least ${MIN_SECRET_LENGTH} characters`);
  }
  return new TextEncoder().encode(secret);
}

/** The fixed JOSE header of every identity token, encoded once. */
const ENCODED_HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

/**
 * Signs with node:crypto's HMAC directly rather than jose's SignJWT: the gateway signs one token per
 * subgraph fetch, and jose's WebCrypto path measured ~190 µs a token against ~16 µs here (a loaded
 * 2-core box; see bench/RESULTS.md for the per-request CPU it showed up in). The output is a plain
 * RFC 7519 HS256 JWT; verification below still goes through jose.
 */
export async function signGatewayIdentity(options: SignGatewayIdentityOptions): Promise<string> {
  const { identity } = options;
  const issuedAt = options.issuedAt ?? Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = {
    scopes: identity.scopes,
    roles: identity.roles,
    kind: identity.kind,
    tier: identity.tier,
    iss: GATEWAY_IDENTITY_ISSUER,
    aud: options.audience,
    iat: issuedAt,
    exp: issuedAt + (options.expiresInSeconds ?? DEFAULT_MAX_AGE_SECONDS),
    jti: options.requestId,
  };
  // JWT requires `sub` to be a string when present: anonymous callers have none.
  if (identity.subject !== null) claims.sub = identity.subject;
  const signingInput = `${ENCODED_HEADER}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  const signature = createHmac('sha256', keyFrom(options.secret)).update(signingInput).digest('base64url');
  return `${signingInput}.${signature}`;
}

/** Verifies a token from the gateway; throws GatewayIdentityError with a safe message when it is refused. */
export async function verifyGatewayIdentity(
  token: string | undefined | null,
  options: VerifyGatewayIdentityOptions,
): Promise<VerifiedGatewayIdentity> {
  if (!token) throw new GatewayIdentityError(`missing ${GATEWAY_IDENTITY_HEADER} header`);
  let payload: unknown;
  try {
    ({ payload } = await jwtVerify(token, keyFrom(options.secret), {
      algorithms: ['HS256'],
      issuer: GATEWAY_IDENTITY_ISSUER,
      audience: options.audience,
      maxTokenAge: options.maxAgeSeconds ?? DEFAULT_MAX_AGE_SECONDS,
      requiredClaims: ['iat', 'exp'],
    }));
  } catch (error) {
    if (error instanceof GatewayIdentityError) throw error;
    if (error instanceof joseErrors.JWTExpired) throw new GatewayIdentityError('gateway identity token expired');
    if (error instanceof joseErrors.JWTClaimValidationFailed && error.claim === 'aud') {
      // The signature was valid (claims are checked after it): the gateway knows this subgraph by
      // another name. Saying both names makes the fix obvious in the gateway's log.
      const audience = decodeJwt(token).aud;
      throw new GatewayIdentityError(
        `gateway identity token is for ${JSON.stringify(audience)}, but this subgraph is "${options.audience}" (its name in code must be its name in rover.yaml)`,
      );
    }
    if (error instanceof joseErrors.JWTClaimValidationFailed) {
      throw new GatewayIdentityError(`gateway identity token refused: ${error.claim} ${error.reason}`);
    }
    throw new GatewayIdentityError('invalid gateway identity token');
  }
  const claims = claimsSchema.safeParse(payload);
  if (!claims.success) throw new GatewayIdentityError('gateway identity token has malformed claims');
  const { sub, scopes, roles, kind, tier, jti } = claims.data;
  return { identity: { subject: sub ?? null, scopes, roles, kind, tier }, requestId: jti ?? null };
}
