// Pipeline step 1, authorization: enforces @authenticated / @requiresScopes before any subgraph is
// called. The operation is rewritten without the fields the caller may not see (the executor runs the
// rewritten document under its own query-plan cache key), and after execution each removed field
// answers `null` with an UNAUTHORIZED_FIELD_OR_TYPE error at its path. With `rejectUnauthorized` the
// whole operation is refused instead (403 FORBIDDEN), before demand control or rate limits count it.
import { isAbstractType, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import type { GatewayContext } from '../context.js';
import { ERRORS, gatewayError, type ErrorCode } from '../errors.js';
import type { AuthorizationPolicy } from '../authorization/authorizationPolicy.js';
import { createAuthorizationRewriter, type AuthorizationRewrite, type RemovedField } from '../authorization/removeUnauthorizedFields.js';
import type { OperationAnalysis } from './operationAnalysis.js';

export interface AuthorizationStepOptions {
  /**
   * The policy of the supergraph behind `schema` (the API schema the request was validated
   * against), so a hot reload swaps schema and policy together. Throwing fails the request closed.
   */
  policyFor: (schema: GraphQLSchema) => AuthorizationPolicy;
  /** Reject the whole operation (403) instead of removing fields. @default false */
  rejectUnauthorized?: boolean;
  /** Called once per request that lost fields (log line / metric). */
  onUnauthorized?: (removed: readonly RemovedField[], contextValue: GatewayContext) => void;
}

export interface AuthorizationStep {
  /** The rewrite for this caller (nothing removed: `rewritten` undefined); throws FORBIDDEN when configured to. */
  authorize(analysis: OperationAnalysis, contextValue: GatewayContext): AuthorizationRewrite;
  /** Puts the removed fields' nulls and errors into the response. */
  completeResponse<T extends { data?: Record<string, unknown> | null; errors?: readonly GraphQLFormattedError[] }>(rewrite: AuthorizationRewrite, result: T, schema: GraphQLSchema): T;
}

export function createAuthorizationStep(options: AuthorizationStepOptions): AuthorizationStep {
  const rewrite = createAuthorizationRewriter();
  return {
    authorize(analysis, contextValue) {
      const result = rewrite({ analysis, policy: options.policyFor(analysis.shape.schema), auth: contextValue.auth });
      if (result.removed.length === 0) return result;
      options.onUnauthorized?.(result.removed, contextValue);
      if (options.rejectUnauthorized) {
        throw gatewayError('FORBIDDEN', {
          message: `${ERRORS.FORBIDDEN.message} Not authorized: ${[...new Set(result.removed.map((r) => r.coordinate))].join(', ')}.`,
          extensions: { coordinate: result.removed[0]?.coordinate },
        });
      }
      return result;
    },
    completeResponse(rewrite, result, schema) {
      const data = rewrite.dataIsNull ? null : result.data;
      if (data) {
        for (const { path, parentType } of rewrite.nulled) setNullAt(data, path, (object) => isOfType(object, parentType, schema));
      }
      const errors: GraphQLFormattedError[] = rewrite.removed.map((removed) => ({
        message: ERRORS.UNAUTHORIZED_FIELD_OR_TYPE.message,
        path: removed.path,
        extensions: { code: 'UNAUTHORIZED_FIELD_OR_TYPE' satisfies ErrorCode, coordinate: removed.coordinate },
      }));
      const completed = { ...result, data };
      if (errors.length > 0) completed.errors = [...errors, ...(result.errors ?? [])];
      return completed;
    },
  };
}

/** Puts `null` at a response path; "@" walks every element of a list. Missing or null parents stay
 * as they are (a null parent already hides the field). `applies` skips objects of another type (a
 * field removed from `... on Document` must not appear on the User elements of the same list). */
function setNullAt(target: unknown, path: readonly string[], applies: (object: Record<string, unknown>) => boolean): void {
  if (target === null || typeof target !== 'object') return;
  const [head, ...rest] = path;
  if (head === undefined) return;
  if (head === '@') {
    if (Array.isArray(target)) for (const element of target) setNullAt(element, rest, applies);
    return;
  }
  const object = target as Record<string, unknown>;
  if (rest.length === 0) {
    // Overwrites too: a field nulled here may also have been selected elsewhere under the same
    // response key, and merged fields share one value.
    if (applies(object)) object[head] = null;
    return;
  }
  setNullAt(object[head], rest, applies);
}

/** Without __typename in the response we cannot tell, and the field was selected on this path. */
function isOfType(object: Record<string, unknown>, typeName: string, schema: GraphQLSchema): boolean {
  const actual = object.__typename;
  if (typeof actual !== 'string' || actual === typeName) return true;
  const type = schema.getType(typeName);
  return type !== undefined && isAbstractType(type) && schema.getPossibleTypes(type).some((t) => t.name === actual);
}
