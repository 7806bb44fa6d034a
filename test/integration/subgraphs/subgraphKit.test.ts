// The subgraph kit's server in-process (a real node:http server on an ephemeral port) with a tiny
// test subgraph: graceful drain, per-request context, unsigned mode, body limit, routing.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { startSubgraph, type SubgraphContext, type SubgraphDefinition } from '@federation-gateway/subgraph-kit';
import { postGraphQL } from '../../support/http.js';
import { postAsGateway } from '../../support/subgraphRequests.js';

const secret = 'kit-test-secret-0123456789-0123456789';
const silent = pino({ level: 'silent' });

/** `onSlowStarted`: called when a `slow` resolver starts, so a test can act while a request is in flight. */
function testSubgraph(onSlowStarted: () => void = () => {}): SubgraphDefinition<{ contextId: number }> {
  let contexts = 0;
  type Context = SubgraphContext<{ contextId: number }>;
  return {
    name: 'kit-test',
    schemaFile: new URL('../../fixtures/subgraph-kit/schema.graphql', import.meta.url),
    resolvers: {
      Query: {
        whoami: (_p: unknown, _a: unknown, context: Context) => context.identity?.subject ?? null,
        slow: async (_p: unknown, args: { ms: number }) => {
          onSlowStarted();
          await new Promise((resolveWait) => setTimeout(resolveWait, args.ms));
          return 'done';
        },
        contextId: (_p: unknown, _a: unknown, context: Context) => context.contextId,
      },
    },
    createContext: () => ({ contextId: (contexts += 1) }),
  };
}

describe('subgraph kit server', () => {
  test('stop() lets an in-flight request finish, then refuses new connections', { timeout: 30_000 }, async () => {
    let slowStarted!: () => void;
    const resolverRunning = new Promise<void>((resolveStarted) => (slowStarted = resolveStarted));
    const running = await startSubgraph(testSubgraph(() => slowStarted()), { identitySecret: secret, logger: silent });
    const caller = { secret, audience: 'kit-test', identity: { subject: 'user-1', scopes: [], roles: [], kind: 'user', tier: 'free' } } as const;
    const inFlight = postAsGateway(running.graphqlUrl, { query: '{ slow(ms: 400) whoami }' }, { ...caller, identity: { ...caller.identity, scopes: [], roles: [] } });
    // Stop once the request is being executed (not after a guessed delay).
    await resolverRunning;
    const stopped = running.stop();
    const response = await inFlight;
    assert.equal(response.status, 200);
    assert.deepEqual(response.body.data, { slow: 'done', whoami: 'user-1' });
    await stopped;
    await assert.rejects(fetch(`${running.url}/healthz`));
  });

  test('createContext runs once per request; --insecure-allow-unsigned mode gives a null identity', { timeout: 30_000 }, async () => {
    const running = await startSubgraph(testSubgraph(), { allowUnsignedIdentity: true, logger: silent });
    try {
      const first = await postGraphQL(running.graphqlUrl, { query: '{ contextId whoami }' });
      const second = await postGraphQL(running.graphqlUrl, { query: '{ contextId }' });
      assert.equal(first.body.data?.whoami, null);
      assert.notEqual(first.body.data?.contextId, second.body.data?.contextId);
    } finally {
      await running.stop();
    }
  });

  test('refuses to start without a secret unless unsigned mode is explicit, and refuses short secrets', { timeout: 30_000 }, async () => {
    await assert.rejects(startSubgraph(testSubgraph(), { logger: silent }), /INTERNAL_IDENTITY_SECRET/);
    await assert.rejects(startSubgraph(testSubgraph(), { identitySecret: 'short', logger: silent }), /32/);
  });

  test('oversized bodies get 413, bad JSON 400, unknown paths 404, /healthz 200', { timeout: 30_000 }, async () => {
    const running = await startSubgraph(testSubgraph(), { allowUnsignedIdentity: true, logger: silent, maxBodyBytes: 1024, debugCounters: false });
    try {
      const big = await postGraphQL(running.graphqlUrl, { query: `{ whoami } # ${'x'.repeat(2048)}` });
      assert.equal(big.status, 413);
      const badJson = await fetch(running.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{nope' });
      assert.equal(badJson.status, 400);
      assert.equal((await fetch(`${running.url}/nowhere`)).status, 404);
      assert.equal((await fetch(`${running.url}/healthz`)).status, 200);
      // Counters are off unless asked for (SUBGRAPH_DEBUG_COUNTERS=1): no debug surface in normal runs.
      assert.equal((await fetch(`${running.url}/debug/data-layer-calls`)).status, 404);
    } finally {
      await running.stop();
    }
  });
});
