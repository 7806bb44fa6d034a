// Any valid Federation 2 supergraph (here a fixture subgraph, not the sample graph), hot reload
// without a restart, per-subgraph timeouts, and graceful shutdown that finishes in-flight requests.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeFixture, startFixtureGateway, startSlowSubgraph } from '../../support/fixtureSupergraph.js';
import { errorCodes, postGraphQL } from '../../support/http.js';
import { repoRoot, stopAll, type RunningProcess } from '../../support/processes.js';

const fullSdl = readFileSync(join(repoRoot, 'test/fixtures/slow-subgraph/schema.graphql'), 'utf8');
// v1 lacks `added`; v2 is the subgraph's full schema.
const v1Sdl = fullSdl.replace(/^.*\n\s*added: String!\n/m, '');

describe('gateway lifecycle on a fixture supergraph', () => {
  let subgraph: RunningProcess;
  let gateway: RunningProcess;
  let supergraphPath: string;
  let graphqlUrl: string;
  let v2: string;

  before(async () => {
    assert.ok(!v1Sdl.includes('added'), 'fixture v1 must not have the field');
    subgraph = await startSlowSubgraph();
    v2 = composeFixture([{ name: 'slow', url: `${subgraph.url}/graphql`, sdl: fullSdl }]);
    ({ gateway, graphqlUrl, supergraphPath } = await startFixtureGateway({
      subgraphUrl: `${subgraph.url}/graphql`,
      sdl: v1Sdl,
      // 2 s: far above the 400 ms in-flight requests of the reload test even on a loaded machine, and
      // below the 3 s of the timeout test.
      config: 'supergraph:\n  pollIntervalMs: 100\nsubgraphs:\n  slow:\n    timeoutMs: 2000\n',
    }));
  }, { timeout: 60_000 });
  after(async () => stopAll([gateway, subgraph]), { timeout: 60_000 });

  test('serves a supergraph that is not the sample graph', { timeout: 30_000 }, async () => {
    const response = await postGraphQL(graphqlUrl, { query: '{ ping }' });
    assert.equal(response.status, 200);
    assert.deepEqual(response.body.data, { ping: 'pong' });
  });

  // The timeout test waits out the gateway's 2 s timeout while the reload tests run: its request is
  // answered by the schema it started on (reloads do not touch requests in flight), and the reload tests
  // count only their own requests.
  describe('the timeout wait beside the hot reloads', { concurrency: true }, () => {
    test('a subgraph slower than its timeoutMs gives GATEWAY_TIMEOUT, and the gateway keeps serving', { timeout: 30_000 }, async () => {
      const slow = await postGraphQL(graphqlUrl, { query: '{ slow(ms: 3000) }' });
      assert.equal(slow.status, 200);
      assert.deepEqual(errorCodes(slow), ['GATEWAY_TIMEOUT']);
      const fast = await postGraphQL(graphqlUrl, { query: '{ slow(ms: 10) }' });
      assert.deepEqual(fast.body.data, { slow: 'slept 10 ms' });
    });

    describe('hot reloads, one after the other', { concurrency: false }, () => {
      test('hot reload: a new field becomes queryable without restart, in-flight requests complete', { timeout: 30_000 }, async () => {
        const before = await postGraphQL(graphqlUrl, { query: '{ added }' });
        assert.deepEqual(errorCodes(before), ['GRAPHQL_VALIDATION_FAILED']);
        let started = 0;
        // Only these 400 ms requests count: the timeout test's 3 s one runs beside them.
        const allStarted = subgraph.waitForNextLog((r) => r.event === 'slow_started' && r.ms === 400 && ++started === 5);
        const inFlight = Array.from({ length: 5 }, () => postGraphQL(graphqlUrl, { query: '{ slow(ms: 400) }' }));
        // Swap the supergraph while all five are in flight.
        await allStarted;
        const reloaded = gateway.waitForNextLog((r) => r.event === 'supergraph_reloaded', 10_000);
        writeFileSync(supergraphPath, v2);
        await reloaded;
        const afterReload = await postGraphQL(graphqlUrl, { query: '{ added }' });
        assert.deepEqual(afterReload.body.data, { added: 'new field' });
        for (const response of await Promise.all(inFlight)) {
          assert.equal(response.status, 200);
          assert.deepEqual(response.body.data, { slow: 'slept 400 ms' }, JSON.stringify(response.body.errors));
        }
        assert.equal(gateway.child.exitCode, null, 'no restart');
      });

      test('hot reload: an invalid new file is rejected with a log line and the old schema keeps serving', { timeout: 30_000 }, async () => {
        writeFileSync(supergraphPath, 'type Query { this is not a supergraph');
        const logged = await gateway.waitForLog((r) => r.event === 'supergraph_reload_failed', 10_000);
        assert.equal(logged.level, 50);
        const response = await postGraphQL(graphqlUrl, { query: '{ ping added }' });
        assert.deepEqual(response.body.data, { ping: 'pong', added: 'new field' });
        const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
        assert.match(metrics, /gateway_supergraph_reloads_total\{result="rejected"\} [1-9]/);
        assert.match(metrics, /gateway_supergraph_reloads_total\{result="applied"\} 1/);
      });
    });
  });

  test('SIGTERM drains: an in-flight request completes, then the process exits 0', { timeout: 30_000 }, async () => {
    const started = subgraph.waitForNextLog((r) => r.event === 'held_started' && r.key === 'lifecycle-drain');
    const inFlight = postGraphQL(graphqlUrl, { query: '{ held(key: "lifecycle-drain") }' });
    // SIGTERM once the request has reached the subgraph, i.e. is in flight through the gateway; the subgraph
    // holds it until the drain has begun (no guessed delay).
    await started;
    const draining = gateway.waitForNextLog((r) => r.event === 'shutdown_started');
    gateway.child.kill('SIGTERM');
    assert.equal((await draining).inFlight, 1, 'the drain began with the request in flight');
    const released = await postGraphQL(`${subgraph.url}/graphql`, { query: 'mutation { release(key: "lifecycle-drain") }' });
    assert.deepEqual(released.body.data, { release: 1 });
    const response = await inFlight;
    assert.deepEqual(response.body.data, { held: 'released lifecycle-drain' });
    const { code } = await gateway.exited;
    assert.equal(code, 0);
    await assert.rejects(fetch(`${gateway.url}/healthz`), 'no longer accepting connections');
  });
});
