// Fan-out in the fetch layer (issue 10, case 2): identical entity representations in one `_entities` fetch
// are sent once and fanned back, proven by what the subgraphs actually receive (recording proxies in front
// of them); and the caps on one subgraph answer and on everything one operation takes from subgraphs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateSampleUsers } from '../../../subgraphs/users/src/sampleUsers.js';
import { generateSampleCatalog } from '../../../subgraphs/orders/src/sampleCatalog.js';
import { generateSampleOrders } from '../../../subgraphs/orders/src/sampleOrders.js';
import { errorCodes, postGraphQL } from '../../support/http.js';
import { entityRepresentations, startRecordingProxy, type RecordingProxy } from '../../support/recordingProxy.js';
import { startSampleGraph, type SampleGraph } from '../../support/sampleGraph.js';
import type { RunningProcess } from '../../support/processes.js';

const userOne = generateSampleUsers()[0]!;
const ordersOfUserOne = generateSampleOrders(generateSampleCatalog())
  .filter((order) => order.userId === 'user-1')
  .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));

/** `me { orders { user { name orders { user { name … } } } } }`, `levels` deep, `first` orders per level. */
function cyclicQuery(levels: number, first: number): string {
  let selection = 'name';
  for (let level = 0; level < levels; level += 1) selection = `name orders(first: ${first}) { id user { ${selection} } }`;
  return `{ me { ${selection} } }`;
}

/** What stock @apollo/gateway answers for cyclicQuery, built from the sample data. */
function expectedCyclic(levels: number, first: number): unknown {
  let user: Record<string, unknown> = { name: userOne.name };
  for (let level = 0; level < levels; level += 1) {
    const inner = user;
    user = { name: userOne.name, orders: ordersOfUserOne.slice(0, first).map((order) => ({ id: order.id, user: inner })) };
  }
  return { me: user };
}

const distinct = (representations: unknown[]) => new Set(representations.map((r) => JSON.stringify(r))).size;

describe('entity representations are deduplicated per fetch, caps bound what one operation reads', () => {
  let graph: SampleGraph;
  const proxies: Record<string, RecordingProxy> = {};
  let token: string;

  before(async () => {
    graph = await startSampleGraph({
      subgraphBaseUrl: async (name, url) => (proxies[name] = await startRecordingProxy(url)).url,
    });
    token = await graph.tokenFor('user-1', []);
  }, { timeout: 60_000 });
  after(async () => {
    await graph?.stop();
    await Promise.all(Object.values(proxies).map((proxy) => proxy.close()));
  }, { timeout: 60_000 });

  const clearRecordings = () => Object.values(proxies).forEach((proxy) => proxy.exchanges.splice(0));
  const ask = (url: string, query: string) => postGraphQL(url, { query }, { authorization: `Bearer ${token}` });

  test('a cyclic selection: every _entities fetch carries each representation once; the answer is unchanged', { timeout: 30_000 }, async () => {
    assert.equal(ordersOfUserOne.length >= 4, true, 'sample data: user-1 has at least 4 orders');
    clearRecordings();
    const response = await ask(graph.graphqlUrl, cyclicQuery(3, 4));
    assert.equal(response.status, 200);
    assert.equal(response.body.errors, undefined, JSON.stringify(response.body.errors));
    assert.deepEqual(response.body.data, expectedCyclic(3, 4));

    // Without deduplication the users subgraph would receive 4, 16 and 64 copies of User:user-1 (one per
    // position of `user { name }`); each of its three fetches now carries exactly one.
    const users = entityRepresentations(proxies.users!.exchanges);
    const orders = entityRepresentations(proxies.orders!.exchanges);
    assert.deepEqual(users.map((r) => r.length), [1, 1, 1], JSON.stringify(users));
    // The orders subgraph resolves the nested orders → user → orders chain itself: one fetch, one representation.
    assert.deepEqual(orders.map((r) => r.length), [1], JSON.stringify(orders));
    assert.deepEqual(users[2], [{ __typename: 'User', id: 'user-1' }]);
    const metrics = await (await fetch(`${graph.gateway.url}/metrics`)).text();
    assert.match(metrics, /gateway_entity_representations_deduplicated_total\{subgraph="users"\} 81\n/, '3 + 15 + 63 copies not sent');
  });

  test('distinct representations are all sent, each once, in first-seen order', { timeout: 30_000 }, async () => {
    clearRecordings();
    const response = await ask(graph.graphqlUrl, '{ users(first: 5) { id orders(first: 3) { id user { id name } } } }');
    assert.equal(response.body.errors, undefined, JSON.stringify(response.body.errors));
    const users = response.body.data!.users as { id: string; orders: { user: { id: string; name: string } }[] }[];
    for (const user of users) for (const order of user.orders) assert.equal(order.user.id, user.id);
    for (const representations of [...entityRepresentations(proxies.users!.exchanges), ...entityRepresentations(proxies.orders!.exchanges)]) {
      assert.equal(distinct(representations), representations.length, JSON.stringify(representations));
    }
    const [ordersOfUsers] = entityRepresentations(proxies.orders!.exchanges);
    assert.deepEqual(ordersOfUsers, users.map((user) => ({ __typename: 'User', id: user.id })));
  });

  describe('caps', () => {
    let capped: RunningProcess;
    before(async () => {
      capped = await graph.startGateway({
        // These tests are about bytes, not estimated cost: the demand-control limit must not refuse them first.
        demandControl: { maxCost: 1_000_000 },
        server: { maxResponseBytes: 8_192 },
        subgraphs: { users: { maxResponseBytes: 1_024 } },
      });
    }, { timeout: 60_000 });

    test('one subgraph answer over subgraphs.<name>.maxResponseBytes: SUBGRAPH_RESPONSE_TOO_LARGE, null there, the rest served', { timeout: 30_000 }, async () => {
      clearRecordings();
      const response = await ask(`${capped.url}/graphql`, '{ users(first: 60) { id name createdAt } }');
      assert.equal(response.status, 200);
      assert.deepEqual(errorCodes(response), ['SUBGRAPH_RESPONSE_TOO_LARGE']);
      assert.equal(response.body.data, null, 'users is non-null: the null reaches the root');
      assert.ok(proxies.users!.exchanges[0]!.responseBytes > 1_024, 'the subgraph did answer more than the cap');
      const small = await ask(`${capped.url}/graphql`, '{ users(first: 2) { id } }');
      assert.deepEqual(small.body.data, { users: [{ id: 'user-1' }, { id: 'user-2' }] });
    });

    test('fanned-back copies count as if sent: deduplication cannot turn a small answer into an unbounded one', { timeout: 30_000 }, async () => {
      clearRecordings();
      const response = await ask(`${capped.url}/graphql`, cyclicQuery(2, 8));
      assert.equal(response.status, 200);
      assert.deepEqual(errorCodes(response), ['SUBGRAPH_RESPONSE_TOO_LARGE']);
      const users = entityRepresentations(proxies.users!.exchanges);
      assert.deepEqual(users.map((r) => r.length), [1, 1], 'both users fetches deduplicated');
      assert.ok(proxies.users!.exchanges.every((exchange) => exchange.responseBytes < 1_024), 'every answer on the wire was small');
      const me = (response.body.data as { me: { orders: { user: { name: string; orders: { user: unknown }[] } }[] } }).me;
      assert.equal(me.orders[0]!.user.name, userOne.name, 'the first level (8 copies, ~0.2 KB) fits and is served');
      assert.equal(me.orders[0]!.user.orders[0]!.user, null, 'the second level (64 copies, ~1.7 KB) is over the cap');
    });

    test('everything one operation takes from subgraphs over server.maxResponseBytes: 400 RESPONSE_TOO_LARGE, later fetches not sent', { timeout: 30_000 }, async () => {
      clearRecordings();
      const readAll = await graph.tokenFor('user-1', ['orders:read:all']);
      // users (root, ~0.5 KB) → 10 orders of each of 10 users (~12 KB, over the 8 KB budget) → their users' names (not sent).
      const query = '{ usersConnection(first: 10) { edges { node { id orders(first: 10) { id createdAt status user { id name } } } } } }';
      const response = await postGraphQL(`${capped.url}/graphql`, { query }, { authorization: `Bearer ${readAll}` });
      assert.equal(response.status, 400, JSON.stringify(response.body).slice(0, 500));
      assert.deepEqual(errorCodes(response), ['RESPONSE_TOO_LARGE']);
      assert.equal(response.body.data, undefined);
      assert.equal(response.body.errors?.[0]?.extensions?.maxBytes, 8_192);
      assert.equal(proxies.users!.exchanges.length, 1, 'only the root fetch reached users: the names fetch was not sent');
      assert.equal(proxies.orders!.exchanges.length, 1);
      assert.ok(proxies.orders!.exchanges[0]!.responseBytes > 8_192, 'the orders answer is what spent the budget');
    });

    test('a mutation over the budget keeps its own answer (it changed data): 200, partial data, later fetches not sent', { timeout: 30_000 }, async () => {
      clearRecordings();
      // user-8: the users and orders subgraphs may be shared with files that compare users 1-3's orders with
      // the sample data (test/support/sampleGraph.ts).
      const writer = await graph.tokenFor('user-8', ['orders:write']);
      // Four orders placed, each answering with all of user-8's orders (~3 KB each, over the 8 KB budget together).
      const place = (alias: string) =>
        `${alias}: placeOrder(input: { items: [{ productId: "prod-1", quantity: 1 }] }) { id user { name orders(first: 100) { id status createdAt items { productId quantity } } } }`;
      const query = `mutation { ${['a', 'b', 'c', 'd'].map(place).join(' ')} }`;
      const response = await postGraphQL(`${capped.url}/graphql`, { query }, { authorization: `Bearer ${writer}` });
      assert.equal(response.status, 200, JSON.stringify(response.body).slice(0, 500));
      const data = response.body.data as Record<string, { id: string; user: unknown } | null>;
      for (const alias of ['a', 'b', 'c', 'd']) assert.match(data[alias]?.id ?? '', /^order-\d+$/, `${alias} placed and answered`);
      assert.ok(errorCodes(response).length > 0 && errorCodes(response).every((code) => code === 'RESPONSE_TOO_LARGE'), JSON.stringify(response.body.errors));
      assert.equal(proxies.users!.exchanges.length, 0, 'the names fetch after the budget ran out was not sent');
    });
  });
});
