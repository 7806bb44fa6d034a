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
import { SubgraphResponseTooLargeError } from './subgraphFetcher.js';
import { resilienceConfigSchema, type ResilienceConfig } from './subgraphResilienceConfig.js';

export { resilienceConfigSchema, type ResilienceConfig };

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
