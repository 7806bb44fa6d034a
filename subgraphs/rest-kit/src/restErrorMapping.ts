// The one table from REST outcomes to GraphQL field errors for REST-wrapping subgraphs (DESIGN.md "Errors"):
//   404                         → NOT_FOUND (the field is null)
//   400, 422                    → BAD_USER_INPUT with the service's reason and the offending field (camelCase)
//   409                         → CONFLICT with the service's reason
//   other status, timeout, unreachable, malformed body → DOWNSTREAM_SERVICE_ERROR
// Extensions carry only safe fields: the service name and a failure kind, never URLs or raw bodies.
import { GraphQLError } from 'graphql';
import { RestCallError, describeFailure } from './restCallError.js';

export type RestMappedCode = 'NOT_FOUND' | 'BAD_USER_INPUT' | 'CONFLICT' | 'DOWNSTREAM_SERVICE_ERROR';

/** `product_id` → `productId`: the service speaks snake_case, clients see GraphQL's camelCase. */
export function snakeToCamel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_match, letter: string) => letter.toUpperCase());
}

function serviceReason(body: unknown): string | undefined {
  if (body && typeof body === 'object' && typeof (body as { reason?: unknown }).reason === 'string') {
    return (body as { reason: string }).reason;
  }
  return undefined;
}

function serviceField(body: unknown): string | undefined {
  const field = body && typeof body === 'object' ? (body as { field?: unknown }).field : undefined;
  return typeof field === 'string' ? snakeToCamel(field) : undefined;
}

const FALLBACK_REASONS: Record<Exclude<RestMappedCode, 'DOWNSTREAM_SERVICE_ERROR'>, string> = {
  NOT_FOUND: 'Not found.',
  BAD_USER_INPUT: 'Invalid input.',
  CONFLICT: 'Conflict.',
};

export function codeForRestFailure(error: RestCallError): RestMappedCode {
  const { failure } = error;
  if (failure.kind !== 'status') return 'DOWNSTREAM_SERVICE_ERROR';
  if (failure.status === 404) return 'NOT_FOUND';
  if (failure.status === 400 || failure.status === 422) return 'BAD_USER_INPUT';
  if (failure.status === 409) return 'CONFLICT';
  return 'DOWNSTREAM_SERVICE_ERROR';
}

/**
 * A GraphQL error for a failed REST call. Errors that are not RestCallErrors are returned unchanged: they are
 * bugs, and Apollo Server reports them as INTERNAL_SERVER_ERROR.
 */
export function graphQLErrorFromRest(error: unknown): unknown {
  if (!(error instanceof RestCallError)) return error;
  const code = codeForRestFailure(error);
  const { failure } = error;
  if (code === 'DOWNSTREAM_SERVICE_ERROR') {
    const kind = failure.kind === 'status' ? `status_${failure.status}` : failure.kind;
    return new GraphQLError(`the ${error.service} service failed: ${describeFailure(failure)}`, {
      extensions: { code, service: error.service, failure: kind },
      originalError: error,
    });
  }
  const body = failure.kind === 'status' ? failure.body : undefined;
  // Without the service's own reason, a generic one: this message reaches clients, and the name of the service
  // behind the subgraph is internal (it stays in `extensions.service`, which the gateway keeps from clients).
  const reason = serviceReason(body) ?? FALLBACK_REASONS[code];
  const field = serviceField(body);
  return new GraphQLError(reason, {
    extensions: { code, service: error.service, reason, ...(field !== undefined && { field }) },
    originalError: error,
  });
}

/** Runs a data-source call and rethrows its failure as the mapped GraphQL error. */
export async function mapRestErrors<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw graphQLErrorFromRest(error);
  }
}
