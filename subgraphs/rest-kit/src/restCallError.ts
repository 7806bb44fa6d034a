// Why a call to a REST service failed, classified once where the call is made, so resolvers and the
// error mapping never look at fetch internals. Carries no URL to clients (only to logs).
export type RestFailure =
  /** The service answered with a non-2xx status; `body` is its parsed JSON error body, if any. */
  | { kind: 'status'; status: number; body: unknown }
  /** No complete answer within the per-call budget. */
  | { kind: 'timeout'; timeoutMs: number }
  /** No connection (refused, reset, DNS failure): `code` as Node reports it, e.g. ECONNREFUSED. */
  | { kind: 'unreachable'; code: string }
  /** A 2xx answer whose body is not the JSON the API promises. */
  | { kind: 'malformed_body'; detail: string }
  /** Not finished because the GraphQL request it served was aborted (the gateway gave up on it). */
  | { kind: 'cancelled' };

export class RestCallError extends Error {
  override readonly name = 'RestCallError';

  constructor(
    /** The service's name, e.g. 'catalog'. */
    readonly service: string,
    /** e.g. 'GET /products' (path without query, for logs). */
    readonly call: string,
    readonly failure: RestFailure,
  ) {
    super(`${service} ${call}: ${describeFailure(failure)}`);
  }
}

export function describeFailure(failure: RestFailure): string {
  switch (failure.kind) {
    case 'status':
      return `answered ${failure.status}`;
    case 'timeout':
      return `no answer within ${failure.timeoutMs} ms`;
    case 'unreachable':
      return `unreachable (${failure.code})`;
    case 'malformed_body':
      return `answered with a malformed body (${failure.detail})`;
    case 'cancelled':
      return 'cancelled: the request it served was aborted';
  }
}

/** Node's fetch (undici) reports network failures as TypeError('fetch failed') with the system error as `cause`. */
function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^(E[A-Z]+|UND_ERR_[A-Z_]+)$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Classifies whatever a fetch threw; returns undefined for errors that are not about the call (bugs). */
export function classifyFetchError(error: unknown, timeoutMs: number): RestFailure | undefined {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return { kind: 'timeout', timeoutMs };
  }
  if (error instanceof SyntaxError) return { kind: 'malformed_body', detail: 'invalid JSON' };
  const code = networkCode(error);
  if (code !== undefined) return { kind: 'unreachable', code };
  if (error instanceof TypeError && error.message === 'fetch failed') return { kind: 'unreachable', code: 'FETCH_FAILED' };
  return undefined;
}
