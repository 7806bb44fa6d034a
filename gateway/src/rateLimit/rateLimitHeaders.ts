// Response headers of draft-ietf-httpapi-ratelimit-headers (-08 and later): one policy per limited
// field of the operation, named by its coordinate.
//   RateLimit-Policy: "Query.users";q=30;w=60      quota q per window w (seconds)
//   RateLimit: "Query.users";r=29;t=60             r remaining, t seconds until quota comes back
// and Retry-After (seconds, RFC 9110) on a rejection.
import type { PlannedRateLimitCheck } from './rateLimitChecks.js';
import type { RateLimitConsumeResult } from './rateLimitStore.js';

export interface RateLimitHeaderValues {
  'ratelimit-policy': string;
  ratelimit: string;
  /** Only when the operation was rejected. */
  'retry-after'?: string;
}

/** Whole seconds, rounded up so a client never retries early. */
export function toSeconds(ms: number): number {
  return Math.max(0, Math.ceil(ms / 1_000));
}

/** Longest wait among the checks that rejected the operation, ms (0 when admitted). */
export function retryAfterMs(outcome: RateLimitConsumeResult): number {
  return outcome.allowed ? 0 : Math.max(0, ...outcome.results.map((r) => r.retryAfterMs));
}

export function rateLimitHeaderValues(checks: readonly PlannedRateLimitCheck[], outcome: RateLimitConsumeResult): RateLimitHeaderValues | undefined {
  // One entry per coordinate: with identityArgs several keys share a field; report the tightest.
  const tightest = new Map<string, { check: PlannedRateLimitCheck; remaining: number; resetMs: number }>();
  checks.forEach((check, i) => {
    const result = outcome.results[i];
    if (!result) return;
    const resetMs = outcome.allowed ? result.resetMs : Math.max(result.retryAfterMs, result.resetMs);
    const seen = tightest.get(check.coordinate);
    if (!seen || result.remaining < seen.remaining) tightest.set(check.coordinate, { check, remaining: result.remaining, resetMs });
  });
  if (tightest.size === 0) return undefined;
  const entries = [...tightest.values()];
  const headers: RateLimitHeaderValues = {
    'ratelimit-policy': entries.map((e) => `"${e.check.coordinate}";q=${e.check.max};w=${toSeconds(e.check.windowMs)}`).join(', '),
    ratelimit: entries.map((e) => `"${e.check.coordinate}";r=${e.remaining};t=${toSeconds(e.resetMs)}`).join(', '),
  };
  if (!outcome.allowed) headers['retry-after'] = String(Math.max(1, toSeconds(retryAfterMs(outcome))));
  return headers;
}
