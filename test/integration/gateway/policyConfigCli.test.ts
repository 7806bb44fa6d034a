// Fail closed on policy config: a schema coordinate the supergraph does not have (a typo, a field
// removed upstream) stops the gateway at startup with one line naming every such config key, instead
// of leaving that limit silently off; so does an argument an entry reads (identityArgs,
// slicingArguments) that the field does not have. (After a hot reload the gateway warns instead: see
// rateLimitMemory.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeFixture } from '../../support/fixtureSupergraph.js';
import { GATEWAY_ENTRY, startProcess } from '../../support/processes.js';
import { tempDir } from '../../support/tempDirs.js';

test('unknown coordinates in rateLimits and demandControl: exit 2, one line naming each key', { timeout: 60_000 }, async () => {
  const dir = tempDir('gw-policy-config-');
  const supergraph = join(dir, 'supergraph.graphql');
  writeFileSync(supergraph, composeFixture([{ name: 'slow', url: 'http://subgraph.invalid/graphql', schemaFile: 'test/fixtures/slow-subgraph/schema.graphql' }]));
  const config = join(dir, 'gateway.yaml');
  writeFileSync(
    config,
    [
      'rateLimits:',
      '  fields:',
      '    Query.ping: { max: 1, window: 1m }', // exists
      '    Query.slowest: { max: 1, window: 1m }', // a typo of Query.slow
      '    Query.header: { max: 1, window: 1m, identityArgs: [nmae] }', // a typo of the argument `name`
      'demandControl:',
      '  listSizes:',
      '    Nope.items: { assumedSize: 5 }',
      '    Query.slow: { slicingArguments: [msec] }', // an argument Query.slow does not have
      '  weights:',
      '    Query: 2', // a type alone is a valid weight coordinate
    ].join('\n'),
  );
  const gateway = await startProcess({ name: 'gateway-policy-config', entry: GATEWAY_ENTRY, args: ['--supergraph', supergraph, '--port', '0', '--config', config], waitForReady: false });
  const { code } = await gateway.exited;
  const lines = gateway.stderrText().trim().split('\n');
  assert.equal(code, 2, gateway.stderrText());
  assert.equal(lines.length, 1, gateway.stderrText());
  assert.match(lines[0]!, /^gateway: invalid config: rateLimits\.fields\.Query\.slowest names Query\.slowest, .*; demandControl\.listSizes\.Nope\.items names Nope\.items/);
  assert.match(lines[0]!, /rateLimits\.fields\.Query\.header\.identityArgs names Query\.header\(nmae:\), which the supergraph does not have/);
  assert.match(lines[0]!, /demandControl\.listSizes\.Query\.slow\.slicingArguments names Query\.slow\(msec:\)/);
  assert.doesNotMatch(lines[0]!, /Query\.ping|weights/);
});
