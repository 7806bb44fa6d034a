// The effective limits of one supergraph: its @rateLimit declarations, then config `fields`, then the
// caller's tier (`tiers.<tier>.fields`), each layer overriding argument by argument. Built once per
// supergraph (load and hot reload), so a request only does map lookups.
import type { FieldLimitConfig, RateLimitConfig } from './rateLimitConfig.js';
import { parseRateLimitWindow } from './rateLimitWindow.js';
import type { FieldRateLimit } from './supergraphRateLimits.js';

export interface RateLimitPolicy {
  /** Every "Type.field" limited for at least one tier: occurrence counting only looks at these. */
  readonly limitedCoordinates: ReadonlySet<string>;
  /** The limit of `coordinate` for a caller of `tier`, or undefined when the field is not limited for it. */
  limitFor(coordinate: string, tier: string): FieldRateLimit | undefined;
  /** Config entries that could not become a limit (e.g. an override of an undeclared field without max/window). */
  readonly warnings: readonly string[];
}

type LimitMap = Map<string, FieldRateLimit | undefined>;

export function buildRateLimitPolicy(
  declared: ReadonlyMap<string, FieldRateLimit>,
  config: Pick<RateLimitConfig, 'fields' | 'tiers'>,
): RateLimitPolicy {
  const warnings: string[] = [];
  const everyTier: LimitMap = new Map(declared);
  for (const [coordinate, override] of Object.entries(config.fields)) {
    everyTier.set(coordinate, applyOverride(everyTier.get(coordinate), override, `rateLimits.fields.${coordinate}`, warnings));
  }
  const byTier = new Map<string, LimitMap>();
  for (const [tier, tierConfig] of Object.entries(config.tiers)) {
    const limits: LimitMap = new Map();
    for (const [coordinate, override] of Object.entries(tierConfig.fields)) {
      limits.set(coordinate, applyOverride(everyTier.get(coordinate), override, `rateLimits.tiers.${tier}.fields.${coordinate}`, warnings));
    }
    byTier.set(tier, limits);
  }
  const limitedCoordinates = new Set<string>();
  for (const map of [everyTier, ...byTier.values()]) {
    for (const [coordinate, limit] of map) if (limit) limitedCoordinates.add(coordinate);
  }
  return {
    limitedCoordinates,
    warnings,
    limitFor(coordinate, tier) {
      const tierLimits = byTier.get(tier);
      if (tierLimits?.has(coordinate)) return tierLimits.get(coordinate);
      return everyTier.get(coordinate);
    },
  };
}

function applyOverride(
  base: FieldRateLimit | undefined,
  override: FieldLimitConfig,
  where: string,
  warnings: string[],
): FieldRateLimit | undefined {
  if (override.disabled) return undefined;
  const max = override.max ?? base?.max;
  const windowMs = override.windowMs ?? (override.window !== undefined ? parseRateLimitWindow(override.window) : base?.windowMs);
  if (max === undefined || windowMs === undefined) {
    warnings.push(`${where}: no @rateLimit declared for this field, so max and window are both required; ignored`);
    return base;
  }
  return {
    max,
    windowMs,
    identityArgs: override.identityArgs ?? base?.identityArgs ?? [],
    message: override.message ?? base?.message,
  };
}
