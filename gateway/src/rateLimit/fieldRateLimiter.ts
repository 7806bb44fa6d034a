// Decides whether one operation may run, and settles its account after it ran. Before execution it
// charges every limited field's ESTIMATED calls (from the operation analysis: a field under a list of
// 10 is 10 calls) in one atomic store call: all limits fit and are recorded, or nothing is. After
// execution it reconciles: the calls that did not happen (shorter lists, null parents, errors, an
// operation stopped before executing) are given back.
import { randomUUID } from 'node:crypto';
import type { DocumentNode } from 'graphql';
import type { OperationAnalysis } from '../policy/operationAnalysis.js';
import type { ResolvedCounts } from '../policy/resolvedCounts.js';
import { planRateLimitChecks, type LimitedFieldOccurrence, type PlannedRateLimitCheck } from './rateLimitChecks.js';
import type { RateLimitConfig } from './rateLimitConfig.js';
import { rateLimitHeaderValues, type RateLimitHeaderValues } from './rateLimitHeaders.js';
import type { RateLimitIdentity } from './rateLimitIdentity.js';
import { buildRateLimitPolicy, type RateLimitPolicy } from './rateLimitPolicy.js';
import { RateLimitStoreUnavailableError, type RateLimitConsumeResult, type RateLimitStore } from './rateLimitStore.js';
import { readSupergraphRateLimits } from './supergraphRateLimits.js';

export interface OperationToLimit {
  /** The supergraph document the schema was built from: where @rateLimit lives. */
  supergraph: DocumentNode;
  /** The analysis of the operation that will execute (after authorization removed what it removes). */
  analysis: OperationAnalysis;
  identity: RateLimitIdentity;
}

/** A field over its limit: what the RATE_LIMITED error reports. */
export interface ExceededFieldLimit {
  readonly coordinate: string;
  readonly max: number;
  readonly windowMs: number;
  readonly retryAfterMs: number;
  readonly message: string | undefined;
  /** Calls this operation needed (estimated). */
  readonly cost: number;
}

export type AllowedDecision = {
  readonly kind: 'allowed';
  readonly checks: readonly PlannedRateLimitCheck[];
  readonly outcome: RateLimitConsumeResult;
  readonly headers: RateLimitHeaderValues | undefined;
  /** What reconcile() needs to give calls back. */
  readonly nowMs: number;
  readonly operationId: string;
};

export type RateLimitDecision =
  | { readonly kind: 'unlimited' }
  | AllowedDecision
  | {
      readonly kind: 'rejected';
      readonly checks: readonly PlannedRateLimitCheck[];
      readonly headers: RateLimitHeaderValues | undefined;
      /** Fields over their limit, longest wait first. */
      readonly exceeded: readonly ExceededFieldLimit[];
    }
  | { readonly kind: 'storeUnavailable'; readonly checks: readonly PlannedRateLimitCheck[]; readonly error: RateLimitStoreUnavailableError };

export interface Reconciliation {
  /** Calls given back, per check (same order as the decision's checks). */
  readonly givenBack: readonly number[];
  /** The RateLimit headers with the given-back calls counted as remaining again. */
  readonly headers: RateLimitHeaderValues | undefined;
}

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
    const { analysis } = operation;
    const occurrences: LimitedFieldOccurrence[] = [];
    for (const field of analysis.fields) {
      if (field.introspection) continue;
      for (const coordinate of field.coordinates) {
        if (policy.limitedCoordinates.has(coordinate)) occurrences.push({ coordinate, args: analysis.argumentsOf(field), calls: field.calls, field });
      }
    }
    if (occurrences.length === 0) return { kind: 'unlimited' };
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
    if (outcome.allowed) return { kind: 'allowed', checks, outcome, headers, nowMs, operationId };
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
        cost: check.cost,
      }));
    return { kind: 'rejected', checks, headers, exceeded };
  }

  /**
   * Gives back the charged calls that did not run: `resolved` is what the response shows (undefined:
   * the operation never executed, so every call is given back). Best effort: calls that already left
   * the window are simply gone.
   */
  async reconcile(decision: AllowedDecision, resolved: ResolvedCounts | undefined): Promise<Reconciliation> {
    const givenBack = decision.checks.map((check) => {
      const ran = resolved ? check.fields.reduce((sum, field) => sum + (resolved.get(field)?.calls ?? 0), 0) : 0;
      return Math.max(0, check.cost - ran);
    });
    if (givenBack.every((n) => n === 0)) return { givenBack, headers: decision.headers };
    // Same order and indexes as the consume (the Redis store names each recorded call by them).
    await this.store.refund(
      decision.checks.map((check, i) => ({ ...check, cost: givenBack[i] ?? 0 })),
      decision.nowMs,
      decision.operationId,
    );
    const results = decision.outcome.results.map((result, i) => ({ ...result, remaining: result.remaining + (givenBack[i] ?? 0) }));
    return { givenBack, headers: rateLimitHeaderValues(decision.checks, { allowed: true, results }) };
  }

  close(): Promise<void> {
    return this.store.close();
  }
}
