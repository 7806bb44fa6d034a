// In-memory sliding-log store: exact within one process.
// consume() does its check-and-record synchronously (no await between reading and writing a key), so on
// Node's single thread 200 concurrent operations are serialized and a limit of 50 admits exactly 50.
import { evaluateSlidingLog, type RateLimitCheck, type RateLimitConsumeResult, type RateLimitStore } from './rateLimitStore.js';

export interface MemoryRateLimitStoreOptions {
  /**
   * How often keys whose window has passed are dropped, milliseconds.
   * @default 60000 (1 min: bounds memory without touching the hot path)
   */
  sweepIntervalMs?: number;
}

interface KeyLog {
  /** Hit timestamps (epoch ms), ascending. */
  hits: number[];
  /** Last hit + window: after this the key holds nothing worth keeping (epoch ms). */
  expiresAtMs: number;
}

export class MemoryRateLimitStore implements RateLimitStore {
  private readonly logs = new Map<string, KeyLog>();
  private readonly sweepTimer: NodeJS.Timeout;

  constructor(options: MemoryRateLimitStoreOptions = {}) {
    this.sweepTimer = setInterval(() => this.sweep(Date.now()), options.sweepIntervalMs ?? 60_000);
    // The sweep must never keep the process alive on shutdown.
    this.sweepTimer.unref();
  }

  consume(checks: readonly RateLimitCheck[], nowMs: number): Promise<RateLimitConsumeResult> {
    return Promise.resolve(this.consumeSync(checks, nowMs));
  }

  /** The whole check-then-record, with no await inside: this is what makes it exact. */
  consumeSync(checks: readonly RateLimitCheck[], nowMs: number): RateLimitConsumeResult {
    const windows = checks.map((check) => this.hitsInWindow(check, nowMs));
    const evaluations = checks.map((check, i) => evaluateSlidingLog(windows[i] ?? [], check, nowMs));
    const allowed = evaluations.every((e) => e.fits);
    if (allowed) {
      checks.forEach((check, i) => {
        const hits = windows[i] ?? [];
        for (let n = 0; n < check.cost; n++) hits.push(nowMs);
        const log = this.logs.get(check.key);
        const expiresAtMs = nowMs + check.windowMs;
        if (log) {
          log.hits = hits;
          log.expiresAtMs = Math.max(log.expiresAtMs, expiresAtMs);
        } else {
          this.logs.set(check.key, { hits, expiresAtMs });
        }
      });
    }
    return {
      allowed,
      results: evaluations.map((e) => ({ remaining: e.remaining, resetMs: e.resetMs, retryAfterMs: allowed ? 0 : e.retryAfterMs })),
    };
  }

  /** Removes `cost` hits stamped nowMs per key (hits with equal timestamps are interchangeable). */
  async refund(checks: readonly RateLimitCheck[], nowMs: number): Promise<void> {
    for (const check of checks) {
      const hits = this.logs.get(check.key)?.hits;
      if (!hits) continue;
      let left = check.cost;
      for (let i = hits.length - 1; i >= 0 && left > 0; i--) {
        if (hits[i] === nowMs) {
          hits.splice(i, 1);
          left--;
        }
      }
    }
  }

  async close(): Promise<void> {
    clearInterval(this.sweepTimer);
    this.logs.clear();
  }

  /** Number of keys held (for tests and metrics). */
  get size(): number {
    return this.logs.size;
  }

  /** Drops hits older than the window and returns the live ones (a fresh array when the key is unknown). */
  private hitsInWindow(check: RateLimitCheck, nowMs: number): number[] {
    const log = this.logs.get(check.key);
    if (!log) return [];
    const oldestKept = nowMs - check.windowMs;
    let drop = 0;
    while (drop < log.hits.length && (log.hits[drop] ?? Infinity) <= oldestKept) drop++;
    if (drop > 0) log.hits.splice(0, drop);
    return log.hits;
  }

  private sweep(nowMs: number): void {
    for (const [key, log] of this.logs) if (log.expiresAtMs <= nowMs) this.logs.delete(key);
  }
}
