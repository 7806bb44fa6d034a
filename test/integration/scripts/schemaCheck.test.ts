// `npm run schema:check` and the gate in `npm run compose`, run as processes on a copy of the repo's
// rover.yaml, subgraph schemas and committed supergraph, edited the way a subgraph team would edit them.
import { beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { composeSupergraph } from '../../../scripts/src/composeSupergraph.js';
import { loadRoverConfig } from '../../../scripts/src/roverConfig.js';
import { findSchemaChanges, formatSchemaChanges } from '../../../scripts/src/schemaChanges.js';
import { compiledEntry, repoRoot } from '../../support/processes.js';
import { tempDir } from '../../support/tempDirs.js';

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** A scratch copy of rover.yaml, every subgraph schema it lists and supergraph.graphql. */
function copyOfTheGraph(): string {
  const dir = tempDir('schema-check-');
  cpSync(join(repoRoot, 'rover.yaml'), join(dir, 'rover.yaml'));
  cpSync(join(repoRoot, 'supergraph.graphql'), join(dir, 'supergraph.graphql'));
  for (const subgraph of loadRoverConfig(join(repoRoot, 'rover.yaml')).subgraphs) {
    const target = join(dir, subgraph.schemaFileAsWritten);
    mkdirSync(dirname(target), { recursive: true });
    cpSync(subgraph.schemaFile, target);
  }
  return dir;
}

function run(script: 'schemaCheck' | 'compose', dir: string, args: string[] = []): Run {
  // The compiled scripts, run with the scratch folder as their working directory.
  const result = spawnSync(process.execPath, [compiledEntry(`scripts/dist/${script}.js`), '--config', join(dir, 'rover.yaml'), ...args], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The report schema:check prints, computed in this process (each CLI run costs a process start and a composition). */
async function report(dir: string): Promise<{ breaking: number; text: string }> {
  const config = loadRoverConfig(join(dir, 'rover.yaml'));
  const composed = composeSupergraph(config, dir);
  assert.ok(composed.ok, composed.ok ? '' : composed.problems.join('\n'));
  const changes = await findSchemaChanges(readFileSync(join(dir, 'supergraph.graphql'), 'utf8'), composed.supergraphSdl, config, dir);
  return { breaking: changes.filter((change) => change.level === 'breaking').length, text: formatSchemaChanges(changes) };
}

function edit(dir: string, file: string, from: string, to: string): void {
  const path = join(dir, file);
  const text = readFileSync(path, 'utf8');
  assert.ok(text.includes(from), `${file} contains ${from}`);
  writeFileSync(path, text.replace(from, to));
}

describe('schema:check', () => {
  let dir: string;
  beforeEach(() => {
    dir = copyOfTheGraph();
  }, { timeout: 60_000 });

  // `npm test`'s breaking-change gate on the committed graph (run-tests.mjs --checks no longer runs schema:check too).
  test('the committed graph has no change', { timeout: 30_000 }, async () => {
    assert.deepEqual(await report(dir), { breaking: 0, text: 'no changes to the client-facing schema' });
  });

  test('deleting Order.createdAt fails, naming the coordinate and the subgraph file; --allow-breaking lets it pass', { timeout: 30_000 }, () => {
    edit(dir, 'subgraphs/orders/schema.graphql', '  createdAt: String!\n', '');
    const result = run('schemaCheck', dir);
    assert.equal(result.status, 1);
    assert.match(result.stdout, /1 breaking change:\n {2}✗ Order\.createdAt: .*\n {6}subgraph: orders \(subgraphs\/orders\/schema\.graphql, removed there\)/);
    assert.match(result.stderr, /--allow-breaking/);

    const allowed = run('schemaCheck', dir, ['--allow-breaking']);
    assert.equal(allowed.status, 0, allowed.stderr);
    assert.match(allowed.stdout, /Order\.createdAt/);
    assert.match(allowed.stdout, /1 breaking change\(s\) accepted by --allow-breaking/);
  });

  test('nullability and arguments: output loosened, argument made required, input field tightened are breaking; each names its subgraph and line', { timeout: 30_000 }, async () => {
    edit(dir, 'subgraphs/orders/schema.graphql', 'unitPrice: Money!', 'unitPrice: Money');
    edit(dir, 'subgraphs/users/schema.graphql', 'users(first: Int = 10, after: String)', 'users(first: Int = 10, after: String!)');
    edit(dir, 'subgraphs/orders/schema.graphql', '  currency: String! = "USD"\n', '  currency: String! = "USD"\n  note: String!\n');
    const { breaking, text } = await report(dir);
    assert.equal(breaking, 3);
    assert.match(text, /3 breaking changes:/);
    assert.match(text, /✗ PlaceOrderInput\.note: .*\n {6}subgraph: orders \(subgraphs\/orders\/schema\.graphql:\d+\)/);
    assert.match(text, /✗ OrderItem\.unitPrice: .*'Money!' to 'Money'.*\n {6}subgraph: orders \(subgraphs\/orders\/schema\.graphql:\d+\)/);
    assert.match(text, /✗ Query\.users\.after: .*\n {6}subgraph: users \(subgraphs\/users\/schema\.graphql:\d+\)/);
  });

  test('dangerous and safe changes are listed and pass', { timeout: 30_000 }, async () => {
    edit(dir, 'subgraphs/orders/schema.graphql', '  CANCELLED\n', '  CANCELLED\n  REFUNDED\n');
    edit(dir, 'subgraphs/orders/schema.graphql', '  quantity: Int!\n', '  quantity: Int!\n  giftNote: String\n');
    const { breaking, text } = await report(dir);
    assert.equal(breaking, 0);
    assert.match(text, /1 dangerous change:\n {2}! OrderStatus\.REFUNDED: /);
    assert.match(text, /1 safe change:\n {2}✓ OrderItem\.giftNote: .*\n {6}subgraph: orders \(subgraphs\/orders\/schema\.graphql:\d+\)/);
    assert.doesNotMatch(text, /breaking change/);
  });

  test('a graph that no longer composes fails with the composition error', { timeout: 30_000 }, () => {
    edit(dir, 'subgraphs/orders/schema.graphql', 'type Order @key(fields: "id")', 'type Order @key(fields: "nope")');
    const result = run('schemaCheck', dir);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /do not compose/);
    assert.match(result.stderr, /subgraphs\/orders\/schema\.graphql/);
  });
});

describe('compose refuses to break clients silently', () => {
  test('a breaking edit leaves supergraph.graphql unchanged; --allow-breaking writes it, and schema:check is then clean', { timeout: 30_000 }, async () => {
    const dir = copyOfTheGraph();
    const before = readFileSync(join(dir, 'supergraph.graphql'), 'utf8');
    edit(dir, 'subgraphs/orders/schema.graphql', '  createdAt: String!\n', '');

    const refused = run('compose', dir);
    assert.equal(refused.status, 1);
    assert.match(refused.stdout, /✗ Order\.createdAt/);
    assert.match(refused.stderr, /left unchanged/);
    assert.equal(readFileSync(join(dir, 'supergraph.graphql'), 'utf8'), before);

    const written = run('compose', dir, ['--allow-breaking']);
    assert.equal(written.status, 0, written.stderr);
    assert.doesNotMatch(readFileSync(join(dir, 'supergraph.graphql'), 'utf8'), /createdAt: String!\s+@join__field\(graph: ORDERS\)/);
    assert.deepEqual(await report(dir), { breaking: 0, text: 'no changes to the client-facing schema' });
  });
});
