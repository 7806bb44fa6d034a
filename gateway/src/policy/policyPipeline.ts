// The one ordered policy pipeline, as one Apollo Server plugin. Apollo Server runs every plugin's
// didResolveOperation concurrently (Promise.all), so steps that must happen in order cannot be
// separate plugins: here they are called in request order, each only if the previous admitted the
// operation, all on ONE analysis of it:
//   0. resolve the operation, analyze it (coerced variables, fragments, @skip/@include, estimated calls)
//   1. authorization: remove what the caller may not see, or refuse (403) — the rest then analyzes
//      the operation that will really execute
//   2. demand control: refuse an estimate over maxCost (400)
//   3. rate limits: charge the estimated calls (429 when over)
// so an operation refused at any step consumes nothing at a later one, with any store. After
// execution, in reverse: the rate-limit charge is reconciled with what ran, the actual cost measured,
// and authorization's nulls and errors put into the response. Per-request state lives on the context.
// Between 0 and 1, introspection deeper than operationLimits.maxIntrospectionDepth is refused (graphql-armor's
// depth rule skips introspection fields).
import { HeaderMap, type ApolloServerPlugin, type GraphQLRequestContextDidResolveOperation } from '@apollo/server';
import type { DocumentNode, GraphQLSchema } from 'graphql';
import type { GatewayConfig } from '../config.js';
import type { GatewayContext } from '../context.js';
import { gatewayError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { GatewayMetrics } from '../metrics.js';
import { createPolicyReader } from '../authorization/authorizationPolicy.js';
import { createRateLimitStep } from '../rateLimit/rateLimitStep.js';
import type { RateLimitStore } from '../rateLimit/rateLimitStore.js';
import type { SupergraphRegistry } from '../supergraph/supergraphRegistry.js';
import { createAuthorizationStep } from './authorizationStep.js';
import { policyConfigCoordinates, unknownCoordinates, type UnknownCoordinate } from './configCoordinates.js';
import { createDemandControlStep } from './demandControlStep.js';
import { buildDemandPolicy, type DemandPolicy } from './demandPolicy.js';
import { OperationTooLargeError, createOperationAnalyzer, type OperationAnalysis } from './operationAnalysis.js';
import { OperationShapeError } from './operationShape.js';
import type { RequestPolicyState } from './requestPolicyState.js';
import { countResolved } from './resolvedCounts.js';

export interface PolicyPipelineOptions {
  config: Readonly<GatewayConfig>;
  logger: Logger;
  metrics: GatewayMetrics;
  registry: SupergraphRegistry;
  /** A rate-limit store to use instead of the one the config describes (tests). */
  rateLimitStore?: RateLimitStore;
}

export interface PolicyPipeline {
  plugin: ApolloServerPlugin<GatewayContext>;
  /** Config entries naming a coordinate `schema` lacks (checked at startup and after each reload). */
  unknownConfigCoordinates(schema: GraphQLSchema): UnknownCoordinate[];
}

export function createPolicyPipeline(options: PolicyPipelineOptions): PolicyPipeline {
  const { config, logger, metrics, registry } = options;
  const supergraphOf = (schema: GraphQLSchema): DocumentNode => registry.supergraphFor(schema).document;

  const demandPolicies = new WeakMap<DocumentNode, DemandPolicy>();
  const demandPolicyFor = (schema: GraphQLSchema): DemandPolicy => {
    const supergraph = supergraphOf(schema);
    let policy = demandPolicies.get(supergraph);
    if (!policy) demandPolicies.set(supergraph, (policy = buildDemandPolicy(supergraph, config.demandControl)));
    return policy;
  };
  const analyze = createOperationAnalyzer({ demandPolicyFor, maxFields: config.operationLimits.maxExpandedFields });
  const readAuthorizationPolicy = createPolicyReader();
  const authorization = createAuthorizationStep({
    policyFor: (schema) => readAuthorizationPolicy(supergraphOf(schema)),
    rejectUnauthorized: config.authorization.rejectUnauthorized,
    onUnauthorized: (removed, context) => {
      for (const { coordinate } of removed) metrics.authorizationDenials.inc({ coordinate });
      logger.info({ event: 'authorization_denied', requestId: context.requestId, coordinates: removed.map((r) => r.coordinate) }, 'unauthorized fields removed');
    },
  });
  const demandControl = createDemandControlStep({ config: config.demandControl, policyFor: demandPolicyFor, metrics });
  const rateLimits = createRateLimitStep({ config: config.rateLimits, logger, metrics, store: options.rateLimitStore });

  const configCoordinates = policyConfigCoordinates(config);
  const unknownConfigCoordinates = (schema: GraphQLSchema) => unknownCoordinates(schema, configCoordinates);

  const analyzeOrRefuse = (schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined, variables: Record<string, unknown> | undefined): OperationAnalysis => {
    let result;
    try {
      result = analyze({ schema, document, operationName, variables });
    } catch (error) {
      if (error instanceof OperationTooLargeError) {
        throw gatewayError('GRAPHQL_VALIDATION_FAILED', { message: `${error.message} (operationLimits.maxExpandedFields)`, extensions: { limit: error.maxFields } });
      }
      if (error instanceof OperationShapeError) {
        throw error.reason === 'noRootType' ? gatewayError('BAD_REQUEST', { message: error.message }) : gatewayError('OPERATION_RESOLUTION_FAILURE', { message: error.message });
      }
      throw error;
    }
    if (result.kind === 'invalidVariables') {
      throw gatewayError('VALIDATION_INVALID_TYPE_VARIABLE', { message: result.errors.map((e) => e.message).join(' ') });
    }
    const maxIntrospectionDepth = config.operationLimits.maxIntrospectionDepth;
    if (result.analysis.introspectionDepth > maxIntrospectionDepth) {
      throw gatewayError('GRAPHQL_VALIDATION_FAILED', {
        message: `Introspection is nested ${result.analysis.introspectionDepth} levels deep; at most ${maxIntrospectionDepth} are allowed (operationLimits.maxIntrospectionDepth).`,
        extensions: { limit: maxIntrospectionDepth },
      });
    }
    return result.analysis;
  };

  const plugin: ApolloServerPlugin<GatewayContext> = {
    async serverWillStart() {
      await rateLimits?.start();
      let loaded = 0;
      return {
        schemaDidLoadOrUpdate({ apiSchema }) {
          // The first schema is checked by the startup (an unknown coordinate stops it there).
          if (loaded++ === 0) return;
          const unknown = unknownConfigCoordinates(apiSchema);
          metrics.policyConfigUnknownCoordinates.reset();
          for (const { key } of unknown) metrics.policyConfigUnknownCoordinates.set({ key }, 1);
          if (unknown.length > 0) {
            logger.warn(
              { event: 'policy_config_unknown_coordinates', keys: unknown.map((u) => u.key) },
              `config names coordinates the reloaded schema does not have (no longer applied): ${unknown.map((u) => u.key).join(', ')}`,
            );
          }
        },
        async serverWillStop() {
          await rateLimits?.stop();
        },
      };
    },

    async requestDidStart() {
      /** The steps, in order, for one resolved operation (see the header). */
      const admit = async (requestContext: GraphQLRequestContextDidResolveOperation<GatewayContext>): Promise<void> => {
        const { contextValue, schema, document, request } = requestContext;
        // 0. The operation to run. Apollo Server leaves an unknown operationName to the executor, and
        // @apollo/gateway's throws a generic error there (a 500): refuse it here as a request error.
        if (!requestContext.operation) {
          throw gatewayError('OPERATION_RESOLUTION_FAILURE', {
            message: request.operationName ? `Unknown operation named "${request.operationName}".` : 'The document has several operations: name the one to run in operationName.',
          });
        }
        const analysis = analyzeOrRefuse(schema, document, request.operationName, request.variables);

        // 1. Authorization, on the client's operation.
        const authorized = authorization.authorize(analysis, contextValue);
        const rewritten = authorized.rewritten;
        const touched = rewritten !== undefined || authorized.removed.length > 0;
        if (rewritten === null) {
          // Nothing authorized is left: answered without executing (responseForOperation), so nothing to cost or charge.
          contextValue.policy = { analysis, executes: undefined, authorization: authorized, guardedByAuthorization: true, estimatedCost: 0, rateLimit: undefined };
          return;
        }
        // What follows counts what will really execute.
        const executed = rewritten ? analyzeOrRefuse(schema, rewritten.document, request.operationName, request.variables) : analysis;

        // 2. Demand control.
        const estimatedCost = demandControl?.check(executed, contextValue);

        // 3. Rate limits (the only step with a side effect: it runs last).
        const charge = await rateLimits?.admit({ supergraph: supergraphOf(schema), analysis: executed }, contextValue, requestContext.response.http.headers);
        const state: RequestPolicyState = {
          analysis: executed,
          executes: rewritten,
          authorization: touched ? authorized : null,
          guardedByAuthorization: authorized.guarded,
          estimatedCost,
          rateLimit: charge,
        };
        contextValue.policy = state;
      };
      return {
        async didResolveOperation(requestContext) {
          // With tracing on, the steps together are one span (graphql.policy); a refusal ends it failed.
          const trace = requestContext.contextValue.trace;
          if (!trace) return admit(requestContext);
          trace.startPhase('policy');
          try {
            await admit(requestContext);
          } catch (error) {
            trace.endPhase('policy', [error]);
            throw error;
          }
          trace.endPhase('policy');
        },

        async responseForOperation({ contextValue }) {
          const denied = contextValue.policy?.authorization;
          if (!denied || denied.rewritten !== null) return null;
          return { http: { status: undefined, headers: new HeaderMap() }, body: { kind: 'single', singleResult: { data: denied.dataIsNull ? null : {} } } };
        },

        async willSendResponse({ response, contextValue, schema }) {
          const state = contextValue.policy;
          if (!state) return;
          // Streamed (incremental) answers are not read back: their charge simply stands.
          if (response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          const executed = state.authorization?.rewritten !== null && result.data !== undefined;
          // Read what ran before authorization puts its nulls in (they sit where nothing ran anyway).
          const resolved = executed ? countResolved(state.analysis.rootFields, result.data) : undefined;
          // Synchronous until the rate-limit settlement: Apollo Server runs every plugin's willSendResponse
          // concurrently, and the error-masking plugin (after this one) must see authorization's errors to
          // give them a requestId, count and log them; a hook runs up to its first await before the next starts.
          if (state.authorization) {
            response.body.singleResult = authorization.completeResponse(state.authorization, result, schema);
          }
          if (resolved) demandControl?.measure(state.analysis, resolved, contextValue);
          if (state.rateLimit) await rateLimits?.settle(state.rateLimit, resolved, contextValue, response.http.headers);
        },
      };
    },
  };

  return { plugin, unknownConfigCoordinates };
}
