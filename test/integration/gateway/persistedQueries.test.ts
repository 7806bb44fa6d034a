// Automatic persisted queries (Apollo's APQ protocol) over GET and POST, in memory and in a REAL
// redis-server shared by two gateway instances (Redis down: clients register again, nothing fails), and
// trusted documents (a manifest file, hot-reloaded): enforce refuses free-form operations before any
// subgraph is asked and serves listed ones by id; log-unknown runs them and logs each once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSampleGraph, type SampleGraph } from '../../support/sampleGraph.js';
import { startRedis, type RunningRedis } from '../../support/redis.js';
import { stopAll, type RunningProcess } from '../../support/processes.js';
import { errorCodes, postGraphQL, type GraphQLResponse } from '../../support/http.js';
import { sampleValue, scrape } from '../../support/prometheus.js';
import { tempDir } from '../../support/tempDirs.js';

let redis: RunningRedis;
let graph: SampleGraph;
let redisA: RunningProcess;
let redisB: RunningProcess;
let enforcing: RunningProcess;
let logging: RunningProcess;
let manifestPath: string;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const graphql = (gateway: RunningProcess) => `${gateway.url}/graphql`;
const LISTED = 'query ListedUsers { users(first: 2) { id } }';
const LISTED_ID = 'listed-users-v1';
const RELAY_LISTED = 'query OneUser($id: ID!) { user(id: $id) { id name } }';

/** GET /graphql with the given parameters (objects as JSON), as Apollo clients send APQ hashes. */
async function getGraphQL(url: string, params: Record<string, unknown>): Promise<GraphQLResponse<Record<string, any>>> {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) search.set(name, typeof value === 'string' ? value : JSON.stringify(value));
  // A non-simple header: Apollo Server's CSRF prevention refuses GETs without one.
  const response = await fetch(`${url}?${search}`, { headers: { 'apollo-require-preflight': 'true' } });
  return { status: response.status, headers: response.headers, body: JSON.parse(await response.text()) as GraphQLResponse<Record<string, any>>['body'] };
}

const apq = (query: string) => ({ persistedQuery: { version: 1, sha256Hash: sha256(query) } });

async function subgraphRequests(name: string): Promise<number> {
  const response = await fetch(`${graph.subgraphs[name]!.url}/debug/requests`);
  return ((await response.json()) as { graphql: number }).graphql;
}

function writeApolloManifest(path: string, operations: { id: string; body: string }[]): void {
  const temporary = `${path}.tmp`;
  writeFileSync(
    temporary,
    JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 1, operations: operations.map((o) => ({ ...o, name: o.id, type: 'query' })) }),
  );
  // Deploys replace the file atomically; so does this test.
  renameSync(temporary, path);
}

before(async () => {
  redis = await startRedis();
  const dir = tempDir('gw-trusted-');
  manifestPath = join(dir, 'manifest.json');
  writeApolloManifest(manifestPath, [{ id: LISTED_ID, body: LISTED }]);
  const relayManifest = join(dir, 'relay.json');
  writeFileSync(relayManifest, JSON.stringify({ 'relay-one-user': RELAY_LISTED }));
  // Users and orders (the tests ask only users): the pair other files in the group share. Its gateway has
  // APQ's defaults (in memory) and logs unknown trusted documents: log-unknown runs every operation as
  // mode off would (an id it does not list is looked up as an APQ hash), so the in-memory APQ test runs
  // on it as on a gateway of its own, and the log-unknown test counts only its own operation's lines and
  // the metric's increase (a gateway start less, ~1.1 CPU-s).
  graph = await startSampleGraph({ gatewayConfig: { trustedDocuments: { mode: 'log-unknown', manifest: relayManifest } } });
  logging = graph.gateway;
  const redisStore = { store: { kind: 'redis', url: redis.url, keyPrefix: 'it:apq:' } };
  [redisA, redisB, enforcing] = await Promise.all([
    graph.startGateway({ apq: redisStore }),
    graph.startGateway({ apq: redisStore }),
    graph.startGateway({ trustedDocuments: { mode: 'enforce', manifest: manifestPath, pollIntervalMs: 100 } }),
  ]);
}, { timeout: 90_000 });
after(async () => {
  await stopAll([redisA, redisB, enforcing]);
  await graph?.stop();
  await redis?.stop();
}, { timeout: 60_000 });

test('APQ in memory (the default), over POST and GET: unknown hash → PERSISTED_QUERY_NOT_FOUND, register, then the hash alone runs', { timeout: 30_000 }, async () => {
  const query = '{ users(first: 1) { id } }';
  const url = graph.graphqlUrl;
  const unknown = await postGraphQL(url, { extensions: apq(query) } as never);
  assert.equal(unknown.status, 200, "Apollo's status for NOT_FOUND, which APQ clients expect");
  assert.deepEqual(errorCodes(unknown), ['PERSISTED_QUERY_NOT_FOUND']);
  const before = await subgraphRequests('users');
  const registered = await postGraphQL(url, { query, extensions: apq(query) } as never);
  assert.equal(registered.status, 200);
  assert.equal(registered.body.data?.users.length, 1);
  const byHash = await postGraphQL(url, { extensions: apq(query) } as never);
  assert.deepEqual(byHash.body, registered.body);
  const byGet = await getGraphQL(url, { extensions: apq(query) });
  assert.equal(byGet.status, 200);
  assert.deepEqual(byGet.body, registered.body);
  assert.equal(await subgraphRequests('users'), before + 3, 'each hash request ran the query');

  const getQuery = '{ users(first: 2) { id } }';
  assert.deepEqual(errorCodes(await getGraphQL(url, { extensions: apq(getQuery) })), ['PERSISTED_QUERY_NOT_FOUND']);
  assert.equal((await getGraphQL(url, { query: getQuery, extensions: apq(getQuery) })).body.data?.users.length, 2, 'registered by GET');
  assert.equal((await getGraphQL(url, { extensions: apq(getQuery) })).body.data?.users.length, 2);

  const mismatch = await postGraphQL(url, { query: '{ users(first: 3) { id } }', extensions: apq(query) } as never);
  assert.equal(mismatch.status, 400, 'a hash that is not the query’s is refused, never stored under another query');
  assert.deepEqual(errorCodes(mismatch), ['BAD_REQUEST']);
});

test('APQ in Redis: registered on one instance, run by hash on another (GET and POST); Redis down → NOT_FOUND, registering still answers', { timeout: 30_000 }, async () => {
  const query = 'query RedisApq { users(first: 3) { id } }';
  assert.deepEqual(errorCodes(await postGraphQL(graphql(redisA), { extensions: apq(query) } as never)), ['PERSISTED_QUERY_NOT_FOUND']);
  const registered = await postGraphQL(graphql(redisA), { query, extensions: apq(query) } as never);
  assert.equal(registered.body.data?.users.length, 3);
  const onB = await postGraphQL(graphql(redisB), { extensions: apq(query) } as never);
  assert.deepEqual(onB.body, registered.body, 'the other instance found it in Redis');
  const onBByGet = await getGraphQL(graphql(redisB), { extensions: apq(query) });
  assert.deepEqual(onBByGet.body, registered.body);

  const getQuery = 'query RedisApqGet { users(first: 4) { id } }';
  assert.equal((await getGraphQL(graphql(redisB), { query: getQuery, extensions: apq(getQuery) })).body.data?.users.length, 4);
  assert.equal((await postGraphQL(graphql(redisA), { extensions: apq(getQuery) } as never)).body.data?.users.length, 4, 'registered by GET on B, read by POST on A');

  await redis.stop();
  try {
    const down = await postGraphQL(graphql(redisA), { extensions: apq(query) } as never);
    assert.equal(down.status, 200);
    assert.deepEqual(errorCodes(down), ['PERSISTED_QUERY_NOT_FOUND'], 'an unreachable store is a miss, never a 500');
    const stillServed = await postGraphQL(graphql(redisA), { query, extensions: apq(query) } as never);
    assert.equal(stillServed.status, 200);
    assert.equal(stillServed.body.data?.users.length, 3, 'the client’s retry with the query is served');
    const metrics = await (await fetch(`${redisA.url}/metrics`)).text();
    assert.match(metrics, /gateway_cache_store_errors_total\{cache="apq",operation="get"\} [1-9]/);
  } finally {
    await redis.restart();
  }
});

test('trusted documents, enforce: free-form operations refused (400 PERSISTED_QUERY_NOT_IN_LIST) before any subgraph is asked; listed ones by id or text', { timeout: 30_000 }, async () => {
  const url = graphql(enforcing);
  const before = await subgraphRequests('users');
  const refused = await postGraphQL(url, { query: '{ users(first: 5) { id name } }' });
  assert.equal(refused.status, 400);
  assert.deepEqual(errorCodes(refused), ['PERSISTED_QUERY_NOT_IN_LIST']);
  const refusedGet = await getGraphQL(url, { query: '{ users(first: 5) { id } }' });
  assert.equal(refusedGet.status, 400);
  assert.deepEqual(errorCodes(refusedGet), ['PERSISTED_QUERY_NOT_IN_LIST']);
  // An APQ registration of an unlisted operation is a free-form operation too.
  const viaApq = '{ users(first: 6) { id } }';
  assert.deepEqual(errorCodes(await postGraphQL(url, { query: viaApq, extensions: apq(viaApq) } as never)), ['PERSISTED_QUERY_NOT_IN_LIST']);
  // A listed text first and another one after it: whichever the gate read, the request never runs the second.
  const smuggled = await fetch(`${url}?query=${encodeURIComponent(LISTED)}&query=${encodeURIComponent('{ users(first: 9) { id name } }')}`, {
    headers: { 'apollo-require-preflight': 'true' },
  });
  assert.equal(smuggled.status, 400);
  // An id and a free-form text together: the text is what would run, so the text is checked.
  const idAndText = await postGraphQL(url, { documentId: LISTED_ID, query: '{ users(first: 8) { id } }' } as never);
  assert.deepEqual(errorCodes(idAndText), ['PERSISTED_QUERY_NOT_IN_LIST']);
  assert.equal(await subgraphRequests('users'), before, 'nothing refused reached the subgraph');

  const byDocumentId = await postGraphQL(url, { documentId: LISTED_ID } as never);
  assert.equal(byDocumentId.status, 200);
  assert.equal(byDocumentId.body.data?.users.length, 2);
  const byApolloId = await postGraphQL(url, { extensions: { persistedQuery: { version: 1, sha256Hash: LISTED_ID } } } as never);
  assert.deepEqual(byApolloId.body, byDocumentId.body, 'Apollo clients send the id as persistedQuery.sha256Hash');
  const byGet = await getGraphQL(url, { documentId: LISTED_ID });
  assert.deepEqual(byGet.body, byDocumentId.body);
  const byText = await postGraphQL(url, { query: 'query ListedUsers {\n  users(first: 2) { id }  # same operation\n}' });
  assert.deepEqual(byText.body, byDocumentId.body, 'the listed text, formatted differently, is the same operation');

  const unknownId = await postGraphQL(url, { documentId: 'no-such-id' } as never);
  assert.deepEqual(errorCodes(unknownId), ['PERSISTED_QUERY_NOT_FOUND']);
});

test('trusted documents: the manifest is hot-reloaded; an invalid one is rejected and the previous list keeps serving', { timeout: 30_000 }, async () => {
  const url = graphql(enforcing);
  const added = 'query AddedLater { users(first: 1) { name } }';
  assert.equal((await postGraphQL(url, { documentId: 'added-later' } as never)).body.errors?.[0]?.extensions?.code, 'PERSISTED_QUERY_NOT_FOUND');
  const reloaded = enforcing.waitForNextLog((r) => r.event === 'trusted_documents_reloaded');
  writeApolloManifest(manifestPath, [
    { id: LISTED_ID, body: LISTED },
    { id: 'added-later', body: added },
  ]);
  assert.equal((await reloaded).operations, 2);
  assert.equal((await postGraphQL(url, { documentId: 'added-later' } as never)).body.data?.users.length, 1);
  assert.equal((await postGraphQL(url, { query: added })).status, 200);

  const rejected = enforcing.waitForNextLog((r) => r.event === 'trusted_documents_reload_failed');
  writeApolloManifest(manifestPath, [{ id: 'broken', body: 'query { users(' }]);
  assert.match(String((await rejected).err), /operation "broken" does not parse/);
  assert.equal((await postGraphQL(url, { documentId: 'added-later' } as never)).status, 200, 'the previous list stays in force');
});

test('trusted documents, log-unknown (Relay manifest): unknown operations run and are logged once; listed ones run by id', { timeout: 30_000 }, async () => {
  const url = graphql(logging);
  // The in-memory APQ test ran on this gateway too: its operations are counted before this one's.
  const unknownBefore = sampleValue(await scrape(`${logging.url}/metrics`), 'gateway_trusted_documents_total', { result: 'unknown' }) ?? 0;
  const unknown = 'query NotListed { users(first: 1) { id } }';
  const logged = logging.waitForNextLog((r) => r.event === 'trusted_document_unknown' && r.operationName === 'NotListed');
  const ran = await postGraphQL(url, { query: unknown, operationName: 'NotListed' });
  assert.equal(ran.status, 200);
  assert.equal(ran.body.data?.users.length, 1);
  const record = await logged;
  assert.equal(record.operationName, 'NotListed');
  assert.equal(record.query, unknown);
  assert.equal((await postGraphQL(url, { query: unknown })).status, 200);
  const byId = await postGraphQL(url, { documentId: 'relay-one-user', variables: { id: 'user-1' } } as never);
  assert.equal(byId.status, 200);
  assert.equal(byId.body.data?.user.id, 'user-1');
  // Responses travel over sockets, logs over a pipe: wait for the second request's access-log line first.
  await logging.waitForLog((r) => r.msg === 'request' && r.trustedDocument === 'id');
  assert.equal(logging.logRecords().filter((r) => r.event === 'trusted_document_unknown' && r.query === unknown).length, 1, 'logged once per operation');
  const unknownAfter = sampleValue(await scrape(`${logging.url}/metrics`), 'gateway_trusted_documents_total', { result: 'unknown' });
  assert.equal(unknownAfter, unknownBefore + 2, 'both runs of the unknown operation counted');
});
