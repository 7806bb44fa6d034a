// Which subgraph error codes reach clients (the gateway's own, plus a subgraph's own codes listed in
// `subgraphs.<name>.clientErrorCodes`; everything else masked), and what the gateway logs when a
// subgraph refuses its identity (the subgraph's reason and what to check, shown by `npm start` too).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatStartLogLine } from '../../../scripts/src/startLogLine.js';
import { composeFixture, SHARED_FIXTURE_GATEWAYS, SLOW_SUBGRAPH_SCHEMA, startFixtureGateway, startSlowSubgraph, type FixtureGateway } from '../../support/fixtureSupergraph.js';
import { errorCodes, postGraphQL } from '../../support/http.js';
import { GATEWAY_ENTRY, startProcess, stopAll, type RunningProcess } from '../../support/processes.js';
import { tempDir } from '../../support/tempDirs.js';

describe('subgraph error codes clients may see', () => {
  let subgraph: RunningProcess | undefined;
  let fixture: FixtureGateway | undefined;
  before(async () => {
    subgraph = await startSlowSubgraph();
    // Its config lists DUPLICATE_REVIEW under subgraphs.slow.clientErrorCodes.
    fixture = await startFixtureGateway({ subgraphUrl: `${subgraph.url}/graphql`, ...SHARED_FIXTURE_GATEWAYS.development, share: true });
  }, { timeout: 60_000 });
  after(() => stopAll([fixture?.gateway, subgraph]), { timeout: 60_000 });

  test('a listed code keeps its code and message; an unlisted one is masked; the gateway\'s own codes pass', { timeout: 30_000 }, async () => {
    const response = await postGraphQL(fixture!.graphqlUrl, {
      query: '{ listed: fail(code: "DUPLICATE_REVIEW") unlisted: fail(code: "LEAKY_INTERNAL_DETAIL") known: fail(code: "NOT_FOUND") }',
    });
    assert.equal(response.status, 200);
    assert.deepEqual(response.body.data, { listed: null, unlisted: null, known: null });
    const byPath = Object.fromEntries((response.body.errors ?? []).map((error) => [String(error.path?.[0]), error]));
    assert.equal(byPath.listed?.extensions?.code, 'DUPLICATE_REVIEW');
    assert.equal(byPath.listed?.message, 'failed with DUPLICATE_REVIEW');
    assert.equal(byPath.unlisted?.extensions?.code, 'INTERNAL_SERVER_ERROR');
    assert.doesNotMatch(byPath.unlisted?.message ?? '', /LEAKY/);
    assert.equal(byPath.known?.extensions?.code, 'NOT_FOUND');
    for (const error of response.body.errors ?? []) assert.equal(error.extensions?.serviceName, undefined, 'no subgraph name leaks');
  });

  test('a code that is not UPPER_SNAKE_CASE stops startup naming the key', { timeout: 30_000 }, async () => {
    writeFileSync(join(fixture!.dir, 'bad.yaml'), 'subgraphs:\n  slow:\n    clientErrorCodes: ["duplicate review"]\n');
    const gateway = await startProcess({
      name: 'gateway-bad-codes',
      entry: GATEWAY_ENTRY,
      args: ['--supergraph', fixture!.supergraphPath, '--port', '0', '--config', join(fixture!.dir, 'bad.yaml')],
      waitForReady: false,
    });
    assert.equal((await gateway.exited).code, 2);
    assert.match(gateway.stderrText(), /subgraphs\.slow\.clientErrorCodes/);
  });
});

describe('a subgraph refusing the gateway identity', () => {
  const secret = randomBytes(32).toString('base64url');
  let subgraph: RunningProcess | undefined;
  let gateway: RunningProcess | undefined;
  before(async () => {
    // The subgraph calls itself "slow" in code; the supergraph (rover.yaml) calls it "reviews".
    subgraph = await startSlowSubgraph({ INTERNAL_IDENTITY_SECRET: secret });
    const dir = tempDir('gw-refusal-');
    writeFileSync(join(dir, 'supergraph.graphql'), composeFixture([{ name: 'reviews', url: `${subgraph.url}/graphql`, schemaFile: SLOW_SUBGRAPH_SCHEMA }]));
    gateway = await startProcess({
      name: 'gateway-refused',
      entry: GATEWAY_ENTRY,
      args: ['--supergraph', join(dir, 'supergraph.graphql'), '--port', '0'],
      env: { INTERNAL_IDENTITY_SECRET: secret },
    });
  }, { timeout: 60_000 });
  after(() => stopAll([gateway, subgraph]), { timeout: 60_000 });

  test('the client gets DOWNSTREAM_SERVICE_ERROR; the gateway logs the subgraph\'s reason and what to check; npm start shows both', { timeout: 30_000 }, async () => {
    const response = await postGraphQL(`${gateway!.url}/graphql`, { query: '{ ping }' });
    assert.deepEqual(errorCodes(response), ['DOWNSTREAM_SERVICE_ERROR']);
    const record = await gateway!.waitForLog((r) => r.event === 'subgraph_refused_request');
    assert.equal(record.subgraph, 'reviews');
    assert.equal(record.status, 401);
    assert.match(String(record.reason), /token is for "reviews", but this subgraph is "slow"/);
    assert.match(String(record.hint), /INTERNAL_IDENTITY_SECRET/);

    const shown = formatStartLogLine('gateway', JSON.stringify(record));
    assert.match(shown, /^\[gateway\] WARN /);
    assert.match(shown, /reason=gateway identity token is for "reviews", but this subgraph is "slow"/);
    assert.match(shown, /its name in code is "reviews"/);
  });
});
