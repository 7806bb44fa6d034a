// Turns an operation's limited fields into store checks: one check per distinct key, its cost the
// estimated calls of every field sharing that key (a field under a list of 10 is 10 calls).
import type { AnalyzedField } from '../policy/operationAnalysis.js';
import { valueAtPath } from '../policy/operationAnalysis.js';
import type { RateLimitPolicy } from './rateLimitPolicy.js';
import type { RateLimitIdentity } from './rateLimitIdentity.js';
import type { RateLimitCheck } from './rateLimitStore.js';
import type { FieldRateLimit } from './supergraphRateLimits.js';

/** One limited field of the operation, as one coordinate it may run as. */
export interface LimitedFieldOccurrence {
  /** "Type.field" whose limit this counts against. */
  readonly coordinate: string;
  /** The field's arguments, coerced, with variables resolved (for identityArgs). */
  readonly args: Readonly<Record<string, unknown>>;
  /** Estimated resolver calls (from the operation analysis). */
  readonly calls: number;
  readonly field: AnalyzedField;
}

export interface PlannedRateLimitCheck extends RateLimitCheck {
  readonly coordinate: string;
  readonly limit: FieldRateLimit;
  /** The fields whose calls make up `cost` (to count what really ran after execution). */
  readonly fields: readonly AnalyzedField[];
}

export function planRateLimitChecks(
  occurrences: readonly LimitedFieldOccurrence[],
  policy: RateLimitPolicy,
  identity: RateLimitIdentity,
  keyPrefix: string,
): PlannedRateLimitCheck[] {
  const byKey = new Map<string, { coordinate: string; limit: FieldRateLimit; cost: number; fields: AnalyzedField[] }>();
  // {…} is a Redis Cluster hash tag: every key of one caller lands in one slot, so the single Lua script
  // may touch all of an operation's keys.
  const identityPart = `{${encodeURIComponent(identity.key)}}`;
  for (const occurrence of occurrences) {
    // A field under an empty list (first: 0) never runs: nothing to charge.
    if (occurrence.calls <= 0) continue;
    const limit = policy.limitFor(occurrence.coordinate, identity.tier);
    if (!limit) continue;
    let key = `${keyPrefix}${identityPart}:${occurrence.coordinate}`;
    if (limit.identityArgs.length > 0) {
      key += `:${JSON.stringify(limit.identityArgs.map((path) => valueAtPath(occurrence.args, path) ?? null))}`;
    }
    const planned = byKey.get(key);
    if (planned) {
      planned.cost = Math.min(Number.MAX_SAFE_INTEGER, planned.cost + occurrence.calls);
      planned.fields.push(occurrence.field);
    } else {
      byKey.set(key, { coordinate: occurrence.coordinate, limit, cost: occurrence.calls, fields: [occurrence.field] });
    }
  }
  return [...byKey].map(([key, p]) => ({ key, coordinate: p.coordinate, limit: p.limit, max: p.limit.max, windowMs: p.limit.windowMs, cost: p.cost, fields: p.fields }));
}
