// The one interface every rate-limit store implements (in-memory, Redis).
//
// Why not graphql-rate-limit's own `Store` (getForIdentity, then setForIdentity)? It reads, then writes in two
// steps: N concurrent requests all read the same count and all pass, so a limit of 50 admits far more than 50.
// Ours is a single atomic "check every limit of the operation, then record all of them or none" call, so
// a rejected operation consumes nothing and concurrency cannot race past a limit.

/** One limit to check for one operation. */
export interface RateLimitCheck {
  /** Full store key: prefix, field, identity-arg values and caller identity already folded in. */
  readonly key: string;
  /** Hits allowed within any sliding window of `windowMs`. */
  readonly max: number;
  /** Sliding window length, milliseconds. */
  readonly windowMs: number;
  /** Hits this operation adds (the estimated calls of the field), >= 1. */
  readonly cost: number;
}

/** Outcome for one check, after the operation was admitted (cost recorded) or rejected (nothing recorded). */
export interface RateLimitCheckResult {
  /** Hits left in the current window: after recording when admitted; as it stands (nothing recorded) when rejected. */
  readonly remaining: number;
  /** Milliseconds until the oldest hit counted in the window ages out, i.e. quota starts to come back (0 when none is counted). */
  readonly resetMs: number;
  /** Milliseconds until this check would admit `cost` more hits; 0 when it admitted them now. */
  readonly retryAfterMs: number;
}

export interface RateLimitConsumeResult {
  /** True when every check admitted its cost; then (and only then) all costs were recorded. */
  readonly allowed: boolean;
  /** Same order as the checks passed in. */
  readonly results: readonly RateLimitCheckResult[];
}

export interface RateLimitStore {
  /**
   * Atomically: evaluates every check at `nowMs` (epoch ms); when all fit, records every cost; otherwise records nothing.
   * Throws RateLimitStoreUnavailableError when the backing store cannot answer (the caller applies its fail-open/closed policy).
   */
  consume(checks: readonly RateLimitCheck[], nowMs: number, operationId?: string): Promise<RateLimitConsumeResult>;
  /**
   * Takes back `cost` of the hits an admitted consume() recorded for each check (same checks in the same
   * order, nowMs and operationId; a check's cost here is how many to give back, at most what consume
   * recorded, 0 for none): the calls an operation was charged for but did not make. Best effort: hits
   * that already left the window are simply gone.
   */
  refund(checks: readonly RateLimitCheck[], nowMs: number, operationId: string): Promise<void>;
  /** Releases connections and timers. */
  close(): Promise<void>;
}

/** The store could not answer in time (Redis down, timed out, disconnected). */
export class RateLimitStoreUnavailableError extends Error {
  readonly code = 'RATE_LIMIT_STORE_UNAVAILABLE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RateLimitStoreUnavailableError';
  }
}

/**
 * Shared sliding-log arithmetic for one key, given its hit timestamps inside the window (ascending).
 * Used by the in-memory store; the Redis Lua script implements the same rules.
 */
export function evaluateSlidingLog(
  hitsInWindow: readonly number[],
  check: RateLimitCheck,
  nowMs: number,
): { fits: boolean; remaining: number; resetMs: number; retryAfterMs: number } {
  const count = hitsInWindow.length;
  const fits = count + check.cost <= check.max;
  const oldest = hitsInWindow[0] ?? (fits ? nowMs : undefined);
  const resetMs = oldest === undefined ? 0 : Math.max(0, oldest + check.windowMs - nowMs);
  if (fits) return { fits, remaining: check.max - count - check.cost, resetMs, retryAfterMs: 0 };
  // A cost larger than max can never fit: tell the caller to wait a whole window (the best honest answer).
  if (check.cost > check.max) return { fits, remaining: Math.max(0, check.max - count), resetMs, retryAfterMs: check.windowMs };
  // Enough of the oldest hits must age out: the (count + cost - max)-th oldest one decides.
  const deciding = hitsInWindow[count + check.cost - check.max - 1] ?? nowMs;
  return { fits, remaining: Math.max(0, check.max - count), resetMs, retryAfterMs: Math.max(1, deciding + check.windowMs - nowMs) };
}
