// Runs @apollo/gateway's query plans (plans still come from its planner and its plan cache) with the
// per-request work of its executeQueryPlan (dist/executeQueryPlan.js) done once per plan instead:
// - the federation-internals Operation it rebuilt from the document on every request is built once per plan;
// - the result shaping is compiled once per operation (compiledResponseShape.ts);
// - walking to a Flatten node's entities, building `@requires` representations and merging subgraph answers
//   use index loops and cached type checks (resultMerging.ts) instead of per-call array spreads and schema
//   lookups.
// Measured on the deep bench scenario: bench/RESULTS.md, "Compiled plan execution".
//
// Everything a client can observe is executeQueryPlan's: the order of fetches (sequence, parallel,
// condition, flatten), what each datasource's process() receives, error paths and codes from subgraphs,
// `extensions.valueCompletion`, and the data's bytes (test/unit/gateway/execution/differentialExecution.test.ts
// runs both on the same subgraph answers). What it does not do is left to @apollo/gateway's own executor,
// whole, per request: usage-reporting traces (`captureTraces`), subscriptions and @defer plans (which stock
// rejects), operations that select `__schema`/`__type`, and documents its Operation builder rejects.
// The OpenTelemetry spans stock opens (gateway.execute/fetch/postprocessing) are not opened: our tracer
// provider is never registered globally (tracing/otelRequestTracing.ts), so there they were no-ops.
import { ERRORS, errorCodeDef, operationFromDocument, type Operation, type Schema } from '@apollo/federation-internals';
import type { FetchNode, PlanNode, QueryPlan, ResponsePath } from '@apollo/query-planner';
import { GraphQLError, Kind, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { GatewayExecutionResult, GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { compileResponseShape, UncompiledOperation, type CompiledResponseShape } from './compiledResponseShape.js';
import { deepMerge, flattenResultsAtPath, representationOf, type StockInternals } from './resultMerging.js';
import { emptyRecord } from './emptyRecord.js';

/** executeQueryPlan's signature (its operationContext and service map as used here). */
export type ExecuteQueryPlan = (
  queryPlan: QueryPlan,
  serviceMap: Record<string, DataSourceLike>,
  requestContext: GatewayGraphQLRequestContext,
  operationContext: OperationContextLike,
  supergraphSchema: GraphQLSchema,
  apiSchema: Schema,
  telemetryConfig?: unknown,
) => Promise<GatewayExecutionResult>;

interface OperationContextLike {
  schema: GraphQLSchema;
  operation: DocumentNode['definitions'][number] & { kind: Kind.OPERATION_DEFINITION; operation: string };
  fragments: Record<string, DocumentNode['definitions'][number]>;
}

interface SubgraphResponse {
  data?: Record<string, unknown> | null;
  errors?: ReadonlyArray<{ message?: string; path?: ReadonlyArray<string | number>; extensions?: Record<string, unknown> } & object>;
  extensions?: Record<string, unknown>;
}

interface DataSourceLike {
  process(options: Record<string, unknown>): Promise<SubgraphResponse>;
}

/** What one plan needs per request, built on its first request. */
interface CompiledPlan {
  apiSchema: Schema;
  operation: Operation;
  shape: CompiledResponseShape;
}

interface Cursor {
  path: ResponsePath;
  data: unknown;
  fullResult: Record<string, unknown>;
}

interface ExecutionContext {
  operation: Operation;
  serviceMap: Record<string, DataSourceLike>;
  requestContext: GatewayGraphQLRequestContext;
  supergraphSchema: GraphQLSchema;
  errors: unknown[];
}

/**
 * executeQueryPlan with per-plan compilation, falling back to `stock` (the original) for what it does not
 * compile. `internals` are @apollo/gateway's own helpers reused unchanged (rewrites, hydrated error paths).
 */
export function createPlanExecutor(stock: ExecuteQueryPlan, internals: StockInternals): ExecuteQueryPlan & { compiledPlans: number; stockRuns: number } {
  // Plans live in @apollo/gateway's plan cache (one object per query hash and operation name, dropped on
  // schema change), so a plan object always stands for the same operation text.
  const compiled = new WeakMap<QueryPlan, CompiledPlan | null>();

  const compile = (queryPlan: QueryPlan, operationContext: OperationContextLike, apiSchema: Schema): CompiledPlan | null => {
    if (!planIsCompilable(queryPlan.node)) return null;
    let operation: Operation;
    try {
      operation = operationFromDocument(
        apiSchema,
        { kind: Kind.DOCUMENT, definitions: [operationContext.operation, ...Object.values(operationContext.fragments)] } as DocumentNode,
        { validate: false },
      );
    } catch {
      return null; // stock answers the same error per request
    }
    try {
      return { apiSchema, operation, shape: compileResponseShape(operation) };
    } catch (error) {
      if (error instanceof UncompiledOperation) return null;
      throw error;
    }
  };

  const execute = async function executeCompiledQueryPlan(queryPlan, serviceMap, requestContext, operationContext, supergraphSchema, apiSchema, telemetryConfig) {
    if (requestContext.metrics?.captureTraces) return runStock();
    let plan = compiled.get(queryPlan);
    if (plan === undefined || (plan !== null && plan.apiSchema !== apiSchema)) {
      plan = compile(queryPlan, operationContext, apiSchema);
      compiled.set(queryPlan, plan);
      if (plan) execute.compiledPlans++;
    }
    if (!plan) return runStock();

    const errors: unknown[] = [];
    const context: ExecutionContext = { operation: plan.operation, serviceMap, requestContext, supergraphSchema, errors };
    const unfilteredData = emptyRecord();
    if (queryPlan.node) await executeNode(context, queryPlan.node as PlanNode, { path: [], data: unfilteredData, fullResult: unfilteredData });

    // executeQueryPlan's post-processing, with its error handling.
    let data: unknown;
    try {
      const shaped = plan.shape.shape(unfilteredData, requestContext.request.variables);
      data = shaped.data;
      if (errors.length === 0 && shaped.errors.length > 0) return { extensions: { valueCompletion: shaped.errors }, data } as GatewayExecutionResult;
    } catch (error) {
      if (error instanceof GraphQLError) return { errors: [error] };
      if (error instanceof Error) return { errors: [new GraphQLError(error.message, { originalError: error })] };
      (requestContext.logger ?? console).error('Unexpected error during query plan execution: ' + String(error));
      return { errors: [new GraphQLError('Unexpected error during query plan execution')] };
    }
    return (errors.length === 0 ? { data } : { errors, data }) as GatewayExecutionResult;

    function runStock() {
      execute.stockRuns++;
      return stock(queryPlan, serviceMap, requestContext, operationContext, supergraphSchema, apiSchema, telemetryConfig);
    }
  } as ExecuteQueryPlan & { compiledPlans: number; stockRuns: number };
  execute.compiledPlans = 0;
  execute.stockRuns = 0;

  async function executeNode(context: ExecutionContext, node: PlanNode, cursor: Cursor | undefined): Promise<void> {
    if (!cursor) return;
    switch (node.kind) {
      case 'Sequence':
        for (const child of node.nodes) await executeNode(context, child, cursor);
        return;
      case 'Parallel':
        await Promise.all(node.nodes.map((child) => executeNode(context, child, cursor)));
        return;
      case 'Flatten':
        return executeNode(context, node.node, moveIntoCursor(cursor, node.path));
      case 'Fetch':
        try {
          await executeFetch(context, node, cursor);
        } catch (error) {
          context.errors.push(error);
        }
        return;
      case 'Condition': {
        const condition = internals.evaluateCondition(node, context.operation.variableDefinitions, context.requestContext.request.variables);
        const picked = condition ? node.ifClause : node.elseClause;
        if (picked) await executeNode(context, picked, cursor);
        return;
      }
      default:
        throw new Error(`plan node ${(node as { kind: string }).kind} reached the compiled executor`);
    }
  }

  async function executeFetch(context: ExecutionContext, fetch: FetchNode, cursor: Cursor): Promise<void> {
    const service = context.serviceMap[fetch.serviceName];
    if (!service) throw new Error(`Couldn't find service with name "${fetch.serviceName}"`);
    let entities: Record<string, unknown>[];
    if (Array.isArray(cursor.data)) {
      entities = [];
      for (const entity of cursor.data) if (entity !== null && entity !== undefined) entities.push(entity as Record<string, unknown>);
    } else {
      entities = [cursor.data as Record<string, unknown>];
    }
    if (entities.length < 1) return;

    const variables = emptyRecord();
    if (fetch.variableUsages) {
      const provided = context.requestContext.request.variables;
      for (const name of fetch.variableUsages) {
        if (provided && Object.prototype.hasOwnProperty.call(provided, name) && typeof provided[name] !== 'undefined') variables[name] = provided[name];
      }
    }

    if (!fetch.requires) {
      const received = await sendOperation(context, fetch, cursor, service, variables);
      if (received) internals.applyRewrites(context.supergraphSchema, fetch.outputRewrites, received);
      for (const entity of entities) deepMerge(entity, received);
      return;
    }

    const requires = fetch.requires;
    const representations: Record<string, unknown>[] = [];
    const representationToEntity: number[] = [];
    for (let index = 0; index < entities.length; index++) {
      const representation = representationOf(context.supergraphSchema, entities[index], requires, internals);
      if (representation && representation.__typename) {
        internals.applyRewrites(context.supergraphSchema, fetch.inputRewrites, representation);
        representations.push(representation);
        representationToEntity.push(index);
      }
    }
    if (representations.length < 1) return;
    if ('representations' in variables) throw new Error(`Variables cannot contain key "representations"`);
    const received = await sendOperation(context, fetch, cursor, service, { ...variables, representations });
    if (!received) return;
    if (!(received._entities && Array.isArray(received._entities))) throw new Error(`Expected "data._entities" in response to be an array`);
    const receivedEntities = received._entities as (Record<string, unknown> | null)[];
    if (receivedEntities.length !== representations.length) throw new Error(`Expected "data._entities" to contain ${representations.length} elements`);
    // Bounded by entities.length, as stock is (indexes past the representations read undefined and merge nothing).
    for (let i = 0; i < entities.length; i++) {
      const receivedEntity = receivedEntities[i];
      const existingEntity = entities[representationToEntity[i]!];
      if (receivedEntity && !receivedEntity.__typename) receivedEntity.__typename = existingEntity!.__typename;
      internals.applyRewrites(context.supergraphSchema, fetch.outputRewrites, receivedEntity);
      deepMerge(existingEntity, receivedEntity);
    }
  }

  async function sendOperation(
    context: ExecutionContext,
    fetch: FetchNode,
    cursor: Cursor,
    service: DataSourceLike,
    variables: Record<string, unknown>,
  ): Promise<Record<string, unknown> | null | undefined> {
    const response = await service.process({
      kind: 'incoming operation',
      request: { query: fetch.operation, variables, operationName: fetch.operationName, http: undefined },
      incomingRequestContext: context.requestContext,
      context: context.requestContext.context,
      document: fetch.operationDocumentNode,
      pathInIncomingRequest: cursor.path,
    });
    if (response.errors) {
      const errorPath = lazyErrorPath(fetch, cursor);
      for (const error of response.errors) context.errors.push(downstreamServiceError(error, fetch.serviceName, errorPath));
      if (!response.extensions?.ftv1) {
        const metrics = context.requestContext.metrics as { nonFtv1ErrorPaths?: unknown[] };
        const errorPaths = response.errors.map((error) => ({ subgraph: fetch.serviceName, path: error.path }));
        if (metrics.nonFtv1ErrorPaths) metrics.nonFtv1ErrorPaths.push(...errorPaths);
        else metrics.nonFtv1ErrorPaths = errorPaths;
      }
    }
    return response.data;
  }

  // executeQueryPlan's makeLazyErrorPathGenerator: an `_entities` error path is mapped back to the entity's
  // path in the client's answer (computed only when a subgraph answered errors).
  function lazyErrorPath(fetch: FetchNode, cursor: Cursor) {
    let hydratedPaths: ResponsePath[] | undefined;
    return (errorPath: ReadonlyArray<string | number> | undefined): ResponsePath | undefined => {
      if (fetch.requires && typeof errorPath?.[1] === 'number') {
        if (!hydratedPaths) {
          hydratedPaths = [];
          internals.generateHydratedPaths([], cursor.path, cursor.fullResult, hydratedPaths);
        }
        return [...(hydratedPaths[errorPath[1]] ?? []), ...errorPath.slice(2)];
      }
      return errorPath ? [...cursor.path, ...errorPath.slice()] : undefined;
    };
  }

  return execute;
}

function moveIntoCursor(cursor: Cursor, pathInCursor: ResponsePath): Cursor | undefined {
  const data = flattenResultsAtPath(cursor.data, pathInCursor, 0);
  return data ? { path: cursor.path.concat(pathInCursor), data, fullResult: cursor.fullResult } : undefined;
}

// executeQueryPlan's downstreamServiceError: the subgraph's message, its extensions plus serviceName, and a
// federation error code when the subgraph gave none.
function downstreamServiceError(
  originalError: { message?: string; path?: ReadonlyArray<string | number>; extensions?: Record<string, unknown> },
  serviceName: string,
  generateErrorPath: (path: ReadonlyArray<string | number> | undefined) => ResponsePath | undefined,
): GraphQLError {
  let { message } = originalError;
  const { extensions } = originalError;
  if (!message) message = `Error while fetching subquery from service "${serviceName}"`;
  const errorOptions = {
    originalError: originalError as Error,
    path: generateErrorPath(originalError.path),
    extensions: { ...extensions, serviceName },
  };
  const codeDef = errorCodeDef(originalError as GraphQLError);
  if (!codeDef && extensions?.code) return new GraphQLError(message, errorOptions);
  return (codeDef ?? ERRORS.DOWNSTREAM_SERVICE_ERROR).err(message, errorOptions);
}

/** Plans the compiled executor runs: no subscription, no @defer anywhere. */
function planIsCompilable(node: QueryPlan['node']): boolean {
  if (!node) return true;
  switch (node.kind) {
    case 'Subscription':
    case 'Defer':
      return false;
    case 'Sequence':
    case 'Parallel':
      return node.nodes.every(planIsCompilable);
    case 'Flatten':
      return planIsCompilable(node.node);
    case 'Condition':
      return planIsCompilable(node.ifClause) && planIsCompilable(node.elseClause);
    case 'Fetch':
      return true;
    default:
      return false;
  }
}
