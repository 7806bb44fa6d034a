// The response cache through real processes: the sample subgraphs' own cache hints (users: PUBLIC 60 s,
// `me` PRIVATE 10 s; orders PRIVATE 10 s) decide what the gateway keeps; the subgraphs' request counters
// (/debug/requests) prove a hit never reached them. Two instances share entries through a REAL
// redis-server; Redis down → answers are served uncached. Policy still applies to hits: authorization-
// guarded answers are per caller, rate limits are charged.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSampleGraph, type SampleGraph } from '../../support/sampleGraph.js';
import { startRedis, type RunningRedis } from '../../support/redis.js';
import { repoRoot, stopAll, type RunningProcess } from '../../support/processes.js';
import { errorCodes, postGraphQL, type GraphQLResponse } from '../../support/http.js';
import { tempDir } from '../../support/tempDirs.js';

type Answer = GraphQLResponse<Record<string, any>>;

let redis: RunningRedis;
let graph: SampleGraph;
let redisA: RunningProcess;
/** Shares A's Redis; its entries live at most 1 s (responseCache.maxTtlSeconds). */
let redisB: RunningProcess;
let supergraphPath: string;

const graphql = (gateway: RunningProcess) => `${gateway.url}/graphql`;

async function subgraphRequests(name: string): Promise<number> {
  const response = await fetch(`${graph.subgraphs[name]!.url}/debug/requests`);
  return ((await response.json()) as { graphql: number }).graphql;
}

/** How many requests the users and orders subgraphs received while `work` ran. */
async function subgraphCallsDuring(work: () => Promise<unknown>): Promise<number> {
  const before = (await subgraphRequests('users')) + (await subgraphRequests('orders'));
  await work();
  return (await subgraphRequests('users')) + (await subgraphRequests('orders')) - before;
}

const bearer = async (subject: string, scopes: string[] = []) => ({ authorization: `Bearer ${await graph.tokenFor(subject, scopes)}` });

before(async () => {
  redis = await startRedis();
  // A copy of the supergraph, so that the hot-reload test can change it.
  supergraphPath = join(tempDir('gw-rc-'), 'supergraph.graphql');
  copyFileSync(join(repoRoot, 'supergraph.graphql'), supergraphPath);
  graph = await startSampleGraph({
    supergraphPath,
    gatewayConfig: {
      responseCache: { enabled: true },
      subgraphDefaults: { propagateHeaders: ['x-tenant'] },
    },
  });
  const redisStore = { store: { kind: 'redis', url: redis.url, keyPrefix: 'it:rc:' } };
  // B's 1 s cap serves the TTL test too: it shortens only what B writes, and the sharing test waits for a
  // hit on B whoever wrote it (a gateway start less, ~1.1 CPU-s).
  [redisA, redisB] = await Promise.all([
    graph.startGateway({ responseCache: redisStore }),
    graph.startGateway({ responseCache: { ...redisStore, maxTtlSeconds: 1 } }),
  ]);
}, { timeout: 90_000 });
after(async () => {
  await stopAll([redisA, redisB]);
  await graph?.stop();
  await redis?.stop();
}, { timeout: 60_000 });

test('a PUBLIC answer is served from the cache without reaching the subgraph, with Cache-Control and Age; rate limits are still charged', { timeout: 30_000 }, async () => {
  const query = { query: 'query Catalog($n: Int) { users(first: $n) { id name } }', variables: { n: 3 } };
  const headers = await bearer('rc-public');
  let first!: Answer;
  assert.equal(await subgraphCallsDuring(async () => (first = await postGraphQL(graph.graphqlUrl, query, headers))), 1);
  assert.equal(first.status, 200);
  assert.equal(first.body.data?.users.length, 3);
  assert.equal(first.headers.get('cache-control'), 'max-age=60, public', 'the subgraph’s hint, passed on');
  assert.equal(first.headers.get('age'), null);
  assert.match(first.headers.get('ratelimit') ?? '', /"Query\.users";r=29;/);

  let second!: Answer;
  assert.equal(await subgraphCallsDuring(async () => (second = await postGraphQL(graph.graphqlUrl, query, await bearer('rc-public-other')))), 0, 'served from the cache');
  assert.deepEqual(second.body, first.body);
  assert.equal(second.headers.get('cache-control'), 'max-age=60, public');
  assert.match(second.headers.get('age') ?? '', /^\d+$/);
  const third = await postGraphQL(graph.graphqlUrl, query, headers);
  assert.match(third.headers.get('ratelimit') ?? '', /"Query\.users";r=28;/, 'a hit is charged like any request');

  // Anything that changes the answer is in the key: variables, the operation, propagated headers.
  assert.equal(await subgraphCallsDuring(() => postGraphQL(graph.graphqlUrl, { ...query, variables: { n: 4 } }, headers)), 1);
  assert.equal(await subgraphCallsDuring(() => postGraphQL(graph.graphqlUrl, { query: 'query Catalog($n: Int) { users(first: $n) { id } }', variables: { n: 3 } }, headers)), 1);
  assert.equal(await subgraphCallsDuring(() => postGraphQL(graph.graphqlUrl, query, { ...headers, 'x-tenant': 'tenant-b' })), 1, 'a propagated header is part of the key');
  assert.equal(await subgraphCallsDuring(() => postGraphQL(graph.graphqlUrl, query, { ...headers, 'x-tenant': 'tenant-b' })), 0);
  // One document, two operations: the operation chosen is part of the key (no answer of A served for B).
  const twoOperations = 'query A { users(first: 1) { id } } query B { users(first: 2) { id } }';
  assert.equal((await postGraphQL(graph.graphqlUrl, { query: twoOperations, operationName: 'A' })).body.data?.users.length, 1);
  assert.equal((await postGraphQL(graph.graphqlUrl, { query: twoOperations, operationName: 'A' })).headers.get('age') !== null, true);
  assert.equal((await postGraphQL(graph.graphqlUrl, { query: twoOperations, operationName: 'B' })).body.data?.users.length, 2);

  const metrics = await (await fetch(`${graph.gateway.url}/metrics`)).text();
  assert.match(metrics, /gateway_response_cache_lookups_total\{result="hit"\} [2-9]/);
  assert.match(metrics, /gateway_response_cache_lookups_total\{result="miss"\} [4-9]/);
});

test('PRIVATE answers are cached per caller and never served to another identity (nor to anonymous callers)', { timeout: 30_000 }, async () => {
  const me = { query: '{ me { id name } }' };
  const alice = await bearer('user-3');
  const bob = await bearer('user-4');
  const first = await postGraphQL(graph.graphqlUrl, me, alice);
  assert.equal(first.body.data?.me.id, 'user-3');
  assert.equal(first.headers.get('cache-control'), 'max-age=10, private');
  let again!: Answer;
  assert.equal(await subgraphCallsDuring(async () => (again = await postGraphQL(graph.graphqlUrl, me, alice))), 0, 'the same caller hits');
  assert.deepEqual(again.body, first.body);
  let other!: Answer;
  assert.equal(await subgraphCallsDuring(async () => (other = await postGraphQL(graph.graphqlUrl, me, bob))), 1, 'another caller misses');
  assert.equal(other.body.data?.me.id, 'user-4');
  // Same subject, other grants: another identity as the subgraphs see it.
  const sameSubjectMoreScopes = await bearer('user-3', ['orders:read:all']);
  assert.equal(await subgraphCallsDuring(() => postGraphQL(graph.graphqlUrl, me, sameSubjectMoreScopes)), 1);
  const anonymous = await postGraphQL(graph.graphqlUrl, me);
  assert.notEqual(anonymous.body.data?.me?.id, 'user-3', 'an anonymous caller never gets a cached PRIVATE answer');

  // Orders are PRIVATE in the orders subgraph: a user's orders are theirs alone.
  const orders = { query: '{ me { id orders(first: 2) { id } } }' };
  const aliceOrders = await postGraphQL(graph.graphqlUrl, orders, alice);
  assert.equal(aliceOrders.headers.get('cache-control'), 'max-age=10, private', 'the smallest maxAge of both subgraphs, PRIVATE');
  assert.equal(await subgraphCallsDuring(() => postGraphQL(graph.graphqlUrl, orders, alice)), 0);
  const bobOrders = await postGraphQL(graph.graphqlUrl, orders, bob);
  assert.equal(bobOrders.body.data?.me.id, 'user-4');
  assert.notDeepEqual(bobOrders.body, aliceOrders.body);
});

test('an answer that authorization looked at is never shared: a caller without the scope never reads what a caller with it stored', { timeout: 30_000 }, async () => {
  // User.email needs users:read:email; the users subgraph declares User PUBLIC.
  const query = { query: '{ users(first: 2) { id email } }' };
  const granted = await bearer('rc-granted', ['users:read:email']);
  const first = await postGraphQL(graph.graphqlUrl, query, granted);
  assert.equal(typeof first.body.data?.users[0].email, 'string');
  assert.equal(first.headers.get('cache-control'), 'max-age=60, private', 'made PRIVATE: it depends on the caller’s grants');
  assert.equal(await subgraphCallsDuring(() => postGraphQL(graph.graphqlUrl, query, granted)), 0, 'the same caller still hits');

  let denied!: Answer;
  assert.equal(await subgraphCallsDuring(async () => (denied = await postGraphQL(graph.graphqlUrl, query, await bearer('rc-denied')))), 1);
  assert.equal(denied.body.data?.users[0].email ?? null, null, 'no email leaked from the cache');
  assert.ok(errorCodes(denied).includes('UNAUTHORIZED_FIELD_OR_TYPE'));
  assert.equal(denied.headers.get('cache-control'), 'no-store', 'an authorization-pruned answer is caller-specific');
  assert.equal(await subgraphCallsDuring(() => postGraphQL(graph.graphqlUrl, query)), 1, 'nor an anonymous one');
});

test('mutations, answers with errors and answers without cache hints are never cached', { timeout: 30_000 }, async () => {
  const writer = await bearer('user-7', ['orders:write']);
  const mutation = { query: 'mutation { placeOrder(input: { items: [{ productId: "prod-1", quantity: 1 }] }) { id } }' };
  const placed: { calls: number; id: unknown }[] = [];
  for (let i = 0; i < 2; i++) {
    let response!: Answer;
    const calls = await subgraphCallsDuring(async () => (response = await postGraphQL(graph.graphqlUrl, mutation, writer)));
    placed.push({ calls, id: response.body.data?.placeOrder?.id });
  }
  assert.ok(placed.every((p) => p.calls >= 1 && typeof p.id === 'string'), JSON.stringify(placed));
  assert.notEqual(placed[0]!.id, placed[1]!.id, 'each mutation placed its own order');

  const failing = { query: '{ users(first: 2, after: "user-nope") { id } }' };
  const failed = await postGraphQL(graph.graphqlUrl, failing);
  assert.ok((failed.body.errors ?? []).length > 0);
  assert.equal(await subgraphCallsDuring(() => postGraphQL(graph.graphqlUrl, failing)), 1, 'an answer with errors was not stored');

  // usersConnection has no hint of its own (its type inherits one): the subgraph computes maxAge 0.
  const unhinted = { query: '{ usersConnection(first: 1) { pageInfo { hasNextPage } } }' };
  const first = await postGraphQL(graph.graphqlUrl, unhinted);
  assert.equal(first.status, 200);
  assert.equal(first.headers.get('cache-control'), 'no-store');
  assert.equal(await subgraphCallsDuring(() => postGraphQL(graph.graphqlUrl, unhinted)), 1, 'no hint, no entry');
});

test('TTL: an entry expires after its maxAge (capped by responseCache.maxTtlSeconds: 1 s here, in Redis)', { timeout: 30_000 }, async () => {
  const query = { query: 'query Ttl { users(first: 5) { id } }' };
  const url = graphql(redisB);
  assert.equal(await subgraphCallsDuring(() => postGraphQL(url, query)), 1);
  let storedAt = performance.now();
  // The write is not awaited by the response: ask until the entry is in Redis (a miss stores it again).
  let cachedCalls = 1;
  const deadline = performance.now() + 5_000;
  while (cachedCalls !== 0 && performance.now() < deadline) {
    cachedCalls = await subgraphCallsDuring(() => postGraphQL(url, query));
    if (cachedCalls !== 0) storedAt = performance.now();
  }
  assert.equal(cachedCalls, 0, 'cached right after');
  // Polls until the entry is gone: expiry is what this waits for, bounded by the test's timeout.
  let calls = 0;
  while (calls === 0) {
    await new Promise((r) => setTimeout(r, 100));
    calls = await subgraphCallsDuring(() => postGraphQL(url, query));
  }
  const expiredAfterMs = performance.now() - storedAt;
  assert.ok(expiredAfterMs >= 900 && expiredAfterMs < 5_000, `expired after ${Math.round(expiredAfterMs)} ms`);
});

test('two gateway instances on one Redis share entries; Redis down → served uncached, counted, never an error', { timeout: 30_000 }, async () => {
  const query = { query: 'query Shared { users(first: 6) { id name } }' };
  let first!: Answer;
  assert.equal(await subgraphCallsDuring(async () => (first = await postGraphQL(graphql(redisA), query))), 1);
  // The write is not awaited by the response: wait until the entry is in Redis (B's miss would store it too).
  let onB!: Answer;
  const deadline = performance.now() + 5_000;
  let calls = 1;
  while (calls !== 0 && performance.now() < deadline) calls = await subgraphCallsDuring(async () => (onB = await postGraphQL(graphql(redisB), query)));
  assert.equal(calls, 0, 'the other instance answered from Redis');
  assert.deepEqual(onB.body, first.body);
  assert.match(onB.headers.get('age') ?? '', /^\d+$/);

  await redis.stop();
  try {
    let down!: Answer;
    assert.equal(await subgraphCallsDuring(async () => (down = await postGraphQL(graphql(redisA), query))), 1, 'executed: the store failing is a miss');
    assert.equal(down.status, 200);
    assert.deepEqual(down.body, first.body);
    const metrics = await (await fetch(`${redisA.url}/metrics`)).text();
    assert.match(metrics, /gateway_cache_store_errors_total\{cache="response",operation="get"\} [1-9]/);
  } finally {
    await redis.restart();
  }
});

test('a hot reload of the supergraph invalidates every entry (an answer from the old schema is never served)', { timeout: 30_000 }, async () => {
  const query = { query: 'query Reload { users(first: 7) { id } }' };
  await postGraphQL(graph.graphqlUrl, query);
  assert.equal(await subgraphCallsDuring(() => postGraphQL(graph.graphqlUrl, query)), 0);
  const reloaded = graph.gateway.waitForNextLog((r) => r.event === 'supergraph_reloaded');
  const next = `${supergraphPath}.next`;
  // A real change of the schema (a comment would be the same supergraph): a description on Query.
  writeFileSync(next, readFileSync(supergraphPath, 'utf8').replace(/^type Query$/m, '"Republished."\ntype Query'));
  renameSync(next, supergraphPath);
  await reloaded;
  assert.equal(await subgraphCallsDuring(() => postGraphQL(graph.graphqlUrl, query)), 1, 'the first request after the reload executes');
  assert.equal(await subgraphCallsDuring(() => postGraphQL(graph.graphqlUrl, query)), 0, 'and is cached again');
});
