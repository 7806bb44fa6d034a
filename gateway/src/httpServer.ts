// The HTTP layer: a plain node:http server (Apollo Server 5 has no built-in one) that routes
// /graphql (and /healthz, /readyz, /metrics unless the admin listener serves them: adminRoutes.ts),
// records the request metrics, enforces body/method/content-type limits before any
// GraphQL work, sets CORS and X-Request-ID, and writes one access-log line per request.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { HeaderMap, type ApolloServer, type HTTPGraphQLRequest } from '@apollo/server';
import type { GatewayConfig } from './config.js';
import type { GatewayContext, RequestLogFields } from './context.js';
import type { Logger } from './logger.js';
import type { GatewayMetrics } from './metrics.js';
import type { RequestErrors, RequestErrorScope } from './requestErrors.js';
import type { ExplorerRoutes } from './explorer/explorerRoutes.js';
import { OPS_PATHS, serveOpsRoute } from './adminRoutes.js';
import { ANONYMOUS_LABEL, createBoundedLabels, headerValue, UNKNOWN_LABEL } from './metricLabels.js';
import { credentialHeaderNames, duplicatedHeader } from './auth/duplicateCredentialHeaders.js';
import { httpServerOptions, limitConnections } from './httpEdge.js';
import { declaredLength, discardRestOfBody, readBodyWithin } from './requestBody.js';
import type { TrustedDocumentsGate } from './persistedQueries/trustedDocuments.js';
import type { RequestTrace, RequestTracing } from './tracing/requestTrace.js';
import { runWithTrace } from './tracing/logCorrelation.js';

export interface HttpServerOptions {
  config: Readonly<GatewayConfig>;
  apollo: ApolloServer<GatewayContext>;
  logger: Logger;
  metrics: GatewayMetrics;
  /** The one path of every error response (also used by the error-reporting plugin). */
  errors: RequestErrors;
  /** Builds the per-request context; may throw a GraphQLError (e.g. 401) that Apollo renders. */
  buildContext(req: IncomingMessage, requestId: string, requestLog: RequestLogFields, trace: RequestTrace | undefined): Promise<GatewayContext>;
  /** True once a supergraph is loaded and the gateway is not shutting down. */
  isReady(): boolean;
  /** When configured, per-subgraph health reported (and required) by /readyz. */
  subgraphHealth?: (() => Promise<Record<string, 'ok' | 'unavailable'>>) | undefined;
  isShuttingDown(): boolean;
  /** The text of /metrics when not this process's registry alone (a cluster worker: the whole cluster's). */
  metricsText?: (() => Promise<string>) | undefined;
  /** Serve /healthz, /readyz and /metrics here (false when the admin listener serves them). */
  serveOpsRoutes: boolean;
  /** GET /graphiql (local explorer) and GET /graphql/schema.graphql, when enabled. */
  explorer?: ExplorerRoutes;
  /** Trusted documents: ids resolved, unlisted operations refused, before Apollo Server sees the request. */
  trustedDocuments?: TrustedDocumentsGate | undefined;
  /** Spans for GraphQL requests, when tracing is on. */
  tracing?: RequestTracing | undefined;
}

const GRAPHQL_PATH = '/graphql';
/** A client-sent X-Request-ID is kept only if it is short and plain, so it is safe to log and echo. */
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

function pickRequestId(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && REQUEST_ID_PATTERN.test(value) ? value : randomUUID();
}

/** Requests that asked for `100 Continue` and were not given it (their declared body is over the limit). */
const continueWithheld = new WeakSet<IncomingMessage>();

function isJsonContentType(header: string | undefined): boolean {
  if (!header) return false;
  const mediaType = header.split(';')[0]!.trim().toLowerCase();
  return mediaType === 'application/json' || mediaType === 'application/graphql-response+json';
}

function applyCors(req: IncomingMessage, res: ServerResponse, config: Readonly<GatewayConfig>): void {
  const origin = req.headers.origin;
  if (!origin) return;
  const allowed = config.cors.origins;
  if (allowed.includes('*')) res.setHeader('access-control-allow-origin', '*');
  else if (allowed.includes(origin)) {
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('access-control-allow-credentials', 'true');
    res.setHeader('vary', 'Origin');
  } else return;
  res.setHeader('access-control-expose-headers', 'x-request-id, retry-after, ratelimit, ratelimit-policy');
}

export function createHttpServer(options: HttpServerOptions): Server {
  const { config, apollo, logger, metrics, errors } = options;
  const operationLabels = createBoundedLabels(config.metrics.maxOperationNames);
  const clientLabels = createBoundedLabels(config.metrics.maxClients);
  const routeLabel = (pathname: string): string => (pathname === GRAPHQL_PATH || (options.serveOpsRoutes && OPS_PATHS.has(pathname)) ? pathname : 'other');

  /** Operation duration by (bounded) name and type, and requests by (bounded) client: GraphQL requests only. */
  function recordGraphQLMetrics(requestLog: RequestLogFields, clientName: string | undefined, clientVersion: string | undefined, seconds: number): void {
    const resolvedName = requestLog.operationType === undefined ? UNKNOWN_LABEL : requestLog.operationName || ANONYMOUS_LABEL;
    const [operationName] = operationLabels.of([resolvedName]);
    metrics.operationDuration.observe({ operation_name: operationName!, operation_type: requestLog.operationType ?? UNKNOWN_LABEL }, seconds);
    const [name, version] = clientLabels.of([clientName ?? UNKNOWN_LABEL, clientVersion ?? UNKNOWN_LABEL]);
    metrics.clientRequests.inc({ client_name: name!, client_version: version! });
  }
  const credentialHeaders = credentialHeaderNames(config.auth);

  async function handleGraphQL(req: IncomingMessage, res: ServerResponse, scope: RequestErrorScope, url: URL, trace: RequestTrace | undefined): Promise<void> {
    const method = req.method ?? 'GET';
    if (method === 'OPTIONS') {
      res.writeHead(204, {
        'access-control-allow-methods': 'GET, POST, OPTIONS',
        'access-control-allow-headers': req.headers['access-control-request-headers'] ?? 'content-type, authorization',
        'access-control-max-age': String(config.cors.maxAgeSeconds),
      });
      res.end();
      return;
    }
    if (method !== 'GET' && method !== 'POST') {
      errors.send(res, scope, 'METHOD_NOT_ALLOWED', { headers: { allow: 'GET, POST, OPTIONS' } });
      return;
    }
    if (options.isShuttingDown() || !options.isReady()) {
      errors.send(res, scope, 'SERVICE_UNAVAILABLE', { headers: { 'retry-after': '1', ...(options.isShuttingDown() ? { connection: 'close' } : {}) } });
      return;
    }
    let body: unknown;
    if (method === 'POST') {
      if (!isJsonContentType(req.headers['content-type'])) {
        errors.send(res, scope, 'UNSUPPORTED_MEDIA_TYPE');
        return;
      }
      const { maxBodyBytes, oversizeBodyDrainBytes, oversizeBodyDrainMs } = config.server;
      const read = await readBodyWithin(req, maxBodyBytes);
      if (read.kind === 'tooLarge') {
        // A declared length the drain budget cannot cover: answer and close (reading it would be wasted). A
        // client waiting for `100 Continue` never got it (see checkContinue below) and sends no body: close too.
        const declared = declaredLength(req);
        if ((declared !== undefined && declared - maxBodyBytes > oversizeBodyDrainBytes) || continueWithheld.has(req)) {
          errors.send(res, scope, 'PAYLOAD_TOO_LARGE', { headers: { connection: 'close' } });
          return;
        }
        // Keep the connection while the rest arrives (see requestBody.ts): the client reads the 413 once
        // its body is sent; past the drain budget the connection is closed.
        errors.send(res, scope, 'PAYLOAD_TOO_LARGE');
        await discardRestOfBody(req, { discardBytes: oversizeBodyDrainBytes, discardMs: oversizeBodyDrainMs });
        return;
      }
      const text = read.text;
      try {
        body = JSON.parse(text);
      } catch {
        errors.send(res, scope, 'BAD_REQUEST', { message: 'The request body is not valid JSON.' });
        return;
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        errors.send(res, scope, 'BAD_REQUEST', { message: 'The request body must be a JSON object (batching is not supported).' });
        return;
      }
    }
    const duplicated = duplicatedHeader(req, credentialHeaders);
    if (duplicated) {
      errors.send(res, scope, 'BAD_REQUEST', { message: `The request has ${duplicated.count} ${duplicated.name} headers; send exactly one.` });
      return;
    }
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const httpGraphQLRequest: HTTPGraphQLRequest = { method, headers, search: url.search, body };
    const prepared = options.trustedDocuments?.prepare(httpGraphQLRequest, scope) ?? { kind: 'run', request: httpGraphQLRequest };
    if (prepared.kind === 'refuse') {
      errors.send(res, scope, prepared.code, { headers: prepared.headers });
      return;
    }
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: prepared.request,
      context: () => options.buildContext(req, scope.requestId, scope.log, trace),
    });
    for (const [name, value] of response.headers) res.setHeader(name, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') {
      const text = errors.reportOutsidePipeline(scope, res.statusCode, response.body.string);
      // Encoded once into a Buffer (writing the string itself measured 1.15x the gateway's CPU per deep request
      // on a quiet box: the socket's writev of a large string costs more). An answer whose UTF-8 length
      // (Buffer.byteLength: SIMD, ~15 µs for the ~87 KB deep answer) equals its length is pure ASCII: its
      // Latin-1 encoding is the same bytes and a copy, where Node 20's UTF-8 encoder is slow for large
      // strings (bench/RESULTS.md, "Compiled plan execution").
      const bytes = Buffer.from(text, Buffer.byteLength(text, 'utf8') === text.length ? 'latin1' : 'utf8');
      res.setHeader('content-length', bytes.length);
      res.end(bytes);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  }

  const server = createServer(
    httpServerOptions(config.server),
    (req, res) => {
      const startedAt = process.hrtime.bigint();
      const requestId = pickRequestId(req.headers['x-request-id']);
      const requestLog: RequestLogFields = { errorCodes: [] };
      const scope: RequestErrorScope = { requestId, log: requestLog };
      const url = new URL(req.url ?? '/', 'http://gateway.local');
      res.setHeader('x-request-id', requestId);
      applyCors(req, res, config);
      // GraphQL requests only (not probes, scrapes or CORS preflights); ended when the answer is sent or the client left.
      const trace = options.tracing && url.pathname === GRAPHQL_PATH && req.method !== 'OPTIONS' ? options.tracing.startRequest(req, GRAPHQL_PATH, requestId) : undefined;
      if (trace) res.on('close', () => trace.end(res.statusCode, requestLog));
      res.on('finish', () => {
        const durationMs = Number(process.hrtime.bigint() - startedAt) / 1e6;
        const route = routeLabel(url.pathname);
        metrics.httpRequests.inc({ route, method: req.method ?? 'GET', status: String(res.statusCode) });
        metrics.httpDuration.observe({ route, status: String(res.statusCode) }, durationMs / 1000);
        if (OPS_PATHS.has(route)) return;
        const clientName = headerValue(req.headers['apollographql-client-name']);
        const clientVersion = headerValue(req.headers['apollographql-client-version']);
        // A CORS preflight is no operation.
        if (route === GRAPHQL_PATH && req.method !== 'OPTIONS') recordGraphQLMetrics(requestLog, clientName, clientVersion, durationMs / 1000);
        logger.info(
          {
            event: 'request',
            requestId,
            method: req.method,
            path: url.pathname,
            status: res.statusCode,
            durationMs: Math.round(durationMs * 100) / 100,
            operationName: requestLog.operationName,
            operationType: requestLog.operationType,
            errorCodes: requestLog.errorCodes.length > 0 ? requestLog.errorCodes : undefined,
            cost: requestLog.cost,
            responseCache: requestLog.responseCache,
            trustedDocument: requestLog.trustedDocument,
            clientName: clientName?.slice(0, 128),
            clientVersion: clientVersion?.slice(0, 128),
            clientIp: req.socket.remoteAddress,
            traceId: trace?.traceId,
            spanId: trace?.spanId,
          },
          'request',
        );
      });
      const handle = async () => {
        if (options.serveOpsRoutes && OPS_PATHS.has(url.pathname)) return serveOpsRoute(url.pathname, res, options);
        switch (url.pathname) {
          case GRAPHQL_PATH:
            return handleGraphQL(req, res, scope, url, trace);
          default:
            if (options.explorer?.handle(req, res, url.pathname, (code, headers, message) => errors.send(res, scope, code, { headers, message }))) return;
            return errors.send(res, scope, 'NOT_FOUND_ROUTE');
        }
      };
      // A traced request runs with its trace in scope: every line logged meanwhile carries its IDs (logCorrelation.ts).
      (trace ? runWithTrace(trace, handle) : handle()).catch((error: unknown) => {
        logger.error({ event: 'request_failed', requestId, err: error }, 'unhandled error while serving a request');
        if (!res.headersSent) errors.send(res, scope, 'INTERNAL_SERVER_ERROR');
        else res.destroy();
      });
    },
  );
  // `Expect: 100-continue` (curl for large bodies, some SDKs): Node would answer 100 to every such request,
  // inviting a body the gateway then refuses. Only a declared length within maxBodyBytes gets the 100; the
  // others get their 413 before sending anything.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    const declared = declaredLength(req);
    if (declared === undefined || declared <= config.server.maxBodyBytes) res.writeContinue();
    else continueWithheld.add(req);
    server.emit('request', req, res);
  });
  limitConnections(server, config.server.maxConnections, logger, metrics);
  return server;
}
