// Enforces @authenticated / @requiresScopes before any subgraph is called: the operation is
// rewritten without the fields the caller may not see (executed through operationRewrite.ts so the
// rewritten document gets its own query-plan cache key), and each removed field answers `null` with
// an UNAUTHORIZED_FIELD_OR_TYPE error at its path. With `rejectUnauthorized` the whole operation
// is refused instead (403 FORBIDDEN).
import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { isAbstractType, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import type { GatewayContext } from '../context.js';
import { ERRORS, gatewayError } from '../errors.js';
import { setRewrittenOperation } from '../operationRewrite.js';
import type { AuthorizationPolicy } from '../authorization/authorizationPolicy.js';
import { removeUnauthorizedFields, type AuthorizationRewrite, type RemovedField } from '../authorization/removeUnauthorizedFields.js';

export interface AuthorizationPluginOptions {
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

export function createAuthorizationPlugin(options: AuthorizationPluginOptions): ApolloServerPlugin<GatewayContext> {
  const rewrites = new WeakMap<GatewayContext, AuthorizationRewrite>();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operationName, request, schema, contextValue }) {
          const rewrite = removeUnauthorizedFields({
            document,
            operationName,
            variables: request.variables ?? {},
            schema,
            policy: options.policyFor(schema),
            auth: contextValue.auth,
          });
          if (rewrite.removed.length === 0) return;
          options.onUnauthorized?.(rewrite.removed, contextValue);
          if (options.rejectUnauthorized) {
            throw gatewayError('FORBIDDEN', {
              message: `${ERRORS.FORBIDDEN.message} Not authorized: ${[...new Set(rewrite.removed.map((r) => r.coordinate))].join(', ')}.`,
              extensions: { coordinate: rewrite.removed[0]?.coordinate },
            });
          }
          rewrites.set(contextValue, rewrite);
          if (rewrite.document) setRewrittenOperation(contextValue, rewrite.document);
        },
        // Nothing authorized left: answer without executing (no subgraph call at all).
        async responseForOperation({ contextValue }) {
          const rewrite = rewrites.get(contextValue);
          if (!rewrite || rewrite.document !== null) return null;
          return { http: { status: undefined, headers: new HeaderMap() }, body: { kind: 'single', singleResult: { data: rewrite.dataIsNull ? null : {} } } };
        },
        async willSendResponse({ response, contextValue, schema }) {
          const rewrite = rewrites.get(contextValue);
          if (!rewrite || response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          const data = rewrite.dataIsNull ? null : (result.data as Record<string, unknown> | null | undefined);
          if (data) {
            for (const { path, parentType } of rewrite.nulled) setNullAt(data, path, (object) => isOfType(object, parentType, schema));
          }
          const errors: GraphQLFormattedError[] = rewrite.removed.map((removed) => ({
            message: ERRORS.UNAUTHORIZED_FIELD_OR_TYPE.message,
            path: removed.path,
            extensions: { code: 'UNAUTHORIZED_FIELD_OR_TYPE', coordinate: removed.coordinate },
          }));
          response.body.singleResult = { ...result, ...(rewrite.dataIsNull ? { data: null } : {}), errors: [...errors, ...(result.errors ?? [])] };
        },
      };
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
