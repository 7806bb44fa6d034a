// Decides whether one operation may run: counts its limited-field occurrences, builds one check per
// key and asks the store once (atomic: all limits fit and are recorded, or nothing is).
import { randomUUID } from 'node:crypto';
import type { DocumentNode, GraphQLSchema } from 'graphql';
import { collectLimitedFieldOccurrences } from './operationFieldOccurrences.js';
import { planRateLimitChecks, type PlannedRateLimitCheck } from './rateLimitChecks.js';
import type { RateLimitConfig } from './rateLimitConfig.js';
import { rateLimitHeaderValues, type RateLimitHeaderValues } from './rateLimitHeaders.js';
import type { RateLimitIdentity } from './rateLimitIdentity.js';
import { buildRateLimitPolicy, type RateLimitPolicy } from './rateLimitPolicy.js';
import { RateLimitStoreUnavailableError, type RateLimitConsumeResult, type RateLimitStore } from './rateLimitStore.js';
import { readSupergraphRateLimits } from './supergraphRateLimits.js';

export interface OperationToLimit {
  schema: GraphQLSchema;
  /** The supergraph document the schema was built from: where @rateLimit lives. */
  supergraph: DocumentNode;
  document: DocumentNode;
  operationName?: string | null | undefined;
  variables?: Record<string, unknown> | null | undefined;
  identity: RateLimitIdentity;
}

/** A field over its limit: what the RATE_LIMITED error reports. */
export interface ExceededFieldLimit {
  readonly coordinate: string;
  readonly max: number;
  readonly windowMs: number;
  readonly retryAfterMs: number;
  readonly message: string | undefined;
}

export type RateLimitDecision =
  | { readonly kind: 'unlimited' }
  | {
      readonly kind: 'allowed';
      readonly checks: readonly PlannedRateLimitCheck[];
      readonly headers: RateLimitHeaderValues | undefined;
      /** What refund() needs to take these hits back. */
      readonly nowMs: number;
      readonly operationId: string;
    }
  | {
      readonly kind: 'rejected';
      readonly checks: readonly PlannedRateLimitCheck[];
      readonly headers: RateLimitHeaderValues | undefined;
      /** Fields over their limit, longest wait first. */
      readonly exceeded: readonly ExceededFieldLimit[];
    }
  | { readonly kind: 'storeUnavailable'; readonly checks: readonly PlannedRateLimitCheck[]; readonly error: RateLimitStoreUnavailableError };

export class FieldRateLimiter {
  /** Policy per supergraph document: built at the first request after a (re)load, then reused. */
  private readonly policies = new WeakMap<DocumentNode, RateLimitPolicy>();

  constructor(
    private readonly store: RateLimitStore,
    private readonly config: Pick<RateLimitConfig, 'fields' | 'tiers' | 'store'>,
    /** Called once per supergraph with the config entries that could not become limits (for a log line). */
    private readonly onPolicyWarnings: (warnings: readonly string[]) => void = () => undefined,
  ) {}

  /** The effective policy of a supergraph; throws RateLimitPolicyError when a declaration is invalid. */
  policyFor(supergraph: DocumentNode): RateLimitPolicy {
    let policy = this.policies.get(supergraph);
    if (!policy) {
      policy = buildRateLimitPolicy(readSupergraphRateLimits(supergraph), this.config);
      this.policies.set(supergraph, policy);
      if (policy.warnings.length > 0) this.onPolicyWarnings(policy.warnings);
    }
    return policy;
  }

  async decide(operation: OperationToLimit, nowMs: number): Promise<RateLimitDecision> {
    const policy = this.policyFor(operation.supergraph);
    if (policy.limitedCoordinates.size === 0) return { kind: 'unlimited' };
    const occurrences = collectLimitedFieldOccurrences({
      schema: operation.schema,
      document: operation.document,
      operationName: operation.operationName,
      variables: operation.variables,
      isLimited: (coordinate) => policy.limitedCoordinates.has(coordinate),
    });
    const keyPrefix = this.config.store.kind === 'redis' ? this.config.store.keyPrefix : '';
    const checks = planRateLimitChecks(occurrences, policy, operation.identity, keyPrefix);
    if (checks.length === 0) return { kind: 'unlimited' };
    const operationId = randomUUID();
    let outcome: RateLimitConsumeResult;
    try {
      outcome = await this.store.consume(checks, nowMs, operationId);
    } catch (error) {
      const unavailable =
        error instanceof RateLimitStoreUnavailableError
          ? error
          : new RateLimitStoreUnavailableError(`rate-limit store failed: ${(error as Error).message}`, { cause: error });
      return { kind: 'storeUnavailable', checks, error: unavailable };
    }
    const headers = rateLimitHeaderValues(checks, outcome);
    if (outcome.allowed) return { kind: 'allowed', checks, headers, nowMs, operationId };
    const exceeded = checks
      .map((check, i) => ({ check, retryAfterMs: outcome.results[i]?.retryAfterMs ?? 0 }))
      .filter((e) => e.retryAfterMs > 0)
      .sort((a, b) => b.retryAfterMs - a.retryAfterMs)
      .map(({ check, retryAfterMs }) => ({
        coordinate: check.coordinate,
        max: check.max,
        windowMs: check.windowMs,
        retryAfterMs,
        message: check.limit.message,
      }));
    return { kind: 'rejected', checks, headers, exceeded };
  }

  /** Takes back an admitted operation's hits (it was rejected elsewhere before executing). */
  refund(decision: Extract<RateLimitDecision, { kind: 'allowed' }>): Promise<void> {
    return this.store.refund(decision.checks, decision.nowMs, decision.operationId);
  }

  close(): Promise<void> {
    return this.store.close();
  }
}
