// A subgraph stops resolving when the gateway gives up on a request (issue 10: subgraphs are bounded too).
// The gateway's fetch deadline closes the connection; the kit aborts `context.signal`, refuses every
// resolver from then on, and REST calls made for the request are cancelled.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFixtureGateway, startSlowSubgraph } from '../../support/fixtureSupergraph.js';
import { errorCodes, postGraphQL } from '../../support/http.js';
import { stopAll, type RunningProcess } from '../../support/processes.js';
import { startSampleGraph, type SampleGraph } from '../../support/sampleGraph.js';

/** `{ countdown(from: N, stepMs) { n next { n next { … } } } }`, N levels of `next`, each one step later. */
function countdownQuery(steps: number, stepMs: number): string {
  let selection = 'n';
  for (let level = 0; level < steps; level += 1) selection = `n next { ${selection} }`;
  return `{ countdown(from: ${steps}, stepMs: ${stepMs}) { ${selection} } }`;
}

async function stepsResolved(subgraph: RunningProcess): Promise<number> {
  const counters = (await (await fetch(`${subgraph.url}/debug/data-layer-calls`)).json()) as Record<string, number>;
  return counters['countdown.next'] ?? 0;
}

describe('the gateway gives up at its deadline: the subgraph stops resolving', () => {
  let subgraph: RunningProcess;
  let gateway: RunningProcess;
  let graphqlUrl: string;

  before(async () => {
    // Its debug counters count the steps resolved.
    subgraph = await startSlowSubgraph();
    ({ gateway, graphqlUrl } = await startFixtureGateway({
      subgraphUrl: `${subgraph.url}/graphql`,
      config: 'subgraphs:\n  slow:\n    timeoutMs: 300\n    resilience:\n      retries: 0\n',
    }));
  }, { timeout: 60_000 });
  after(async () => stopAll([gateway, subgraph]), { timeout: 60_000 });

  test('called directly, the whole chain resolves (10 sequential steps)', { timeout: 30_000 }, async () => {
    const before = await stepsResolved(subgraph);
    const response = await postGraphQL(`${subgraph.url}/graphql`, { query: countdownQuery(10, 20) });
    assert.equal(response.status, 200);
    assert.equal(response.body.errors, undefined, JSON.stringify(response.body.errors));
    assert.equal((await stepsResolved(subgraph)) - before, 10);
  });

  test('through a gateway that times out at 300 ms, resolving stops: fewer steps, and one request_aborted line', { timeout: 30_000 }, async () => {
    const before = await stepsResolved(subgraph);
    // 10 steps of 200 ms: 2 s of resolving if nobody stops it.
    const response = await postGraphQL(graphqlUrl, { query: countdownQuery(10, 200) });
    assert.deepEqual(errorCodes(response), ['GATEWAY_TIMEOUT']);
    // Logged when the subgraph's execution has finished, so the counter is final from here on.
    const aborted = await subgraph.waitForLog((r) => r.event === 'request_aborted', 15_000);
    assert.equal(typeof aborted.requestId, 'string');
    const resolved = (await stepsResolved(subgraph)) - before;
    assert.ok(resolved >= 1 && resolved < 10, `steps resolved after the gateway gave up: ${resolved} of 10`);
    const errorLines = subgraph.logRecords().filter((r) => r.msg === 'graphql error' && r.requestId === aborted.requestId);
    assert.deepEqual(errorLines, [], 'refused resolvers are not logged one by one');
  });
});

describe('REST calls of an aborted request are cancelled', () => {
  let graph: SampleGraph;
  before(async () => {
    graph = await startSampleGraph({
      subgraphs: ['products'],
      // The REST budget at its maximum (5 s), far from the gateway's 300 ms: a 'timeout' failure would mean no cancel.
      subgraphEnv: { CATALOG_TIMEOUT_MS: '5000' },
      gatewayConfig: { subgraphs: { products: { timeoutMs: 300, resilience: { retries: 0 } } } },
    });
  }, { timeout: 60_000 });
  after(async () => graph?.stop(), { timeout: 60_000 });

  test('the catalog call in flight is cancelled when the gateway gives up (not left to its own 5 s timeout)', { timeout: 30_000 }, async () => {
    const catalog = graph.services.catalog!;
    const queued = await fetch(`${catalog.url}/_faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'delay', route: 'GET /products', delayMs: 10_000 }),
    });
    assert.equal(queued.status, 201);
    try {
      const response = await postGraphQL(graph.graphqlUrl, { query: '{ product(id: "prod-1") { name } }' });
      assert.deepEqual(errorCodes(response), ['GATEWAY_TIMEOUT']);
      const products = graph.subgraphs.products!;
      const failed = await products.waitForLog((r) => r.msg === 'REST call failed', 15_000);
      assert.deepEqual(failed.failure, { kind: 'cancelled' }, 'cancelled by the request signal, not timed out by the REST budget');
      await products.waitForLog((r) => r.event === 'request_aborted', 15_000);
    } finally {
      await fetch(`${catalog.url}/_faults`, { method: 'DELETE' });
    }
  });
});
