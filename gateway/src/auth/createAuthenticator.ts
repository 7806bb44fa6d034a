// One function per gateway: request headers → the caller's identity (null = anonymous), or a typed
// error for a credential that is present but invalid (→ 401 before any subgraph is called).
import type { AuthConfig } from './authConfig.js';
import { AuthenticationError } from './authErrors.js';
import type { AuthIdentity } from './authIdentity.js';
import { bearerTokenFrom, cookieFrom, headerValue, type RequestHeaders } from './readCredentials.js';
import { createAccessTokenVerifier, type VerifierDependencies } from './verifyAccessToken.js';
import { withVerifiedTokenCache } from './verifiedTokenCache.js';
import { createApiKeyVerifier } from './verifyApiKey.js';

export type Authenticator = (headers: RequestHeaders) => Promise<AuthIdentity | null>;

export interface AuthenticatorSummary {
  /** One line for the startup log, e.g. "auth: none configured, every caller is anonymous". */
  description: string;
  jwt: boolean;
  apiKeys: boolean;
}

/**
 * Without config every caller is anonymous: an Authorization header we were not configured to
 * verify is neither rejected nor trusted (so @authenticated/@requiresScopes fields are denied).
 * Both credentials at once are refused: which identity should win is not ours to guess.
 */
export function createAuthenticator(config: AuthConfig | undefined, deps: VerifierDependencies = {}): Authenticator {
  const jwt = config?.jwt;
  const verifyUncached = jwt ? createAccessTokenVerifier(jwt, deps) : undefined;
  const verifyToken =
    jwt && verifyUncached && jwt.verifiedCacheMaxEntries > 0
      ? withVerifiedTokenCache(verifyUncached, {
          maxEntries: jwt.verifiedCacheMaxEntries,
          maxAgeMs: jwt.verifiedCacheMaxAgeMs,
          clockToleranceSec: jwt.clockToleranceSec,
          now: deps.now,
        })
      : verifyUncached;
  const apiKeys = config?.apiKeys;
  const verifyKey = apiKeys ? createApiKeyVerifier(apiKeys.consumers) : undefined;
  const cookieName = config?.jwt?.cookieName;

  return async (headers: RequestHeaders): Promise<AuthIdentity | null> => {
    const token = verifyToken ? (bearerTokenFrom(headers) ?? (cookieName ? cookieFrom(headers, cookieName) : undefined)) : undefined;
    const apiKey = verifyKey && apiKeys ? headerValue(headers, apiKeys.header) : undefined;
    if (token !== undefined && apiKey !== undefined) throw new AuthenticationError('send either a bearer token or an api key, not both');
    if (token !== undefined && verifyToken) return verifyToken(token);
    if (apiKey !== undefined && verifyKey) return verifyKey(apiKey);
    return null;
  };
}

export function describeAuthConfig(config: AuthConfig | undefined): AuthenticatorSummary {
  const jwt = Boolean(config?.jwt);
  const apiKeys = Boolean(config?.apiKeys);
  if (!jwt && !apiKeys) {
    return { jwt, apiKeys, description: 'auth: none configured; every caller is anonymous and Authorization headers are ignored' };
  }
  const parts: string[] = [];
  if (config?.jwt) parts.push(`JWT (${config.jwt.key.type} key)`);
  if (config?.apiKeys) parts.push(`API keys (${config.apiKeys.consumers.length} consumers)`);
  return { jwt, apiKeys, description: `auth: ${parts.join(' and ')}` };
}
