// Request errors get their own HTTP status and a coded body, before any GraphQL work; health,
// readiness and metrics endpoints; Sandbox landing page; CSRF; request IDs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { SHARED_FIXTURE_GATEWAYS, startFixtureGateway, startSlowSubgraph } from '../../support/fixtureSupergraph.js';
import { errorCodes, postGraphQL } from '../../support/http.js';
import { stopAll, type RunningProcess } from '../../support/processes.js';

interface RawResponse { status: number; headers: Headers; text: string }

async function send(url: string, init: RequestInit): Promise<RawResponse & { code?: string; requestId?: string }> {
  const response = await fetch(url, init);
  const text = await response.text();
  let code: string | undefined;
  let requestId: string | undefined;
  try {
    const body = JSON.parse(text) as { errors?: { extensions?: { code?: string; requestId?: string } }[] };
    code = body.errors?.[0]?.extensions?.code;
    requestId = body.errors?.[0]?.extensions?.requestId;
  } catch {
    // not JSON
  }
  return { status: response.status, headers: response.headers, text, code, requestId };
}

describe('gateway HTTP surface', () => {
  let subgraph: RunningProcess;
  let gateway: RunningProcess;
  let graphqlUrl: string;

  before(async () => {
    subgraph = await startSlowSubgraph();
    ({ gateway, graphqlUrl } = await startFixtureGateway({
      subgraphUrl: `${subgraph.url}/graphql`,
      config: 'server:\n  maxBodyBytes: 2048\n  maxHeaderBytes: 8192\noperationLimits:\n  maxAliases: 3\n  maxTokens: 60\n',
    }));
  }, { timeout: 60_000 });
  after(async () => stopAll([gateway, subgraph]), { timeout: 60_000 });

  const json = { 'content-type': 'application/json' };

  test('malformed JSON → 400 BAD_REQUEST', { timeout: 30_000 }, async () => {
    const r = await send(graphqlUrl, { method: 'POST', headers: json, body: '{"query": ' });
    assert.equal(r.status, 400);
    assert.equal(r.code, 'BAD_REQUEST');
    assert.ok(r.requestId);
  });

  test('missing query → 400 BAD_REQUEST', { timeout: 30_000 }, async () => {
    const r = await send(graphqlUrl, { method: 'POST', headers: json, body: '{"variables": {}}' });
    assert.equal(r.status, 400);
  });

  test('parse error → 400 GRAPHQL_PARSE_FAILED; validation error → 400 GRAPHQL_VALIDATION_FAILED', { timeout: 30_000 }, async () => {
    const parse = await postGraphQL(graphqlUrl, { query: '{ ping ' });
    assert.equal(parse.status, 400);
    assert.deepEqual(errorCodes(parse), ['GRAPHQL_PARSE_FAILED']);
    const validation = await postGraphQL(graphqlUrl, { query: '{ nope }' });
    assert.equal(validation.status, 400);
    assert.deepEqual(errorCodes(validation), ['GRAPHQL_VALIDATION_FAILED']);
  });

  test('operation limits: too many aliases → 400 GRAPHQL_VALIDATION_FAILED; too many tokens → 400 GRAPHQL_PARSE_FAILED', { timeout: 30_000 }, async () => {
    const aliases = await postGraphQL(graphqlUrl, { query: '{ a: ping b: ping c: ping d: ping }' });
    assert.equal(aliases.status, 400);
    assert.deepEqual(errorCodes(aliases), ['GRAPHQL_VALIDATION_FAILED']);
    const atLimit = await postGraphQL(graphqlUrl, { query: '{ a: ping b: ping c: ping }' });
    assert.deepEqual(atLimit.body.data, { a: 'pong', b: 'pong', c: 'pong' });
    const tokens = await postGraphQL(graphqlUrl, { query: `{ ${'ping '.repeat(80)}}` });
    assert.equal(tokens.status, 400);
    assert.deepEqual(errorCodes(tokens), ['GRAPHQL_PARSE_FAILED']);
  });

  test('subscription → 400 SUBSCRIPTION_NOT_SUPPORTED (was a 500), by POST and by GET, before any policy runs', { timeout: 30_000 }, async () => {
    const post = await postGraphQL(graphqlUrl, { query: 'subscription OnPing { ping }' });
    assert.equal(post.status, 400);
    assert.deepEqual(errorCodes(post), ['SUBSCRIPTION_NOT_SUPPORTED']);
    assert.deepEqual(post.body.errors?.[0]?.locations, [{ line: 1, column: 1 }]);
    assert.ok(post.body.errors?.[0]?.extensions?.requestId);
    const get = await send(`${graphqlUrl}?query=${encodeURIComponent('subscription { ping }')}`, { headers: json });
    assert.equal(get.status, 400);
    assert.equal(get.code, 'SUBSCRIPTION_NOT_SUPPORTED');
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    assert.match(metrics, /gateway_graphql_errors_total\{code="SUBSCRIPTION_NOT_SUPPORTED"\} [1-9]/);
  });

  test('unknown operationName → 400', { timeout: 30_000 }, async () => {
    const r = await postGraphQL(graphqlUrl, { query: 'query A { ping }', operationName: 'B' });
    assert.equal(r.status, 400);
    assert.deepEqual(errorCodes(r), ['OPERATION_RESOLUTION_FAILURE']);
  });

  test('unsupported content type → 415; wrong method → 405 with Allow', { timeout: 30_000 }, async () => {
    const r415 = await send(graphqlUrl, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"query":"{ ping }"}' });
    assert.equal(r415.status, 415);
    assert.equal(r415.code, 'UNSUPPORTED_MEDIA_TYPE');
    const r405 = await send(graphqlUrl, { method: 'DELETE' });
    assert.equal(r405.status, 405);
    assert.equal(r405.code, 'METHOD_NOT_ALLOWED');
    assert.match(r405.headers.get('allow') ?? '', /GET.*POST/);
  });

  test('a body over maxBodyBytes → 413 PAYLOAD_TOO_LARGE, and the gateway keeps serving', { timeout: 30_000 }, async () => {
    const body = JSON.stringify({ query: `{ ping } # ${'x'.repeat(4096)}` });
    const r = await send(graphqlUrl, { method: 'POST', headers: json, body });
    assert.equal(r.status, 413);
    assert.equal(r.code, 'PAYLOAD_TOO_LARGE');
    const ok = await postGraphQL(graphqlUrl, { query: '{ ping }' });
    assert.deepEqual(ok.body.data, { ping: 'pong' });
  });

  test('headers over maxHeaderBytes → 431 (at the limit they pass)', { timeout: 30_000 }, async () => {
    const status = (headerBytes: number) =>
      new Promise<number>((resolve, reject) => {
        const req = httpRequest(`${gateway.url}/healthz`, { headers: { 'x-padding': 'p'.repeat(headerBytes) } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
    assert.equal(await status(6 * 1024), 200);
    assert.equal(await status(9 * 1024), 431);
  });

  test('GET without a preflight header is refused by CSRF prevention; with one it runs', { timeout: 30_000 }, async () => {
    const query = encodeURIComponent('{ ping }');
    const blocked = await send(`${graphqlUrl}?query=${query}`, { method: 'GET' });
    assert.equal(blocked.status, 400);
    const allowed = await send(`${graphqlUrl}?query=${query}`, { method: 'GET', headers: { 'apollo-require-preflight': 'true' } });
    assert.equal(allowed.status, 200);
    assert.deepEqual(JSON.parse(allowed.text), { data: { ping: 'pong' } });
  });

  test('GET /graphql with Accept: text/html serves the Apollo Sandbox landing page in development', { timeout: 30_000 }, async () => {
    const r = await send(graphqlUrl, { method: 'GET', headers: { accept: 'text/html' } });
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /text\/html/);
    assert.match(r.text, /sandbox/i);
  });

  test('/healthz, /readyz and /metrics', { timeout: 30_000 }, async () => {
    const health = await send(`${gateway.url}/healthz`, {});
    assert.equal(health.status, 200);
    const ready = await send(`${gateway.url}/readyz`, {});
    assert.equal(ready.status, 200);
    const metrics = await send(`${gateway.url}/metrics`, {});
    assert.equal(metrics.status, 200);
    assert.match(metrics.text, /gateway_http_requests_total\{route="\/graphql",method="POST",status="200"\} \d+/);
    assert.match(metrics.text, /gateway_graphql_errors_total\{code="GRAPHQL_VALIDATION_FAILED"\} \d+/);
    const unknown = await send(`${gateway.url}/nope`, {});
    assert.equal(unknown.status, 404);
  });

  test('X-Request-ID: echoed when sane, generated otherwise, and in the access log line', { timeout: 30_000 }, async () => {
    const echoed = await postGraphQL(graphqlUrl, { query: '{ ping }' }, { 'x-request-id': 'client-abc.123' });
    assert.equal(echoed.headers.get('x-request-id'), 'client-abc.123');
    const replaced = await postGraphQL(graphqlUrl, { query: '{ ping }' }, { 'x-request-id': 'bad id with spaces' });
    assert.match(replaced.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
    const line = await gateway.waitForLog((r) => r.event === 'request' && r.requestId === 'client-abc.123');
    assert.equal(line.status, 200);
    assert.equal(typeof line.durationMs, 'number');
  });
});

describe('gateway in production mode', () => {
  let subgraph: RunningProcess;
  let gateway: RunningProcess;
  before(async () => {
    subgraph = await startSlowSubgraph();
    // The fixture subgraph runs unsigned: production then needs the explicit choice to send no identity.
    ({ gateway } = await startFixtureGateway({
      subgraphUrl: `${subgraph.url}/graphql`,
      ...SHARED_FIXTURE_GATEWAYS.production,
      share: true,
      name: 'gateway-prod',
    }));
  }, { timeout: 60_000 });
  after(async () => stopAll([gateway, subgraph]), { timeout: 60_000 });

  test('introspection and the Sandbox landing page are off unless configured on', { timeout: 30_000 }, async () => {
    const introspection = await postGraphQL(`${gateway.url}/graphql`, { query: '{ __schema { queryType { name } } }' });
    assert.equal(introspection.status, 400);
    assert.deepEqual(errorCodes(introspection), ['GRAPHQL_VALIDATION_FAILED']);
    const page = await fetch(`${gateway.url}/graphql`, { headers: { accept: 'text/html' } });
    const text = await page.text();
    assert.doesNotMatch(text, /sandbox/i);
    const query = await postGraphQL(`${gateway.url}/graphql`, { query: '{ ping }' });
    assert.deepEqual(query.body.data, { ping: 'pong' });
  });
});
