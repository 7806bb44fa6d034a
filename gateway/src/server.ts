// Assembles one gateway instance: config → supergraph → @apollo/gateway → Apollo Server (its request
// path assembled in graphqlRequestPath.ts) → HTTP server; and takes it down gracefully (stop accepting,
// drain in-flight, exit).
// First, before @apollo/server and @apollo/gateway load (see the file).
import './beforeApolloLoads.js';
import type { Server } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ConfigError, type GatewayConfig } from './config.js';
import { anonymous, type Authenticate, type GatewayContext } from './context.js';
import { createFederatedGateway } from './federation.js';
import { createSubgraphHealthChecker } from './subgraphHealth.js';
import { createHttpServer } from './httpServer.js';
import { createAdminServer } from './adminRoutes.js';
import { listen } from './listen.js';
import { explorerBuildProblem, lazyExplorerAssets } from './explorer/explorerAssets.js';
import { createExplorerRoutes } from './explorer/explorerRoutes.js';
import { explorerSwitches } from './explorer/explorerSwitches.js';
import { createLogger, type Logger } from './logger.js';
import { createGatewayMetrics, type GatewayMetrics } from './metrics.js';
import { createRequestErrors } from './requestErrors.js';
import { createGraphQLRequestPath } from './graphqlRequestPath.js';
import { createPolicyPipeline } from './policy/policyPipeline.js';
import { createClientAddressResolver } from './rateLimit/clientAddress.js';
import { loadSupergraphFile } from './supergraph/supergraphFile.js';
import type { SupergraphText } from './supergraph/supergraphText.js';
import { ResponseBudget } from './responseBudget.js';
import { SupergraphRegistry } from './supergraph/supergraphRegistry.js';
import { createResponseCachePlugins } from './caching/responseCache.js';
import { propagatedHeaderNames } from './caching/responseCacheKey.js';
import { createAutomaticPersistedQueries } from './persistedQueries/automaticPersistedQueries.js';
import { createTrustedDocuments, type TrustedDocumentsGate } from './persistedQueries/trustedDocuments.js';
import { TrustedDocumentsManifestError } from './persistedQueries/trustedDocumentsManifest.js';
import { loadRequestTracing } from './tracing/loadRequestTracing.js';

export interface RunningGateway {
  readonly url: string;
  /** Base URL of the admin listener (/healthz, /readyz, /metrics) when it is on. */
  readonly adminUrl: string | undefined;
  readonly logger: Logger;
  readonly metrics: GatewayMetrics;
  /** Per-subgraph health as /readyz reports it, when readiness.checkSubgraphs is on. */
  readonly subgraphHealth: (() => Promise<Record<string, 'ok' | 'unavailable'>>) | undefined;
  /** Stops accepting, waits for in-flight requests (up to shutdownGraceMs), then closes. */
  stop(): Promise<void>;
}

export interface StartGatewayOptions {
  config: Readonly<GatewayConfig>;
  logger?: Logger;
  /** Credential verification; defaults to every caller anonymous. */
  authenticate?: Authenticate;
  /**
   * Set in a cluster worker (--workers N): the admin listener, when on, is the primary's (one port, the
   * whole cluster's numbers), and /metrics on the API port answers the whole cluster's text from here.
   */
  clusterWorker?: { metricsText(): Promise<string> };
  /** The supergraph file already read and parsed (main.ts); read from config.supergraph.path otherwise. */
  initialSupergraphText?: SupergraphText;
}

export async function startGateway(options: StartGatewayOptions): Promise<RunningGateway> {
  const { config } = options;
  const logger = options.logger ?? createLogger(config.logLevel);
  const production = process.env.NODE_ENV === 'production';
  const metrics = createGatewayMetrics(config.metrics);
  const errors = createRequestErrors(metrics);
  const registry = new SupergraphRegistry();
  const authenticate = options.authenticate ?? anonymous;

  // Fails fast with one clear message on an unreadable or invalid supergraph.
  const initialSupergraph = loadSupergraphFile(config.supergraph.path, options.initialSupergraphText);
  // The OpenTelemetry SDK is imported here only when tracing is on (tracing/loadRequestTracing.ts).
  const tracing = await loadRequestTracing(config.tracing, logger);
  const traced = tracing !== undefined;
  const { gateway, dataSources } = createFederatedGateway({ config, logger, initialSupergraph, registry, metrics, tracing: traced });
  const subgraphHealth = config.readiness.checkSubgraphs
    ? createSubgraphHealthChecker({
        dataSources,
        timeoutMs: config.readiness.timeoutMs,
        cacheMs: config.readiness.cacheMs,
        onFailure: (subgraph, error) => logger.warn({ event: 'subgraph_unhealthy', subgraph, err: (error as Error).message }, 'subgraph health check failed'),
      })
    : undefined;

  const sandbox = config.sandbox ?? !production;
  const { introspection, graphiqlEnabled } = explorerSwitches(config, production);
  const explorerProblem = graphiqlEnabled ? explorerBuildProblem() : undefined;
  // Serve GraphQL all the same; /graphiql answers 503 and this line says why.
  if (explorerProblem) logger.warn({ event: 'explorer_unavailable', err: explorerProblem }, 'GraphiQL explorer unavailable');
  // Authorization → demand control → rate limits, in order, from one plugin (see policyPipeline.ts).
  const policy = createPolicyPipeline({ config, logger, metrics, registry });
  // After the policy pipeline: a cached answer is authorized, costed and charged like any other.
  const responseCache = await createResponseCachePlugins({ config: config.responseCache, propagatedHeaders: propagatedHeaderNames(config), registry, logger, metrics });
  const apq = createAutomaticPersistedQueries({ config: config.apq, logger, metrics });
  const requestPath = createGraphQLRequestPath({ config, logger, errors, policy, apq: apq.plugin, responseCache, sandbox, linkToLocalExplorer: graphiqlEnabled, tracing: traced });
  // Before Apollo Server (the HTTP layer asks it): ids resolved, unlisted operations refused unparsed.
  let trustedDocuments: TrustedDocumentsGate | undefined;
  try {
    trustedDocuments = createTrustedDocuments({ config: config.trustedDocuments, logger, metrics, parseOptions: requestPath.parseOptions });
  } catch (error) {
    if (error instanceof TrustedDocumentsManifestError) throw new ConfigError(`invalid config: trustedDocuments.manifest: ${error.message}`);
    throw error;
  }
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    introspection,
    persistedQueries: apq.persistedQueries,
    csrfPrevention: true,
    includeStacktraceInErrorResponses: false,
    // Our own SIGTERM/SIGINT handler drains first (main.ts; stop() below). Apollo Server's (on by default
    // unless NODE_ENV=test) would stop it at once, in parallel, and re-raise the signal: the process then
    // ended before the drain finished (and, in a cluster worker, never finished stopping at all).
    stopOnTerminationSignals: false,
    ...requestPath,
  });
  await apollo.start();
  // Fail closed on policy config: a coordinate the schema lacks (a typo, a removed field) would leave
  // its limit silently off. After a hot reload the pipeline reports it instead (warning + metric).
  const loaded = registry.latest;
  const unknown = loaded ? policy.unknownConfigCoordinates(loaded.schema) : [];
  if (unknown.length > 0) {
    trustedDocuments?.stop();
    await apollo.stop();
    throw new ConfigError(`invalid config: ${unknown.map(({ key, coordinate }) => `${key} names ${coordinate}, which the supergraph does not have`).join('; ')}`);
  }

  // The client's address as the gateway trusts it: X-Forwarded-For counts only from a trusted proxy.
  const clientAddress = createClientAddressResolver(config.rateLimits.trustedProxies);
  let shuttingDown = false;
  let inFlight = 0;
  let drained: (() => void) | undefined;
  const ops = {
    metrics,
    isReady: () => registry.latest !== undefined,
    subgraphHealth,
    isShuttingDown: () => shuttingDown,
    metricsText: options.clusterWorker?.metricsText,
  };
  // Production keeps /metrics, /healthz and /readyz off the API port unless told otherwise.
  const adminWanted = config.admin.enabled ?? production;
  const adminServer = adminWanted && !options.clusterWorker ? createAdminServer(ops) : undefined;
  const server: Server = createHttpServer({
    config,
    apollo,
    logger,
    errors,
    trustedDocuments,
    tracing,
    ...ops,
    serveOpsRoutes: !adminWanted,
    explorer: createExplorerRoutes({
      graphiql: { ...config.graphiql, enabled: graphiqlEnabled },
      introspection,
      currentSchema: () => registry.latest?.schema,
      assets: lazyExplorerAssets(),
    }),
    // A credential that fails verification throws here (401/503); Apollo Server answers before its
    // pipeline, and the HTTP layer reports that answer through the same path as every other error.
    buildContext: async (req, requestId, requestLog, trace) => ({
      requestId,
      clientIp: clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for']),
      auth: await authenticate(req),
      req,
      requestLog,
      responseBudget: new ResponseBudget(config.server.maxResponseBytes),
      trace,
    }),
  });
  server.on('request', (_req, res) => {
    inFlight += 1;
    res.on('close', () => {
      inFlight -= 1;
      if (inFlight === 0) drained?.();
    });
  });

  // The admin listener first: probes can reach it by the time the API port accepts traffic.
  const adminUrl = adminServer ? await listen(adminServer, config.admin.port, config.admin.host ?? config.server.host) : undefined;
  let url: string;
  try {
    url = await listen(server, config.server.port, config.server.host);
  } catch (error) {
    adminServer?.close();
    trustedDocuments?.stop();
    await apollo.stop();
    throw error;
  }

  const stop = async () => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ event: 'shutdown_started', inFlight }, 'shutting down: draining in-flight requests');
    const closed = new Promise<void>((resolveClose) => server.close(() => resolveClose()));
    server.closeIdleConnections();
    if (inFlight > 0) {
      await Promise.race([
        new Promise<void>((resolveDrain) => (drained = resolveDrain)),
        new Promise<void>((resolveTimeout) => setTimeout(resolveTimeout, config.server.shutdownGraceMs).unref()),
      ]);
    }
    server.closeAllConnections();
    await closed;
    trustedDocuments?.stop();
    // Probes saw 503 shutting_down during the drain; the admin port goes last.
    if (adminServer) {
      const adminClosed = new Promise<void>((resolveClose) => adminServer.close(() => resolveClose()));
      adminServer.closeAllConnections();
      await adminClosed;
    }
    await apollo.stop();
    // The spans of the last requests are exported before the process exits (bounded: see otelRequestTracing.ts).
    await tracing?.shutdown();
    logger.info({ event: 'shutdown_complete' }, 'gateway stopped');
  };

  return { url, adminUrl, logger, metrics, subgraphHealth, stop };
}
