// Per-field rate limits as an Apollo Server plugin. In didResolveOperation (parsed, validated, before any
// subgraph is called) it counts the operation's limited-field occurrences and asks the store once:
// over a limit → the whole operation is rejected (429 RATE_LIMITED, Retry-After, RateLimit headers) and
// nothing is recorded; admitted → RateLimit headers on the response. Store trouble → the configured
// policy: fail open (log + metric) or fail closed (503 SERVICE_UNAVAILABLE).
//
// Apollo Server runs every plugin's didResolveOperation concurrently (Promise.all), so this does not rely
// on running before or after authorization: it reads only the document, variables and identity.
import type { ApolloServerPlugin } from '@apollo/server';
import type { DocumentNode, GraphQLSchema } from 'graphql';
import { Counter, type Registry } from 'prom-client';
import type { GatewayContext } from '../context.js';
import { gatewayError } from '../errors.js';
import type { Logger } from '../logger.js';
import { getRewrittenOperation } from '../operationRewrite.js';
import { createRateLimitStore } from '../rateLimit/createRateLimitStore.js';
import { FieldRateLimiter, type ExceededFieldLimit, type RateLimitDecision } from '../rateLimit/fieldRateLimiter.js';
import type { RateLimitConfig } from '../rateLimit/rateLimitConfig.js';
import { toSeconds, type RateLimitHeaderValues } from '../rateLimit/rateLimitHeaders.js';
import { rateLimitIdentity } from '../rateLimit/rateLimitIdentity.js';
import type { RateLimitStore } from '../rateLimit/rateLimitStore.js';
import { RedisRateLimitStore } from '../rateLimit/redisRateLimitStore.js';

export interface RateLimitPluginOptions {
  /** The validated `rateLimits` config (rateLimitConfigSchema's output). */
  config: RateLimitConfig;
  /**
   * The supergraph document an API schema was built from (where @rateLimit lives), e.g.
   * `(schema) => registry.supergraphFor(schema).document`: limits swap with the schema on hot reload.
   */
  supergraphDocumentFor: (schema: GraphQLSchema) => DocumentNode;
  logger: Logger;
  /** Registry for the rejection and store-failure counters; none → no metrics. */
  metricsRegistry?: Registry;
  /** A store to use instead of the one `config.store` describes. @default built from config.store */
  store?: RateLimitStore;
  /** Clock, epoch ms. @default Date.now */
  now?: () => number;
}

export function createRateLimitPlugin(options: RateLimitPluginOptions): ApolloServerPlugin<GatewayContext> {
  const { config, logger } = options;
  if (!config.enabled) return {};
  const store = options.store ?? createRateLimitStore(config.store, logger);
  const limiter = new FieldRateLimiter(store, config, (warnings) => {
    for (const warning of warnings) logger.warn({ event: 'rate_limit_config_ignored' }, warning);
  });
  const now = options.now ?? Date.now;
  const registers = options.metricsRegistry ? [options.metricsRegistry] : [];
  const rejections = new Counter({
    name: 'gateway_rate_limit_rejections_total',
    help: 'Operations rejected by a per-field rate limit, by field (Type.field) and identity tier.',
    labelNames: ['field', 'tier'],
    registers,
  });
  const storeFailures = new Counter({
    name: 'gateway_rate_limit_store_failures_total',
    help: 'Operations whose rate-limit check failed because the store was unavailable, by the policy applied (open | closed).',
    labelNames: ['policy'],
    registers,
  });

  return {
    async serverWillStart() {
      if (store instanceof RedisRateLimitStore) {
        // Give Redis a moment to connect so the first requests are counted, not waved through (fail open).
        const connected = await store.waitUntilReady(config.store.kind === 'redis' ? config.store.connectTimeoutMs : 1_000);
        if (!connected) logger.warn({ event: 'rate_limit_store_unavailable', policy: config.onStoreUnavailable }, 'rate-limit store (Redis) not reachable at startup');
      }
      return {
        async serverWillStop() {
          await limiter.close();
        },
      };
    },

    async requestDidStart() {
      // This request's admitted hits until execution starts: if another plugin's didResolveOperation
      // (they run concurrently, e.g. authorization's FORBIDDEN) rejects the operation, it never runs, and
      // "a rejected operation consumes nothing" means its hits are taken back.
      let admittedNotExecuted: Extract<RateLimitDecision, { kind: 'allowed' }> | undefined;
      return {
        async executionDidStart() {
          admittedNotExecuted = undefined;
        },
        async willSendResponse({ response, contextValue }) {
          const admitted = admittedNotExecuted;
          admittedNotExecuted = undefined;
          if (!admitted || response.body.kind !== 'single' || !response.body.singleResult.errors?.length) return;
          // The counts these headers announced no longer hold once the hits are taken back.
          response.http.headers.delete('ratelimit');
          response.http.headers.delete('ratelimit-policy');
          try {
            await limiter.refund(admitted);
          } catch (error) {
            // Not counted in store_failures (that metric means "a check fell back to the policy"); the hits
            // simply stay until they leave the window.
            logger.warn({ event: 'rate_limit_refund_failed', requestId: contextValue.requestId, err: (error as Error).message }, 'could not take back the hits of a rejected operation');
          }
        },
        async didResolveOperation(requestContext) {
          const { contextValue, request } = requestContext;
          if (!requestContext.document) return;
          // clientIp is resolved once per request in the context (X-Forwarded-For only from trusted proxies).
          const identity = rateLimitIdentity(contextValue.auth, contextValue.clientIp);
          const decision = await limiter.decide(
            {
              schema: requestContext.schema,
              supergraph: options.supergraphDocumentFor(requestContext.schema),
              // The document that will execute: authorization may already have removed fields the caller
              // may not see (they never run, so they do not count). If it has not run yet (hooks run
              // concurrently) the original is counted, which can only count more, never less.
              document: getRewrittenOperation(contextValue)?.document ?? requestContext.document,
              operationName: requestContext.operationName ?? request.operationName,
              variables: request.variables,
              identity,
            },
            now(),
          );
          if (decision.kind === 'unlimited') return;
          if (decision.kind === 'allowed') {
            admittedNotExecuted = decision;
            setHeaders(requestContext.response.http.headers, decision.headers);
            return;
          }
          if (decision.kind === 'storeUnavailable') {
            storeFailures.inc({ policy: config.onStoreUnavailable });
            logger.warn(
              { event: 'rate_limit_store_unavailable', requestId: contextValue.requestId, policy: config.onStoreUnavailable, err: decision.error.message },
              config.onStoreUnavailable === 'open' ? 'rate-limit store unavailable: admitting (fail open)' : 'rate-limit store unavailable: rejecting (fail closed)',
            );
            if (config.onStoreUnavailable === 'open') return;
            throw gatewayError('SERVICE_UNAVAILABLE', { extensions: { reason: 'rate_limit_store_unavailable' }, headers: { 'retry-after': '1' } });
          }
          const first = decision.exceeded[0];
          for (const exceeded of decision.exceeded) rejections.inc({ field: exceeded.coordinate, tier: identity.tier });
          logger.info(
            {
              event: 'rate_limited',
              requestId: contextValue.requestId,
              tier: identity.tier,
              fields: decision.exceeded.map((e) => e.coordinate),
              retryAfterSeconds: first ? toSeconds(first.retryAfterMs) : undefined,
            },
            'operation rejected by a rate limit',
          );
          throw rateLimitedError(first, decision.headers);
        },
      };
    },
  };
}

function rateLimitedError(exceeded: ExceededFieldLimit | undefined, headers: RateLimitHeaderValues | undefined) {
  const retryAfterSeconds = Math.max(1, toSeconds(exceeded?.retryAfterMs ?? 1_000));
  const coordinate = exceeded?.coordinate ?? 'unknown';
  // The directive's own message, when given, still names the field and the delay (clients show messages).
  const message = exceeded?.message
    ? `${exceeded.message} (${coordinate}: retry in ${retryAfterSeconds} s)`
    : `Rate limit exceeded for ${coordinate}: at most ${exceeded?.max} per ${toSeconds(exceeded?.windowMs ?? 0)} s; retry in ${retryAfterSeconds} s.`;
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
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) target.set(name, value);
}
