// The compiled plan executor (gateway/src/execution/planExecution.ts) against @apollo/gateway's own
// executeQueryPlan, on the same query plans and the same subgraph answers: byte-identical `data`, the same
// errors (message, path, extensions, in order), the same `extensions.valueCompletion`, and the same subgraph
// requests. Over the deep bench graph (bench/deep) and an edge-case graph (test/support/differentialGraph.ts),
// with clean answers and with seeded corrupted ones; plus the cases left to stock (introspection, usage
// traces), which must still answer through it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { differentialGraph, type DifferentialGraph } from '../../../support/differentialExecution.js';
import { DIFFERENTIAL_RESOLVERS, DIFFERENTIAL_SDL } from '../../../support/differentialGraph.js';
import { DEEP_RESOLVERS } from '../../../../bench/deep/deepResolvers.js';
import { DEEP_TEST_QUERY } from '../../../../bench/deep/deepQuery.js';
import { DEEP_SUBGRAPH_NAMES } from '../../../../bench/deep/deepSupergraph.js';
import { repoRoot } from '../../../support/processes.js';

/** Corruption seeds per case: 16 × 18 operations × 2 executors, ~2 CPU-s. */
const SEEDS = 16;

interface Case {
  name: string;
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
}

const deepGraph = (): DifferentialGraph =>
  differentialGraph(
    DEEP_SUBGRAPH_NAMES.map((name) => ({
      name,
      sdl: readFileSync(join(repoRoot, 'bench/deep/schemas', `${name}.graphql`), 'utf8'),
      resolvers: DEEP_RESOLVERS[name]!,
    })),
  );

const edgeGraph = (): DifferentialGraph =>
  differentialGraph(Object.entries(DIFFERENTIAL_SDL).map(([name, sdl]) => ({ name, sdl, resolvers: DIFFERENTIAL_RESOLVERS[name]! })));

const DEEP_CASES: Case[] = [
  { name: 'the bench TestQuery (named fragments, @requires, @provides, entity lists)', query: DEEP_TEST_QUERY },
  {
    name: 'aliases, __typename and an aliased __typename',
    query: `{ __typename top: topProducts(first: 2) { kind: __typename __typename upc name cheap: price reviews { id who: author { id username __typename } } } }`,
  },
  {
    // Result objects inherit nothing (emptyRecord.ts): these names must be plain own keys, as with stock's Object.create(null).
    name: 'aliases named like Object.prototype members (__proto__, constructor, toString, hasOwnProperty)',
    query: `{ constructor: topProducts(first: 2) { __proto__: upc toString: name hasOwnProperty: price valueOf: reviews { id constructor: author { __proto__: id } } } }`,
  },
  {
    name: '@skip/@include with variables, defaults and literals',
    query: `query Q($withReviews: Boolean = true, $skipName: Boolean!, $n: Int = 3) {
      topProducts(first: $n) { upc name @skip(if: $skipName) shippingEstimate @include(if: $withReviews)
        reviews @include(if: $withReviews) { body @skip(if: false) author @include(if: true) { username } } }
      users @skip(if: $skipName) { id } }`,
    variables: { skipName: false },
  },
  {
    name: 'the same operation with other variable values',
    query: `query Q($withReviews: Boolean = true, $skipName: Boolean!, $n: Int = 3) {
      topProducts(first: $n) { upc name @skip(if: $skipName) shippingEstimate @include(if: $withReviews)
        reviews @include(if: $withReviews) { body @skip(if: false) author @include(if: true) { username } } }
      users @skip(if: $skipName) { id } }`,
    variables: { skipName: true, withReviews: false, n: 1 },
  },
  { name: 'a root field that answers null and one by id', query: `{ me { id name reviews { id } } user(id: "nobody") { id } one: user(id: "1") { username } }` },
  {
    name: 'overlapping selections merged from fragments and fields',
    query: `fragment P on Product { upc reviews { id author { id } } }
      { topProducts { ...P upc reviews { body author { username } } ... on Product { weight reviews { id } } } }`,
  },
];

const EDGE_CASES: Case[] = [
  {
    name: 'an interface list with inline fragments per type and fields from three subgraphs',
    query: `{ products { __typename id title price ... on Book { pages genre published rating shipping inStock reviews { stars body author { name email } } }
      ... on Movie { minutes reviews { id stars } } } }`,
  },
  {
    name: 'a union with named fragments on the union and on its members',
    query: `fragment M on Media { __typename ... on Book { id title } ... on Movie { id minutes } }
      fragment B on Book { reviews { id author { id name friends { id name } } } }
      { media { ...M ...B } }`,
  },
  {
    name: 'a fragment on an interface spread inside a union member',
    query: `fragment Priced on Product { price title }
      { media { ... on Book { ...Priced } ... on Movie { ...Priced minutes } } }`,
  },
  { name: 'non-null propagation: an entity whose fetch failed under a non-null list', query: `{ product(id: "b4") { id ... on Book { reviews { id } rating } } }` },
  { name: 'non-null field nulled by the subgraph itself (Movie.minutes in a nullable list item)', query: `{ media { ... on Movie { id minutes } ... on Book { id } } }` },
  { name: 'a root field that fails', query: `{ failing { id } topProduct { id title } }` },
  { name: 'a nullable list that comes back null', query: `{ product(id: "m2") { id ... on Movie { reviews { id } } } }` },
  {
    name: '@requires on an entity reached through an interface, with a missing required field',
    query: `{ products { id ... on Book { shipping inStock title } } }`,
  },
  { name: '@provides: the author name from reviews, the email from users', query: `{ latestReviews(limit: 4) { id author { name email } } }` },
  {
    name: 'variables used by subgraph fetches, with a default and an explicit null',
    query: `query Q($first: Int = 2, $limit: Int!) { products(first: $first) { id } latestReviews(limit: $limit) { id } }`,
    variables: { limit: 3 },
  },
  {
    name: 'several operations, one picked by name',
    query: `query A { me { id } } query B { users { id name friends { name } } }`,
    operationName: 'B',
  },
  {
    name: '@skip/@include on fragments and on fields with variables',
    query: `query Q($yes: Boolean!, $no: Boolean = false) { products { id ... on Book @include(if: $yes) { pages } ... on Movie @skip(if: $yes) { minutes }
      title @include(if: $no) } me @skip(if: $no) { name } }`,
    variables: { yes: true },
  },
];

async function assertSame(graph: DifferentialGraph, testCase: Case, corruptionSeed?: number): Promise<void> {
  const outcome = await graph.run(testCase.query, { variables: testCase.variables, operationName: testCase.operationName, corruptionSeed });
  const label = `${testCase.name}${corruptionSeed === undefined ? '' : ` (corruption seed ${corruptionSeed})`}`;
  assert.equal(outcome.ours, outcome.stock, `${label}: results differ`);
  assert.deepEqual(outcome.oursRequests, outcome.stockRequests, `${label}: subgraph requests differ`);
}

describe('compiled plan execution: the same answers as @apollo/gateway executeQueryPlan', () => {
  test('deep bench graph, clean answers', { timeout: 60_000 }, async () => {
    const graph = deepGraph();
    for (const testCase of DEEP_CASES) await assertSame(graph, testCase);
    // Compiled once per plan, never left to stock.
    assert.deepEqual(graph.counters(), { compiledPlans: DEEP_CASES.length - 1, stockRuns: 0 });
    const outcome = await graph.run(DEEP_TEST_QUERY);
    assert.match(outcome.ours, /"shippingEstimate":\d+/, 'the @requires field was resolved');
    assert.ok(outcome.ours.length > 50_000, `the TestQuery answer is the deep one (${outcome.ours.length} bytes)`);
    const inheritedNames = await graph.run(DEEP_CASES.find((testCase) => testCase.name.startsWith('aliases named like'))!.query);
    assert.match(inheritedNames.ours, /^\{"data":\{"constructor":\[\{"__proto__":"[^"]+","toString":"[^"]+","hasOwnProperty":\d+,"valueOf":\[\{"id":"[^"]+","constructor":\{"__proto__":"/);
  });

  test('edge-case graph, clean answers', { timeout: 60_000 }, async () => {
    const graph = edgeGraph();
    for (const testCase of EDGE_CASES) await assertSame(graph, testCase);
    assert.equal(graph.counters().stockRuns, 0);
    // The cases above reach what they are named after.
    const nonNull = await graph.run(EDGE_CASES[3]!.query);
    assert.match(nonNull.ours, /reviews of b4 are unavailable/);
    assert.match(nonNull.ours, /"path":\["product","_entities"\]/);
    assert.match(nonNull.ours, /"data":\{"product":null\}/);
  });

  test('seeded corrupted answers (nulls, wrong leaf types, unknown __typename, short _entities, errors, failed fetches)', { timeout: 120_000 }, async () => {
    const deep = deepGraph();
    const edge = edgeGraph();
    let differentOutcomes = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      for (const testCase of DEEP_CASES) await assertSame(deep, testCase, seed);
      for (const testCase of EDGE_CASES) await assertSame(edge, testCase, seed);
      const clean = await edge.run(EDGE_CASES[0]!.query);
      const corrupted = await edge.run(EDGE_CASES[0]!.query, { corruptionSeed: seed });
      if (corrupted.ours !== clean.ours) differentOutcomes++;
    }
    // The corruption did change answers (else this test would compare clean runs only).
    assert.ok(differentOutcomes >= SEEDS / 2, `corruption changed ${differentOutcomes} of ${SEEDS} answers`);
  });

  test('left to stock: introspection fields and usage-reporting traces, with the same answers', { timeout: 60_000 }, async () => {
    const graph = edgeGraph();
    const introspection = await graph.run(`{ __schema { queryType { name } } me { id } __type(name: "Genre") { enumValues { name } } }`);
    assert.equal(introspection.ours, introspection.stock);
    assert.match(introspection.ours, /"queryType":\{"name":"Query"\}/);
    assert.equal(graph.counters().stockRuns, 1);
    const traced = await graph.run(`{ me { id } }`, { captureTraces: true });
    assert.equal(traced.ours, traced.stock);
    assert.equal(graph.counters().stockRuns, 2);
    const untraced = await graph.run(`{ me { id } }`);
    assert.equal(untraced.ours, untraced.stock);
    assert.equal(graph.counters().stockRuns, 2, 'the same operation without traces runs compiled');
  });
});
