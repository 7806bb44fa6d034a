// Adapts createAuthenticator to the gateway's per-request `Authenticate` hook: a present but
// invalid credential becomes a 401 UNAUTHENTICATED request error with WWW-Authenticate (so no
// subgraph is ever called), JWKS trouble a 503.
import type { IncomingMessage } from 'node:http';
import type { Authenticate } from '../context.js';
import { gatewayError } from '../errors.js';
import type { AuthConfig } from './authConfig.js';
import { AuthenticationError, AuthKeysUnavailableError } from './authErrors.js';
import { createAuthenticator } from './createAuthenticator.js';
import type { VerifierDependencies } from './verifyAccessToken.js';

export function createRequestAuthentication(config: AuthConfig | undefined, deps: VerifierDependencies = {}): Authenticate {
  const authenticate = createAuthenticator(config, deps);
  return async (req: IncomingMessage) => {
    try {
      return await authenticate(req.headers);
    } catch (error) {
      if (error instanceof AuthenticationError) {
        throw gatewayError(error.code, {
          extensions: { reason: error.description },
          headers: { 'www-authenticate': error.wwwAuthenticate },
        });
      }
      if (error instanceof AuthKeysUnavailableError) {
        throw gatewayError(error.code, { extensions: { reason: 'token signing keys unavailable' }, headers: { 'retry-after': '5' } });
      }
      throw error;
    }
  };
}
