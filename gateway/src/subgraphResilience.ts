// Per-subgraph resilience: retries for queries only, and a circuit breaker (opossum) that fails fast
// with SUBGRAPH_UNAVAILABLE while a subgraph keeps failing, instead of piling requests onto it.
//
// Retries are for queries only: a mutation that failed in transit may still have been applied, and
// sending it again could apply it twice (the reason @apollo/gateway's fetcher has `retry: false`).
// Only failures where the subgraph certainly did no work, or said so, are retried: connection
// refused/reset before a response, and 502/503/504. A timeout is never retried: the deadline is the
// budget of the whole fetch.
import CircuitBreaker from 'opossum';
import type { DocumentNode } from 'graphql';
import { z } from 'zod';
import { SubgraphResponseTooLargeError } from './subgraphFetcher.js';

export const resilienceConfigSchema = z
  .object({
    /** Extra attempts for a query after a retryable failure. @default 1 */
    retries: z.number().int().min(0).max(5).default(1),
    /** Wait before each retry, in ms (doubled per attempt). @default 25 */
    retryBackoffMs: z.number().int().min(0).max(10_000).default(25),
    circuitBreaker: z
      .object({
        /** @default true */
        enabled: z.boolean().default(true),
        /** Open when at least this % of calls in the rolling window failed. @default 50 */
        errorThresholdPercentage: z.number().int().min(1).max(100).default(50),
        /** Calls in the window before the breaker may open (no opening on 1 failure of 1). @default 10 */
        volumeThreshold: z.number().int().min(1).default(10),
        /** How long the breaker stays open before one trial call, in ms. @default 10000 */
        resetTimeoutMs: z.number().int().min(100).max(600_000).default(10_000),
        /** Length of the rolling window of statistics, in ms. @default 10000 */
        rollingWindowMs: z.number().int().min(1_000).max(600_000).default(10_000),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type ResilienceConfig = z.infer<typeof resilienceConfigSchema>;

/** Thrown while the breaker is open: the subgraph is not called at all. */
export class SubgraphUnavailableError extends Error {
  override name = 'SubgraphUnavailableError';
}

const RETRYABLE_NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);
const RETRYABLE_STATUSES = new Set([502, 503, 504]);

/** The HTTP status of a failed exchange (errorFromResponse's `extensions.response.status`), when it got an answer. */
export function statusOf(error: unknown): number | undefined {
  const response = (error as { extensions?: { response?: { status?: unknown } } })?.extensions?.response;
  return typeof response?.status === 'number' ? response.status : undefined;
}

function networkCodeOf(error: unknown): string | undefined {
  const direct = (error as { code?: unknown })?.code;
  if (typeof direct === 'string') return direct;
  const cause = (error as { cause?: { code?: unknown } })?.cause?.code;
  return typeof cause === 'string' ? cause : undefined;
}

export function isRetryableFailure(error: unknown): boolean {
  const status = statusOf(error);
  if (status !== undefined) return RETRYABLE_STATUSES.has(status);
  const code = networkCodeOf(error);
  return code !== undefined && RETRYABLE_NETWORK_CODES.has(code);
}

/**
 * A 4xx says the request was wrong, not that the subgraph is down, and an answer over maxResponseBytes
 * is what the query asked for: neither trips the breaker (else one client could open it for everyone).
 */
function isClientError(error: unknown): boolean {
  if (error instanceof SubgraphResponseTooLargeError) return true;
  const status = statusOf(error);
  return status !== undefined && status >= 400 && status < 500;
}

/**
 * Whether a subgraph fetch is a query. The planner's document node is only present with
 * `exposeDocumentNodeInFetchNode`, so the operation text is the usual source: a query starts with
 * `query` or `{`; anything else (mutation, subscription, unknown) counts as not a query (fail safe).
 */
export function isQueryOperation(document: DocumentNode | undefined, operationText: string | undefined): boolean {
  if (document) {
    const operation = document.definitions.find((d) => d.kind === 'OperationDefinition');
    return operation !== undefined && 'operation' in operation && operation.operation === 'query';
  }
  return operationText !== undefined && /^\s*(query\b|\{)/.test(operationText);
}

export interface SubgraphCallOptions {
  retryable: boolean;
  /** Told before each retry of this call (attempt 1 is the first retry), with the failure that caused it. */
  onRetry?: (attempt: number, failure: unknown) => void;
}

export type CircuitState = 'closed' | 'open' | 'halfOpen' | 'disabled';

export interface SubgraphCaller {
  /** Runs `call` under the breaker, retrying it (queries only) as configured. */
  call<T>(call: () => Promise<T>, options: SubgraphCallOptions): Promise<T>;
  /** The breaker's state now ('disabled' when the subgraph has none). */
  circuitState(): CircuitState;
}

export interface SubgraphCallerHooks {
  onStateChange?: (state: 'open' | 'halfOpen' | 'closed') => void;
  /** Called before each retry (attempt 1 is the first retry). */
  onRetry?: (attempt: number) => void;
}

export function createSubgraphCaller(config: ResilienceConfig, hooks: SubgraphCallerHooks = {}): SubgraphCaller {
  const breakerConfig = config.circuitBreaker;
  const breaker = breakerConfig.enabled
    ? new CircuitBreaker(<T>(call: () => Promise<T>) => call(), {
        timeout: false, // the fetcher has its own deadline
        errorThresholdPercentage: breakerConfig.errorThresholdPercentage,
        volumeThreshold: breakerConfig.volumeThreshold,
        resetTimeout: breakerConfig.resetTimeoutMs,
        rollingCountTimeout: breakerConfig.rollingWindowMs,
        errorFilter: isClientError,
      })
    : undefined;
  if (breaker) {
    breaker.on('open', () => hooks.onStateChange?.('open'));
    breaker.on('halfOpen', () => hooks.onStateChange?.('halfOpen'));
    breaker.on('close', () => hooks.onStateChange?.('closed'));
  }

  const once = async <T>(call: () => Promise<T>): Promise<T> => {
    if (!breaker) return call();
    try {
      return (await breaker.fire(call)) as T;
    } catch (error) {
      if ((error as { code?: unknown })?.code === 'EOPENBREAKER') throw new SubgraphUnavailableError('circuit open');
      throw error;
    }
  };

  return {
    circuitState: () => (!breaker ? 'disabled' : breaker.opened ? 'open' : breaker.halfOpen ? 'halfOpen' : 'closed'),
    async call(call, { retryable, onRetry }) {
      for (let attempt = 0; ; attempt += 1) {
        try {
          return await once(call);
        } catch (error) {
          if (!retryable || attempt >= config.retries || !isRetryableFailure(error)) throw error;
          hooks.onRetry?.(attempt + 1);
          onRetry?.(attempt + 1, error);
          await new Promise((resolve) => setTimeout(resolve, config.retryBackoffMs * 2 ** attempt));
        }
      }
    },
  };
}
