// Retries for queries only, and the per-subgraph circuit breaker, against a real subgraph behind a
// test proxy that can answer 503 on demand (and counts what reaches it).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startFixtureGateway, startSlowSubgraph } from '../../support/fixtureSupergraph.js';
import { errorCodes, postGraphQL } from '../../support/http.js';
import { stopAll, type RunningProcess } from '../../support/processes.js';

interface FaultyProxy {
  url: string;
  /** Requests that reached the proxy. */
  requests: number;
  /** Answer 503 to the next N requests. */
  failNext: number;
  failAlways: boolean;
  close(): Promise<void>;
}

async function startFaultyProxy(target: string): Promise<FaultyProxy> {
  const state = { requests: 0, failNext: 0, failAlways: false };
  const server: Server = createServer(async (req, res) => {
    state.requests += 1;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (state.failAlways || state.failNext > 0) {
      state.failNext = Math.max(0, state.failNext - 1);
      res.writeHead(503, { 'content-type': 'text/plain' }).end('overloaded');
      return;
    }
    const upstream = await fetch(`${target}${req.url}`, {
      method: req.method,
      headers: Object.fromEntries(Object.entries(req.headers).filter(([name]) => name !== 'host' && name !== 'content-length')) as Record<string, string>,
      body: Buffer.concat(chunks),
    });
    res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
    res.end(Buffer.from(await upstream.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }) as FaultyProxy;
}

describe('subgraph retries and circuit breaker', () => {
  let subgraph: RunningProcess;
  let gateway: RunningProcess;
  let proxy: FaultyProxy;
  let graphqlUrl: string;

  before(async () => {
    subgraph = await startSlowSubgraph();
    proxy = await startFaultyProxy(subgraph.url);
    ({ gateway, graphqlUrl } = await startFixtureGateway({
      subgraphUrl: `${proxy.url}/graphql`,
      config: [
        'subgraphDefaults:',
        '  resilience:',
        '    retries: 1',
        '    retryBackoffMs: 10',
        '    circuitBreaker: { volumeThreshold: 4, errorThresholdPercentage: 50, resetTimeoutMs: 1000 }',
      ].join('\n'),
    }));
  }, { timeout: 60_000 });
  after(async () => {
    await stopAll([gateway, subgraph]);
    await proxy?.close();
  }, { timeout: 60_000 });

  test('a query that meets a 503 is retried once and succeeds', { timeout: 30_000 }, async () => {
    proxy.requests = 0;
    proxy.failNext = 1;
    const response = await postGraphQL(graphqlUrl, { query: '{ ping }' });
    assert.deepEqual(response.body.data, { ping: 'pong' });
    assert.equal(proxy.requests, 2);
  });

  test('a mutation that meets a 503 is never sent again', { timeout: 30_000 }, async () => {
    proxy.requests = 0;
    proxy.failNext = 1;
    const response = await postGraphQL(graphqlUrl, { query: 'mutation { touch }' });
    assert.deepEqual(errorCodes(response), ['DOWNSTREAM_SERVICE_ERROR']);
    assert.equal(proxy.requests, 1);
  });

  test('a failing subgraph opens the breaker: calls fail fast with SUBGRAPH_UNAVAILABLE, then recover', { timeout: 30_000 }, async () => {
    proxy.failAlways = true;
    for (let i = 0; i < 4; i += 1) await postGraphQL(graphqlUrl, { query: '{ ping }' });
    const reached = proxy.requests;
    const fastFail = await postGraphQL(graphqlUrl, { query: '{ ping }' });
    assert.equal(fastFail.status, 200);
    assert.deepEqual(errorCodes(fastFail), ['SUBGRAPH_UNAVAILABLE']);
    assert.equal(proxy.requests, reached, 'the open breaker did not call the subgraph');
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    assert.match(metrics, /gateway_subgraph_circuit_state\{subgraph="slow"\} 1/);
    await gateway.waitForLog((r) => r.event === 'circuit_breaker' && r.state === 'open');

    proxy.failAlways = false;
    // After resetTimeoutMs the breaker lets one trial call through: wait for that, not for the clock.
    await gateway.waitForLog((r) => r.event === 'circuit_breaker' && r.state === 'halfOpen', 10_000);
    const recovered = await postGraphQL(graphqlUrl, { query: '{ ping }' });
    assert.deepEqual(recovered.body.data, { ping: 'pong' });
    await gateway.waitForLog((r) => r.event === 'circuit_breaker' && r.state === 'closed');
  });
});
