// Pipeline step 3, per-field rate limits. Before execution (parsed, validated, authorized, within its
// cost) it charges the operation's estimated calls of every limited field in one store call: over a
// limit → the whole operation is rejected (429 RATE_LIMITED, Retry-After, RateLimit headers) and nothing
// is recorded; admitted → RateLimit headers on the response. After execution it gives back the calls
// that did not run. Store trouble → the configured policy: fail open (log + metric) or fail closed
// (503 SERVICE_UNAVAILABLE).
import type { DocumentNode } from 'graphql';
import type { GatewayContext } from '../context.js';
import { gatewayError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { GatewayMetrics } from '../metrics.js';
import type { OperationAnalysis } from '../policy/operationAnalysis.js';
import type { ResolvedCounts } from '../policy/resolvedCounts.js';
import { createRateLimitStore } from './createRateLimitStore.js';
import { FieldRateLimiter, type AllowedDecision, type ExceededFieldLimit } from './fieldRateLimiter.js';
import type { RateLimitConfig } from './rateLimitConfig.js';
import { toSeconds, type RateLimitHeaderValues } from './rateLimitHeaders.js';
import { rateLimitIdentity } from './rateLimitIdentity.js';
import type { RateLimitPolicy } from './rateLimitPolicy.js';
import type { RateLimitStore } from './rateLimitStore.js';
import { RedisRateLimitStore } from './redisRateLimitStore.js';

export interface RateLimitStepOptions {
  /** The validated `rateLimits` config (rateLimitConfigSchema's output). */
  config: RateLimitConfig;
  logger: Logger;
  metrics: Pick<GatewayMetrics, 'rateLimitRejections' | 'rateLimitStoreFailures' | 'rateLimitCallsGivenBack'>;
  /** A store to use instead of the one `config.store` describes. @default built from config.store */
  store?: RateLimitStore;
  /** Clock, epoch ms. @default Date.now */
  now?: () => number;
}

export interface RateLimitStep {
  /** Waits (bounded) for the store to connect, so the first requests are counted. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The effective limits of a supergraph (built once per supergraph). */
  policyFor(supergraph: DocumentNode): RateLimitPolicy;
  /**
   * Charges the operation; sets RateLimit headers on `responseHeaders`. Returns the charge to settle
   * after execution (undefined: nothing charged). Throws RATE_LIMITED or SERVICE_UNAVAILABLE.
   */
  admit(
    operation: { supergraph: DocumentNode; analysis: OperationAnalysis },
    contextValue: GatewayContext,
    responseHeaders: Map<string, string>,
  ): Promise<AllowedDecision | undefined>;
  /** Gives back what did not run (`resolved` undefined: nothing executed) and updates the RateLimit headers. */
  settle(charge: AllowedDecision, resolved: ResolvedCounts | undefined, contextValue: GatewayContext, responseHeaders: Map<string, string>): Promise<void>;
}

export function createRateLimitStep(options: RateLimitStepOptions): RateLimitStep | undefined {
  const { config, logger, metrics } = options;
  if (!config.enabled) return undefined;
  const store = options.store ?? createRateLimitStore(config.store, logger);
  const limiter = new FieldRateLimiter(store, config, (warnings) => {
    for (const warning of warnings) logger.warn({ event: 'rate_limit_config_ignored' }, warning);
  });
  const now = options.now ?? Date.now;

  return {
    async start() {
      if (store instanceof RedisRateLimitStore && config.store.kind === 'redis') {
        // Give Redis a moment to connect so the first requests are counted, not waved through (fail open).
        const connected = await store.waitUntilReady(config.store.connectTimeoutMs);
        if (!connected) logger.warn({ event: 'rate_limit_store_unavailable', policy: config.onStoreUnavailable }, 'rate-limit store (Redis) not reachable at startup');
      }
    },
    stop: () => limiter.close(),
    policyFor: (supergraph) => limiter.policyFor(supergraph),

    async admit({ supergraph, analysis }, contextValue, responseHeaders) {
      // clientIp is resolved once per request in the context (X-Forwarded-For only from trusted proxies).
      const identity = rateLimitIdentity(contextValue.auth, contextValue.clientIp);
      const decision = await limiter.decide({ supergraph, analysis, identity }, now());
      if (decision.kind === 'unlimited') return undefined;
      if (decision.kind === 'allowed') {
        setHeaders(responseHeaders, decision.headers);
        return decision;
      }
      if (decision.kind === 'storeUnavailable') {
        metrics.rateLimitStoreFailures.inc({ policy: config.onStoreUnavailable });
        logger.warn(
          { event: 'rate_limit_store_unavailable', requestId: contextValue.requestId, policy: config.onStoreUnavailable, err: decision.error.message },
          config.onStoreUnavailable === 'open' ? 'rate-limit store unavailable: admitting (fail open)' : 'rate-limit store unavailable: rejecting (fail closed)',
        );
        if (config.onStoreUnavailable === 'open') return undefined;
        throw gatewayError('SERVICE_UNAVAILABLE', { extensions: { reason: 'rate_limit_store_unavailable' }, headers: { 'retry-after': '1' } });
      }
      const first = decision.exceeded[0];
      for (const exceeded of decision.exceeded) metrics.rateLimitRejections.inc({ field: exceeded.coordinate, tier: identity.tier });
      logger.info(
        {
          event: 'rate_limited',
          requestId: contextValue.requestId,
          tier: identity.tier,
          fields: decision.exceeded.map((e) => e.coordinate),
          calls: decision.exceeded.map((e) => e.cost),
          retryAfterSeconds: first ? toSeconds(first.retryAfterMs) : undefined,
        },
        'operation rejected by a rate limit',
      );
      throw rateLimitedError(first, decision.headers);
    },

    async settle(charge, resolved, contextValue, responseHeaders) {
      try {
        const { givenBack, headers } = await limiter.reconcile(charge, resolved);
        charge.checks.forEach((check, i) => {
          const calls = givenBack[i] ?? 0;
          if (calls > 0) metrics.rateLimitCallsGivenBack.inc({ field: check.coordinate }, calls);
        });
        // Only while the answer still carries them (a rejected operation's error response has none).
        if (responseHeaders.has('ratelimit')) setHeaders(responseHeaders, headers);
      } catch (error) {
        // The calls simply stay charged until they leave the window.
        logger.warn({ event: 'rate_limit_reconcile_failed', requestId: contextValue.requestId, err: (error as Error).message }, 'could not give back the calls an operation did not make');
      }
    },
  };
}

function rateLimitedError(exceeded: ExceededFieldLimit | undefined, headers: RateLimitHeaderValues | undefined) {
  const retryAfterSeconds = Math.max(1, toSeconds(exceeded?.retryAfterMs ?? 1_000));
  const coordinate = exceeded?.coordinate ?? 'unknown';
  const needs = exceeded && exceeded.cost > 1 ? ` (this operation needs ${exceeded.cost} calls)` : '';
  // The directive's own message, when given, still names the field and the delay (clients show messages).
  const message = exceeded?.message
    ? `${exceeded.message} (${coordinate}: retry in ${retryAfterSeconds} s)`
    : `Rate limit exceeded for ${coordinate}: at most ${exceeded?.max} calls per ${toSeconds(exceeded?.windowMs ?? 0)} s${needs}; retry in ${retryAfterSeconds} s.`;
  return gatewayError('RATE_LIMITED', {
    message,
    extensions: {
      field: coordinate,
      retryAfterSeconds,
      limit: exceeded?.max,
      window: exceeded ? toSeconds(exceeded.windowMs) : undefined,
    },
    headers: { ...headers, 'retry-after': String(retryAfterSeconds) },
  });
}

function setHeaders(target: Map<string, string>, headers: RateLimitHeaderValues | undefined): void {
  if (!headers) return;
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && name !== 'retry-after') target.set(name, value);
}
