// Client headers reach subgraphs only when `propagateHeaders` lists them: by default not even
// Authorization is forwarded (the gateway neither trusts nor passes on what it was not told to).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SHARED_FIXTURE_GATEWAYS, startFixtureGateway, startSlowSubgraph } from '../../support/fixtureSupergraph.js';
import { postGraphQL } from '../../support/http.js';
import { GATEWAY_ENTRY, startProcess, stopAll, type RunningProcess } from '../../support/processes.js';

const QUERY = '{ auth: header(name: "authorization") tenant: header(name: "x-tenant") spoof: header(name: "x-user-id") requestId: header(name: "x-request-id") }';
const CLIENT_HEADERS = { authorization: 'Bearer client-token', 'x-tenant': 'acme', 'x-user-id': 'admin', 'x-request-id': 'req-propagation-1' };

describe('header propagation to subgraphs', () => {
  let subgraph: RunningProcess;
  let plain: RunningProcess;
  let propagating: RunningProcess;
  let dir: string;

  before(async () => {
    subgraph = await startSlowSubgraph();
    const subgraphUrl = `${subgraph.url}/graphql`;
    const [plainGateway, propagatingGateway] = await Promise.all([
      // Development defaults: no header propagation configured.
      startFixtureGateway({ subgraphUrl, name: 'gateway-plain', ...SHARED_FIXTURE_GATEWAYS.development, share: true }),
      startFixtureGateway({ subgraphUrl, name: 'gateway-propagating', config: 'subgraphDefaults:\n  propagateHeaders: [Authorization, x-tenant]\n' }),
    ]);
    plain = plainGateway.gateway;
    propagating = propagatingGateway.gateway;
    dir = plainGateway.dir;
  }, { timeout: 60_000 });
  after(async () => stopAll([plain, propagating, subgraph]), { timeout: 60_000 });

  test('by default no client header reaches the subgraph, the request ID does', { timeout: 30_000 }, async () => {
    const response = await postGraphQL(`${plain.url}/graphql`, { query: QUERY }, CLIENT_HEADERS);
    assert.deepEqual(response.body.data, { auth: null, tenant: null, spoof: null, requestId: 'req-propagation-1' });
  });

  test('listed headers are forwarded; internal ones never are', { timeout: 30_000 }, async () => {
    const response = await postGraphQL(`${propagating.url}/graphql`, { query: QUERY }, CLIENT_HEADERS);
    assert.deepEqual(response.body.data, { auth: 'Bearer client-token', tenant: 'acme', spoof: null, requestId: 'req-propagation-1' });
  });

  test('a config that would propagate an internal header is refused at startup, naming the key', { timeout: 30_000 }, async () => {
    writeFileSync(join(dir, 'bad.yaml'), 'subgraphDefaults:\n  propagateHeaders: [x-gateway-identity]\n');
    const child = await startProcess({
      name: 'gateway-bad',
      entry: GATEWAY_ENTRY,
      args: ['--supergraph', join(dir, 'supergraph.graphql'), '--port', '0', '--config', join(dir, 'bad.yaml')],
      waitForReady: false,
    });
    const { code } = await child.exited;
    assert.equal(code, 2);
    assert.match(child.stderrText(), /subgraphDefaults\.propagateHeaders\.0/);
  });
});
