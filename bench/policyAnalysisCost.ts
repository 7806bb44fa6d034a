// What the policy pipeline's own work costs per request, measured in process on the committed
// supergraph: the operation analysis, the authorization rewrite decision and the cost estimate before
// execution, and the read-back of the response (actual cost, calls to reconcile) after it. Two cases
// per operation: "repeat" (the same document object again, as Apollo Server's document store hands
// it to every request with the same query text: the analysis comes from its cache) and "first seen"
// (a document never analyzed before: the whole walk). Network, stores and subgraphs are not in it:
// the load scenarios of `npm run bench` measure the whole request.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getIntrospectionQuery, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { Supergraph } from '@apollo/federation-internals';
import { cpuMicrosSince, medianMicros } from './cpuMicros.js';
import {
  buildDemandPolicy,
  countResolved,
  createAuthorizationRewriter,
  createOperationAnalyzer,
  createOperationCostModel,
  createPolicyReader,
  demandControlConfigSchema,
  prepareSupergraph,
  type AnalyzedField,
  type AuthIdentity,
  type OperationAnalysis,
} from '@federation-gateway/gateway/policy';

export interface AnalysisCase {
  name: string;
  query: string;
  variables?: Record<string, unknown>;
}

export interface AnalysisCostRow {
  name: string;
  /** Merged fields the analysis found. */
  fields: number;
  estimatedCost: number;
  /** CPU microseconds per request, median over batches (garbage collection included). */
  repeatMicros: number;
  firstSeenMicros: number;
  readBackMicros: number;
  /** graphql-js validate() of the same first-seen document: what Apollo Server already spends on it, for scale. */
  validateMicros: number;
}

export const ANALYSIS_CASES: AnalysisCase[] = [
  { name: 'single-subgraph (load scenario)', query: '{ users(first: 10) { id name createdAt } }' },
  { name: 'cross-service (load scenario)', query: '{ users(first: 10) { id name orders(first: 5) { id status } } }' },
  { name: 'README query (4 services)', query: '{ users(first: 3) { name orders(first: 2) { status total { amountCents currency } items { quantity product { name stock } } } } }' },
  {
    name: 'fragments, variables, a denied field',
    query: `query Q($s: Boolean = false, $n: Int = 3) { me { ...U orders(first: $n) { ...O } } users(first: $n) { ...U } }
      fragment U on User { id name email @skip(if: $s) }
      fragment O on Order { id status total { amountCents currency } items { quantity product { ...P } } }
      fragment P on Product { id name price { amountCents currency } stock }`,
  },
  { name: 'introspection (Sandbox)', query: getIntrospectionQuery() },
];

/** A caller holding orders:read:all but not users:read:email (so the fourth case rewrites). */
const CALLER: AuthIdentity = { subject: 'user-1', scopes: ['orders:read:all'], roles: [], claims: {}, kind: 'user', tier: 'authenticated' };

export function measurePolicyAnalysisCost(repoRoot: string, cases: AnalysisCase[] = ANALYSIS_CASES, batchMs = 60, batches = 9): AnalysisCostRow[] {
  const prepared = prepareSupergraph(readFileSync(join(repoRoot, 'supergraph.graphql'), 'utf8'));
  const schema = Supergraph.build(prepared.sdlForGateway).apiSchema().toGraphQLJSSchema();
  const demandPolicy = buildDemandPolicy(prepared.document, demandControlConfigSchema.parse({}));
  const authorizationPolicy = createPolicyReader()(prepared.document);
  const costs = createOperationCostModel(() => demandPolicy);
  const rewrite = createAuthorizationRewriter();
  // One analyzer, as one gateway has: the repeat case hits its cache, first-seen documents miss it.
  const analyze = createOperationAnalyzer({ demandPolicyFor: () => demandPolicy, maxFields: 2_000 });

  const beforeExecution = (document: DocumentNode, variables: Record<string, unknown> | undefined): OperationAnalysis => {
    const result = analyze({ schema, document, variables });
    if (result.kind !== 'analyzed') throw new Error('bench operation has invalid variables');
    const denied = rewrite({ analysis: result.analysis, policy: authorizationPolicy, auth: CALLER });
    let executed = result.analysis;
    if (denied.rewritten) {
      const again = analyze({ schema, document: denied.rewritten.document, variables });
      if (again.kind === 'analyzed') executed = again.analysis;
    }
    costs.estimated(executed);
    return executed;
  };

  // Warm the shared code paths up once for every case, so the first case measured is not the JIT's.
  for (const benchCase of cases) {
    const document = parse(benchCase.query);
    for (let i = 0; i < 500; i++) beforeExecution(i % 2 === 0 ? document : parse(benchCase.query), benchCase.variables);
  }

  return cases.map((benchCase) => {
    const document = parse(benchCase.query);
    const analysis = beforeExecution(document, benchCase.variables);
    const data = responseShapedLike(analysis.rootFields, schema);
    const repeatMicros = medianMicros(batchMs, batches, () => beforeExecution(document, benchCase.variables));
    // Parsing is Apollo Server's work either way: each batch's documents are parsed before it is timed.
    const firstSeenMicros = medianOverFreshDocuments(benchCase.query, batches, (document) => beforeExecution(document, benchCase.variables));
    const readBackMicros = medianMicros(batchMs, batches, () => costs.actual(analysis, countResolved(analysis.rootFields, data)));
    const validateMicros = medianOverFreshDocuments(benchCase.query, batches, (fresh) => validate(schema, fresh));
    return { name: benchCase.name, fields: analysis.fields.length, estimatedCost: costs.estimated(analysis), repeatMicros, firstSeenMicros, readBackMicros, validateMicros };
  });
}

/** Median CPU microseconds per call over `batches` batches of 300 documents parsed (untimed) for each batch. */
function medianOverFreshDocuments(query: string, batches: number, work: (document: DocumentNode) => unknown): number {
  const perCall: number[] = [];
  for (let batch = -1; batch < batches; batch++) {
    const documents = Array.from({ length: 300 }, () => parse(query));
    const cpuStart = process.cpuUsage();
    for (const document of documents) work(document);
    // Batch -1 warms the JIT up and is not recorded.
    if (batch >= 0) perCall.push(cpuMicrosSince(cpuStart) / documents.length);
  }
  perCall.sort((a, b) => a - b);
  return perCall[Math.floor(perCall.length / 2)]!;
}

/** A response with the shape the analysis estimates (lists at their estimated size, capped at 20). */
function responseShapedLike(fields: readonly AnalyzedField[], schema: GraphQLSchema): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (const field of fields) {
    const value = () => (field.composite ? responseShapedLike(field.children, schema) : 'x');
    object[field.responseKey] = field.listDepth > 0 ? Array.from({ length: Math.min(20, field.itemsPerCall) }, value) : value();
  }
  return object;
}
