// Builds the @apollo/gateway instance: our datasource for every subgraph, the supergraph file
// source with hot reload, and an executor that runs per-request rewritten operations.
import './beforeApolloLoads.js';
import { ApolloGateway } from '@apollo/gateway';
import type { GatewayInterface, GatewayExecutionResult, GatewayExecutor, GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import type { GatewayConfig } from './config.js';
import type { Logger } from './logger.js';
import type { GatewayMetrics } from './metrics.js';
import { SubgraphDataSource } from './datasource.js';
import { gatewayError } from './errors.js';
import { createSubgraphConnectionPool } from './subgraphFetcher.js';
import { createSubgraphCaller, type SubgraphCaller } from './subgraphResilience.js';
import type { GatewayContext } from './context.js';
import { supergraphFileSource } from './supergraph/supergraphFile.js';
import { buildSupergraphOnce } from './supergraph/buildSupergraphOnce.js';
import type { PreparedSupergraph } from './supergraph/securityFeatures.js';
import type { SupergraphRegistry } from './supergraph/supergraphRegistry.js';
import { subgraphNamesOf } from './supergraph/supergraphSubgraphs.js';
import { recordSubgraphFetch } from './subgraphMetrics.js';
import { installPlanExecution } from './execution/installPlanExecution.js';
import type { RequestTrace } from './tracing/requestTrace.js';

export interface FederationOptions {
  config: Readonly<GatewayConfig>;
  logger: Logger;
  initialSupergraph: PreparedSupergraph;
  registry: SupergraphRegistry;
  metrics: GatewayMetrics;
  /** Trace the plan and execute phases (tracing on). @default false */
  tracing?: boolean;
}

/** Adapts @apollo/utils.logger's interface to pino. */
function apolloLogger(logger: Logger) {
  return {
    debug: (message: unknown) => logger.debug({ component: 'apollo-gateway' }, String(message)),
    info: (message: unknown) => logger.info({ component: 'apollo-gateway' }, String(message)),
    warn: (message: unknown) => logger.warn({ component: 'apollo-gateway' }, String(message)),
    error: (message: unknown) => logger.error({ component: 'apollo-gateway' }, String(message)),
  };
}

export interface FederatedGateway {
  gateway: GatewayInterface;
  /** The datasource serving each subgraph of the current supergraph (replaced on hot reload; a removed subgraph leaves). */
  dataSources(): ReadonlyMap<string, SubgraphDataSource>;
}

/** The plan phase ends and the execute phase starts (experimental_didResolveQueryPlan). */
function planResolved(context: Partial<GatewayContext>): void {
  context.trace?.endPhase('plan');
  context.trace?.startPhase('execute');
}

/** Runs the executor inside a plan span (ended by planResolved) and an execute span. */
async function tracedExecution(trace: RequestTrace, run: () => Promise<GatewayExecutionResult>): Promise<GatewayExecutionResult> {
  trace.startPhase('plan');
  let result: GatewayExecutionResult;
  try {
    result = await run();
  } catch (error) {
    trace.endPhase('plan', [error]);
    trace.endPhase('execute', [error]);
    throw error;
  }
  // A plan that failed (e.g. variables of the wrong type) never reached planResolved: it ends here, failed.
  trace.endPhase('plan', result.errors);
  trace.endPhase('execute', result.errors);
  return result;
}

export function createFederatedGateway(options: FederationOptions): FederatedGateway {
  const { config, logger, registry } = options;
  // Query plans run through the compiled executor (execution/planExecution.ts) unless turned off.
  const compiledExecution = installPlanExecution();
  logger.info(
    { event: 'plan_execution', mode: compiledExecution ? 'compiled' : 'stock' },
    compiledExecution ? 'query plans run compiled (GATEWAY_STOCK_PLAN_EXECUTION=1 runs @apollo/gateway executeQueryPlan)' : "query plans run through @apollo/gateway's own executeQueryPlan",
  );
  // Supergraphs awaiting their schema, by the SDL @apollo/gateway receives (see onSchemaLoadOrUpdate).
  const pending = new Map<string, PreparedSupergraph>();
  const connectionPool = createSubgraphConnectionPool();
  const dataSources = new Map<string, SubgraphDataSource>();
  // One caller (breaker state) per subgraph name, kept across hot reloads.
  const callers = new Map<string, SubgraphCaller>();
  const callerFor = (name: string): SubgraphCaller => {
    let caller = callers.get(name);
    if (!caller) {
      caller = createSubgraphCaller(config.subgraphs[name]?.resilience ?? config.subgraphDefaults.resilience, {
        onStateChange: (state) => {
          options.metrics.circuitState.set({ subgraph: name }, state === 'open' ? 1 : state === 'halfOpen' ? 0.5 : 0);
          logger[state === 'closed' ? 'info' : 'warn']({ event: 'circuit_breaker', subgraph: name, state }, `circuit breaker ${state}`);
        },
        onRetry: () => options.metrics.subgraphRetries.inc({ subgraph: name }),
      });
      callers.set(name, caller);
    }
    return caller;
  };
  // Read by ApolloGateway's constructor: off unless the config turns it on (see config.ts apolloTelemetry).
  if (!config.apolloTelemetry) process.env.APOLLO_TELEMETRY_DISABLED = 'true';
  const gateway = new ApolloGateway({
    logger: apolloLogger(logger),
    // Called once the plan is known (from the plan cache or just built), right before it runs.
    ...(options.tracing ? { experimental_didResolveQueryPlan: ({ requestContext }) => planResolved(requestContext.context as Partial<GatewayContext>) } : {}),
    supergraphSdl: supergraphFileSource(options.initialSupergraph, {
      path: config.supergraph.path,
      watch: config.supergraph.watch,
      pollIntervalMs: config.supergraph.pollIntervalMs,
      logger,
      onPrepared: (supergraph) => pending.set(supergraph.sdlForGateway, supergraph),
      onReloadResult: (result) => options.metrics.supergraphReloads.inc({ result }),
    }),
    buildService: ({ name, url }) => {
      const override = config.subgraphs[name];
      const routingUrl = override?.url ?? url;
      if (!routingUrl) throw new Error(`subgraph ${name} has no routing URL (set subgraphs.${name}.url in the config)`);
      const clientErrorCodes = new Set(override?.clientErrorCodes ?? []);
      const dataSource = new SubgraphDataSource({
        name,
        url: routingUrl,
        timeoutMs: override?.timeoutMs ?? config.subgraphDefaults.timeoutMs,
        maxResponseBytes: override?.maxResponseBytes ?? config.subgraphDefaults.maxResponseBytes,
        identity: config.internalIdentity.secret
          ? { secret: config.internalIdentity.secret, lifetimeSeconds: config.internalIdentity.lifetimeSeconds }
          : undefined,
        propagateHeaders: override?.propagateHeaders ?? config.subgraphDefaults.propagateHeaders,
        connectionPool,
        caller: callerFor(name),
        onRefused: (subgraph, refusal) =>
          logger.warn({ event: 'subgraph_refused_request', subgraph, status: refusal.status, reason: refusal.reason, hint: refusal.hint }, refusal.hint),
        onDeduplicated: (sent, received) => {
          options.metrics.entityRepresentationsDeduplicated.inc({ subgraph: name }, received - sent);
          logger.debug({ event: 'entities_deduplicated', subgraph: name, received, sent }, 'duplicate entity representations sent once');
        },
        onFetched: (report) => recordSubgraphFetch(options.metrics, name, clientErrorCodes, report),
      });
      dataSources.set(name, dataSource);
      return dataSource;
    },
  });
  buildSupergraphOnce(gateway, (supergraphSdl) => pending.get(supergraphSdl)?.built);
  gateway.onSchemaLoadOrUpdate(({ apiSchema, coreSupergraphSdl }) => {
    const supergraph = pending.get(coreSupergraphSdl);
    pending.clear();
    if (!supergraph) {
      logger.error({ event: 'supergraph_untracked' }, 'schema loaded from an unknown supergraph; policy unavailable');
      return;
    }
    registry.register(apiSchema, supergraph);
    // @apollo/gateway builds the new subgraphs' datasources before this callback and never forgets a
    // removed one: without this, /readyz kept probing a subgraph no query can reach any more.
    const current = subgraphNamesOf(supergraph.document);
    for (const name of dataSources.keys()) if (!current.has(name)) dataSources.delete(name);
  });

  // Wraps the gateway so the executor runs the document the policy pipeline chose for this request
  // (authorization's rewrite) under that document's own hash (@apollo/gateway keys its query-plan cache
  // by queryHash, and a plan made for one caller's scopes must never serve another's), and answers
  // RESPONSE_TOO_LARGE when the operation took more than server.maxResponseBytes from subgraphs.
  const wrapped: GatewayInterface = {
    load: async (apolloConfig) => {
      const { schema, executor } = await gateway.load(apolloConfig);
      const rewritingExecutor: GatewayExecutor = async (requestContext: GatewayGraphQLRequestContext) => {
        const context = requestContext.context as Partial<GatewayContext>;
        const rewrite = context.policy?.executes;
        const run = () => executor(rewrite ? { ...requestContext, document: rewrite.document, queryHash: rewrite.queryHash } : requestContext);
        const result = context.trace ? await tracedExecution(context.trace, run) : await run();
        const budget = context.responseBudget;
        // A mutation keeps its partial data (its own answer may record a change); see datasource.ts.
        if (!budget?.exceeded || requestContext.operation.operation === 'mutation') return result;
        // A request error, not partial data: which fields would be missing depends on fetch timing.
        return {
          errors: [
            gatewayError('RESPONSE_TOO_LARGE', {
              extensions: { maxBytes: budget.limitBytes, internal: { bytesFromSubgraphs: budget.usedBytes } },
            }),
          ],
        };
      };
      return { schema, executor: rewritingExecutor };
    },
    onSchemaLoadOrUpdate: (callback) => gateway.onSchemaLoadOrUpdate(callback),
    stop: async () => {
      await gateway.stop();
      await connectionPool.close();
    },
  };
  return { gateway: wrapped, dataSources: () => dataSources };
}
