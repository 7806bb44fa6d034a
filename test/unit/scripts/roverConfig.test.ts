import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkFederationVersion, installedCompositionVersion, loadRoverConfig, RoverConfigError } from '../../../scripts/src/roverConfig.js';
import { repoRoot } from '../../support/processes.js';
import { tempDir } from '../../support/tempDirs.js';

function writeConfig(text: string): string {
  const path = join(tempDir('rover-'), 'rover.yaml');
  writeFileSync(path, text);
  return path;
}

describe('rover.yaml loading', () => {
  test('the committed rover.yaml lists users and orders with local routing URLs, pinned to the installed composition', { timeout: 10_000 }, () => {
    const path = join(repoRoot, 'rover.yaml');
    const config = loadRoverConfig(path);
    const byName = new Map(config.subgraphs.map((s) => [s.name, [s.routingUrl, s.schemaFile]]));
    assert.deepEqual(byName.get('users'), ['http://localhost:4001/graphql', join(repoRoot, 'subgraphs/users/schema.graphql')]);
    assert.deepEqual(byName.get('orders'), ['http://localhost:4002/graphql', join(repoRoot, 'subgraphs/orders/schema.graphql')]);
    for (const subgraph of config.subgraphs) {
      assert.match(subgraph.routingUrl, /^http:\/\/localhost:40\d\d\/graphql$/, `${subgraph.name}: local default port 4001+`);
      assert.equal(subgraph.schemaFile, join(repoRoot, 'subgraphs', subgraph.name, 'schema.graphql'));
    }
    assert.equal(config.federationVersion, `=${installedCompositionVersion()}`);
    assert.doesNotThrow(() => checkFederationVersion(config, path));
  });

  test('schema files resolve relative to rover.yaml, not the working directory', { timeout: 10_000 }, () => {
    const path = writeConfig('federation_version: =2.14.4\nsubgraphs:\n  a:\n    routing_url: http://a.invalid/graphql\n    schema:\n      file: ./a.graphql\n');
    assert.equal(loadRoverConfig(path).subgraphs[0]!.schemaFile, join(path, '..', 'a.graphql'));
  });

  const broken: [string, string, RegExp][] = [
    ['a typo in a key', 'federation_version: =2.14.4\nsubgraphs:\n  a:\n    routing_ur: http://a.invalid/graphql\n    schema: { file: a.graphql }\n', /subgraphs\.a/],
    ['a non-file schema source', 'federation_version: =2.14.4\nsubgraphs:\n  a:\n    routing_url: http://a.invalid/graphql\n    schema: { subgraph_url: http://a.invalid/graphql }\n', /subgraphs\.a\.schema/],
    ['a routing_url that is not http(s)', 'federation_version: =2.14.4\nsubgraphs:\n  a:\n    routing_url: ftp://a.invalid\n    schema: { file: a.graphql }\n', /routing_url/],
    ['no subgraphs', 'federation_version: =2.14.4\nsubgraphs: {}\n', /at least one subgraph/],
    ['invalid YAML', 'federation_version: [\n', /not valid YAML/],
  ];
  for (const [name, text, message] of broken) {
    test(`refuses ${name} with a message naming the key`, { timeout: 10_000 }, () => {
      assert.throws(() => loadRoverConfig(writeConfig(text)), (error: unknown) => error instanceof RoverConfigError && message.test(error.message));
    });
  }

  test('refuses federation_version "2" (unpinned): compose must match what Rover would use', { timeout: 10_000 }, () => {
    const path = writeConfig('federation_version: 2\nsubgraphs:\n  a:\n    routing_url: http://a.invalid/graphql\n    schema: { file: a.graphql }\n');
    assert.throws(() => checkFederationVersion(loadRoverConfig(path), path), /federation_version is "2"/);
  });
});
