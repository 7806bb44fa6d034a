// Regression (issue 12): a recorded `x-gateway-identity` header worked as a 60-second bearer pass for any
// query. Replayed straight to the users subgraph with another query it returned users' emails (a field the
// gateway protects with `users:read:email`), `_entities` and `_service`. Now the token is bound to the body
// of the one request it travelled with (bodySha256) and lives `internalIdentity.lifetimeSeconds`.
// Real processes: the gateway and the users/orders subgraphs; a recording proxy between the gateway and
// the users subgraph plays the eavesdropper (a proxy or a log on that hop).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { decodeJwt } from 'jose';
import { postGraphQL } from '../../support/http.js';
import { startRecordingProxy, type RecordedExchange, type RecordingProxy } from '../../support/recordingProxy.js';
import { startSampleGraph, type SampleGraph } from '../../support/sampleGraph.js';

const LIFETIME_SECONDS = 2;

async function replay(subgraphUrl: string, exchange: RecordedExchange, body = exchange.requestBody): Promise<{ status: number; body: any }> {
  const response = await fetch(`${subgraphUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-gateway-identity': String(exchange.requestHeaders['x-gateway-identity']) },
    body,
  });
  return { status: response.status, body: await response.json() };
}

describe('the identity header is bound to the subgraph request it travels with', () => {
  let graph: SampleGraph;
  let proxy: RecordingProxy;
  let token: string;

  before(async () => {
    graph = await startSampleGraph({
      subgraphBaseUrl: async (name, url) => (name === 'users' ? (proxy = await startRecordingProxy(url)).url : url),
      gatewayConfig: { internalIdentity: { lifetimeSeconds: LIFETIME_SECONDS } },
    });
    // A caller without users:read:email: the gateway never lets them see an email.
    token = await graph.tokenFor('user-1', []);
  }, { timeout: 60_000 });
  after(async () => {
    await graph?.stop();
    await proxy?.close();
  }, { timeout: 60_000 });

  /** One real request through the gateway, and the users-subgraph exchange it caused. */
  async function recordOne(): Promise<RecordedExchange> {
    proxy.exchanges.splice(0);
    const response = await postGraphQL(graph.graphqlUrl, { query: '{ me { id name } }' }, { authorization: `Bearer ${token}` });
    assert.equal(response.body.data?.me?.id, 'user-1', JSON.stringify(response.body));
    const [exchange] = proxy.exchanges;
    assert.ok(exchange, 'the gateway called the users subgraph');
    assert.equal(exchange.status, 200);
    return exchange;
  }

  test('the token carries the SHA-256 of the exact body sent and the configured lifetime', { timeout: 30_000 }, async () => {
    const exchange = await recordOne();
    const claims = decodeJwt(String(exchange.requestHeaders['x-gateway-identity']));
    assert.equal(claims.bodySha256, createHash('sha256').update(exchange.requestBody).digest('hex'));
    assert.equal(Number(claims.exp) - Number(claims.iat), LIFETIME_SECONDS);
    assert.equal(exchange.requestHeaders['x-gateway-identity-unsigned'], undefined, 'the parked identity never leaves the gateway');
  });

  test('a recorded header replayed with another query is refused with 401: no emails, no _entities, no _service', { timeout: 30_000 }, async () => {
    const exchange = await recordOne();
    const users = graph.subgraphs.users!.url;
    const attacks = [
      { query: '{ users(first: 3) { id email } }' },
      { query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on User { email } } }', variables: { r: [{ __typename: 'User', id: 'user-2' }] } },
      { query: '{ _service { sdl } }' },
      // The same query with other variables or another operation name is another request, too.
      { ...JSON.parse(exchange.requestBody), variables: { unused: 1 } },
      { ...JSON.parse(exchange.requestBody), operationName: 'Other' },
    ];
    for (const attack of attacks) {
      const replayed = await replay(users, exchange, JSON.stringify(attack));
      assert.equal(replayed.status, 401, JSON.stringify(attack));
      assert.deepEqual(replayed.body.errors.map((e: any) => e.extensions.code), ['UNAUTHENTICATED']);
      assert.equal(replayed.body.data, undefined, 'nothing executed');
      assert.doesNotMatch(JSON.stringify(replayed.body), /@example\.com|_service|sdl/);
    }
    const refusal = await graph.subgraphs.users!.waitForLog((r) => /another request body/.test(String(r.reason)));
    assert.equal(refusal.msg, 'refused request without a valid gateway identity');
  });

  test('the recorded request itself is refused once the token has expired (exp = iat + lifetimeSeconds)', { timeout: 30_000 }, async () => {
    const exchange = await recordOne();
    const users = graph.subgraphs.users!.url;
    const exp = Number(decodeJwt(String(exchange.requestHeaders['x-gateway-identity'])).exp);
    // Until exp the same bytes are accepted (the token is genuine, and this proves the refusal below is expiry).
    // Then refused: poll the event, bounded, instead of sleeping a guessed time.
    let lastAccepted = 0;
    let refused: { status: number; body: any } | undefined;
    const deadline = Date.now() + (LIFETIME_SECONDS + 10) * 1000;
    while (!refused && Date.now() < deadline) {
      const attempt = await replay(users, exchange);
      if (attempt.status === 200) lastAccepted = Date.now() / 1000;
      else refused = attempt;
      if (!refused) await new Promise((resolveTick) => setTimeout(resolveTick, 100));
    }
    assert.ok(refused, `still accepted ${LIFETIME_SECONDS + 10} s after it was signed`);
    assert.equal(refused.status, 401);
    assert.deepEqual(refused.body.errors.map((e: any) => e.extensions.code), ['UNAUTHENTICATED']);
    assert.match(refused.body.errors[0].message, /expired/);
    assert.ok(lastAccepted < exp + 1, `accepted at ${lastAccepted}, after exp ${exp}`);
    assert.ok(Date.now() / 1000 >= exp, 'refused only once exp has passed');
  });
});
