// Typed failures of authentication. Their codes are entries of the one error table (errors.ts), which
// gives the HTTP status; the message and description are safe for clients (they never echo the token).
import type { ErrorCode } from '../errors.js';

/** A credential was presented and is not valid → UNAUTHENTICATED (401) + WWW-Authenticate. */
export class AuthenticationError extends Error {
  readonly code = 'UNAUTHENTICATED' satisfies ErrorCode;
  /** Value for the WWW-Authenticate response header (RFC 6750 §3). */
  readonly wwwAuthenticate: string;

  constructor(
    /** Short client-safe reason, e.g. "token expired". */
    readonly description: string,
    readonly scheme: 'Bearer' | 'ApiKey' = 'Bearer',
  ) {
    super(`invalid credentials: ${description}`);
    this.name = 'AuthenticationError';
    const quoted = description.replace(/["\\]/g, '');
    this.wwwAuthenticate = `${scheme} realm="graphql", error="invalid_token", error_description="${quoted}"`;
  }
}

/** Keys needed to verify a token could not be obtained (JWKS down, nothing cached) → SERVICE_UNAVAILABLE
 * (503): the token may well be valid, so telling the client it is not would be wrong. */
export class AuthKeysUnavailableError extends Error {
  readonly code = 'SERVICE_UNAVAILABLE' satisfies ErrorCode;

  constructor(override readonly cause: unknown) {
    super('token signing keys are temporarily unavailable');
    this.name = 'AuthKeysUnavailableError';
  }
}
