// Automatic persisted queries (Apollo's APQ protocol), served by Apollo Server itself: a request with
// `extensions.persistedQuery.sha256Hash` and no `query` runs the query stored under that hash, or answers
// PERSISTED_QUERY_NOT_FOUND (HTTP 200, Apollo Server's status, which APQ clients expect) so the client sends
// hash and query together, which stores it (only once the operation was admitted by every policy step).
// What this gateway adds: the store (config `apq.store`: a bounded in-memory LRU by default, or the Redis
// every instance shares), with a TTL; reads and writes that fail are misses and dropped writes
// (Apollo Server would answer a throwing store with a 500), and the requests are counted.
import type { ApolloServerOptions, ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from '../context.js';
import type { Logger } from '../logger.js';
import type { GatewayMetrics } from '../metrics.js';
import { createCacheStore } from '../caching/createCacheStore.js';
import type { ApqConfig } from './apqConfig.js';

export interface AutomaticPersistedQueries {
  /** Apollo Server's `persistedQueries` option. */
  persistedQueries: ApolloServerOptions<GatewayContext>['persistedQueries'];
  /** Store lifecycle and metrics. */
  plugin: ApolloServerPlugin<GatewayContext>;
}

export interface AutomaticPersistedQueriesOptions {
  config: ApqConfig;
  logger: Logger;
  metrics: Pick<GatewayMetrics, 'apqRequests' | 'cacheStoreErrors'>;
}

export function createAutomaticPersistedQueries(options: AutomaticPersistedQueriesOptions): AutomaticPersistedQueries {
  const { config, metrics } = options;
  if (!config.enabled) return { persistedQueries: false, plugin: {} };
  const store = createCacheStore('apq', config.store, { logger: options.logger, metrics, maxTtlSeconds: config.ttlSeconds });
  return {
    persistedQueries: { cache: store.cache, ttl: config.ttlSeconds },
    plugin: {
      async serverWillStart() {
        await store.start();
        return {
          async serverWillStop() {
            await store.stop();
          },
        };
      },
      async requestDidStart({ request }) {
        const hashOnly = request.query === undefined && request.extensions?.persistedQuery !== undefined;
        return {
          async willSendResponse({ metrics: requestMetrics, response }) {
            if (requestMetrics.persistedQueryHit) metrics.apqRequests.inc({ result: 'hit' });
            // Apollo Server stores the query once every didResolveOperation admitted it: not after a request error.
            else if (requestMetrics.persistedQueryRegister && (response.http.status ?? 200) < 400) metrics.apqRequests.inc({ result: 'registered' });
            else if (hashOnly) metrics.apqRequests.inc({ result: 'not_found' });
          },
        };
      },
    },
  };
}
