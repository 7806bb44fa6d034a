// Prometheus metrics for one gateway instance (its own registry: no process-global state, so two
// gateways in one process, e.g. in tests, never share counters). Labels stay low-cardinality:
// route, method, status class and error code, never operation names or user ids.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface GatewayMetrics {
  readonly registry: Registry;
  readonly httpRequests: Counter<'route' | 'method' | 'status'>;
  readonly httpDuration: Histogram<'route' | 'status'>;
  readonly graphqlErrors: Counter<'code'>;
  readonly supergraphReloads: Counter<'result'>;
  readonly circuitState: Gauge<'subgraph'>;
  readonly authorizationDenials: Counter<'coordinate'>;
  readonly entityRepresentationsDeduplicated: Counter<'subgraph'>;
}

export function createGatewayMetrics(): GatewayMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'gateway_' });
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
      // 5 ms to 10 s: a gateway hop is usually a few ms; subgraph timeouts cap the tail.
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
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
    circuitState: new Gauge({
      name: 'gateway_subgraph_circuit_state',
      help: 'Circuit breaker per subgraph: 0 closed, 0.5 half-open, 1 open (failing fast).',
      labelNames: ['subgraph'],
      registers: [registry],
    }),
  };
}
