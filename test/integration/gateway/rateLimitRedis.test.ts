// Per-field rate limits shared through a REAL redis-server (ephemeral port): two gateway instances
// behave as one; Redis killed mid-run → each instance applies its policy (open / closed) and keeps
// answering; Redis restarted → limits apply again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { startSampleGraph, type SampleGraph } from '../../support/sampleGraph.js';
import { startRedis, type RunningRedis } from '../../support/redis.js';
import { GATEWAY_ENTRY, repoRoot, startProcess, stopAll, type RunningProcess } from '../../support/processes.js';
import { errorCodes, postGraphQL } from '../../support/http.js';
import { join } from 'node:path';

let redis: RunningRedis;
let graph: SampleGraph;
/** The second instance: authorization refuses whole operations on it, and it fails closed without Redis. */
let gatewayB: RunningProcess;
const graphql = (gateway: RunningProcess) => `${gateway.url}/graphql`;

/** Starts another gateway on the same supergraph and subgraphs with a variant of the sample graph's config. */
async function startVariant(name: string, rateLimitChanges: Record<string, unknown>, otherChanges: Record<string, unknown> = {}): Promise<RunningProcess> {
  const config = { ...(parseYaml(readFileSync(graph.configPath, 'utf8')) as Record<string, any>), ...otherChanges };
  config.rateLimits = { ...config.rateLimits, ...rateLimitChanges };
  const path = graph.configPath.replace(/\.yaml$/, `.${name}.yaml`);
  writeFileSync(path, toYaml(config));
  return startProcess({
    name,
    entry: GATEWAY_ENTRY,
    args: ['--supergraph', join(repoRoot, 'supergraph.graphql'), '--port', '0', '--config', path],
    env: { INTERNAL_IDENTITY_SECRET: graph.internalIdentitySecret },
  });
}

before(async () => {
  redis = await startRedis();
  graph = await startSampleGraph({
    gatewayConfig: {
      rateLimits: {
        store: { kind: 'redis', url: redis.url, commandTimeoutMs: 50, keyPrefix: 'it:rl:' },
        onStoreUnavailable: 'open',
        // The test client is the trusted proxy here, so X-Forwarded-For picks anonymous identities.
        trustedProxies: ['127.0.0.1'],
        fields: {
          'Query.users': { max: 50, window: '1m' },
          'Query.user': { max: 2, window: '1m', identityArgs: ['id'] },
          'User.orders': { max: 5, window: '1m' },
        },
      },
    },
  });
  // Authorization refuses whole operations on B (403), to show they consume nothing in Redis; B fails
  // closed, the sample graph's gateway open. Neither setting changes anything while Redis answers (the
  // operations B refuses never reach the store), so one second instance shows both (~1.1 CPU-s less).
  gatewayB = await startVariant('gateway-b', { onStoreUnavailable: 'closed' }, { authorization: { rejectUnauthorized: true } });
}, { timeout: 60_000 });
after(async () => {
  await stopAll([gatewayB]);
  await graph?.stop();
  await redis?.stop();
}, { timeout: 60_000 });

const bearer = async (subject: string) => ({ authorization: `Bearer ${await graph.tokenFor(subject, [])}` });

/** gateway_rate_limit_store_failures_total of one instance, every policy summed. */
async function storeFailuresCounted(gateway: RunningProcess): Promise<number> {
  const text = await (await fetch(`${gateway.url}/metrics`)).text();
  return [...text.matchAll(/^gateway_rate_limit_store_failures_total\{[^}]*\} (\d+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
}

test('two gateway instances sharing one Redis: 200 concurrent requests split across them, exactly 50 admitted', { timeout: 30_000 }, async () => {
  const headers = await bearer('redis-exact');
  const targets = [graph.gateway, gatewayB];
  const responses = await Promise.all(
    Array.from({ length: 200 }, (_, i) => postGraphQL(graphql(targets[i % 2]!), { query: '{ users(first: 1) { id } }' }, headers)),
  );
  const admitted = responses.filter((r) => r.status === 200).length;
  const rejected = responses.filter((r) => r.status === 429).length;
  // Counted before each response is sent, so complete now (log lines would still be in their pipes).
  const storeFailures = (await storeFailuresCounted(graph.gateway)) + (await storeFailuresCounted(gatewayB));
  assert.equal(
    admitted,
    50,
    `admitted ${admitted}, rejected ${rejected}, other ${200 - admitted - rejected}; ` +
      `store failures (Redis silent > 50 ms, e.g. starved of CPU on an overloaded machine): ${storeFailures}`,
  );
  assert.equal(rejected, 150);
  // Every answer, from both instances, came from the shared store (none was waved through by fail-open).
  assert.ok(responses.every((r) => r.headers.get('ratelimit-policy') === '"Query.users";q=50;w=60' && r.headers.get('ratelimit') !== null));
  assert.equal(storeFailures, 0, 'no store failures under the burst');
});

test('identities from a trusted proxy are independent, and shared across instances', { timeout: 30_000 }, async () => {
  const q = { query: '{ user(id: "shared") { id } }' };
  const from = (ip: string) => ({ 'x-forwarded-for': ip });
  assert.equal((await postGraphQL(graphql(graph.gateway), q, from('198.51.100.10'))).status, 200);
  assert.equal((await postGraphQL(graphql(gatewayB), q, from('198.51.100.10'))).status, 200);
  assert.equal((await postGraphQL(graphql(graph.gateway), q, from('198.51.100.10'))).status, 429, 'the second instance counted too');
  assert.equal((await postGraphQL(graphql(gatewayB), q, from('198.51.100.11'))).status, 200, 'another client IP is another identity');
});

test('issue 10, case 5: operations refused by authorization consume nothing in Redis (the steps run in order)', { timeout: 30_000 }, async () => {
  const headers = await bearer('redis-forbidden');
  // User.email needs users:read:email, which this token lacks: 403 before rate limits are asked.
  for (let i = 0; i < 3; i++) {
    const forbidden = await postGraphQL(graphql(gatewayB), { query: '{ users(first: 1) { id email } }' }, headers);
    assert.equal(forbidden.status, 403);
    assert.deepEqual(errorCodes(forbidden), ['FORBIDDEN']);
    assert.equal(forbidden.headers.get('ratelimit'), null, 'never charged, so no counts to report');
  }
  const next = await postGraphQL(graphql(graph.gateway), { query: '{ users(first: 1) { id } }' }, headers);
  assert.equal(next.status, 200);
  assert.equal(next.headers.get('ratelimit'), '"Query.users";r=49;t=60', 'only this operation was counted, by any instance');
});

test('calls charged in Redis and not made are given back (User.orders: 5 per minute)', { timeout: 30_000 }, async () => {
  const headers = await bearer('redis-reconcile');
  // users fails (unknown cursor): the 5 User.orders calls charged before execution never run.
  const failed = await postGraphQL(graphql(graph.gateway), { query: '{ users(first: 5, after: "user-nope") { orders(first: 1) { id } } }' }, headers);
  assert.equal(failed.status, 200);
  assert.match(failed.headers.get('ratelimit') ?? '', /"User\.orders";r=5;t=(59|60)/);
  const five = await postGraphQL(graphql(gatewayB), { query: '{ users(first: 5) { orders(first: 1) { id } } }' }, headers);
  assert.equal(five.status, 200, 'the other instance sees the 5 calls given back');
  assert.equal(five.body.data?.users.length, 5);
  const sixth = await postGraphQL(graphql(graph.gateway), { query: '{ users(first: 1) { orders(first: 1) { id } } }' }, headers);
  assert.equal(sixth.status, 429);
  assert.equal(sixth.body.errors?.[0]?.extensions?.field, 'User.orders');
});

test('Redis killed: fail-open keeps admitting (log + metric), fail-closed answers 503, both keep answering; restarted: limits apply again', { timeout: 30_000 }, async () => {
  const headers = await bearer('redis-outage');
  const limited = { query: '{ user(id: "outage") { id } }' };
  const unlimited = { query: '{ order(id: "none") { id } }' };
  assert.equal((await postGraphQL(graphql(graph.gateway), limited, headers)).status, 200);
  assert.equal((await postGraphQL(graphql(gatewayB), limited, headers)).status, 200);
  assert.equal((await postGraphQL(graphql(graph.gateway), limited, headers)).status, 429);

  await redis.stop();
  for (let i = 0; i < 4; i++) {
    const started = performance.now();
    const open = await postGraphQL(graphql(graph.gateway), limited, headers);
    assert.equal(open.status, 200, 'fail open: admitted without a store');
    assert.equal(open.headers.get('ratelimit'), null, 'no counts to report');
    assert.ok(performance.now() - started < 2_000, 'a dead Redis does not stall requests');
    const closed = await postGraphQL(graphql(gatewayB), limited, headers);
    assert.equal(closed.status, 503);
    assert.deepEqual(errorCodes(closed), ['SERVICE_UNAVAILABLE']);
    const stillServing = await postGraphQL(graphql(gatewayB), unlimited, headers);
    assert.notEqual(stillServing.status, 503, 'operations without limits do not need the store');
  }
  await graph.gateway.waitForLog((r) => r.event === 'rate_limit_store_unavailable' && r.policy === 'open');
  const metrics = await (await fetch(`${graph.gateway.url}/metrics`)).text();
  assert.match(metrics, /gateway_rate_limit_store_failures_total\{policy="open"\} [1-9]/);

  // The instances reconnect by themselves (backoff up to 1 s) and log it: wait for that line from each.
  const reconnected = [graph.gateway, gatewayB].map((gateway) =>
    gateway.waitForNextLog((r) => r.store === 'redis' && r.msg === 'rate-limit store connected', 15_000),
  );
  await redis.restart();
  await Promise.all(reconnected);
  const fresh = await bearer('redis-recovered');
  const recovered = { query: '{ user(id: "recovered") { id } }' };
  assert.equal((await postGraphQL(graphql(graph.gateway), recovered, fresh)).status, 200);
  assert.equal((await postGraphQL(graphql(gatewayB), recovered, fresh)).status, 200, 'the closed instance admits again');
  const over = await postGraphQL(graphql(graph.gateway), recovered, fresh);
  assert.equal(over.status, 429, 'shared limits apply again across instances');
  assert.deepEqual(errorCodes(over), ['RATE_LIMITED']);
});
