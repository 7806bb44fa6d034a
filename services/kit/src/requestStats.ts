// Counts the requests a service served, by route, so integration tests can prove batching and "no retry"
// by asking the real service (`GET /_stats`) instead of mocking it.
export interface RecentRequest {
  method: string;
  /** Path and query as received, e.g. '/products?ids=prod-1,prod-2'. */
  url: string;
  route: string;
  status: number;
}

export interface RequestStatsSnapshot {
  total: number;
  /** Requests per route key, e.g. { 'GET /products': 3, 'POST /reservations': 1 }. */
  requests: Record<string, number>;
  /** The last `RECENT_LIMIT` requests, oldest first. */
  recent: RecentRequest[];
}

/** Bounded so a long-running service does not grow without limit. */
const RECENT_LIMIT = 500;

export class RequestStats {
  private total = 0;
  private readonly byRoute = new Map<string, number>();
  private readonly recent: RecentRequest[] = [];

  record(request: RecentRequest): void {
    this.total += 1;
    this.byRoute.set(request.route, (this.byRoute.get(request.route) ?? 0) + 1);
    this.recent.push(request);
    if (this.recent.length > RECENT_LIMIT) this.recent.shift();
  }

  snapshot(): RequestStatsSnapshot {
    return {
      total: this.total,
      requests: Object.fromEntries([...this.byRoute].sort(([a], [b]) => a.localeCompare(b))),
      recent: [...this.recent],
    };
  }

  reset(): void {
    this.total = 0;
    this.byRoute.clear();
    this.recent.length = 0;
  }
}
