// Error masking: clients see `{ message, extensions: { code, requestId, ...safe fields } }` and never
// subgraph URLs, raw subgraph bodies, service names or stack traces (@apollo/gateway puts all of
// those in `extensions` by default). The full error goes to the log line, joined by request ID.
import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import { CLIENT_SAFE_CODES, CLIENT_SAFE_EXTENSION_KEYS, ERRORS, isKnownErrorCode, type ErrorCode } from '../errors.js';
import type { GatewayContext } from '../context.js';
import type { Logger } from '../logger.js';
import type { RequestErrors } from '../requestErrors.js';

/**
 * A validation rule of ours (e.g. refuseSubscriptions.ts) reports its own code, which Apollo Server
 * replaces with GRAPHQL_VALIDATION_FAILED; the rule's error is still there as `originalError`.
 */
function validationRuleCode(formatted: GraphQLFormattedError, error: unknown): string | undefined {
  if (formatted.extensions?.code !== 'GRAPHQL_VALIDATION_FAILED') return undefined;
  const original = (error as { originalError?: { extensions?: { code?: unknown } } } | undefined)?.originalError;
  const code = original?.extensions?.code;
  // Only request errors of our table: a field-error code would not fit a refusal before execution.
  return isKnownErrorCode(code) && ERRORS[code].status >= 400 ? code : undefined;
}

/**
 * Apollo Server refuses some client mistakes with an HTTP 4xx but no code (an APQ hash that is not the
 * SHA-256 of the query sent with it), which it then labels INTERNAL_SERVER_ERROR: BAD_REQUEST instead, so
 * the client is not told the gateway failed.
 */
function codelessClientErrorCode(error: unknown): 'BAD_REQUEST' | undefined {
  const extensions = (error as { extensions?: { code?: unknown; http?: { status?: unknown } } } | undefined)?.extensions;
  const status = extensions?.http?.status;
  return extensions?.code === undefined && typeof status === 'number' && status >= 400 && status < 500 ? 'BAD_REQUEST' : undefined;
}

/**
 * Gateway codes whose message a subgraph writes for the client (what was not found, which input is wrong):
 * clients see it as sent. Any other gateway code from a subgraph (DOWNSTREAM_SERVICE_ERROR, GATEWAY_TIMEOUT,
 * ...) reports a failure behind the subgraph, and its message names what failed ("the catalog service
 * failed: unreachable (ECONNREFUSED)"): clients get the table's message instead, the log keeps the original.
 */
const SUBGRAPH_MESSAGE_CODES: ReadonlySet<string> = new Set(['NOT_FOUND', 'BAD_USER_INPUT', 'CONFLICT', 'UNAUTHENTICATED', 'FORBIDDEN', 'UNAUTHORIZED_FIELD_OR_TYPE']);

/**
 * Codes that say the client sent something wrong (a typo, a bad variable, missing credentials): logged at
 * info without a stack, since the stack is ours and says nothing about the client's mistake.
 */
const CLIENT_FAULT_CODES: ReadonlySet<string> = new Set([
  ...Object.entries(ERRORS)
    .filter(([, spec]) => spec.status >= 400 && spec.status < 500)
    .map(([code]) => code),
  'BAD_USER_INPUT',
  'UNAUTHORIZED_FIELD_OR_TYPE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

/** Per subgraph name, the subgraph's own codes clients may see (config `subgraphs.<name>.clientErrorCodes`). */
export type SubgraphClientErrorCodes = ReadonlyMap<string, ReadonlySet<string>>;

/**
 * Apollo Server's `formatError`: keeps safe codes and fields, masks everything else. A subgraph's own
 * code is safe only from that subgraph (@apollo/gateway names it in `extensions.serviceName`).
 */
export function createErrorMasker(subgraphCodes: SubgraphClientErrorCodes = new Map()): (formatted: GraphQLFormattedError, error?: unknown) => GraphQLFormattedError {
  return (formatted, error) => maskFormattedError(formatted, error, subgraphCodes);
}

/** `formatError` with no subgraph codes allowed. */
export const maskError = createErrorMasker();

function maskFormattedError(formatted: GraphQLFormattedError, error: unknown, subgraphCodes: SubgraphClientErrorCodes): GraphQLFormattedError {
  const extensions = formatted.extensions ?? {};
  const code = validationRuleCode(formatted, error) ?? codelessClientErrorCode(error) ?? (typeof extensions.code === 'string' ? extensions.code : 'INTERNAL_SERVER_ERROR');
  const serviceName = typeof extensions.serviceName === 'string' ? extensions.serviceName : undefined;
  const allowedFromSubgraph = serviceName !== undefined && subgraphCodes.get(serviceName)?.has(code) === true;
  if (!CLIENT_SAFE_CODES.has(code) && !allowedFromSubgraph) {
    return {
      message: ERRORS.INTERNAL_SERVER_ERROR.message,
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  }
  const safeExtensions: Record<string, unknown> = { code };
  // A subgraph's failure report: the table's message, and no `reason` (it may name hosts or backends).
  const failureFromSubgraph = serviceName !== undefined && !allowedFromSubgraph && !SUBGRAPH_MESSAGE_CODES.has(code) && isKnownErrorCode(code);
  for (const [key, value] of Object.entries(extensions)) {
    if (key !== 'code' && CLIENT_SAFE_EXTENSION_KEYS.has(key) && !(failureFromSubgraph && key === 'reason')) safeExtensions[key] = value;
  }
  return { ...formatted, ...(failureFromSubgraph ? { message: ERRORS[code as ErrorCode].message } : {}), extensions: safeExtensions };
}

export interface ErrorMaskingPluginOptions {
  logger: Logger;
  /** The one path of error responses: request ID, access-log codes and metrics (requestErrors.ts). */
  errors: RequestErrors;
}

/**
 * Logs every error with its request ID: a client's mistake at info with its code, message and location; any
 * other error at warn in full (subgraph detail, cause, stack). What the client sees goes through `errors.report`.
 */
export function createErrorMaskingPlugin(options: ErrorMaskingPluginOptions): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue }) {
          for (const error of errors) {
            const extensions = error.extensions ?? {};
            const code = codelessClientErrorCode(error) ?? (typeof extensions.code === 'string' ? extensions.code : 'INTERNAL_SERVER_ERROR');
            if (extensions.serviceName === undefined && CLIENT_FAULT_CODES.has(code)) {
              options.logger.info({ event: 'graphql_error', requestId: contextValue.requestId, code, path: error.path, locations: error.locations }, error.message);
              continue;
            }
            options.logger.warn(
              {
                event: 'graphql_error',
                requestId: contextValue.requestId,
                code,
                path: error.path,
                serviceName: extensions.serviceName,
                detail: extensions.internal ?? extensions.response,
                err: error.originalError ?? error,
              },
              error.message,
            );
          }
        },
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind !== 'single') return;
          const errors = response.body.singleResult.errors;
          if (!errors) return;
          response.body.singleResult.errors = options.errors.report({ requestId: contextValue.requestId, log: contextValue.requestLog }, errors);
        },
      };
    },
  };
}
