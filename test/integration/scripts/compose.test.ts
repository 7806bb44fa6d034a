// Runs the real compose script (`npm run compose:check` and friends) as a process, against the committed
// rover.yaml and against broken fixtures, and checks the committed supergraph carries the SDL policy.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compiledEntry, repoRoot } from '../../support/processes.js';
import { tempDir } from '../../support/tempDirs.js';

function compose(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [compiledEntry('scripts/dist/compose.js'), ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const committed = readFileSync(join(repoRoot, 'supergraph.graphql'), 'utf8');

describe('compose', () => {
  // `npm test`'s drift gate (run-tests.mjs --checks no longer runs compose:check too).
  test('compose:check passes on the committed rover.yaml and supergraph.graphql', { timeout: 30_000 }, () => {
    const result = compose(['--check']);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /up to date/);
  });

  test('compose writes exactly the committed supergraph (to --out)', { timeout: 30_000 }, () => {
    const out = join(tempDir('compose-'), 'supergraph.graphql');
    assert.equal(compose(['--out', out]).status, 0);
    assert.equal(readFileSync(out, 'utf8'), committed);
  });

  test('compose:check fails on drift, naming the file, the fix and the first differing line', { timeout: 30_000 }, () => {
    const out = join(tempDir('compose-'), 'stale.graphql');
    writeFileSync(out, committed.replace('amountCents: Int!', 'amountCents: Float!'));
    const result = compose(['--check', '--out', out]);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /stale/);
    assert.match(result.stderr, /npm run compose/);
    assert.match(result.stderr, /amountCents: Float!/);
  });

  test('a conflicting field type fails with code, coordinate, subgraph file:line and a hint', { timeout: 30_000 }, () => {
    const result = compose(['--check', '--config', 'test/fixtures/compose/conflicting-field-type/rover.yaml', '--out', join(tmpdir(), 'never-written.graphql')]);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /FIELD_TYPE_MISMATCH at User\.name/);
    assert.match(result.stderr, /reviews \(test\/fixtures\/compose\/conflicting-field-type\/reviews\.graphql:6\)/);
    assert.match(result.stderr, /users \(subgraphs\/users\/schema\.graphql:\d+\)/);
    assert.match(result.stderr, /hint: give the field the same type/);
  });

  test('a federation_version other than the installed @apollo/composition is refused', { timeout: 30_000 }, () => {
    const result = compose(['--check', '--config', 'test/fixtures/compose/wrong-federation-version/rover.yaml']);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /federation_version is "=2\.9\.0" but the installed @apollo\/composition is \d+\.\d+\.\d+/);
  });

  test('an unknown flag is a usage error', { timeout: 30_000 }, () => {
    const result = compose(['--chekc']);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /usage: compose/);
  });
});

describe('the committed supergraph carries the subgraphs\' policy', () => {
  test('@authenticated, @requiresScopes, @rateLimit and @listSize are linked and applied', { timeout: 30_000 }, () => {
    assert.match(committed, /@link\(url: "https:\/\/specs\.apollo\.dev\/authenticated\/v0\.1", for: SECURITY\)/);
    assert.match(committed, /@link\(url: "https:\/\/specs\.apollo\.dev\/requiresScopes\/v0\.1", for: SECURITY\)/);
    assert.match(committed, /@link\(url: "https:\/\/github\.com\/federation-gateway\/rateLimit\/v1\.0", import: \["@rateLimit"\]\)/);
    assert.match(committed, /directive @rateLimit\(max: Int!, window: String!, identityArgs: \[String!\], message: String\) on FIELD_DEFINITION/);
    assert.match(committed, /\n\s+me: User @join__field\(graph: USERS\) @authenticated\n/);
    assert.match(committed, /\n\s+email: String @join__field\(graph: USERS\) @requiresScopes\(scopes: \[\["users:read:email"\]\]\)\n/);
    assert.match(committed, /\n\s+placeOrder\(input: PlaceOrderInput!\): Order @join__field\(graph: ORDERS\) @requiresScopes\(scopes: \[\["orders:write"\]\]\) @rateLimit\(max: 5, window: "1m"\)\n/);
    assert.match(committed, /\n\s+users\(first: Int = 10, after: String\): \[User!\]! @join__field\(graph: USERS\) @rateLimit\(max: 30, window: "1m"\) @listSize\(slicingArguments: \["first"\], requireOneSlicingArgument: false\)\n/);
    // List sizes for demand control and rate-limit call counts (https://specs.apollo.dev/cost/v0.1).
    assert.match(committed, /@link\(url: "https:\/\/specs\.apollo\.dev\/cost\/v0\.1", import: \["@listSize"\]\)/);
    assert.match(committed, /\n\s+products\(category: String, first: Int = 20, after: String\): ProductConnection @join__field\(graph: PRODUCTS\) @listSize\(slicingArguments: \["first"\], sizedFields: \["nodes"\], requireOneSlicingArgument: false\)\n/);
  });

  test('routing URLs come from rover.yaml', { timeout: 30_000 }, () => {
    assert.match(committed, /USERS @join__graph\(name: "users", url: "http:\/\/localhost:4001\/graphql"\)/);
    assert.match(committed, /ORDERS @join__graph\(name: "orders", url: "http:\/\/localhost:4002\/graphql"\)/);
  });
});
