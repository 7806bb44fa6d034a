// JWT verification with jose: an explicit algorithm allowlist, `exp` required, iss/aud/nbf checked,
// and every failure turned into a client-safe AuthenticationError (never echoing the token).
import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { decodeProtectedHeader, errors, jwtVerify, type JWTVerifyGetKey, type JWTPayload } from 'jose';
import { ASYMMETRIC_ALGORITHMS, MIN_HS_SECRET_LENGTH, type JwtConfig } from './authConfig.js';
import { AuthenticationError, AuthKeysUnavailableError } from './authErrors.js';
import { DEFAULT_USER_TIER, scopesFromClaims, stringList, type AuthIdentity } from './authIdentity.js';
import { CachedRemoteJwks } from './cachedRemoteJwks.js';
import { DEV_TOKEN_AUDIENCE, DEV_TOKEN_ISSUER, devSigningKeyPath, requireDevSigningKey } from './devSigningKey.js';

export type AccessTokenVerifier = (token: string) => Promise<AuthIdentity>;

export interface VerifierDependencies {
  env?: NodeJS.ProcessEnv;
  /** Log hook for JWKS fetch failures (the old keys stay in use). */
  onJwksFetchError?: (error: unknown) => void;
  /** Clock (epoch ms) of the JWKS cache and the verified-token cache; tests move it instead of sleeping. @default Date.now */
  now?: () => number;
}

type KeySource = Uint8Array | KeyObject | JWTVerifyGetKey;

export function createAccessTokenVerifier(config: JwtConfig, deps: VerifierDependencies = {}): AccessTokenVerifier {
  const env = deps.env ?? process.env;
  const { key, algorithms } = resolveKey(config, env, deps);
  let { issuer, audience } = config;
  if (config.key.type === 'devKey') {
    // Dev tokens are minted with these; pin them even when a config forgot to.
    issuer ??= DEV_TOKEN_ISSUER;
    audience ??= DEV_TOKEN_AUDIENCE;
  }

  return async (token: string): Promise<AuthIdentity> => {
    if (Buffer.byteLength(token) > config.maxTokenBytes) throw new AuthenticationError('token too large');
    let alg: string | undefined;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      throw new AuthenticationError('malformed token');
    }
    // Checked here too (jose checks again) so that `none` and cross-family algs fail before any key lookup.
    if (alg === undefined || !algorithms.includes(alg)) throw new AuthenticationError('algorithm not allowed');
    let payload: JWTPayload;
    try {
      const options = {
        algorithms,
        issuer,
        audience,
        clockTolerance: config.clockToleranceSec,
        requiredClaims: ['exp'],
      };
      // The overloads of jwtVerify differ by key kind; the branches keep the types exact.
      payload = typeof key === 'function' ? (await jwtVerify(token, key, options)).payload : (await jwtVerify(token, key, options)).payload;
    } catch (error) {
      throw toAuthError(error);
    }
    if (typeof payload.sub !== 'string' || payload.sub.length === 0) throw new AuthenticationError('token has no subject');
    const claims = payload as Record<string, unknown>;
    const tier = claims[config.tierClaim];
    return {
      subject: payload.sub,
      scopes: scopesFromClaims(claims),
      roles: stringList(claims[config.rolesClaim]),
      claims,
      kind: 'user',
      tier: typeof tier === 'string' && tier.length > 0 ? tier : DEFAULT_USER_TIER,
    };
  };
}

function resolveKey(config: JwtConfig, env: NodeJS.ProcessEnv, deps: VerifierDependencies): { key: KeySource; algorithms: string[] } {
  const source = config.key;
  switch (source.type) {
    case 'secret': {
      const secret = source.secret ?? env[source.secretEnv ?? ''];
      if (!secret || secret.length < MIN_HS_SECRET_LENGTH) {
        throw new Error(`auth.jwt.key.secretEnv: env ${source.secretEnv} must hold a secret of at least ${MIN_HS_SECRET_LENGTH} characters`);
      }
      // A KeyObject, not raw bytes: jose then converts it once instead of importing it on every verify.
      return { key: createSecretKey(Buffer.from(secret)), algorithms: config.algorithms ?? ['HS256'] };
    }
    case 'devKey': {
      const dev = requireDevSigningKey(devSigningKeyPath(env));
      return { key: createSecretKey(Buffer.from(dev.secret)), algorithms: config.algorithms ?? ['HS256'] };
    }
    case 'publicKey': {
      const pem = source.pem ?? readFileSync(source.pemFile ?? '', 'utf8');
      // createPublicKey takes SPKI and X.509 certificate PEMs; a KeyObject of type 'public' can
      // never be used as an HMAC secret by jose, which closes the HS/RS confusion a second time.
      const publicKey = createPublicKey(pem);
      return { key: publicKey, algorithms: config.algorithms ?? algorithmsForKey(publicKey) };
    }
    case 'jwks': {
      const jwks = new CachedRemoteJwks({ ...source, onFetchError: deps.onJwksFetchError, now: deps.now });
      return { key: (header, token) => jwks.getKey(header, token), algorithms: config.algorithms ?? [...ASYMMETRIC_ALGORITHMS] };
    }
  }
}

function algorithmsForKey(key: KeyObject): string[] {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
    case 'rsa-pss':
      return ['PS256', 'PS384', 'PS512'];
    case 'ec':
      return ['ES256', 'ES384', 'ES512'];
    case 'ed25519':
      return ['EdDSA', 'Ed25519'];
    default:
      throw new Error(`auth.jwt.key: unsupported public key type ${key.asymmetricKeyType}`);
  }
}

/** Maps jose failures to fixed client-safe descriptions (RFC 6750 error_description). */
function toAuthError(error: unknown): Error {
  if (error instanceof AuthKeysUnavailableError || error instanceof AuthenticationError) return error;
  if (error instanceof errors.JWTExpired) return new AuthenticationError('token expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    const byClaim: Record<string, string> = {
      nbf: 'token not yet valid',
      iss: 'unexpected issuer',
      aud: 'unexpected audience',
      exp: 'token has no valid exp claim',
      iat: 'token has an invalid iat claim',
    };
    return new AuthenticationError(byClaim[error.claim] ?? 'invalid token claims');
  }
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) return new AuthenticationError('algorithm not allowed');
  if (error instanceof errors.JWSSignatureVerificationFailed) return new AuthenticationError('signature verification failed');
  if (error instanceof errors.JWKSNoMatchingKey) return new AuthenticationError('unknown signing key');
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) return new AuthenticationError('malformed token');
  return new AuthenticationError('invalid token');
}
