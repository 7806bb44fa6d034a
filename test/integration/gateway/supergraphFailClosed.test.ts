// Fail closed on policy the gateway cannot read (issue 10, case 6): a supergraph that applies
// @requiresScopes without the @link the gateway reads it through does not start the gateway (exit 2, one
// line), and as a hot reload it is rejected (log line + metric) while the old schema and policy keep serving.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SLOW_SUBGRAPH_SCHEMA, startFixtureGateway, startSlowSubgraph } from '../../support/fixtureSupergraph.js';
import { errorCodes, postGraphQL } from '../../support/http.js';
import { GATEWAY_ENTRY, repoRoot, startProcess, stopAll, type RunningProcess } from '../../support/processes.js';

const REQUIRES_SCOPES_LINK = '  @link(url: "https://specs.apollo.dev/requiresScopes/v0.1", for: SECURITY)\n';

function edited(text: string, from: string, to: string): string {
  const result = text.replace(from, to);
  assert.notEqual(result, text, `fixture edit applied: ${from}`);
  return result;
}

// The fixture subgraph with `header` guarded by a scope nobody anonymous holds.
const guardedSdl = edited(
  edited(readFileSync(join(repoRoot, SLOW_SUBGRAPH_SCHEMA), 'utf8'), 'import: ["@key"]', 'import: ["@key", "@requiresScopes"]'),
  'header(name: String!): String',
  'header(name: String!): String @requiresScopes(scopes: [["headers:read"]])',
);

describe('supergraph policy the gateway cannot read', () => {
  let subgraph: RunningProcess;
  let gateway: RunningProcess;
  let graphqlUrl: string;
  let supergraphPath: string;
  let unlinked: string;

  before(async () => {
    subgraph = await startSlowSubgraph();
    ({ gateway, graphqlUrl, supergraphPath } = await startFixtureGateway({
      subgraphUrl: `${subgraph.url}/graphql`,
      sdl: guardedSdl,
      config: 'supergraph:\n  pollIntervalMs: 100\n',
    }));
    unlinked = edited(readFileSync(supergraphPath, 'utf8'), REQUIRES_SCOPES_LINK, '');
  }, { timeout: 60_000 });
  after(async () => stopAll([gateway, subgraph]), { timeout: 60_000 });

  test('the policy is enforced while the supergraph links it', { timeout: 30_000 }, async () => {
    const response = await postGraphQL(graphqlUrl, { query: '{ ping header(name: "host") }' });
    assert.deepEqual(response.body.data, { ping: 'pong', header: null });
    assert.deepEqual(errorCodes(response), ['UNAUTHORIZED_FIELD_OR_TYPE']);
  });

  test('at startup: exit 2 with one line naming the directive and the field', { timeout: 30_000 }, async () => {
    const badPath = join(supergraphPath, '..', 'unlinked.graphql');
    writeFileSync(badPath, unlinked);
    const cli = await startProcess({ name: 'gateway-unlinked', entry: GATEWAY_ENTRY, args: ['--supergraph', badPath, '--port', '0'], waitForReady: false });
    const { code } = await cli.exited;
    assert.equal(code, 2, cli.stderrText());
    const lines = cli.stderrText().trim().split('\n');
    assert.equal(lines.length, 1, cli.stderrText());
    assert.match(lines[0]!, /^gateway: invalid supergraph .*@requiresScopes without the @link.*\(Query\.header\).*fail closed/);
  });

  test('on hot reload: rejected with a log line and a metric; the old schema and its policy keep serving', { timeout: 30_000 }, async () => {
    writeFileSync(supergraphPath, unlinked);
    const logged = await gateway.waitForLog((r) => r.event === 'supergraph_reload_failed', 15_000);
    assert.match(String(logged.err), /@requiresScopes without the @link/);
    const response = await postGraphQL(graphqlUrl, { query: '{ ping header(name: "host") }' });
    assert.deepEqual(response.body.data, { ping: 'pong', header: null }, 'policy still on');
    assert.deepEqual(errorCodes(response), ['UNAUTHORIZED_FIELD_OR_TYPE']);
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    assert.match(metrics, /gateway_supergraph_reloads_total\{result="rejected"\} [1-9]/);
    assert.doesNotMatch(metrics, /gateway_supergraph_reloads_total\{result="applied"\} [1-9]/);
    assert.equal(gateway.child.exitCode, null);
  });
});
