// The OpenTelemetry implementation of RequestTracing, with the official SDK (sdk-trace-base's
// BasicTracerProvider, a BatchSpanProcessor, the OTLP/HTTP exporter). Loaded only when tracing is on
// (loadRequestTracing.ts imports it dynamically), so an untraced gateway never loads the SDK.
//
// One span tree per request, with explicit parents (no async context manager, no global registration):
//
//   POST /graphql                      SERVER  http.*, graphql.operation.name/type, gateway.request_id
//   ├─ graphql.parse / graphql.validate         (Apollo Server's hooks, tracingPlugin.ts)
//   ├─ graphql.policy                           (authorization → demand control → rate limits, policyPipeline.ts)
//   ├─ graphql.plan                             (executor start until the query plan is resolved)
//   └─ graphql.execute                          (the plan run, federation.ts)
//      └─ subgraph <name>              CLIENT  subgraph.name, http.response.status_code, retries, breaker state
//
// @apollo/gateway creates its own spans (gateway.request/validate/plan/execute/fetch/postprocessing) through
// the *global* tracer provider. This provider is deliberately never registered globally, so those stay no-ops:
// theirs would nest request → gateway.request → gateway.execute → gateway.fetch → our fetch, with the fetch
// span (the one that knows status, retries and breaker state) two levels below a near-empty copy, and would
// need an AsyncLocalStorage context manager on every await of every request.
import type { IncomingMessage } from 'node:http';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Link, type Span, type SpanContext, type Tracer } from '@opentelemetry/api';
import { parseTraceParent, setGlobalErrorHandler, TraceState, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type Sampler,
} from '@opentelemetry/sdk-trace-base';
import {
  ATTR_CLIENT_ADDRESS,
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_SERVICE_NAME,
  ATTR_URL_FULL,
  ATTR_URL_PATH,
} from '@opentelemetry/semantic-conventions';
import type { RequestLogFields } from '../context.js';
import type { Logger } from '../logger.js';
import { createAddressMatcher } from '../rateLimit/clientAddress.js';
import type { RequestPhase, RequestTrace, RequestTracing, SubgraphFetchOutcome, SubgraphFetchTrace } from './requestTrace.js';
import { tracesEndpoint, type TracingConfig } from './tracingConfig.js';

// GraphQL semantic conventions are still incubating (not in the package's stable entry point): named here.
const ATTR_GRAPHQL_OPERATION_NAME = 'graphql.operation.name';
const ATTR_GRAPHQL_OPERATION_TYPE = 'graphql.operation.type';
const ATTR_REQUEST_ID = 'gateway.request_id';
const ATTR_ERROR_CODES = 'gateway.error_codes';
const ATTR_SUBGRAPH_NAME = 'subgraph.name';
const ATTR_SUBGRAPH_RETRIES = 'gateway.subgraph.retries';
const ATTR_SUBGRAPH_BREAKER = 'gateway.subgraph.circuit_breaker';
const ATTR_SUBGRAPH_GRAPHQL_ERRORS = 'gateway.subgraph.graphql_errors';
const ATTR_UNTRUSTED_PARENT = 'gateway.untrusted_parent';

/** A version-00 traceparent is 55 characters; a future version may append fields. Longer: ignored unread. */
const MAX_TRACEPARENT_LENGTH = 256;
/** The W3C minimum a vendor must keep is 512 characters; TraceState keeps ≤ 512 and ≤ 32 members. Longer: ignored unread. */
const MAX_TRACESTATE_LENGTH = 4096;
/** Client-chosen strings put on spans are cut to this many characters. */
const MAX_ATTRIBUTE_LENGTH = 256;
/** Export failures are logged at most once per this many ms (a collector that is down fails every export). */
const EXPORT_ERROR_LOG_INTERVAL_MS = 60_000;
/** Shutdown waits at most this long for the last export (a dead collector must not hold the exit). */
const SHUTDOWN_FLUSH_LIMIT_MS = 5_000;

const PHASE_SPAN_NAMES: Record<RequestPhase, string> = {
  parse: 'graphql.parse',
  validate: 'graphql.validate',
  policy: 'graphql.policy',
  plan: 'graphql.plan',
  execute: 'graphql.execute',
};

export interface OtelRequestTracingOptions {
  config: Readonly<TracingConfig>;
  logger: Logger;
  /** `service.version` of the spans' resource. */
  serviceVersion?: string;
}

function samplerOf(config: Readonly<TracingConfig>): Sampler {
  switch (config.sampler) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(config.sampleRatio);
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(config.sampleRatio) });
  }
}

function headerText(value: string | string[] | undefined): string | undefined {
  // Node joins repeated unknown headers with ", ": two traceparent headers then fail the parse (the spec: ignore both).
  return Array.isArray(value) ? value.join(',') : value;
}

/** The client's trace context from `traceparent`/`tracestate`, or undefined when absent or malformed (bounded work). */
export function remoteParentOf(req: IncomingMessage, withTraceState: boolean): SpanContext | undefined {
  const traceparent = headerText(req.headers.traceparent);
  if (traceparent === undefined || traceparent.length > MAX_TRACEPARENT_LENGTH) return undefined;
  const parsed = parseTraceParent(traceparent);
  if (!parsed) return undefined;
  const tracestate = withTraceState ? headerText(req.headers.tracestate) : undefined;
  const traceState = tracestate !== undefined && tracestate.length <= MAX_TRACESTATE_LENGTH ? new TraceState(tracestate) : undefined;
  return { ...parsed, isRemote: true, ...(traceState ? { traceState } : {}) };
}

function clip(value: string): string {
  return value.length > MAX_ATTRIBUTE_LENGTH ? value.slice(0, MAX_ATTRIBUTE_LENGTH) : value;
}

function endWithErrors(span: Span, errors: readonly unknown[] | undefined): void {
  if (errors && errors.length > 0) {
    const first = errors[0];
    const message = first instanceof Error ? first.message : typeof (first as { message?: unknown })?.message === 'string' ? (first as { message: string }).message : String(first);
    span.setStatus({ code: SpanStatusCode.ERROR, message: clip(message) });
  }
  span.end();
}

export function createOtelRequestTracing(options: OtelRequestTracingOptions): RequestTracing {
  const { config, logger } = options;
  let lastErrorLoggedAt = 0;
  let suppressedErrors = 0;
  // The SDK reports failed exports here (its default only goes to the diag logger, off by default: silent).
  setGlobalErrorHandler((error) => {
    const now = Date.now();
    if (now - lastErrorLoggedAt < EXPORT_ERROR_LOG_INTERVAL_MS) {
      suppressedErrors += 1;
      return;
    }
    lastErrorLoggedAt = now;
    logger.warn(
      { event: 'tracing_export_failed', err: (error as Error)?.message ?? String(error), suppressedSinceLast: suppressedErrors, endpoint: tracesEndpoint(config) },
      'OpenTelemetry export failed; spans are dropped while the collector is unreachable',
    );
    suppressedErrors = 0;
  });
  // The URL only: OTEL_EXPORTER_OTLP_[TRACES_]HEADERS (a vendor's API key), _TIMEOUT and _COMPRESSION stay the exporter's to read.
  const exporter = new OTLPTraceExporter({ url: tracesEndpoint(config) });
  const resource = detectResources({ detectors: [envDetector] }).merge(
    resourceFromAttributes({ [ATTR_SERVICE_NAME]: config.serviceName, ...(options.serviceVersion ? { 'service.version': options.serviceVersion } : {}) }),
  );
  const provider = new BasicTracerProvider({
    resource,
    sampler: samplerOf(config),
    spanProcessors: [
      new BatchSpanProcessor(exporter, {
        scheduledDelayMillis: config.batch.scheduledDelayMs,
        maxQueueSize: config.batch.maxQueueSize,
        maxExportBatchSize: config.batch.maxExportBatchSize,
        exportTimeoutMillis: config.batch.exportTimeoutMs,
      }),
    ],
  });
  const tracer: Tracer = provider.getTracer('federation-gateway', options.serviceVersion);
  const propagator = new W3CTraceContextPropagator();
  const trusted = createAddressMatcher(config.acceptTraceparentFrom);

  function startRequest(req: IncomingMessage, route: string, requestId: string): RequestTrace {
    const peer = req.socket.remoteAddress;
    const isTrusted = trusted(peer);
    const remote = remoteParentOf(req, isTrusted);
    // An untrusted client's context is only linked (correlation without letting it pick our trace ID or sampling).
    const parent = remote && isTrusted ? trace.setSpanContext(ROOT_CONTEXT, remote) : ROOT_CONTEXT;
    const links: Link[] | undefined = remote && !isTrusted ? [{ context: remote, attributes: { [ATTR_UNTRUSTED_PARENT]: true } }] : undefined;
    const method = req.method ?? 'GET';
    const attributes: Attributes = {
      [ATTR_HTTP_REQUEST_METHOD]: method,
      [ATTR_HTTP_ROUTE]: route,
      [ATTR_URL_PATH]: clip((req.url ?? '/').split('?')[0]!),
      [ATTR_REQUEST_ID]: requestId,
    };
    if (peer) attributes[ATTR_CLIENT_ADDRESS] = peer;
    const requestSpan = tracer.startSpan(`${method} ${route}`, { kind: SpanKind.SERVER, attributes, ...(links ? { links } : {}) }, parent);
    const requestContext = trace.setSpan(ROOT_CONTEXT, requestSpan);
    const { traceId, spanId } = requestSpan.spanContext();
    const phases = new Map<RequestPhase, Span>();
    let executeContext = requestContext;
    let ended = false;

    return {
      traceId,
      spanId,
      startPhase(phase) {
        if (phases.has(phase)) return;
        const span = tracer.startSpan(PHASE_SPAN_NAMES[phase], undefined, requestContext);
        phases.set(phase, span);
        if (phase === 'execute') executeContext = trace.setSpan(ROOT_CONTEXT, span);
      },
      endPhase(phase, errors) {
        const span = phases.get(phase);
        if (!span || !span.isRecording()) return;
        endWithErrors(span, errors);
      },
      startSubgraphFetch(subgraph, url, breakerState) {
        const target = URL.canParse(url) ? new URL(url) : undefined;
        const fetchAttributes: Attributes = {
          [ATTR_SUBGRAPH_NAME]: subgraph,
          [ATTR_HTTP_REQUEST_METHOD]: 'POST',
          [ATTR_URL_FULL]: url,
          [ATTR_SUBGRAPH_BREAKER]: breakerState,
        };
        if (target) {
          fetchAttributes[ATTR_SERVER_ADDRESS] = target.hostname;
          fetchAttributes[ATTR_SERVER_PORT] = Number(target.port || (target.protocol === 'https:' ? 443 : 80));
        }
        const span = tracer.startSpan(`subgraph ${subgraph}`, { kind: SpanKind.CLIENT, attributes: fetchAttributes }, executeContext);
        const headers: Record<string, string> = {};
        propagator.inject(trace.setSpan(ROOT_CONTEXT, span), headers, { set: (carrier, key, value) => (carrier[key] = value) });
        let retries = 0;
        const fetchTrace: SubgraphFetchTrace = {
          headers,
          retrying(attempt, reason) {
            retries = attempt;
            span.addEvent('retry', { attempt, reason: clip(reason) });
          },
          end(outcome: SubgraphFetchOutcome) {
            span.setAttribute(ATTR_SUBGRAPH_RETRIES, retries);
            if (outcome.status !== undefined) span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, outcome.status);
            if (outcome.graphqlErrors) span.setAttribute(ATTR_SUBGRAPH_GRAPHQL_ERRORS, outcome.graphqlErrors);
            if (outcome.errorCode) {
              span.setAttribute(ATTR_ERROR_TYPE, outcome.errorCode);
              span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.errorCode });
            }
            span.end();
          },
        };
        return fetchTrace;
      },
      end(status: number, log: Readonly<RequestLogFields>) {
        if (ended) return;
        ended = true;
        // A phase left open (the client went away mid-request) ends with the request.
        for (const span of phases.values()) if (span.isRecording()) span.end();
        requestSpan.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
        if (log.operationType) requestSpan.setAttribute(ATTR_GRAPHQL_OPERATION_TYPE, log.operationType);
        if (log.operationName) requestSpan.setAttribute(ATTR_GRAPHQL_OPERATION_NAME, clip(log.operationName));
        if (log.errorCodes.length > 0) {
          const codes = [...new Set(log.errorCodes)];
          requestSpan.setAttribute(ATTR_ERROR_CODES, codes);
          requestSpan.setAttribute(ATTR_ERROR_TYPE, codes[0]!);
          // A server failure, or errors in a 200 answer (partial data): an error. A refused request (4xx) is the
          // client's mistake: not an error of the gateway (the HTTP semantic conventions for server spans).
          if (status >= 500 || status < 400) requestSpan.setStatus({ code: SpanStatusCode.ERROR, message: codes.join(',') });
        } else if (status >= 500) {
          requestSpan.setStatus({ code: SpanStatusCode.ERROR });
        }
        requestSpan.end();
      },
    };
  }

  return {
    startRequest,
    async shutdown() {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        provider.shutdown().catch((error: unknown) => logger.warn({ event: 'tracing_shutdown_failed', err: (error as Error).message }, 'OpenTelemetry flush on shutdown failed')),
        new Promise<void>((resolveLimit) => (timer = setTimeout(resolveLimit, SHUTDOWN_FLUSH_LIMIT_MS))),
      ]);
      clearTimeout(timer);
    },
  };
}
