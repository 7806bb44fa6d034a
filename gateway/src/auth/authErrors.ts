// Typed failures of authentication. The gateway's error table maps them to responses; the
// message and description are safe for clients (they never echo the token).

/** A credential was presented and is not valid → 401 UNAUTHENTICATED + WWW-Authenticate. */
export class AuthenticationError extends Error {
  readonly code = 'UNAUTHENTICATED' as const;
  readonly httpStatus = 401 as const;
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

/** Keys needed to verify a token could not be obtained (JWKS down, nothing cached) → 503: the
 * token may well be valid, so telling the client it is not would be wrong. */
export class AuthKeysUnavailableError extends Error {
  readonly code = 'SERVICE_UNAVAILABLE' as const;
  readonly httpStatus = 503 as const;

  constructor(override readonly cause: unknown) {
    super('token signing keys are temporarily unavailable');
    this.name = 'AuthKeysUnavailableError';
  }
}

/** The WWW-Authenticate challenge for a request that needs credentials but sent none. */
export const BEARER_CHALLENGE = 'Bearer realm="graphql"';
