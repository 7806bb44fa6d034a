// Starts one subgraph: Apollo Server 5 on a plain node:http server (so /healthz and the debug counters
// are ours to route), identity verification before any GraphQL runs, operation limits of its own, and a
// per-request context whose `signal` aborts when the gateway gives up on the request.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { ApolloServer, HeaderMap, type ApolloServerPlugin, type HTTPGraphQLRequest } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import type { Logger } from 'pino';
import { GATEWAY_IDENTITY_HEADER, GatewayIdentityError, MIN_SECRET_LENGTH, createGatewayIdentityVerifier } from '@federation-gateway/identity';
import { readRequestBody, RequestBodyTooLargeError } from './requestBody.js';
import { createSubgraphLogger } from './subgraphLogger.js';
import { withAbortChecks } from './abortableResolvers.js';
import { createSubgraphOperationGuards } from './subgraphOperationGuards.js';
import type { SubgraphOperationLimits } from './subgraphOperationLimits.js';
import type { BaseSubgraphContext, SubgraphContext, SubgraphDefinition } from './subgraphDefinition.js';

export interface StartSubgraphOptions {
  /** 0 lets the OS pick a free port. @default 0 */
  port?: number;
  /** @default "127.0.0.1" */
  host?: string;
  /** Shared HS256 secret (>= 32 chars) for `x-gateway-identity`; required unless `allowUnsignedIdentity`. */
  identitySecret?: string | null;
  /** Development only: accept requests without an identity token (identity is then null). @default false */
  allowUnsignedIdentity?: boolean;
  /** Serve `GET /debug/data-layer-calls` and `GET /debug/requests`. @default process.env.SUBGRAPH_DEBUG_COUNTERS === "1" */
  debugCounters?: boolean;
  /** 1 MiB: far above any real operation, small enough to refuse abuse early. @default 1048576 */
  maxBodyBytes?: number;
  /** How long `stop()` waits for in-flight requests before cutting connections, in ms. @default 10000 */
  shutdownGraceMs?: number;
  /** Depth, alias, directive, token and cost limits; each unset one keeps its default (subgraphOperationLimits.ts). */
  operationLimits?: Partial<SubgraphOperationLimits>;
  /** @default a pino logger on stdout named after the subgraph */
  logger?: Logger;
}

export interface RunningSubgraph {
  /** Base URL, e.g. http://127.0.0.1:40123 */
  url: string;
  /** The GraphQL endpoint, `${url}/graphql` */
  graphqlUrl: string;
  port: number;
  /** Stops accepting, finishes in-flight requests (up to shutdownGraceMs), then resolves. */
  stop(): Promise<void>;
}

/** The reason of `context.signal` when the gateway closed the request; resolvers see it thrown. */
export class RequestAbortedError extends Error {
  override name = 'AbortError';
}

/** Request ids are echoed into logs: accept only short, printable ones from the gateway. */
const REQUEST_ID_PATTERN = /^[\w.:-]{1,128}$/;

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  response.end(text);
}

function graphQLErrorBody(message: string, code: string): unknown {
  return { errors: [{ message, extensions: { code } }] };
}

function toHeaderMap(request: IncomingMessage): HeaderMap {
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  return headers;
}

export async function startSubgraph<TExtra extends object>(
  definition: SubgraphDefinition<TExtra>,
  options: StartSubgraphOptions = {},
): Promise<RunningSubgraph> {
  const logger = options.logger ?? createSubgraphLogger(definition.name);
  const secret = options.identitySecret ?? null;
  if (secret === null && !options.allowUnsignedIdentity) {
    throw new Error(`${definition.name}: INTERNAL_IDENTITY_SECRET is required (or --insecure-allow-unsigned for local experiments)`);
  }
  if (secret !== null && secret.length < MIN_SECRET_LENGTH) {
    throw new Error(`${definition.name}: INTERNAL_IDENTITY_SECRET must be at least ${MIN_SECRET_LENGTH} characters`);
  }
  // One verifier for the subgraph's lifetime: the key is imported once, not per request.
  const verifyIdentity = secret === null ? undefined : createGatewayIdentityVerifier({ secret, audience: definition.name });
  const debugCounters = options.debugCounters ?? process.env.SUBGRAPH_DEBUG_COUNTERS === '1';
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const sdl = readFileSync(definition.schemaFile, 'utf8');
  const guards = createSubgraphOperationGuards(options.operationLimits);
  const schema = buildSubgraphSchema({ typeDefs: parse(sdl), resolvers: withAbortChecks(definition.resolvers) as never });

  const httpServer = createServer();
  const apollo = new ApolloServer<SubgraphContext<TExtra>>({
    schema,
    // The gateway is the only client; stack traces would only leak through it.
    includeStacktraceInErrorResponses: false,
    // runSubgraph owns the signals (drain, then exit 0); Apollo's own handler would re-raise the signal (exit 143).
    stopOnTerminationSignals: false,
    validationRules: guards.validationRules,
    parseOptions: guards.parseOptions,
    logger: {
      debug: (message: unknown) => logger.debug(String(message)),
      info: (message: unknown) => logger.info(String(message)),
      warn: (message: unknown) => logger.warn(String(message)),
      error: (message: unknown) => logger.error(String(message)),
    },
    plugins: [
      ...(guards.plugins as ApolloServerPlugin<SubgraphContext<TExtra>>[]),
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: options.shutdownGraceMs ?? 10_000 }),
      ApolloServerPluginLandingPageDisabled(),
      // Traces only go to Apollo's hosted reporting, which this gateway does not use; skip the per-field cost.
      ApolloServerPluginInlineTraceDisabled(),
      {
        async requestDidStart() {
          return {
            async didEncounterErrors({ errors, contextValue }) {
              // After an abort every remaining resolver throws: one `request_aborted` line says it, not one per field.
              if (contextValue.signal.aborted) return;
              for (const error of errors) {
                // Coded errors are expected outcomes (bad input, not found); anything else is a bug.
                const level = error.extensions?.code && error.extensions.code !== 'INTERNAL_SERVER_ERROR' ? 'debug' : 'error';
                logger[level]({ requestId: contextValue.requestId, err: error.originalError ?? error, path: error.path }, 'graphql error');
              }
            },
          };
        },
      },
    ],
  });
  await apollo.start();

  // GraphQL requests received (any outcome): tests prove "the gateway called no subgraph" with it.
  let graphqlRequests = 0;
  const handleGraphQL = async (request: IncomingMessage, response: ServerResponse, search: string): Promise<void> => {
    graphqlRequests += 1;
    const headerRequestId = request.headers['x-request-id'];
    // The body first: the identity token is bound to its exact bytes (bodySha256), so it cannot be checked
    // without them. The read is bounded by maxBodyBytes, as before.
    let bodyBytes: Buffer;
    try {
      bodyBytes = request.method === 'POST' ? await readRequestBody(request, maxBodyBytes) : Buffer.alloc(0);
    } catch (error) {
      if (!(error instanceof RequestBodyTooLargeError)) throw error;
      sendJson(response, 413, graphQLErrorBody(error.message, 'PAYLOAD_TOO_LARGE'));
      return;
    }
    let identity: BaseSubgraphContext['identity'] = null;
    let tokenRequestId: string | null = null;
    if (verifyIdentity) {
      try {
        const header = request.headers[GATEWAY_IDENTITY_HEADER];
        const verified = await verifyIdentity(Array.isArray(header) ? header[0] : header, bodyBytes);
        identity = verified.identity;
        tokenRequestId = verified.requestId;
      } catch (error) {
        if (!(error instanceof GatewayIdentityError)) throw error;
        logger.warn({ reason: error.message, remoteAddress: request.socket.remoteAddress }, 'refused request without a valid gateway identity');
        sendJson(response, 401, graphQLErrorBody(error.message, 'UNAUTHENTICATED'));
        return;
      }
    }
    const requestId =
      typeof headerRequestId === 'string' && REQUEST_ID_PATTERN.test(headerRequestId)
        ? headerRequestId
        : tokenRequestId ?? randomUUID();

    let body: unknown;
    try {
      body = bodyBytes.length === 0 ? undefined : JSON.parse(bodyBytes.toString('utf8'));
    } catch {
      sendJson(response, 400, graphQLErrorBody('request body is not valid JSON', 'BAD_REQUEST'));
      return;
    }

    const httpGraphQLRequest: HTTPGraphQLRequest = {
      method: request.method ?? 'GET',
      headers: toHeaderMap(request),
      search,
      body,
    };
    // The gateway closes the connection when it gives up (its fetch deadline passed, or its client left):
    // abort this request's work. 'close' also fires after a normal answer, then writableFinished is true.
    const abort = new AbortController();
    response.once('close', () => {
      if (!response.writableFinished) abort.abort(new RequestAbortedError('the gateway closed the request before the answer was sent'));
    });
    const base: BaseSubgraphContext = { identity, requestId, headers: request.headers, signal: abort.signal };
    const startedAt = process.hrtime.bigint();
    const result = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest,
      context: async () => ({ ...(definition.createContext?.(base) ?? ({} as TExtra)), ...base }),
    });
    if (abort.signal.aborted) {
      logger.info(
        { event: 'request_aborted', requestId, durationMs: Number(process.hrtime.bigint() - startedAt) / 1e6 },
        'the gateway gave up on this request; resolving stopped',
      );
      return;
    }
    response.statusCode = result.status ?? 200;
    for (const [name, value] of result.headers) response.setHeader(name, value);
    response.setHeader('x-request-id', requestId);
    if (result.body.kind === 'complete') {
      response.end(result.body.string);
    } else {
      for await (const chunk of result.body.asyncIterator) response.write(chunk);
      response.end();
    }
    // Debug level: the gateway writes the access log; this line joins it by requestId when debugging.
    logger.debug(
      { requestId, status: response.statusCode, subject: identity?.subject ?? null, durationMs: Number(process.hrtime.bigint() - startedAt) / 1e6 },
      'request served',
    );
  };

  httpServer.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const { pathname, search } = new URL(request.url ?? '/', 'http://subgraph.invalid');
    let work: Promise<void>;
    if (pathname === '/healthz' && (request.method === 'GET' || request.method === 'HEAD')) {
      sendJson(response, 200, { status: 'ok', subgraph: definition.name });
      return;
    } else if (pathname === '/debug/data-layer-calls' && debugCounters && request.method === 'GET') {
      sendJson(response, 200, definition.debugCounters?.() ?? {});
      return;
    } else if (pathname === '/debug/requests' && debugCounters && request.method === 'GET') {
      sendJson(response, 200, { graphql: graphqlRequests });
      return;
    } else if (pathname === '/graphql') {
      work = handleGraphQL(request, response, search);
    } else {
      sendJson(response, 404, graphQLErrorBody(`no route for ${pathname}; GraphQL is served on /graphql`, 'NOT_FOUND'));
      return;
    }
    work.catch((error: unknown) => {
      logger.error({ err: error }, 'unhandled error while serving a request');
      if (!response.headersSent) sendJson(response, 500, graphQLErrorBody('internal server error', 'INTERNAL_SERVER_ERROR'));
      else response.destroy();
    });
  });

  await new Promise<void>((resolveListen, rejectListen) => {
    httpServer.once('error', rejectListen);
    httpServer.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      httpServer.off('error', rejectListen);
      resolveListen();
    });
  });
  const address = httpServer.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  let stopping: Promise<void> | null = null;
  return {
    url,
    graphqlUrl: `${url}/graphql`,
    port: address.port,
    // apollo.stop() runs the drain plugin: close the listener, let in-flight requests finish, then stop.
    stop: () => (stopping ??= apollo.stop()),
  };
}
