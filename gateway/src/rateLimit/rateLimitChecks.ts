// Turns an operation's limited-field occurrences into store checks: one check per distinct key, its cost
// the number of occurrences sharing that key.
import type { LimitedFieldOccurrence } from './operationFieldOccurrences.js';
import type { RateLimitPolicy } from './rateLimitPolicy.js';
import type { RateLimitIdentity } from './rateLimitIdentity.js';
import type { RateLimitCheck } from './rateLimitStore.js';
import type { FieldRateLimit } from './supergraphRateLimits.js';

export interface PlannedRateLimitCheck extends RateLimitCheck {
  readonly coordinate: string;
  readonly limit: FieldRateLimit;
}

export function planRateLimitChecks(
  occurrences: readonly LimitedFieldOccurrence[],
  policy: RateLimitPolicy,
  identity: RateLimitIdentity,
  keyPrefix: string,
): PlannedRateLimitCheck[] {
  const byKey = new Map<string, { coordinate: string; limit: FieldRateLimit; cost: number }>();
  // {…} is a Redis Cluster hash tag: every key of one caller lands in one slot, so the single Lua script
  // may touch all of an operation's keys.
  const identityPart = `{${encodeURIComponent(identity.key)}}`;
  for (const occurrence of occurrences) {
    const limit = policy.limitFor(occurrence.coordinate, identity.tier);
    if (!limit) continue;
    let key = `${keyPrefix}${identityPart}:${occurrence.coordinate}`;
    if (limit.identityArgs.length > 0) {
      key += `:${JSON.stringify(limit.identityArgs.map((path) => valueAtPath(occurrence.args, path) ?? null))}`;
    }
    const planned = byKey.get(key);
    if (planned) planned.cost += 1;
    else byKey.set(key, { coordinate: occurrence.coordinate, limit, cost: 1 });
  }
  return [...byKey].map(([key, p]) => ({ key, coordinate: p.coordinate, limit: p.limit, max: p.limit.max, windowMs: p.limit.windowMs, cost: p.cost }));
}

/** graphql-rate-limit's identityArgs accept dot paths into input objects ("input.productId"). */
function valueAtPath(args: Readonly<Record<string, unknown>>, path: string): unknown {
  let value: unknown = args;
  for (const segment of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}
