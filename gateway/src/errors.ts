// The one table of every error code the gateway emits: code → HTTP status and client-facing message.
// Tests assert on codes, never on message strings. Request errors (nothing executed) carry their own
// status; field errors (execution started) answer 200 with partial data, as GraphQL over HTTP says.
import { GraphQLError, type ASTNode } from 'graphql';

export interface ErrorSpec {
  /** HTTP status when this error rejects the whole request; 200 for field errors. */
  readonly status: number;
  readonly message: string;
}

export const ERRORS = {
  // Request errors
  BAD_REQUEST: { status: 400, message: 'The request is malformed.' },
  GRAPHQL_PARSE_FAILED: { status: 400, message: 'The query could not be parsed.' },
  GRAPHQL_VALIDATION_FAILED: { status: 400, message: 'The query is not valid against the schema.' },
  OPERATION_RESOLUTION_FAILURE: { status: 400, message: 'The operation named in operationName was not found.' },
  RESPONSE_TOO_LARGE: { status: 400, message: 'The response to this operation would be too large; select fewer fields or smaller lists.' },
  SUBSCRIPTION_NOT_SUPPORTED: { status: 400, message: 'Subscriptions are not supported by this gateway; send a query or a mutation.' },
  /** A variable's value does not fit its declared type (Apollo Router's code for it): nothing executed. */
  VALIDATION_INVALID_TYPE_VARIABLE: { status: 400, message: 'A variable does not fit its declared type.' },
  /** Demand control: the estimate (in `extensions.cost`) is over the limit; nothing executed. Apollo Router's code. */
  COST_ESTIMATED_TOO_EXPENSIVE: { status: 400, message: 'The operation is too expensive: its estimated cost is over the limit.' },
  /** APQ: the hash (or document id) is unknown; an APQ client then sends the query with it. Apollo Server's status. */
  PERSISTED_QUERY_NOT_FOUND: { status: 200, message: 'PersistedQueryNotFound' },
  /** Trusted documents (enforce mode): the operation is neither sent by id nor one of the manifest's. Apollo Router's code. */
  PERSISTED_QUERY_NOT_IN_LIST: { status: 400, message: 'This operation is not in the list of trusted documents: send a listed operation, or its id.' },
  UNAUTHENTICATED: { status: 401, message: 'The credentials are missing or invalid.' },
  FORBIDDEN: { status: 403, message: 'The operation is not allowed for this caller.' },
  NOT_FOUND_ROUTE: { status: 404, message: 'No such route.' },
  METHOD_NOT_ALLOWED: { status: 405, message: 'The method is not allowed on this route.' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'The request body is too large.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Use content-type: application/json.' },
  RATE_LIMITED: { status: 429, message: 'Too many requests.' },
  REQUEST_HEADER_FIELDS_TOO_LARGE: { status: 431, message: 'The request headers are too large.' },
  SERVICE_UNAVAILABLE: { status: 503, message: 'The gateway cannot serve this request right now.' },
  INTERNAL_SERVER_ERROR: { status: 500, message: 'Internal server error.' },
  // Field errors (200 with partial data)
  UNAUTHORIZED_FIELD_OR_TYPE: { status: 200, message: 'Not authorized to access this field.' },
  NOT_FOUND: { status: 200, message: 'Not found.' },
  BAD_USER_INPUT: { status: 200, message: 'Invalid input.' },
  CONFLICT: { status: 200, message: 'Conflict.' },
  GATEWAY_TIMEOUT: { status: 200, message: 'A subgraph did not answer in time.' },
  SUBGRAPH_RESPONSE_TOO_LARGE: { status: 200, message: 'A subgraph answer was larger than the gateway accepts.' },
  SUBGRAPH_UNAVAILABLE: { status: 200, message: 'A subgraph is unavailable.' },
  DOWNSTREAM_SERVICE_ERROR: { status: 200, message: 'A downstream service failed.' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

export function isKnownErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERRORS, code);
}

/** Codes whose message is safe to show to clients as the subgraph or gateway wrote it. */
export const CLIENT_SAFE_CODES: ReadonlySet<string> = new Set<string>([
  ...Object.keys(ERRORS).filter((code) => code !== 'INTERNAL_SERVER_ERROR'),
  // Codes Apollo Server itself emits for request errors.
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

export interface GatewayErrorOptions {
  message?: string;
  /** Extra client-safe extension fields (e.g. `field`, `retryAfterSeconds`). */
  extensions?: Record<string, unknown>;
  /** Response headers for request errors (e.g. Retry-After, WWW-Authenticate). */
  headers?: Record<string, string>;
  path?: readonly (string | number)[];
  /** The document nodes the error is about (validation errors), for `locations`. */
  nodes?: ASTNode | readonly ASTNode[];
  /** Report a request-error code at a field of a partial answer: no HTTP status is attached. */
  fieldError?: boolean;
}

/**
 * A GraphQLError with our code; for request errors Apollo Server uses `extensions.http` as the
 * response status and headers (and strips `http` from what the client sees).
 */
export function gatewayError(code: ErrorCode, options: GatewayErrorOptions = {}): GraphQLError {
  const spec = ERRORS[code];
  const status = options.fieldError ? 200 : spec.status;
  const http =
    status !== 200 || options.headers
      ? { status, headers: new Map(Object.entries(options.headers ?? {})) }
      : undefined;
  return new GraphQLError(options.message ?? spec.message, {
    path: options.path,
    nodes: options.nodes,
    extensions: { code, ...options.extensions, ...(http ? { http } : {}) },
  });
}

/**
 * Extension fields a client may see. Everything else (subgraph URLs and bodies in `response`,
 * `serviceName`, stack traces, `internal` detail) is stripped by the error-masking plugin and
 * only logged.
 */
export const CLIENT_SAFE_EXTENSION_KEYS: ReadonlySet<string> = new Set([
  'code',
  'requestId',
  'field',
  'reason',
  'coordinate',
  'retryAfterSeconds',
  'limit',
  'window',
  'maxBytes',
  // Demand control: { estimated, max }.
  'cost',
]);
