import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'graphql';
import { subgraphNamesOf } from '../../../../gateway/src/supergraph/supergraphSubgraphs.js';
import { repoRoot } from '../../../support/processes.js';

test('the sample supergraph routes to the subgraphs rover.yaml lists', { timeout: 10_000 }, () => {
  const document = parse(readFileSync(join(repoRoot, 'supergraph.graphql'), 'utf8'));
  assert.deepEqual([...subgraphNamesOf(document)].sort(), ['inventory', 'orders', 'products', 'users']);
});

test('a join feature linked under another name is read through its @link', { timeout: 10_000 }, () => {
  const document = parse(`
    schema @link(url: "https://specs.apollo.dev/link/v1.0") @link(url: "https://specs.apollo.dev/join/v0.5", as: "j", for: EXECUTION) { query: Query }
    enum j__Graph { A @j__graph(name: "alpha", url: "http://a.invalid") B @j__graph(name: "beta", url: "http://b.invalid") }
    enum Other { X @join__graph(name: "not-a-subgraph", url: "http://x.invalid") }
    type Query { a: String }
  `);
  assert.deepEqual([...subgraphNamesOf(document)], ['alpha', 'beta']);
});
