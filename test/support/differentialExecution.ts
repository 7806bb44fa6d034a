// Runs one operation through @apollo/gateway's own executeQueryPlan and through the compiled plan executor
// (gateway/src/execution/planExecution.ts) on the same query plan and the same subgraph answers, so a test
// can require identical results. The subgraphs are real @apollo/subgraph schemas executed in process with
// graphql-js; each answer goes through JSON (as it would over HTTP) and resolves on its own macrotask in
// call order, so both executors see the same answers merged in the same order. An optional seeded
// corruption changes answers the way a misbehaving subgraph would (nulls, wrong leaf types, unknown
// __typename, missing keys, injected errors, short `_entities`, a failed fetch), decided from the request's
// own text, so both executors get the same corrupted answer.
import { Supergraph, operationFromDocument } from '@apollo/federation-internals';
import { buildOperationContext } from '@apollo/gateway';
import { QueryPlanner, type QueryPlan } from '@apollo/query-planner';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import type { GatewayExecutionResult, GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { execute, parse, type DocumentNode, type GraphQLSchema } from 'graphql';
import { createPlanExecutor, type ExecuteQueryPlan } from '../../gateway/src/execution/planExecution.js';
import { stockExecution } from '../../gateway/src/execution/installPlanExecution.js';
import { composeSupergraph } from './composeCache.js';

export interface SubgraphDefinition {
  name: string;
  sdl: string;
  resolvers: GraphQLResolverMap<unknown>;
}

export interface DifferentialOutcome {
  /** JSON of the whole result (data, errors, extensions) or of the thrown error. */
  stock: string;
  ours: string;
  /** The subgraph requests each executor made (service, query, variables), in call order. */
  stockRequests: string[];
  oursRequests: string[];
}

export interface DifferentialGraph {
  run(query: string, options?: { variables?: Record<string, unknown>; operationName?: string; corruptionSeed?: number; captureTraces?: boolean }): Promise<DifferentialOutcome>;
  /** The compiled executor's counters: plans compiled, requests left to stock. */
  counters(): { compiledPlans: number; stockRuns: number };
}

export function differentialGraph(subgraphs: SubgraphDefinition[]): DifferentialGraph {
  const supergraph = Supergraph.build(composeSupergraph(subgraphs.map(({ name, sdl }) => ({ name, url: `http://${name}.invalid/graphql`, sdl }))));
  const supergraphSchema = supergraph.schema.toGraphQLJSSchema();
  const apiSchema = supergraph.apiSchema();
  const schema = apiSchema.toGraphQLJSSchema();
  const planner = new QueryPlanner(supergraph);
  const schemas = new Map(subgraphs.map(({ name, sdl, resolvers }) => [name, buildSubgraphSchema([{ typeDefs: parse(sdl), resolvers }])]));
  const { stock, internals } = stockExecution();
  const ours = createPlanExecutor(stock, internals);
  const plans = new Map<string, QueryPlan>();

  const serviceMapFor = (requests: string[], seed: number | undefined) =>
    Object.fromEntries(
      [...schemas].map(([name, subgraphSchema]) => [
        name,
        {
          process: (options: { request: { query: string; variables?: Record<string, unknown> } }) =>
            answer(name, subgraphSchema, options.request.query, options.request.variables ?? {}, requests, seed),
        },
      ]),
    );

  async function runOne(
    executor: ExecuteQueryPlan,
    query: string,
    document: DocumentNode,
    options: { variables?: Record<string, unknown>; operationName?: string; corruptionSeed?: number; captureTraces?: boolean },
  ): Promise<{ result: string; requests: string[] }> {
    const requests: string[] = [];
    const operationContext = buildOperationContext({ schema, operationDocument: document, operationName: options.operationName });
    const planKey = `${options.operationName ?? ''}\n${query}`;
    let plan = plans.get(planKey);
    if (!plan) {
      plan = planner.buildQueryPlan(operationFromDocument(apiSchema, document, { operationName: options.operationName }));
      plans.set(planKey, plan);
    }
    const requestContext = {
      request: { query, variables: options.variables, operationName: options.operationName },
      document,
      queryHash: planKey,
      operationName: options.operationName ?? null,
      operation: operationContext.operation,
      metrics: { captureTraces: options.captureTraces ?? false },
      context: {},
      logger: console,
    } as unknown as GatewayGraphQLRequestContext;
    try {
      const result: GatewayExecutionResult = await executor(
        plan,
        serviceMapFor(requests, options.corruptionSeed) as never,
        requestContext,
        operationContext as never,
        supergraphSchema,
        apiSchema,
      );
      return { result: JSON.stringify(result, errorsAsMessages), requests };
    } catch (error) {
      return { result: `threw ${(error as Error).message}`, requests };
    }
  }

  return {
    async run(query, options = {}) {
      const document = parse(query);
      const stockRun = await runOne(stock, query, document, options);
      const oursRun = await runOne(ours, query, document, options);
      return { stock: stockRun.result, ours: oursRun.result, stockRequests: stockRun.requests, oursRequests: oursRun.requests };
    },
    counters: () => ({ compiledPlans: ours.compiledPlans, stockRuns: ours.stockRuns }),
  };
}

/** A plain Error (a failed fetch, an assert) has no toJSON: compared by its class and message. GraphQLErrors serialize themselves. */
function errorsAsMessages(_key: string, value: unknown): unknown {
  return value instanceof Error ? { thrown: value.constructor.name, message: value.message } : value;
}

const parsedSubgraphQueries = new Map<string, DocumentNode>();

async function answer(
  name: string,
  subgraphSchema: GraphQLSchema,
  query: string,
  variables: Record<string, unknown>,
  requests: string[],
  seed: number | undefined,
): Promise<unknown> {
  const key = JSON.stringify({ service: name, query, variables });
  requests.push(key);
  let document = parsedSubgraphQueries.get(query);
  if (!document) parsedSubgraphQueries.set(query, (document = parse(query)));
  const result = await execute({ schema: subgraphSchema, document, variableValues: variables, contextValue: {} });
  const answered = JSON.parse(JSON.stringify(result)) as { data?: Record<string, unknown> | null; errors?: unknown[] };
  await new Promise((resolve) => setImmediate(resolve));
  if (seed === undefined) return answered;
  return corrupt(answered, new SeededChoices(`${seed}|${key}`));
}

/** Deterministic choices from a text (FNV-1a of it seeds a mulberry32 sequence), so the same request is corrupted the same way. */
class SeededChoices {
  private state: number;
  constructor(basis: string) {
    let hash = 0x811c9dc5;
    for (let i = 0; i < basis.length; i++) {
      hash ^= basis.charCodeAt(i);
      hash = Math.imul(hash, 0x01000193) >>> 0;
    }
    this.state = hash;
  }
  chance(probability: number): boolean {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 0x1_0000_0000 < probability;
  }
}

function corrupt(answer: { data?: Record<string, unknown> | null; errors?: unknown[] }, choices: SeededChoices): unknown {
  if (choices.chance(0.04)) throw new Error('subgraph fetch failed (corruption)');
  if (choices.chance(0.03)) return { data: null, errors: [{ message: 'whole answer lost (corruption)' }] };
  const data = answer.data;
  if (data) {
    const entities = data._entities;
    if (Array.isArray(entities) && entities.length > 1 && choices.chance(0.03)) entities.pop();
    corruptValue(data, choices);
    if (choices.chance(0.08)) {
      const path = Array.isArray(entities) && entities.length > 0 ? ['_entities', 0, 'reviews'] : [Object.keys(data)[0] ?? 'x'];
      const error: Record<string, unknown> = { message: 'injected (corruption)', path };
      if (choices.chance(0.5)) error.extensions = { code: 'INJECTED_CODE', detail: 7 };
      (answer.errors ??= []).push(error);
    }
  }
  return answer;
}

function corruptValue(value: unknown, choices: SeededChoices): void {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (choices.chance(0.03)) value[i] = null;
      else corruptValue(value[i], choices);
    }
    return;
  }
  if (!value || typeof value !== 'object') return;
  const object = value as Record<string, unknown>;
  for (const key of Object.keys(object)) {
    if (choices.chance(0.01)) {
      delete object[key];
      continue;
    }
    const field = object[key];
    if (key === '__typename') {
      if (choices.chance(0.03)) object[key] = 'Bogus';
    } else if (typeof field === 'number' || typeof field === 'string' || typeof field === 'boolean') {
      if (choices.chance(0.03)) object[key] = null;
      else if (choices.chance(0.02)) object[key] = typeof field === 'string' ? 42.5 : 'not a number';
    } else if (choices.chance(0.02)) {
      object[key] = null;
    } else {
      corruptValue(field, choices);
    }
  }
}
