// Real users + orders subgraph processes on ephemeral ports, spoken to the way the gateway does: HTTP POST
// with a signed `x-gateway-identity` token. Answers are checked against the deterministic sample data.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startProcess, subgraphEntry, type RunningProcess } from '../../support/processes.js';
import { errorCodes, postGraphQL } from '../../support/http.js';
import { postAsGateway } from '../../support/subgraphRequests.js';
import { signGatewayIdentity, type ForwardedIdentity } from '@federation-gateway/identity';
import { generateSampleUsers } from '../../../subgraphs/users/src/sampleUsers.js';
import { generateSampleCatalog } from '../../../subgraphs/orders/src/sampleCatalog.js';
import { generateSampleOrders, orderTotalCents } from '../../../subgraphs/orders/src/sampleOrders.js';

const secret = 'integration-test-identity-secret-0123456789';
const env = { INTERNAL_IDENTITY_SECRET: secret, SUBGRAPH_DEBUG_COUNTERS: '1' };
const sampleUsers = generateSampleUsers();
const catalog = generateSampleCatalog();
const sampleOrders = generateSampleOrders(catalog);

const user1: ForwardedIdentity = { subject: 'user-1', scopes: [], roles: [], kind: 'user', tier: 'free' };
const support: ForwardedIdentity = { subject: 'user-2', scopes: ['orders:read:all'], roles: ['support'], kind: 'user', tier: 'free' };
const anonymous: ForwardedIdentity = { subject: null, scopes: [], roles: [], kind: 'anonymous', tier: 'anonymous' };

let users: RunningProcess;
let orders: RunningProcess;

async function ask(subgraph: RunningProcess, identity: ForwardedIdentity, query: string, variables?: Record<string, unknown>) {
  return postAsGateway(`${subgraph.url}/graphql`, { query, variables }, { secret, audience: subgraph.name, identity });
}

async function dataLayerCalls(subgraph: RunningProcess): Promise<Record<string, number>> {
  const response = await fetch(`${subgraph.url}/debug/data-layer-calls`);
  assert.equal(response.status, 200);
  return (await response.json()) as Record<string, number>;
}

/** How many data-layer calls `run` caused, per operation. */
async function countCalls(subgraph: RunningProcess, run: () => Promise<unknown>): Promise<Record<string, number>> {
  const before = await dataLayerCalls(subgraph);
  await run();
  const afterRun = await dataLayerCalls(subgraph);
  return Object.fromEntries(
    Object.entries(afterRun)
      .map(([name, count]) => [name, count - (before[name] ?? 0)] as const)
      .filter(([, delta]) => delta > 0),
  );
}

const ownedBy = (userId: string) => sampleOrders.filter((order) => order.userId === userId);

before(async () => {
  [users, orders] = await Promise.all([
    startProcess({ name: 'users', entry: subgraphEntry('users'), args: ['--port', '0'], env }),
    startProcess({ name: 'orders', entry: subgraphEntry('orders'), args: ['--port', '0'], env }),
  ]);
}, { timeout: 60_000 });

after(async () => {
  await Promise.all([users?.stop(), orders?.stop()]);
}, { timeout: 60_000 });

describe('users subgraph', () => {
  test('me is the user whose id is the token subject; anonymous gets null', { timeout: 30_000 }, async () => {
    const mine = await ask(users, user1, '{ me { id name createdAt } }');
    assert.deepEqual(mine.body.data?.me, { id: 'user-1', name: sampleUsers[0]!.name, createdAt: sampleUsers[0]!.createdAt });
    assert.equal((await ask(users, anonymous, '{ me { id } }')).body.data?.me, null);
  });

  test('user(id) returns the sample user, null for an unknown id', { timeout: 30_000 }, async () => {
    const response = await ask(users, user1, '{ a: user(id: "user-7") { id name email } b: user(id: "user-9999") { id } }');
    assert.deepEqual(response.body.data, { a: { id: 'user-7', name: sampleUsers[6]!.name, email: sampleUsers[6]!.email }, b: null });
  });

  test('users(first, after) pages through users in id order', { timeout: 30_000 }, async () => {
    const first = await ask(users, user1, '{ users(first: 3) { id name } }');
    assert.deepEqual(first.body.data?.users, sampleUsers.slice(0, 3).map(({ id, name }) => ({ id, name })));
    const next = await ask(users, user1, '{ users(first: 2, after: "user-3") { id } }');
    assert.deepEqual(next.body.data?.users, [{ id: 'user-4' }, { id: 'user-5' }]);
    const last = await ask(users, user1, `{ usersConnection(first: 5, after: "user-${sampleUsers.length - 2}") { edges { cursor node { id } } pageInfo { endCursor hasNextPage } } }`);
    assert.deepEqual(last.body.data?.usersConnection.pageInfo, { endCursor: `user-${sampleUsers.length}`, hasNextPage: false });
    assert.equal(last.body.data?.usersConnection.edges.length, 2);
  });

  test('bad pagination input is BAD_USER_INPUT naming the argument', { timeout: 30_000 }, async () => {
    const tooMany = await ask(users, user1, '{ users(first: 1000) { id } }');
    assert.deepEqual(errorCodes(tooMany), ['BAD_USER_INPUT']);
    assert.equal(tooMany.body.errors?.[0]?.extensions?.field, 'first');
    const unknownCursor = await ask(users, user1, '{ users(after: "user-nope") { id } }');
    assert.equal(unknownCursor.body.errors?.[0]?.extensions?.field, 'after');
  });

  test('resolving 100 User entities costs ONE users data-layer call', { timeout: 30_000 }, async () => {
    const representations = Array.from({ length: 100 }, (_, i) => ({ __typename: 'User', id: `user-${(i % sampleUsers.length) + 1}` }));
    let response;
    const calls = await countCalls(users, async () => {
      response = await ask(users, user1, 'query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id name } } }', { r: representations });
    });
    assert.equal(response!.body.data?._entities.length, 100);
    assert.equal(response!.body.data?._entities[59].name, sampleUsers[59]!.name);
    assert.deepEqual(calls, { 'users.findByIds': 1 });
  });
});

describe('orders subgraph', () => {
  const user1Order = ownedBy('user-1')[0]!;
  const user2Order = ownedBy('user-2')[0]!;

  test('order(id) returns the owner their order with money in integer cents', { timeout: 30_000 }, async () => {
    const response = await ask(orders, user1, 'query($id: ID!) { order(id: $id) { id status createdAt total { amountCents currency } items { productId quantity unitPrice { amountCents currency } } user { id } } }', { id: user1Order.id });
    assert.deepEqual(response.body.data?.order, {
      id: user1Order.id,
      status: user1Order.status,
      createdAt: user1Order.createdAt,
      total: { amountCents: orderTotalCents(user1Order), currency: user1Order.currency },
      items: user1Order.items.map((item) => ({ productId: item.productId, quantity: item.quantity, unitPrice: { amountCents: item.unitPriceCents, currency: user1Order.currency } })),
      user: { id: 'user-1' },
    });
  });

  test('row-level rule: others\' orders are null/empty unless orders:read:all; anonymous sees none', { timeout: 30_000 }, async () => {
    const query = 'query($id: ID!, $r: [_Any!]!) { order(id: $id) { id } _entities(representations: $r) { ... on User { orders(first: 100) { id } } } }';
    const variables = { id: user2Order.id, r: [{ __typename: 'User', id: 'user-2' }] };
    const asUser1 = await ask(orders, user1, query, variables);
    assert.deepEqual(asUser1.body.data, { order: null, _entities: [{ orders: [] }] });
    assert.equal(asUser1.body.errors, undefined);
    const asSupport = await ask(orders, support, query, variables);
    assert.equal(asSupport.body.data?.order?.id, user2Order.id);
    assert.deepEqual(asSupport.body.data?._entities[0].orders.map((o: { id: string }) => o.id).sort(), ownedBy('user-2').map((o) => o.id).sort());
    const asAnonymous = await ask(orders, anonymous, query, { id: user1Order.id, r: [{ __typename: 'User', id: 'user-1' }] });
    assert.deepEqual(asAnonymous.body.data, { order: null, _entities: [{ orders: [] }] });
  });

  test('User.orders filters by status, newest first, limited by first', { timeout: 30_000 }, async () => {
    const delivered = ownedBy('user-1')
      .filter((o) => o.status === 'DELIVERED')
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
      .slice(0, 2)
      .map((o) => ({ id: o.id, status: o.status }));
    const response = await ask(orders, user1, '{ _entities(representations: [{ __typename: "User", id: "user-1" }]) { ... on User { orders(first: 2, status: DELIVERED) { id status } } } }');
    assert.deepEqual(response.body.data?._entities[0].orders, delivered);
  });

  test('100 users\' orders cost ONE orders data-layer call; 100 orders by key cost ONE', { timeout: 30_000 }, async () => {
    const userRefs = Array.from({ length: 100 }, (_, i) => ({ __typename: 'User', id: `user-${(i % 60) + 1}` }));
    const byUser = await countCalls(orders, () =>
      ask(orders, support, 'query($r: [_Any!]!) { _entities(representations: $r) { ... on User { orders(first: 1) { id } } } }', { r: userRefs }),
    );
    assert.deepEqual(byUser, { 'orders.findByUserIds': 1 });
    const orderRefs = sampleOrders.slice(0, 100).map((o) => ({ __typename: 'Order', id: o.id }));
    let response;
    const byKey = await countCalls(orders, async () => {
      response = await ask(orders, support, 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { id user { id } } } }', { r: orderRefs });
    });
    assert.deepEqual(byKey, { 'orders.findByIds': 1 });
    assert.equal(response!.body.data?._entities[99].user.id, sampleOrders[99]!.userId);
  });

  const placeOrder = 'mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id status total { amountCents currency } items { productId quantity } user { id } } }';

  test('placeOrder creates a PENDING order for the caller, priced from the catalog, visible to its owner only', { timeout: 30_000 }, async () => {
    const input = { items: [{ productId: 'prod-3', quantity: 2 }, { productId: 'prod-5', quantity: 1 }], currency: 'EUR' };
    const response = await ask(orders, user1, placeOrder, { input });
    assert.equal(response.body.errors, undefined);
    const placed = response.body.data?.placeOrder;
    const expectedCents = 2 * catalog.get('prod-3')!.unitPriceCents.EUR + catalog.get('prod-5')!.unitPriceCents.EUR;
    assert.deepEqual({ ...placed, id: undefined }, { id: undefined, status: 'PENDING', total: { amountCents: expectedCents, currency: 'EUR' }, items: input.items, user: { id: 'user-1' } });
    assert.match(placed.id, /^order-\d+$/);
    assert.ok(!sampleOrders.some((o) => o.id === placed.id), 'a new id, not a sample one');
    assert.equal((await ask(orders, user1, 'query($id: ID!) { order(id: $id) { id } }', { id: placed.id })).body.data?.order?.id, placed.id);
    assert.equal((await ask(orders, { ...user1, subject: 'user-3' }, 'query($id: ID!) { order(id: $id) { id } }', { id: placed.id })).body.data?.order, null);
  });

  test('placeOrder validation: BAD_USER_INPUT with extensions.field', { timeout: 30_000 }, async () => {
    const bad = await ask(orders, user1, placeOrder, { input: { items: [{ productId: 'prod-1', quantity: 1 }, { productId: 'prod-2', quantity: 0 }] } });
    assert.deepEqual(errorCodes(bad), ['BAD_USER_INPUT']);
    assert.equal(bad.body.errors?.[0]?.extensions?.field, 'input.items[1].quantity');
    assert.deepEqual(bad.body.data, { placeOrder: null });
    const unknownProduct = await ask(orders, user1, placeOrder, { input: { items: [{ productId: 'prod-404', quantity: 1 }] } });
    assert.equal(unknownProduct.body.errors?.[0]?.extensions?.field, 'input.items[0].productId');
  });

  test('placeOrder without a subject is UNAUTHENTICATED', { timeout: 30_000 }, async () => {
    const response = await ask(orders, anonymous, placeOrder, { input: { items: [{ productId: 'prod-1', quantity: 1 }] } });
    assert.deepEqual(errorCodes(response), ['UNAUTHENTICATED']);
  });
});

describe('subgraph kit: identity and health', () => {
  const query = { query: '{ user(id: "user-1") { id } }' };

  test('no token, a stale token, a token for another subgraph or another secret: HTTP 401 UNAUTHENTICATED', { timeout: 30_000 }, async () => {
    const body = JSON.stringify(query);
    const stale = await signGatewayIdentity({ secret, audience: 'users', identity: user1, requestId: 'r', body, issuedAt: Math.floor(Date.now() / 1000) - 90, expiresInSeconds: 600 });
    const forOrders = await signGatewayIdentity({ secret, audience: 'orders', identity: user1, requestId: 'r', body });
    const otherSecret = await signGatewayIdentity({ secret: `${secret}-rotated`, audience: 'users', identity: user1, requestId: 'r', body });
    const cases: Record<string, string>[] = [{}, { 'x-gateway-identity': stale }, { 'x-gateway-identity': forOrders }, { 'x-gateway-identity': otherSecret }];
    for (const headers of cases) {
      const response = await postGraphQL(`${users.url}/graphql`, query, headers);
      assert.equal(response.status, 401);
      assert.deepEqual(errorCodes(response), ['UNAUTHENTICATED']);
      assert.equal(response.body.data, undefined, 'nothing executed');
    }
  });

  test('GET /healthz is 200 without a token; x-request-id is echoed', { timeout: 30_000 }, async () => {
    const health = await fetch(`${orders.url}/healthz`);
    assert.equal(health.status, 200);
    const response = await postAsGateway(`${users.url}/graphql`, query, { secret, audience: 'users', identity: user1 }, { 'x-request-id': 'req-abc-123' });
    assert.equal(response.headers.get('x-request-id'), 'req-abc-123');
  });

  test('without INTERNAL_IDENTITY_SECRET (and no --insecure-allow-unsigned) a subgraph refuses to start', { timeout: 30_000 }, async () => {
    const refused = await startProcess({
      name: 'users-no-secret',
      entry: subgraphEntry('users'),
      args: ['--port', '0'],
      env: { INTERNAL_IDENTITY_SECRET: '' },
      waitForReady: false,
    });
    const { code } = await refused.exited;
    assert.notEqual(code, 0);
    assert.match(refused.stderrText(), /INTERNAL_IDENTITY_SECRET/);
  });

  test('SIGTERM drains and exits 0', { timeout: 30_000 }, async () => {
    assert.equal(await users.stop(), 0);
    assert.equal(await orders.stop(), 0);
    assert.ok(users.logRecords().some((r) => r.msg === 'stopped'));
  });
});
