// Per-field rate limits end to end with the in-memory store: the real sample graph (users, orders
// subgraphs) behind one real gateway process, spoken to over HTTP.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../support/processes.js';
import { startSampleGraph, type SampleGraph } from '../../support/sampleGraph.js';
import { errorCodes, postGraphQL } from '../../support/http.js';
import { tempDir } from '../../support/tempDirs.js';

let graph: SampleGraph;
// A copy of the committed supergraph, so the hot-reload test can change it under the running gateway.
const supergraphPath = join(tempDir('gw-rl-'), 'supergraph.graphql');

before(async () => {
  copyFileSync(join(repoRoot, 'supergraph.graphql'), supergraphPath);
  graph = await startSampleGraph({
    supergraphPath,
    gatewayConfig: {
      // Authorization rejects whole operations here, to show that its rejections consume no rate limit.
      authorization: { rejectUnauthorized: true },
      rateLimits: {
        // No trusted proxies: X-Forwarded-For from the test client (127.0.0.1) must be ignored.
        fields: {
          'Query.users': { max: 50, window: '1m' },
          'Query.usersConnection': { max: 2, window: '2s' },
          'Query.user': { max: 2, window: '1m', identityArgs: ['id'] },
        },
        // Per identity tier (the token's `tier` claim): gold callers get more, anonymous callers less.
        tiers: {
          gold: { fields: { 'Query.users': { max: 100 } } },
          anonymous: { fields: { 'Query.usersConnection': { max: 1, window: '1m' } } },
        },
      },
    },
  });
}, { timeout: 60_000 });
after(async () => {
  await graph?.stop();
}, { timeout: 60_000 });

const bearer = async (subject: string) => ({ authorization: `Bearer ${await graph.tokenFor(subject, [])}` });

test('200 concurrent requests from one identity against 50 per minute: exactly 50 admitted', { timeout: 30_000 }, async () => {
  const headers = await bearer('rl-exact');
  const responses = await Promise.all(
    Array.from({ length: 200 }, () => postGraphQL(graph.graphqlUrl, { query: '{ users(first: 1) { id } }' }, headers)),
  );
  const statuses = responses.map((r) => r.status);
  assert.equal(statuses.filter((s) => s === 200).length, 50, `statuses: ${JSON.stringify(countBy(statuses))}`);
  assert.equal(statuses.filter((s) => s === 429).length, 150);
  for (const r of responses.filter((x) => x.status === 200)) assert.equal(r.body.errors, undefined);

  // another identity is independent of the exhausted one
  const other = await postGraphQL(graph.graphqlUrl, { query: '{ users(first: 1) { id } }' }, await bearer('rl-exact-other'));
  assert.equal(other.status, 200);
});

test('10 aliases are 10 hits; the rejection is a 429 with Retry-After, IETF headers and a RATE_LIMITED error naming the field', { timeout: 30_000 }, async () => {
  const headers = await bearer('rl-aliases');
  const tenAliases = `{ ${Array.from({ length: 10 }, (_, i) => `u${i}: users(first: 1) { id }`).join(' ')} }`;
  for (let i = 0; i < 5; i++) {
    const admitted = await postGraphQL(graph.graphqlUrl, { query: tenAliases }, headers);
    assert.equal(admitted.status, 200, `request ${i + 1}`);
    assert.equal(admitted.headers.get('ratelimit-policy'), '"Query.users";q=50;w=60');
    assert.equal(admitted.headers.get('ratelimit'), `"Query.users";r=${50 - 10 * (i + 1)};t=60`);
  }
  const rejected = await postGraphQL(graph.graphqlUrl, { query: '{ users(first: 1) { id } }' }, headers);
  assert.equal(rejected.status, 429);
  assert.deepEqual(errorCodes(rejected), ['RATE_LIMITED']);
  assert.equal(rejected.body.data, undefined, 'rejected before execution');
  const error = rejected.body.errors![0]!;
  assert.equal(error.extensions?.field, 'Query.users');
  const retryAfter = Number(rejected.headers.get('retry-after'));
  assert.ok(retryAfter >= 59 && retryAfter <= 60, `Retry-After ${retryAfter}`);
  assert.equal(error.extensions?.retryAfterSeconds, retryAfter);
  assert.match(error.message, /Query\.users/);
  assert.match(error.message, new RegExp(`${retryAfter} s`));
  assert.equal(rejected.headers.get('ratelimit-policy'), '"Query.users";q=50;w=60');
  assert.match(rejected.headers.get('ratelimit') ?? '', /^"Query\.users";r=0;t=(59|60)$/);
  assert.equal(typeof error.extensions?.requestId, 'string');

  const metrics = await (await fetch(`${graph.gateway.url}/metrics`)).text();
  assert.match(metrics, /gateway_rate_limit_rejections_total\{field="Query.users",tier="authenticated"\} [1-9]/);
  await graph.gateway.waitForLog((r) => r.event === 'rate_limited' && Array.isArray(r.fields) && r.fields.includes('Query.users'));
});

test('fragments and identityArgs: a fragment spread twice is one call (GraphQL merges it); another id has its own budget', { timeout: 30_000 }, async () => {
  const headers = await bearer('rl-fragments');
  const twice = { query: 'query ($id: ID!) { ...U ...U } fragment U on Query { user(id: $id) { id } }', variables: { id: 'u-1' } };
  const merged = await postGraphQL(graph.graphqlUrl, twice, headers);
  assert.equal(merged.status, 200);
  assert.equal(merged.headers.get('ratelimit'), '"Query.user";r=1;t=60', 'one call of the 2 allowed');
  const second = await postGraphQL(graph.graphqlUrl, { query: '{ ... on Query { user(id: "u-1") { id } } }' }, headers);
  assert.equal(second.status, 200, 'inline fragment, literal argument: same key, second call');
  const third = await postGraphQL(graph.graphqlUrl, twice, headers);
  assert.equal(third.status, 429);
  assert.deepEqual(errorCodes(third), ['RATE_LIMITED']);
  const otherId = await postGraphQL(graph.graphqlUrl, { ...twice, variables: { id: 'u-2' } }, headers);
  assert.equal(otherId.status, 200, 'identityArgs: u-2 is a different key');
});

test('a rejected operation consumes nothing: the fitting limit keeps its budget', { timeout: 30_000 }, async () => {
  const headers = await bearer('rl-atomic');
  // Query.user(id: "a") fits (1 of 2) but usersConnection does not (3 of 2): nothing may be recorded
  const overOne = '{ user(id: "a") { id } c1: usersConnection(first: 1) { pageInfo { hasNextPage } } c2: usersConnection(first: 1) { pageInfo { hasNextPage } } c3: usersConnection(first: 1) { pageInfo { hasNextPage } } }';
  assert.equal((await postGraphQL(graph.graphqlUrl, { query: overOne }, headers)).status, 429);
  const both = await postGraphQL(graph.graphqlUrl, { query: '{ a1: user(id: "a") { id } a2: user(id: "a") { id } }' }, headers);
  assert.equal(both.status, 200, 'user(id: "a") still has both hits');
});

test('an operation another plugin rejects before execution (authorization FORBIDDEN) consumes nothing', { timeout: 30_000 }, async () => {
  const headers = await bearer('rl-forbidden');
  // User.email needs scope users:read:email, which this token lacks; the two plugins run concurrently
  for (let i = 0; i < 3; i++) {
    const forbidden = await postGraphQL(graph.graphqlUrl, { query: '{ users(first: 1) { id email } }' }, headers);
    assert.equal(forbidden.status, 403);
    assert.deepEqual(errorCodes(forbidden), ['FORBIDDEN']);
  }
  const next = await postGraphQL(graph.graphqlUrl, { query: '{ users(first: 1) { id } }' }, headers);
  assert.equal(next.status, 200);
  assert.equal(next.headers.get('ratelimit'), '"Query.users";r=49;t=60', 'only this operation was counted');
});

// That hits then age out of the window one by one is the store's behaviour, tested with a clock in
// test/unit/gateway/rateLimit/rateLimitStores.test.ts; here, what a client sees of a full "2s" window.
test('a full "2s" window: 429 with a Retry-After within the window, until the oldest hit ages out', { timeout: 30_000 }, async () => {
  const headers = await bearer('rl-slide');
  const q = { query: '{ usersConnection(first: 1) { pageInfo { hasNextPage } } }' };
  assert.equal((await postGraphQL(graph.graphqlUrl, q, headers)).status, 200);
  assert.equal((await postGraphQL(graph.graphqlUrl, q, headers)).status, 200);
  const full = await postGraphQL(graph.graphqlUrl, q, headers);
  assert.equal(full.status, 429);
  const retryAfter = Number(full.headers.get('retry-after'));
  assert.ok(retryAfter >= 1 && retryAfter <= 2, `Retry-After ${retryAfter}`);
  assert.match(full.headers.get('ratelimit-policy') ?? '', /q=2;w=2/);
});

test('a spoofed X-Forwarded-For from an untrusted peer does not change the identity', { timeout: 30_000 }, async () => {
  const q = { query: '{ user(id: "spoof") { id } }' };
  assert.equal((await postGraphQL(graph.graphqlUrl, q, { 'x-forwarded-for': '203.0.113.1' })).status, 200);
  assert.equal((await postGraphQL(graph.graphqlUrl, q, { 'x-forwarded-for': '203.0.113.2' })).status, 200);
  const third = await postGraphQL(graph.graphqlUrl, q, { 'x-forwarded-for': '203.0.113.3' });
  assert.equal(third.status, 429, 'all three count against the socket peer 127.0.0.1');
});

test('tier overrides: a gold token gets its own quota, anonymous callers a smaller one', { timeout: 30_000 }, async () => {
  const gold = { authorization: `Bearer ${await graph.tokenFor('rl-gold', [], { tier: 'gold' })}` };
  const goldResponse = await postGraphQL(graph.graphqlUrl, { query: '{ users(first: 1) { id } }' }, gold);
  assert.equal(goldResponse.headers.get('ratelimit-policy'), '"Query.users";q=100;w=60');
  const q = { query: '{ usersConnection(first: 1) { pageInfo { hasNextPage } } }' };
  const anonymous = await postGraphQL(graph.graphqlUrl, q);
  assert.equal(anonymous.headers.get('ratelimit-policy'), '"Query.usersConnection";q=1;w=60');
  const second = await postGraphQL(graph.graphqlUrl, q);
  assert.equal(second.status, 429);
  const metrics = await (await fetch(`${graph.gateway.url}/metrics`)).text();
  assert.match(metrics, /gateway_rate_limit_rejections_total\{field="Query.usersConnection",tier="anonymous"\} [1-9]/);
});

test('fields without a limit carry no RateLimit headers', { timeout: 30_000 }, async () => {
  const response = await postGraphQL(graph.graphqlUrl, { query: '{ order(id: "none") { id } }' }, await bearer('rl-unlimited'));
  assert.notEqual(response.status, 429);
  assert.equal(response.headers.get('ratelimit'), null);
});

test('hot reload: limits swap with the supergraph', { timeout: 30_000 }, async () => {
  const headers = await bearer('rl-reload');
  const q = { query: '{ order(id: "none") { id } }' };
  assert.equal((await postGraphQL(graph.graphqlUrl, q, headers)).headers.get('ratelimit'), null, 'Query.order has no limit yet');
  const sdl = readFileSync(supergraphPath, 'utf8');
  const declared = 'order(id: ID!): Order @join__field(graph: ORDERS)';
  assert.ok(sdl.includes(declared), 'fixture: Query.order as in the committed supergraph');
  const reloaded = graph.gateway.waitForNextLog((r) => r.event === 'supergraph_reloaded', 15_000);
  writeFileSync(supergraphPath, sdl.replace(declared, `${declared} @rateLimit(max: 1, window: "1m")`));
  // The line is logged once @apollo/gateway has taken the new schema (update() swaps it synchronously).
  await reloaded;
  const first = await postGraphQL(graph.graphqlUrl, q, headers);
  assert.equal(first.headers.get('ratelimit-policy'), '"Query.order";q=1;w=60');
  const second = await postGraphQL(graph.graphqlUrl, q, headers);
  assert.equal(second.status, 429);
  assert.equal(second.body.errors?.[0]?.extensions?.field, 'Query.order');
});

test('hot reload removing a configured coordinate: the new schema serves, with a warning and a metric naming the config key', { timeout: 30_000 }, async () => {
  const sdl = readFileSync(supergraphPath, 'utf8');
  // The field with its one-line description.
  const field = /\n *"""[^\n]*"""\n *usersConnection\([^\n]*/.exec(sdl)?.[0];
  assert.ok(field, 'fixture: Query.usersConnection in the supergraph');
  // Written aside and renamed over, as editors and deploy tools do: the poller never sees half a file.
  writeFileSync(`${supergraphPath}.next`, sdl.replace(field, ''));
  renameSync(`${supergraphPath}.next`, supergraphPath);
  const warning = await graph.gateway.waitForLog((r) => r.event === 'policy_config_unknown_coordinates', 15_000);
  assert.deepEqual(warning.keys, ['rateLimits.fields.Query.usersConnection', 'rateLimits.tiers.anonymous.fields.Query.usersConnection']);
  const metrics = await (await fetch(`${graph.gateway.url}/metrics`)).text();
  assert.match(metrics, /gateway_policy_config_unknown_coordinates\{key="rateLimits.fields.Query.usersConnection"\} 1/);
  const removed = await postGraphQL(graph.graphqlUrl, { query: '{ usersConnection(first: 1) { pageInfo { hasNextPage } } }' }, await bearer('rl-removed'));
  assert.equal(removed.status, 400, 'the reloaded schema serves');
  assert.deepEqual(errorCodes(removed), ['GRAPHQL_VALIDATION_FAILED']);
});

function countBy(values: number[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}
