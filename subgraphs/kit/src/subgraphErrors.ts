// The errors a subgraph resolver throws, one constructor per code, so every subgraph spells the codes
// the same way (the gateway maps them per DESIGN.md "Errors" and tests assert on `extensions.code`).
import { GraphQLError } from 'graphql';

export type SubgraphErrorCode = 'BAD_USER_INPUT' | 'NOT_FOUND' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'CONFLICT';

/**
 * A coded error. The codes above reach clients through any gateway; a code of the subgraph's own
 * (UPPER_SNAKE_CASE, e.g. "DUPLICATE_REVIEW") reaches them, with this message, only when the gateway
 * config lists it under `subgraphs.<name>.clientErrorCodes`; otherwise clients see INTERNAL_SERVER_ERROR.
 */
export function subgraphError(code: SubgraphErrorCode | (string & {}), message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code } });
}

/**
 * Invalid input. `field` names the offending input field as a path from the argument,
 * e.g. "first" or "input.items[0].quantity", so clients can point at the form field.
 */
export function badUserInput(message: string, field: string): GraphQLError {
  return subgraphError('BAD_USER_INPUT', message, { field });
}

export function notFound(message: string): GraphQLError {
  return subgraphError('NOT_FOUND', message);
}

export function unauthenticated(message = 'this operation requires an authenticated caller'): GraphQLError {
  return subgraphError('UNAUTHENTICATED', message);
}
