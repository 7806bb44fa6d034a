// What the policy pipeline decided for one request, kept on the request's context (never in module
// state): the executor reads the document to run, the response hooks read the rest.
import type { AuthorizationRewrite, RewrittenDocument } from '../authorization/removeUnauthorizedFields.js';
import type { AllowedDecision } from '../rateLimit/fieldRateLimiter.js';
import type { OperationAnalysis } from './operationAnalysis.js';

export interface RequestPolicyState {
  /** The analysis of the operation that executes (the rewritten one when authorization removed fields). */
  readonly analysis: OperationAnalysis;
  /** The document to execute instead of the client's, with its own query-plan cache key; undefined: the client's. */
  readonly executes: RewrittenDocument | undefined;
  /** Fields authorization removed; null when nothing was removed. */
  readonly authorization: AuthorizationRewrite | null;
  /** The operation selects fields under @authenticated/@requiresScopes (met or not): its answer depends on the caller's grants. */
  readonly guardedByAuthorization: boolean;
  /** Estimated cost (demand control), when enabled. */
  readonly estimatedCost: number | undefined;
  /** The rate-limit charge to reconcile after execution, when one was made. */
  readonly rateLimit: AllowedDecision | undefined;
}
