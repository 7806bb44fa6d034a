// A bounded closed-loop load generator: `concurrency` workers, each sending the next request as soon
// as the previous one is answered, for a fixed duration. node:http with a keep-alive agent rather than
// fetch: undici's fetch costs noticeably more CPU per request, and this process shares 2 cores with the
// gateway under test and its subgraphs.
import { Agent, request } from 'node:http';

export interface LoadOptions {
  /** Full GraphQL endpoint, e.g. http://127.0.0.1:40123/graphql */
  url: string;
  /** JSON body sent with every request. */
  body: string;
  /** Headers of each request, called once per request. */
  headers(): Record<string, string>;
  /** In-flight requests at any time. */
  concurrency: number;
  /** How long to keep sending, in ms; in-flight requests are then awaited (and counted). */
  durationMs: number;
  /** Hard cap on requests, so the run is bounded in count too. @default 2_000_000 */
  maxRequests?: number;
  /** Per-request deadline in ms; a request beyond it counts as an error. @default 10_000 */
  requestTimeoutMs?: number;
}

/** One run's raw outcome; several runs (interleaved slices) are merged by summarizeLoad. */
export interface LoadSlice {
  /** Send → last byte of the answer, per request, in ms. */
  latenciesMs: number[];
  /** Non-200 answers, bodies carrying `"errors"`, timeouts and socket errors. */
  errors: number;
  /** The first error seen, for the report. */
  firstError: string | undefined;
  elapsedMs: number;
}

export interface LoadSummary {
  requests: number;
  errors: number;
  firstError: string | undefined;
  /** Sum of the slices' durations, in ms. */
  elapsedMs: number;
  requestsPerSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

function percentile(sortedMs: Float64Array, fraction: number): number {
  if (sortedMs.length === 0) return Number.NaN;
  // Nearest-rank: the smallest sample with at least `fraction` of the samples at or below it.
  const rank = Math.max(1, Math.ceil(fraction * sortedMs.length));
  return sortedMs[rank - 1]!;
}

export function summarizeLoad(slices: LoadSlice[]): LoadSummary {
  const sorted = Float64Array.from(slices.flatMap((slice) => slice.latenciesMs)).sort();
  const elapsedMs = slices.reduce((sum, slice) => sum + slice.elapsedMs, 0);
  return {
    requests: sorted.length,
    errors: slices.reduce((sum, slice) => sum + slice.errors, 0),
    firstError: slices.find((slice) => slice.firstError !== undefined)?.firstError,
    elapsedMs,
    requestsPerSecond: (sorted.length / elapsedMs) * 1000,
    p50Ms: percentile(sorted, 0.5),
    p95Ms: percentile(sorted, 0.95),
    p99Ms: percentile(sorted, 0.99),
  };
}

function sendOne(options: LoadOptions, agent: Agent): Promise<string | null> {
  return new Promise((resolve) => {
    const req = request(
      options.url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(options.body), ...options.headers() },
        timeout: options.requestTimeoutMs ?? 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          // A substring test, not JSON.parse: cheap enough to check every answer without loading the client.
          if (res.statusCode !== 200) resolve(`HTTP ${res.statusCode}: ${text.slice(0, 200)}`);
          else if (text.includes('"errors"')) resolve(`GraphQL errors: ${text.slice(0, 200)}`);
          else resolve(null);
        });
        res.on('error', (error) => resolve(`response error: ${error.message}`));
      },
    );
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', (error) => resolve(`request error: ${error.message}`));
    req.end(options.body);
  });
}

export async function runClosedLoopLoad(options: LoadOptions): Promise<LoadSlice> {
  const maxRequests = options.maxRequests ?? 2_000_000;
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const latenciesMs: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let started = 0;
  const startedAt = performance.now();
  const stopAt = startedAt + options.durationMs;

  const worker = async () => {
    while (performance.now() < stopAt && started < maxRequests) {
      started += 1;
      const sentAt = performance.now();
      const error = await sendOne(options, agent);
      latenciesMs.push(performance.now() - sentAt);
      if (error !== null) {
        errors += 1;
        firstError ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const elapsedMs = performance.now() - startedAt;
  agent.destroy();
  return { latenciesMs, errors, firstError, elapsedMs };
}
