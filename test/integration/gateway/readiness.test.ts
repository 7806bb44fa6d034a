// /readyz: ready once the supergraph is loaded; with `readiness.checkSubgraphs` it also reports each
// subgraph (asked `{ __typename }` through the normal, identity-signed path) and answers 503 when one is down.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startFixtureGateway, startSlowSubgraph } from '../../support/fixtureSupergraph.js';
import { stopAll, type RunningProcess } from '../../support/processes.js';

async function readyz(gateway: RunningProcess): Promise<{ status: number; body: { status: string; subgraphs?: Record<string, string> } }> {
  const response = await fetch(`${gateway.url}/readyz`);
  return { status: response.status, body: (await response.json()) as { status: string; subgraphs?: Record<string, string> } };
}

describe('readiness with subgraph checks', () => {
  let subgraph: RunningProcess;
  let gateway: RunningProcess;

  before(async () => {
    // A signed-identity subgraph: the health check must go through the same signing as real traffic.
    const secret = randomBytes(32).toString('base64url');
    subgraph = await startSlowSubgraph({ INTERNAL_IDENTITY_SECRET: secret });
    ({ gateway } = await startFixtureGateway({
      subgraphUrl: `${subgraph.url}/graphql`,
      config: 'readiness:\n  checkSubgraphs: true\n  cacheMs: 0\n  timeoutMs: 1000\n',
      env: { INTERNAL_IDENTITY_SECRET: secret },
    }));
  }, { timeout: 60_000 });
  after(async () => stopAll([gateway, subgraph]), { timeout: 60_000 });

  test('ready with every subgraph answering', { timeout: 30_000 }, async () => {
    assert.deepEqual(await readyz(gateway), { status: 200, body: { status: 'ready', subgraphs: { slow: 'ok' } } });
  });

  test('503 naming the subgraph once it is down, while /healthz stays 200', { timeout: 30_000 }, async () => {
    await subgraph.stop();
    assert.deepEqual(await readyz(gateway), { status: 503, body: { status: 'subgraph_unavailable', subgraphs: { slow: 'unavailable' } } });
    assert.equal((await fetch(`${gateway.url}/healthz`)).status, 200);
  });
});
