// Issue 10, through real processes (the four sample subgraphs, both REST services and the gateway):
// the one operation analysis feeding authorization → demand control → rate limits, in order.
//   1. a defaulted variable in @skip/@include (was an HTTP 500), also on a protected field;
//   2. the cyclic `me { orders { user { orders … } } }` queries are refused before any subgraph is called;
//   3. list sizes given as variables cost as much as literals: refused, nothing called;
//   4. @rateLimit(max: 5) on Product.stock counts calls: first: 3 admitted, first: 10 refused, and
//      calls that did not run are given back.
// "Nothing called" is read from the subgraphs' own request counters (GET /debug/requests) and the REST
// services' (GET /_stats), never inferred from the gateway's answer.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { startSampleGraph, type SampleGraph } from '../../support/sampleGraph.js';
import { GATEWAY_ENTRY, repoRoot, startProcess, stopAll, type RunningProcess } from '../../support/processes.js';
import { errorCodes, postGraphQL } from '../../support/http.js';

let graph: SampleGraph;
let measuring: RunningProcess;

before(async () => {
  graph = await startSampleGraph({
    subgraphs: ['users', 'orders', 'products', 'inventory'],
    gatewayConfig: { rateLimits: { fields: { 'Product.stock': { max: 5, window: '1m' } } } },
  });
  // The same graph behind a gateway that only measures cost (demandControl.mode: measure).
  const config = parseYaml(readFileSync(graph.configPath, 'utf8')) as Record<string, any>;
  const path = graph.configPath.replace(/\.yaml$/, '.measure.yaml');
  writeFileSync(path, toYaml({ ...config, demandControl: { mode: 'measure' }, rateLimits: { enabled: false } }));
  measuring = await startProcess({
    name: 'gateway-measure',
    entry: GATEWAY_ENTRY,
    args: ['--supergraph', join(repoRoot, 'supergraph.graphql'), '--port', '0', '--config', path],
    env: { INTERNAL_IDENTITY_SECRET: graph.internalIdentitySecret },
  });
}, { timeout: 120_000 });
after(async () => {
  await stopAll([measuring]);
  await graph?.stop();
}, { timeout: 60_000 });

const bearer = async (subject: string, scopes: string[] = []) => ({ authorization: `Bearer ${await graph.tokenFor(subject, scopes)}` });

/** GraphQL requests each subgraph received, plus the requests each REST service served. */
async function backendRequests(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const [name, subgraph] of Object.entries(graph.subgraphs)) {
    counts[name] = ((await (await fetch(`${subgraph.url}/debug/requests`)).json()) as { graphql: number }).graphql;
  }
  for (const [name, service] of Object.entries(graph.services)) {
    counts[name] = ((await (await fetch(`${service.url}/_stats`)).json()) as { total: number }).total;
  }
  return counts;
}

/** `{ me { id orders { id user { id orders … } } } }` with `levels` orders levels. */
function cyclicOrders(levels: number, leaf: string): string {
  let inner = leaf;
  for (let i = 0; i < levels; i++) inner = `${leaf} orders { ${i === 0 ? 'id' : `id user { ${inner} }`} }`;
  return `{ me { ${inner} } }`;
}

describe('case 1: defaulted variables in @skip/@include', () => {
  test('`query Q($s: Boolean = true) { users(first: 1) { name @skip(if: $s) id } }` without variables answers 200', { timeout: 30_000 }, async () => {
    const response = await postGraphQL(graph.graphqlUrl, { query: 'query Q($s: Boolean = true) { users(first: 1) { name @skip(if: $s) id } }' });
    assert.equal(response.status, 200, JSON.stringify(response.body));
    assert.deepEqual(response.body, { data: { users: [{ id: 'user-1' }] } });
    const included = await postGraphQL(graph.graphqlUrl, { query: 'query Q($i: Boolean = true) { users(first: 1) { name @include(if: $i) } }' });
    assert.equal(included.status, 200);
    assert.equal(typeof included.body.data?.users[0].name, 'string');
  });

  test('through a protected field (User.email needs users:read:email): skipped by default, denied when included', { timeout: 30_000 }, async () => {
    const headers = await bearer('user-1');
    const query = 'query Q($s: Boolean = true) { users(first: 1) { id email @skip(if: $s) } }';
    const skipped = await postGraphQL(graph.graphqlUrl, { query }, headers);
    assert.equal(skipped.status, 200);
    assert.deepEqual(skipped.body, { data: { users: [{ id: 'user-1' }] } }, 'not run, so no error');
    const denied = await postGraphQL(graph.graphqlUrl, { query, variables: { s: false } }, headers);
    assert.equal(denied.status, 200);
    assert.deepEqual(denied.body.data, { users: [{ id: 'user-1', email: null }] });
    assert.deepEqual(errorCodes(denied), ['UNAUTHORIZED_FIELD_OR_TYPE']);
    assert.equal(typeof denied.body.errors![0]!.extensions?.requestId, 'string', 'masked and tagged like every error');
    assert.ok(denied.headers.get('ratelimit'), 'Query.users was charged and settled');
    const allowed = await postGraphQL(graph.graphqlUrl, { query, variables: { s: false } }, await bearer('user-1', ['users:read:email']));
    assert.match(allowed.body.data?.users[0].email, /@/);
  });

  test('variables that do not fit their types are a 400 naming the variable, before any subgraph call', { timeout: 30_000 }, async () => {
    const before = await backendRequests();
    const response = await postGraphQL(graph.graphqlUrl, { query: 'query ($n: Int) { users(first: $n) { id } }', variables: { n: 'ten' } });
    assert.equal(response.status, 400);
    assert.deepEqual(errorCodes(response), ['VALIDATION_INVALID_TYPE_VARIABLE']);
    assert.match(response.body.errors![0]!.message, /\$n/);
    assert.deepEqual(await backendRequests(), before);
  });
});

describe('case 2: the cyclic orders query', () => {
  test('five levels deep, and four levels with name at each, are refused with their estimate; no subgraph is called', { timeout: 30_000 }, async () => {
    const headers = await bearer('user-1', ['orders:read:all']);
    const fiveLevels = cyclicOrders(5, 'id');
    const fourWithName = cyclicOrders(4, 'name');
    assert.ok(fiveLevels.length < 160, `a small query (${fiveLevels.length} bytes)`);
    const before = await backendRequests();
    for (const query of [fiveLevels, fourWithName]) {
      const response = await postGraphQL(graph.graphqlUrl, { query }, headers);
      assert.equal(response.status, 400, query);
      assert.deepEqual(errorCodes(response), ['COST_ESTIMATED_TOO_EXPENSIVE']);
      const cost = response.body.errors![0]!.extensions?.cost as { estimated: number; max: number };
      assert.equal(cost.max, 1000);
      assert.ok(cost.estimated > 100_000, `estimated ${cost.estimated}`);
    }
    assert.deepEqual(await backendRequests(), before, 'no subgraph or REST service received anything');
    const metrics = await (await fetch(`${graph.gateway.url}/metrics`)).text();
    assert.match(metrics, /gateway_cost_limit_exceeded_total\{mode="enforce"\} [2-9]/);
  });

  test('one level of the same shape is an ordinary query', { timeout: 30_000 }, async () => {
    const response = await postGraphQL(graph.graphqlUrl, { query: cyclicOrders(1, 'id') }, await bearer('user-1'));
    assert.equal(response.status, 200);
    assert.ok(Array.isArray(response.body.data?.me.orders));
  });
});

describe('case 3: list sizes given as variables', () => {
  const aliases = (size: string) => Array.from({ length: 20 }, (_, i) => `p${i}: products(first: ${size}) { nodes { id name stock } }`).join(' ');

  test('20 aliases of products(first: $n) with n = 100 are refused like the literal form; nothing is called', { timeout: 30_000 }, async () => {
    const before = await backendRequests();
    const literal = await postGraphQL(graph.graphqlUrl, { query: `{ ${aliases('100')} }` });
    const variable = await postGraphQL(graph.graphqlUrl, { query: `query ($n: Int) { ${aliases('$n')} }`, variables: { n: 100 } });
    for (const response of [literal, variable]) {
      assert.equal(response.status, 400);
      assert.deepEqual(errorCodes(response), ['COST_ESTIMATED_TOO_EXPENSIVE']);
    }
    assert.deepEqual(variable.body.errors![0]!.extensions?.cost, literal.body.errors![0]!.extensions?.cost, 'same estimate');
    assert.deepEqual(await backendRequests(), before);
  });

  test('the README query and one page of 100 products are within the default maxCost', { timeout: 30_000 }, async () => {
    const page = await postGraphQL(graph.graphqlUrl, { query: 'query ($n: Int) { products(first: $n) { nodes { id name } } }', variables: { n: 100 } });
    assert.equal(page.status, 200);
    assert.equal(page.body.data?.products.nodes.length, 100);
    // On the measuring gateway (no Product.stock limit in its config), reading the estimate it logs.
    const headers = { ...(await bearer('user-1', ['orders:read:all', 'users:read:email'])), 'x-request-id': 'readme-query' };
    const readme = '{ users(first: 3) { name orders(first: 2) { status total { amountCents currency } items { quantity product { name stock } } } } }';
    const response = await postGraphQL(`${measuring.url}/graphql`, { query: readme }, headers);
    assert.equal(response.status, 200, JSON.stringify(response.body.errors));
    assert.equal(response.body.data?.users.length, 3);
    const line = await measuring.waitForLog((r) => r.event === 'request' && r.requestId === 'readme-query');
    const cost = line.cost as { estimated: number; actual: number };
    assert.ok(cost.estimated <= 1000 && cost.actual <= cost.estimated, JSON.stringify(cost));
  });

  test('measure mode: the same refused operation executes, and its estimated and actual costs are logged and exported', { timeout: 30_000 }, async () => {
    const response = await postGraphQL(`${measuring.url}/graphql`, { query: `query ($n: Int) { ${aliases('$n')} }`, variables: { n: 2 } }, { 'x-request-id': 'measure-1' });
    assert.equal(response.status, 200);
    const big = await postGraphQL(`${measuring.url}/graphql`, { query: `{ ${aliases('60')} }` }, { 'x-request-id': 'measure-2' });
    assert.equal(big.status, 200, 'over maxCost, admitted in measure mode');
    assert.equal(big.body.data?.p19.nodes.length, 60);
    const line = await measuring.waitForLog((r) => r.event === 'request' && r.requestId === 'measure-2');
    assert.deepEqual(line.cost, { estimated: 20 * 61, actual: 20 * 61 });
    const metrics = await (await fetch(`${measuring.url}/metrics`)).text();
    assert.match(metrics, /gateway_cost_limit_exceeded_total\{mode="measure"\} 1/);
    assert.match(metrics, /gateway_operation_cost_count\{kind="actual"\} [1-9]/);
  });
});

describe('case 4: @rateLimit(max: 5) on Product.stock counts calls', () => {
  test('first: 3 is admitted (3 calls), first: 10 is refused (10 calls > 5), with nothing charged', { timeout: 30_000 }, async () => {
    const headers = await bearer('stock-caller');
    const three = await postGraphQL(graph.graphqlUrl, { query: '{ products(first: 3) { nodes { stock } } }' }, headers);
    assert.equal(three.status, 200);
    assert.equal(three.body.data?.products.nodes.length, 3);
    assert.match(three.headers.get('ratelimit') ?? '', /^"Product\.stock";r=2;t=(59|60)$/);
    const before = await backendRequests();
    const ten = await postGraphQL(graph.graphqlUrl, { query: '{ products(first: 10) { nodes { stock } } }' }, await bearer('stock-caller-2'));
    assert.equal(ten.status, 429);
    assert.deepEqual(errorCodes(ten), ['RATE_LIMITED']);
    assert.equal(ten.body.errors![0]!.extensions?.field, 'Product.stock');
    assert.match(ten.body.errors![0]!.message, /needs 10 calls/);
    assert.deepEqual(await backendRequests(), before, 'refused before any subgraph call');
    const two = await postGraphQL(graph.graphqlUrl, { query: '{ products(first: 2) { nodes { stock } } }' }, headers);
    assert.equal(two.status, 200, '3 + 2 = 5 fits');
    assert.equal((await postGraphQL(graph.graphqlUrl, { query: '{ product(id: "prod-1") { stock } }' }, headers)).status, 429, 'the sixth call does not');
  });

  test('calls that did not run are given back after execution', { timeout: 30_000 }, async () => {
    const headers = await bearer('stock-reconcile');
    // An unknown category fails the list (BAD_USER_INPUT): no stock call ran, all 5 come back.
    const failed = await postGraphQL(graph.graphqlUrl, { query: '{ products(category: "none", first: 5) { nodes { stock } } }' }, headers);
    assert.equal(failed.status, 200);
    assert.equal(failed.body.data?.products, null, JSON.stringify(failed.body));
    assert.match(failed.headers.get('ratelimit') ?? '', /^"Product\.stock";r=5;t=(59|60)$/, 'all 5 charged calls came back');
    // The last page of a category holds 2 products: 5 calls charged before execution, 2 made.
    const cursor = await postGraphQL(graph.graphqlUrl, { query: '{ products(category: "garden", first: 28) { endCursor totalCount } }' }, headers);
    assert.equal(cursor.body.data?.products.totalCount, 30);
    const lastPage = { query: 'query ($after: String) { products(category: "garden", first: 5, after: $after) { nodes { stock } } }', variables: { after: cursor.body.data?.products.endCursor } };
    const short = await postGraphQL(graph.graphqlUrl, lastPage, headers);
    assert.equal(short.status, 200);
    assert.equal(short.body.data?.products.nodes.length, 2);
    assert.match(short.headers.get('ratelimit') ?? '', /^"Product\.stock";r=3;t=(59|60)$/, '5 charged, the 3 that did not run given back');
    // A missing product's stock is never resolved: 1 of 2 given back.
    const partly = await postGraphQL(graph.graphqlUrl, { query: '{ a: product(id: "prod-1") { stock } b: product(id: "prod-99999") { stock } }' }, headers);
    assert.equal(partly.status, 200);
    assert.match(partly.headers.get('ratelimit') ?? '', /^"Product\.stock";r=2;t=(59|60)$/);
    const two = await postGraphQL(graph.graphqlUrl, { query: '{ products(first: 2) { nodes { stock } } }' }, headers);
    assert.equal(two.status, 200, 'only the calls that ran count: 2 + 1 + 2 = 5');
    assert.equal((await postGraphQL(graph.graphqlUrl, { query: '{ product(id: "prod-2") { stock } }' }, headers)).status, 429);
    const metrics = await (await fetch(`${graph.gateway.url}/metrics`)).text();
    assert.match(metrics, /gateway_rate_limit_calls_given_back_total\{field="Product.stock"\} ([6-9]|\d\d)/);
  });
});
