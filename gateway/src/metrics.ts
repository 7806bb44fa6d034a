// Prometheus metrics for one gateway instance (its own registry: no process-global state, so two
// gateways in one process, e.g. in tests, never share counters). Labels stay low-cardinality:
// route, method, status, error code, subgraph name (from the supergraph), never user ids; operation
// names and client names/versions only through a bounded label (metricLabels.ts: a fixed number of
// distinct values, the rest collapse into one). `aggregator` says how a gauge combines where a sum of
// several processes' registries (prom-client's AggregatorRegistry) would be wrong.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { GatewayConfig } from './config.js';

export interface GatewayMetrics {
  readonly registry: Registry;
  readonly httpRequests: Counter<'route' | 'method' | 'status'>;
  readonly httpDuration: Histogram<'route' | 'status'>;
  readonly graphqlErrors: Counter<'code'>;
  readonly httpConnectionsDropped: Counter;
  readonly supergraphReloads: Counter<'result'>;
  readonly circuitState: Gauge<'subgraph'>;
  readonly authorizationDenials: Counter<'coordinate'>;
  readonly entityRepresentationsDeduplicated: Counter<'subgraph'>;
  readonly operationCost: Histogram<'kind'>;
  readonly costLimitExceeded: Counter<'mode'>;
  readonly rateLimitRejections: Counter<'field' | 'tier'>;
  readonly rateLimitStoreFailures: Counter<'policy'>;
  readonly rateLimitCallsGivenBack: Counter<'field'>;
  readonly policyConfigUnknownCoordinates: Gauge<'key'>;
  readonly responseCacheLookups: Counter<'result'>;
  readonly responseCacheWrites: Counter<'result'>;
  readonly cacheStoreErrors: Counter<'cache' | 'operation'>;
  readonly apqRequests: Counter<'result'>;
  readonly trustedDocuments: Counter<'result'>;
  readonly trustedDocumentsLoaded: Gauge;
  readonly trustedDocumentsReloads: Counter<'result'>;
  readonly subgraphFetches: Counter<'subgraph' | 'outcome'>;
  readonly subgraphFetchDuration: Histogram<'subgraph'>;
  readonly subgraphErrors: Counter<'subgraph' | 'code'>;
  readonly subgraphRetries: Counter<'subgraph'>;
  readonly operationDuration: Histogram<'operation_name' | 'operation_type'>;
  readonly clientRequests: Counter<'client_name' | 'client_version'>;
}

/** 5 ms to 10 s: a gateway hop is usually a few ms; subgraph timeouts cap the tail. */
const LATENCY_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The config keys the metrics module reads (`config.metrics`; the defaults live in the config schema). */
export type GatewayMetricsOptions = Pick<GatewayConfig['metrics'], 'eventLoopResolutionMs'>;

export function createGatewayMetrics({ eventLoopResolutionMs }: GatewayMetricsOptions): GatewayMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'gateway_', eventLoopMonitoringPrecision: eventLoopResolutionMs });
  return {
    registry,
    httpRequests: new Counter({
      name: 'gateway_http_requests_total',
      help: 'HTTP requests served, by route, method and status code.',
      labelNames: ['route', 'method', 'status'],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'gateway_http_request_duration_seconds',
      help: 'Time from request start to the last byte of the response, in seconds.',
      labelNames: ['route', 'status'],
      buckets: LATENCY_BUCKETS_SECONDS,
      registers: [registry],
    }),
    httpConnectionsDropped: new Counter({
      name: 'gateway_http_connections_dropped_total',
      help: 'Client connections closed on arrival because server.maxConnections were open.',
      registers: [registry],
    }),
    graphqlErrors: new Counter({
      name: 'gateway_graphql_errors_total',
      help: 'GraphQL errors sent to clients, by error code.',
      labelNames: ['code'],
      registers: [registry],
    }),
    supergraphReloads: new Counter({
      name: 'gateway_supergraph_reloads_total',
      help: 'Supergraph hot reloads, by result (applied | rejected).',
      labelNames: ['result'],
      registers: [registry],
    }),
    authorizationDenials: new Counter({
      name: 'gateway_authorization_denials_total',
      help: 'Fields removed (or operations rejected) by @authenticated/@requiresScopes, by schema coordinate.',
      labelNames: ['coordinate'],
      registers: [registry],
    }),
    entityRepresentationsDeduplicated: new Counter({
      name: 'gateway_entity_representations_deduplicated_total',
      help: 'Entity representations not sent to a subgraph because the same one was already in the fetch, by subgraph.',
      labelNames: ['subgraph'],
      registers: [registry],
    }),
    operationCost: new Histogram({
      name: 'gateway_operation_cost',
      help: 'Demand-control cost per operation: kind="estimated" before execution, kind="actual" measured from the response.',
      labelNames: ['kind'],
      // Decades around the default maxCost (1000), as Apollo Router's cost views use.
      buckets: [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000],
      registers: [registry],
    }),
    costLimitExceeded: new Counter({
      name: 'gateway_cost_limit_exceeded_total',
      help: 'Operations whose estimated cost was over demandControl.maxCost, by mode (enforce: refused; measure: admitted).',
      labelNames: ['mode'],
      registers: [registry],
    }),
    rateLimitRejections: new Counter({
      name: 'gateway_rate_limit_rejections_total',
      help: 'Operations rejected by a per-field rate limit, by field (Type.field) and identity tier.',
      labelNames: ['field', 'tier'],
      registers: [registry],
    }),
    rateLimitStoreFailures: new Counter({
      name: 'gateway_rate_limit_store_failures_total',
      help: 'Operations whose rate-limit check failed because the store was unavailable, by the policy applied (open | closed).',
      labelNames: ['policy'],
      registers: [registry],
    }),
    rateLimitCallsGivenBack: new Counter({
      name: 'gateway_rate_limit_calls_given_back_total',
      help: 'Rate-limited calls charged before execution (estimated) that did not run and were given back after it, by field.',
      labelNames: ['field'],
      registers: [registry],
    }),
    policyConfigUnknownCoordinates: new Gauge({
      name: 'gateway_policy_config_unknown_coordinates',
      help: 'Config entries (rateLimits, demandControl) naming a Type.field the current schema does not have: 1 per key, after a hot reload removed it.',
      labelNames: ['key'],
      aggregator: 'max',
      registers: [registry],
    }),
    responseCacheLookups: new Counter({
      name: 'gateway_response_cache_lookups_total',
      help: 'Response-cache lookups of queries, by result (hit: answered from the cache; miss: executed, a store failure included).',
      labelNames: ['result'],
      registers: [registry],
    }),
    responseCacheWrites: new Counter({
      name: 'gateway_response_cache_writes_total',
      help: 'Responses written to the response cache, by result (stored | too_large: over responseCache.maxEntryBytes, not stored).',
      labelNames: ['result'],
      registers: [registry],
    }),
    cacheStoreErrors: new Counter({
      name: 'gateway_cache_store_errors_total',
      help: 'Cache store calls that failed (served as a miss or a dropped write, never an error), by cache (response | apq) and operation.',
      labelNames: ['cache', 'operation'],
      registers: [registry],
    }),
    apqRequests: new Counter({
      name: 'gateway_apq_requests_total',
      help: 'Automatic persisted query requests, by result (hit: run from its hash; registered: hash and query stored; not_found).',
      labelNames: ['result'],
      registers: [registry],
    }),
    trustedDocuments: new Counter({
      name: 'gateway_trusted_documents_total',
      help: 'Operations checked against the trusted-documents manifest, by result (by_id | listed | unknown: run and logged | refused).',
      labelNames: ['result'],
      registers: [registry],
    }),
    trustedDocumentsLoaded: new Gauge({
      name: 'gateway_trusted_documents_operations',
      help: 'Operations in the trusted-documents manifest currently loaded.',
      registers: [registry],
    }),
    trustedDocumentsReloads: new Counter({
      name: 'gateway_trusted_documents_reloads_total',
      help: 'Trusted-documents manifest reloads, by result (applied | rejected: the previous list stays).',
      labelNames: ['result'],
      registers: [registry],
    }),
    circuitState: new Gauge({
      name: 'gateway_subgraph_circuit_state',
      help: 'Circuit breaker per subgraph: 0 closed, 0.5 half-open, 1 open (failing fast).',
      labelNames: ['subgraph'],
      aggregator: 'max',
      registers: [registry],
    }),
    subgraphFetches: new Counter({
      name: 'gateway_subgraph_fetches_total',
      help: 'Fetches sent to a subgraph (a retried fetch counts once), by subgraph and outcome (ok | error: a transport failure or GraphQL errors in the answer).',
      labelNames: ['subgraph', 'outcome'],
      registers: [registry],
    }),
    subgraphFetchDuration: new Histogram({
      name: 'gateway_subgraph_fetch_duration_seconds',
      help: 'Time of one subgraph fetch, retries and backoff included, until its answer is read, in seconds, by subgraph.',
      labelNames: ['subgraph'],
      buckets: LATENCY_BUCKETS_SECONDS,
      registers: [registry],
    }),
    subgraphErrors: new Counter({
      name: 'gateway_subgraph_errors_total',
      help: 'Subgraph fetch errors by subgraph and code: the gateway code of a failed fetch (GATEWAY_TIMEOUT, SUBGRAPH_UNAVAILABLE, DOWNSTREAM_SERVICE_ERROR, ...) or the code of each GraphQL error in an answer (codes the gateway does not know: OTHER).',
      labelNames: ['subgraph', 'code'],
      registers: [registry],
    }),
    subgraphRetries: new Counter({
      name: 'gateway_subgraph_retries_total',
      help: 'Retried subgraph fetches (queries only, after a refused connection or a 502/503/504), by subgraph.',
      labelNames: ['subgraph'],
      registers: [registry],
    }),
    operationDuration: new Histogram({
      name: 'gateway_operation_duration_seconds',
      help: 'GraphQL requests from the first byte to the last, in seconds, by operation name (bounded: metrics.maxOperationNames distinct names, then __other__; __anonymous__ for unnamed operations, __unknown__ when no operation was resolved) and type.',
      labelNames: ['operation_name', 'operation_type'],
      buckets: LATENCY_BUCKETS_SECONDS,
      registers: [registry],
    }),
    clientRequests: new Counter({
      name: 'gateway_client_requests_total',
      help: 'GraphQL requests by client, from the apollographql-client-name and -version headers (bounded: metrics.maxClients distinct pairs, then __other__; __unknown__ without the header).',
      labelNames: ['client_name', 'client_version'],
      registers: [registry],
    }),
  };
}
