// Regression: after a hot reload that removed a subgraph, /readyz kept probing it and turned 503 while
// queries still worked (in Kubernetes that takes every instance out of the load balancer). The supergraph
// here is published the way a ConfigMap volume updates (a symlink swap), the new file keeping the old
// one's mtime and size: only the inode behind the path tells the polling that it changed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { composeFixture, SLOW_SUBGRAPH_SCHEMA, startSlowSubgraph } from '../../support/fixtureSupergraph.js';
import { createConfigMapVolume, type ConfigMapVolume } from '../../support/configMapVolume.js';
import { postGraphQL } from '../../support/http.js';
import { GATEWAY_ENTRY, startProcess, stopAll, type RunningProcess } from '../../support/processes.js';

const EXTRA_SDL = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])\ntype Query { extra: String }\n';

async function readyz(gateway: RunningProcess): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${gateway.url}/readyz`);
  return { status: response.status, body: await response.json() };
}

describe('/readyz follows hot reloads', () => {
  let slow: RunningProcess;
  let extra: RunningProcess;
  let gateway: RunningProcess;
  let volume: ConfigMapVolume;

  before(async () => {
    // Any GraphQL server answers the `{ __typename }` health check: a second fixture process stands in for "extra".
    // `extra` is stopped below to be dead: a process of its own (test/support/sharedFixtures.ts).
    [slow, extra] = await Promise.all([startSlowSubgraph(), startSlowSubgraph(undefined, { own: true })]);
    volume = createConfigMapVolume({
      'supergraph.graphql': composeFixture([
        { name: 'slow', url: `${slow.url}/graphql`, schemaFile: SLOW_SUBGRAPH_SCHEMA },
        { name: 'extra', url: `${extra.url}/graphql`, sdl: EXTRA_SDL },
      ]),
      'gateway.yaml': 'supergraph:\n  pollIntervalMs: 100\nreadiness:\n  checkSubgraphs: true\n  cacheMs: 0\n  timeoutMs: 1000\n',
    });
    gateway = await startProcess({
      name: 'gateway',
      entry: GATEWAY_ENTRY,
      args: ['--supergraph', volume.pathOf('supergraph.graphql'), '--config', volume.pathOf('gateway.yaml'), '--port', '0'],
    });
  }, { timeout: 60_000 });
  after(async () => stopAll([gateway, slow, extra]), { timeout: 60_000 });

  test('checks both subgraphs while both are in the supergraph', { timeout: 30_000 }, async () => {
    assert.deepEqual(await readyz(gateway), { status: 200, body: { status: 'ready', subgraphs: { slow: 'ok', extra: 'ok' } } });
  });

  test('a ConfigMap-style swap removing a subgraph is reloaded, and /readyz stops checking that subgraph', { timeout: 30_000 }, async () => {
    const reloaded = gateway.waitForNextLog((r) => r.event === 'supergraph_reloaded', 15_000);
    const previous = readFileSync(volume.pathOf('supergraph.graphql'), 'utf8');
    const next = composeFixture([{ name: 'slow', url: `${slow.url}/graphql`, schemaFile: SLOW_SUBGRAPH_SCHEMA }]);
    assert.ok(next.length + 3 <= previous.length);
    volume.update(
      {
        // Padded with a comment to the old size.
        'supergraph.graphql': `${next}\n#${' '.repeat(previous.length - next.length - 2)}`,
        'gateway.yaml': readFileSync(volume.pathOf('gateway.yaml'), 'utf8'),
      },
      { keepMtime: true },
    );
    await reloaded;
    await extra.stop();
    assert.deepEqual(await readyz(gateway), { status: 200, body: { status: 'ready', subgraphs: { slow: 'ok' } } });
    const response = await postGraphQL(`${gateway.url}/graphql`, { query: '{ ping }' });
    assert.deepEqual(response.body.data, { ping: 'pong' });
  });
});
