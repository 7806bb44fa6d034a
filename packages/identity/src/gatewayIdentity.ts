// The identity the gateway forwards to subgraphs, as a short-lived HS256 JWT in the `x-gateway-identity`
// header. Subgraphs trust only what this token says (never client headers), so a caller cannot bypass
// the gateway's authentication by talking to a subgraph directly. The token is bound to the one request
// it travels with: its `bodySha256` claim is the SHA-256 of the exact request body bytes, so a recorded
// header replayed with another query, other variables or another operation name is refused.
import { createHash, createHmac, createSecretKey, type KeyObject } from 'node:crypto';

/** Header the gateway sets on every subgraph request. */
export const GATEWAY_IDENTITY_HEADER = 'x-gateway-identity';
/** `iss` of every identity token. */
export const GATEWAY_IDENTITY_ISSUER = 'federation-gateway';
/** HS256 keys shorter than 32 bytes are brute-forceable; refuse them at startup. */
export const MIN_SECRET_LENGTH = 32;
/**
 * Lifetime of a token the gateway mints, in seconds. It only has to cover the hop from the gateway to the
 * subgraph (the token is signed right before the body is sent, and checked before the subgraph runs
 * anything), so 10 s is ample on a loaded host and keeps the window for replaying that same request short.
 */
export const DEFAULT_LIFETIME_SECONDS = 10;
/** Oldest token (by `iat`) a subgraph accepts, in seconds, whatever its `exp` says: the upper bound of any lifetime. */
export const DEFAULT_MAX_AGE_SECONDS = 60;
/** The claim holding the hex SHA-256 of the request body the token was signed for. */
export const BODY_DIGEST_CLAIM = 'bodySha256';

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
  /** The exact bytes of the request body this token travels with (UTF-8 when a string). */
  body: string | Uint8Array;
  /** Seconds since the epoch; defaults to now. Tests set it in the past to make stale tokens. */
  issuedAt?: number;
  /** @default 10 (DEFAULT_LIFETIME_SECONDS) */
  expiresInSeconds?: number;
}

export interface VerifyGatewayIdentityOptions {
  secret: string;
  /** This subgraph's name; a token minted for another subgraph is refused. */
  audience: string;
  /** The exact bytes of the request body received; the token must have been signed for them. */
  body: string | Uint8Array;
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

/** Hex SHA-256 of the body bytes: what `bodySha256` holds (`printf %s "$BODY" | sha256sum`). */
export function bodySha256(body: string | Uint8Array): string {
  return createHash('sha256').update(body).digest('hex');
}

/** The HMAC key; refuses secrets too short to resist brute force. */
export function keyFrom(secret: string): Uint8Array {
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new GatewayIdentityError(`INTERNAL_IDENTITY_SECRET must be at least ${MIN_SECRET_LENGTH} characters`);
  }
  return new TextEncoder().encode(secret);
}

// The HMAC key as a KeyObject, by secret: createHmac with raw key bytes imports the key on every call
// (3.5-3.9 vs 2.2-2.3 CPU-µs per HMAC measured in isolation; 16 signatures per deep bench request). A gateway
// or subgraph has one secret (two during a rotation); the cache is bounded anyway.
const hmacKeys = new Map<string, KeyObject>();
const MAX_CACHED_KEYS = 8;

/** keyFrom(secret) as a KeyObject, imported once per secret (refuses short secrets like keyFrom). */
export function hmacKeyFor(secret: string): KeyObject {
  let key = hmacKeys.get(secret);
  if (!key) {
    key = createSecretKey(keyFrom(secret));
    if (hmacKeys.size >= MAX_CACHED_KEYS) hmacKeys.clear();
    hmacKeys.set(secret, key);
  }
  return key;
}

/** The fixed JOSE header of every identity token, encoded once. */
const ENCODED_HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

/**
 * Signs with node:crypto's HMAC directly rather than jose's SignJWT: the gateway signs one token per
 * subgraph fetch, and jose's WebCrypto path measured ~190 µs a token against ~16 µs here (a loaded
 * 2-core box; see bench/RESULTS.md for the per-request CPU it showed up in). The output is a plain
 * RFC 7519 HS256 JWT, which any JWT library verifies (docs/subgraph-contract.md shows PyJWT and golang-jwt).
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
    exp: issuedAt + (options.expiresInSeconds ?? DEFAULT_LIFETIME_SECONDS),
    jti: options.requestId,
    [BODY_DIGEST_CLAIM]: bodySha256(options.body),
  };
  // JWT requires `sub` to be a string when present: anonymous callers have none.
  if (identity.subject !== null) claims.sub = identity.subject;
  const signingInput = `${ENCODED_HEADER}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  const signature = createHmac('sha256', hmacKeyFor(options.secret)).update(signingInput).digest('base64url');
  return `${signingInput}.${signature}`;
}
