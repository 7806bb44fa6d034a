// The response cache: whole query answers kept for as long as the subgraphs' cache hints allow.
//
// Hints: each subgraph computes its answer's hint from its @cacheControl(maxAge, scope) declarations and
// sends it as Cache-Control; @apollo/gateway's RemoteGraphQLDataSource (our datasource calls its process())
// folds every fetch's header into the request's overall cache policy: the smallest maxAge, PRIVATE if any
// fetch was, uncacheable if any fetch sent none. Apollo Server's cache-control plugin turns that policy
// into the response's Cache-Control header.
//
// Storage: @apollo/server-plugin-response-cache, which already does what users expect of Apollo's own
// cache: only queries, never answers with errors (partial data included) or without a hint; PRIVATE
// answers keyed by a session id (ours: the caller's identity as subgraphs see it; anonymous callers'
// PRIVATE answers are not cached); an Age header on hits, whose Cache-Control is the stored hint's. Its
// extraCacheKeyData takes the supergraph version and the propagated headers (responseCacheKey.ts). Around
// it, this file adds what the gateway's own policy requires, in one plugin listed before it:
//   - authorization: a response from which authorization removed fields is caller-specific (and carries
//     errors): never read, never written, sent with `Cache-Control: no-store`. A response that selects a
//     field under @authenticated/@requiresScopes at all depends on the caller's grants even when they were
//     met: it is made PRIVATE, so a PUBLIC entry (and a public Cache-Control that shared HTTP caches obey)
//     only ever comes from operations that authorization does not look at.
//   - the policy pipeline runs before any lookup (its didResolveOperation precedes responseForOperation):
//     a hit is authorized, costed and charged against rate limits like any request, and its charge is
//     reconciled with the cached data afterwards. Rate limits count what a caller reads, not what it costs
//     the subgraphs, so a cached answer still counts.
//   - a store that fails is a miss (failSafeKeyValueCache.ts); hits and misses are counted
//     (gateway_response_cache_lookups_total) and noted on the access-log line (`responseCache`).
import type { ApolloServerPlugin, GraphQLRequestContext } from '@apollo/server';
import type { GatewayContext } from '../context.js';
import type { Logger } from '../logger.js';
import type { GatewayMetrics } from '../metrics.js';
import type { SupergraphRegistry } from '../supergraph/supergraphRegistry.js';
import { createCacheStore } from './createCacheStore.js';
import type { ResponseCacheConfig } from './responseCacheConfig.js';
import { callerCacheKey, createSupergraphVersions, headerValues } from './responseCacheKey.js';

export interface ResponseCacheOptions {
  config: ResponseCacheConfig;
  /** Client headers any subgraph receives (they become part of every key). */
  propagatedHeaders: readonly string[];
  registry: SupergraphRegistry;
  logger: Logger;
  metrics: Pick<GatewayMetrics, 'responseCacheLookups' | 'responseCacheWrites' | 'cacheStoreErrors'>;
}

/** The plugins of the response cache, in request order (none when it is disabled). */
export async function createResponseCachePlugins(options: ResponseCacheOptions): Promise<ApolloServerPlugin<GatewayContext>[]> {
  const { config, metrics } = options;
  if (!config.enabled) return [];
  // Loaded only when the cache is on: startup of a gateway without it does not pay for the module.
  const { default: responseCachePlugin } = await import('@apollo/server-plugin-response-cache');
  const store = createCacheStore('response', config.store, {
    logger: options.logger,
    metrics,
    maxEntryBytes: config.maxEntryBytes,
    maxTtlSeconds: config.maxTtlSeconds,
    onWrite: (result) => metrics.responseCacheWrites.inc({ result }),
  });
  const supergraphVersion = createSupergraphVersions(options.registry);
  // Requests whose lookup ran (to count a hit or a miss once their response is sent).
  const lookedUp = new WeakSet<GatewayContext>();

  /** Admitted by the policy pipeline, and nothing removed by authorization: the answer may be read and written. */
  const mayUseCache = ({ contextValue }: GraphQLRequestContext<GatewayContext>): boolean =>
    contextValue.policy !== undefined && contextValue.policy.authorization === null;

  const gatewayPolicy: ApolloServerPlugin<GatewayContext> = {
    async serverWillStart() {
      await store.start();
      return {
        async serverWillStop() {
          await store.stop();
        },
      };
    },
    async requestDidStart() {
      return {
        // After every didResolveOperation (the policy pipeline's included), before the cache's lookup.
        async responseForOperation(requestContext) {
          if (requestContext.operation?.operation !== 'query') return null;
          const policy = requestContext.contextValue.policy;
          if (!policy || policy.authorization) requestContext.overallCachePolicy.restrict({ maxAge: 0 });
          else if (policy.guardedByAuthorization) requestContext.overallCachePolicy.restrict({ scope: 'PRIVATE' });
          return null;
        },
        async willSendResponse({ contextValue, metrics: requestMetrics }) {
          if (!lookedUp.has(contextValue)) return;
          const result = requestMetrics.responseCacheHit === true ? 'hit' : 'miss';
          metrics.responseCacheLookups.inc({ result });
          contextValue.requestLog.responseCache = result;
        },
      };
    },
  };

  const cache = responseCachePlugin<GatewayContext>({
    cache: store.cache,
    sessionId: async ({ contextValue }) => callerCacheKey(contextValue),
    extraCacheKeyData: async ({ schema, contextValue }) => ({
      supergraph: supergraphVersion(schema),
      headers: headerValues(contextValue.req, options.propagatedHeaders),
    }),
    shouldReadFromCache: async (requestContext) => {
      if (!mayUseCache(requestContext)) return false;
      lookedUp.add(requestContext.contextValue);
      return true;
    },
    shouldWriteToCache: async (requestContext) => mayUseCache(requestContext),
  });

  return [gatewayPolicy, cache];
}
