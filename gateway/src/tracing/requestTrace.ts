// What the request path sees of tracing: small interfaces with no OpenTelemetry import, so that the HTTP
// layer, the plugins and the datasource compile against them while the SDK itself is only loaded when
// tracing is on (loadRequestTracing.ts). Off, there is no RequestTracing and no RequestTrace: every call
// site is one `undefined` check.
import type { IncomingMessage } from 'node:http';
import type { RequestLogFields } from '../context.js';

/** The phases of one GraphQL request, each one span under the request's span (policy: authorization, demand control, rate limits). */
export type RequestPhase = 'parse' | 'validate' | 'policy' | 'plan' | 'execute';

/** Outcome of one subgraph fetch (with its retries), for its span. */
export interface SubgraphFetchOutcome {
  /** HTTP status of the subgraph's last answer, when there was one. */
  status?: number;
  /** The gateway's error code when the fetch failed (GATEWAY_TIMEOUT, SUBGRAPH_UNAVAILABLE, ...). */
  errorCode?: string;
  /** Number of GraphQL errors in the subgraph's answer. */
  graphqlErrors?: number;
}

/** The span of one subgraph fetch: forwarded as `traceparent`, ended once the fetch is answered or failed. */
export interface SubgraphFetchTrace {
  /** `traceparent` (and `tracestate` when the trace has one) naming this fetch's span as the subgraph's parent. */
  readonly headers: Readonly<Record<string, string>>;
  /** A retry is about to be sent (attempt 1 is the first retry); `reason` is why the last attempt failed. */
  retrying(attempt: number, reason: string): void;
  end(outcome: SubgraphFetchOutcome): void;
}

/** The trace of one HTTP request to the gateway. */
export interface RequestTrace {
  readonly traceId: string;
  /** The request span's id. */
  readonly spanId: string;
  /** Starts a phase's span (a request has each phase at most once). */
  startPhase(phase: RequestPhase): void;
  /** Ends a phase's span, failed when `errors` has any; a phase not started (or already ended) is left alone. */
  endPhase(phase: RequestPhase, errors?: readonly unknown[]): void;
  /** Starts the span of one subgraph fetch, a child of the execute phase (or of the request when there is none). */
  startSubgraphFetch(subgraph: string, url: string, breakerState: string): SubgraphFetchTrace;
  /** Ends the request span with the response status and what the request log noted. */
  end(status: number, log: Readonly<RequestLogFields>): void;
}

/** The gateway's tracer, created once when tracing is on. */
export interface RequestTracing {
  /** Starts the span of one HTTP request, continuing the client's trace only when its peer is trusted. */
  startRequest(req: IncomingMessage, route: string, requestId: string): RequestTrace;
  /** Exports what is still buffered and stops (on shutdown). */
  shutdown(): Promise<void>;
}
