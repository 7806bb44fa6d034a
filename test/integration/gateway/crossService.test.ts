// The foundation end to end: real users + orders subgraphs and a real gateway on ephemeral ports,
// answers checked against the sample data the subgraphs are generated from.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateSampleUsers } from '../../../subgraphs/users/src/sampleUsers.js';
import { generateSampleCatalog } from '../../../subgraphs/orders/src/sampleCatalog.js';
import { generateSampleOrders, orderTotalCents } from '../../../subgraphs/orders/src/sampleOrders.js';
import { errorCodes, postGraphQL } from '../../support/http.js';
import { startSampleGraph, type SampleGraph } from '../../support/sampleGraph.js';

const users = generateSampleUsers();
const orders = generateSampleOrders(generateSampleCatalog());

async function dataLayerCalls(graph: SampleGraph, subgraph: string): Promise<Record<string, number>> {
  const response = await fetch(`${graph.subgraphs[subgraph]!.url}/debug/data-layer-calls`);
  assert.equal(response.status, 200);
  return (await response.json()) as Record<string, number>;
}

function delta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(after)) if (value !== (before[key] ?? 0)) out[key] = value - (before[key] ?? 0);
  return out;
}

describe('gateway over the users and orders subgraphs', () => {
  let graph: SampleGraph;
  let readAll: Record<string, string>;

  before(async () => {
    graph = await startSampleGraph();
    readAll = { authorization: `Bearer ${await graph.tokenFor('user-1', ['orders:read:all', 'users:read:email'])}` };
  }, { timeout: 60_000 });
  after(async () => graph?.stop(), { timeout: 60_000 });

  test('a cross-service query returns users with their orders from the sample data', { timeout: 30_000 }, async () => {
    const response = await postGraphQL(
      graph.graphqlUrl,
      { query: '{ users(first: 3) { id name email orders(first: 100) { id status total { amountCents currency } } } }' },
      readAll,
    );
    assert.equal(response.status, 200);
    assert.equal(response.body.errors, undefined);
    const got = response.body.data!.users as { id: string; name: string; email: string | null; orders: { id: string; status: string; total: { amountCents: number; currency: string } }[] }[];
    assert.deepEqual(got.map((u) => u.id), users.slice(0, 3).map((u) => u.id));
    for (const user of got) {
      const expectedUser = users.find((u) => u.id === user.id)!;
      assert.equal(user.name, expectedUser.name);
      assert.equal(user.email, expectedUser.email);
      const expectedOrders = orders.filter((o) => o.userId === user.id);
      assert.ok(expectedOrders.length > 0, 'sample data gives every user orders');
      assert.deepEqual(new Set(user.orders.map((o) => o.id)), new Set(expectedOrders.map((o) => o.id)));
      for (const order of user.orders) {
        const expected = expectedOrders.find((o) => o.id === order.id)!;
        assert.equal(order.status, expected.status);
        assert.equal(order.total.amountCents, orderTotalCents(expected));
        assert.equal(order.total.currency, expected.currency);
        assert.ok(Number.isInteger(order.total.amountCents));
      }
    }
  });

  test('an order resolves its user through the users subgraph', { timeout: 30_000 }, async () => {
    const sample = orders[42]!;
    const response = await postGraphQL(graph.graphqlUrl, { query: 'query($id: ID!) { order(id: $id) { id user { id name } } }', variables: { id: sample.id } }, readAll);
    assert.equal(response.body.errors, undefined);
    const order = response.body.data!.order as { id: string; user: { id: string; name: string } };
    assert.equal(order.id, sample.id);
    assert.equal(order.user.id, sample.userId);
    assert.equal(order.user.name, users.find((u) => u.id === sample.userId)!.name);
  });

  test('resolving 100 orders\' users costs one users data-layer lookup', { timeout: 30_000 }, async () => {
    const beforeUsers = await dataLayerCalls(graph, 'users');
    const beforeOrders = await dataLayerCalls(graph, 'orders');
    const response = await postGraphQL(
      graph.graphqlUrl,
      { query: '{ users(first: 10) { id orders(first: 10) { id user { id name } } } }' },
      readAll,
    );
    assert.equal(response.body.errors, undefined);
    const resolvedOrders = (response.body.data!.users as { orders: { user: { id: string } }[] }[]).flatMap((u) => u.orders);
    assert.equal(resolvedOrders.length, 100);
    const usersDelta = delta(beforeUsers, await dataLayerCalls(graph, 'users'));
    const ordersDelta = delta(beforeOrders, await dataLayerCalls(graph, 'orders'));
    // One list call for `users(first: 10)`, and ONE batched lookup for the 100 orders' users.
    assert.equal(usersDelta['users.findByIds'], 1, JSON.stringify(usersDelta));
    assert.equal(usersDelta['users.listAfter'], 1, JSON.stringify(usersDelta));
    // The 10 users' orders are fetched in one batched call too.
    const orderLookups = Object.entries(ordersDelta).filter(([key]) => key.startsWith('orders.'));
    assert.equal(orderLookups.reduce((sum, [, n]) => sum + n, 0), 1, JSON.stringify(ordersDelta));
  });

  test('placeOrder creates an order for the caller, and bad input is BAD_USER_INPUT naming the field', { timeout: 30_000 }, async () => {
    const writer = { authorization: `Bearer ${await graph.tokenFor('user-7', ['orders:write'])}` };
    const placed = await postGraphQL(
      graph.graphqlUrl,
      {
        query: 'mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id status total { amountCents currency } user { id } } }',
        variables: { input: { items: [{ productId: orders[0]!.items[0]!.productId, quantity: 2 }], currency: 'EUR' } },
      },
      writer,
    );
    assert.equal(placed.body.errors, undefined, JSON.stringify(placed.body.errors));
    const order = placed.body.data!.placeOrder as { id: string; status: string; total: { amountCents: number; currency: string }; user: { id: string } };
    assert.equal(order.user.id, 'user-7');
    assert.equal(order.status, 'PENDING');
    assert.equal(order.total.currency, 'EUR');
    assert.ok(order.total.amountCents > 0);

    const invalid = await postGraphQL(
      graph.graphqlUrl,
      { query: 'mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }', variables: { input: { items: [{ productId: orders[0]!.items[0]!.productId, quantity: 0 }] } } },
      writer,
    );
    assert.equal(invalid.status, 200);
    assert.deepEqual(errorCodes(invalid), ['BAD_USER_INPUT']);
    assert.match(String(invalid.body.errors![0]!.extensions!.field), /quantity/);
    assert.equal(invalid.body.data?.placeOrder ?? null, null);
  });

  test('the sample SDL limits placeOrder to 5 per minute per user: the 6th is 429 RATE_LIMITED', { timeout: 30_000 }, async () => {
    const writer = { authorization: `Bearer ${await graph.tokenFor('user-9', ['orders:write'])}` };
    const place = () =>
      postGraphQL(
        graph.graphqlUrl,
        {
          query: 'mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }',
          variables: { input: { items: [{ productId: orders[0]!.items[0]!.productId, quantity: 1 }] } },
        },
        writer,
      );
    for (let i = 0; i < 5; i += 1) {
      const admitted = await place();
      assert.equal(admitted.status, 200);
      assert.equal(admitted.body.errors, undefined);
    }
    const rejected = await place();
    assert.equal(rejected.status, 429);
    assert.deepEqual(errorCodes(rejected), ['RATE_LIMITED']);
    assert.equal(rejected.body.errors![0]!.extensions!.field, 'Mutation.placeOrder');
    assert.ok(Number(rejected.headers.get('retry-after')) > 0);
    // Another user has a budget of their own.
    const other = await postGraphQL(
      graph.graphqlUrl,
      { query: 'mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }', variables: { input: { items: [{ productId: orders[0]!.items[0]!.productId, quantity: 1 }] } } },
      { authorization: `Bearer ${await graph.tokenFor('user-10', ['orders:write'])}` },
    );
    assert.equal(other.status, 200);
  });

  test('bad tokens and authorization denials are visible in /metrics and the access log', { timeout: 30_000 }, async () => {
    const bad = await postGraphQL(graph.graphqlUrl, { query: '{ users(first: 1) { id } }' }, { authorization: 'Bearer not-a-jwt', 'x-request-id': 'bad-token-1' });
    assert.equal(bad.status, 401);
    const noScope = await postGraphQL(graph.graphqlUrl, { query: '{ users(first: 2) { id email } }' }, { authorization: `Bearer ${await graph.tokenFor('user-2', [])}` });
    assert.deepEqual(errorCodes(noScope), ['UNAUTHORIZED_FIELD_OR_TYPE']);
    const metrics = await (await fetch(`${graph.gateway.url}/metrics`)).text();
    assert.match(metrics, /gateway_graphql_errors_total\{code="UNAUTHENTICATED"\} [1-9]/);
    assert.match(metrics, /gateway_authorization_denials_total\{coordinate="User.email"\} [1-9]/);
    const line = await graph.gateway.waitForLog((r) => r.event === 'request' && r.requestId === 'bad-token-1');
    assert.deepEqual(line.errorCodes, ['UNAUTHENTICATED']);
  });

  test('errors never leak subgraph URLs, service names or stack traces, and carry the request ID', { timeout: 30_000 }, async () => {
    const response = await postGraphQL(graph.graphqlUrl, { query: '{ order(id: "order-1") { id } }' }, { ...readAll, 'x-request-id': 'test-req-1' });
    assert.equal(response.headers.get('x-request-id'), 'test-req-1');
    const invalid = await postGraphQL(
      graph.graphqlUrl,
      { query: 'mutation { placeOrder(input: { items: [] }) { id } }' },
      { authorization: `Bearer ${await graph.tokenFor('user-7', ['orders:write'])}`, 'x-request-id': 'test-req-2' },
    );
    const text = JSON.stringify(invalid.body);
    assert.ok(!text.includes(graph.subgraphs.orders!.url), 'no subgraph URL');
    assert.ok(!text.includes('serviceName') && !text.includes('stacktrace') && !text.includes('"response"'), text);
    assert.equal(invalid.body.errors![0]!.extensions!.requestId, 'test-req-2');
  });
});
