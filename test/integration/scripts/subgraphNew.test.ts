// `npm run subgraph:new`: refusals leave the repo untouched; a scaffold in a scratch copy of the repo
// composes, registers itself (rover.yaml, tsconfig.build.json, a workspace package), compiles, and its
// subgraph serves requests carrying the gateway's identity (and refuses others); a failure midway is undone.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { composeSupergraph } from '../../../scripts/src/composeSupergraph.js';
import { loadRoverConfig } from '../../../scripts/src/roverConfig.js';
import { ScaffoldError, scaffoldSubgraph } from '../../../scripts/src/subgraphScaffold.js';
import { postGraphQL } from '../../support/http.js';
import { postAsGateway, type GatewayCaller } from '../../support/subgraphRequests.js';
import { compiledEntry, repoRoot, startProcess } from '../../support/processes.js';
import { tempDir } from '../../support/tempDirs.js';

const run = promisify(execFile);
const RESERVED = new Map([[4000, 'the gateway']]);
const nothingInUse = async () => false;
/** The scratch copies have no registry to talk to; the real `npm install` step is covered by the CLI run below. */
const noInstall = async () => undefined;

/**
 * The parts of the repo a scaffold reads and writes (copied), plus what its code compiles against (linked);
 * removed when this process exits (its links into the checkout are removed, not followed).
 */
function scratchRepo(): string {
  const dir = tempDir('subgraph-new-');
  for (const path of ['package.json', 'tsconfig.base.json', 'tsconfig.build.json', 'rover.yaml', 'supergraph.graphql']) cpSync(join(repoRoot, path), join(dir, path));
  // Built packages the new subgraph compiles and runs against (its tsconfig references ../kit, the kit's references packages/identity).
  mkdirSync(join(dir, 'subgraphs'));
  for (const path of ['node_modules', 'packages', 'subgraphs/kit']) symlinkSync(join(repoRoot, path), join(dir, path));
  for (const subgraph of loadRoverConfig(join(repoRoot, 'rover.yaml')).subgraphs) {
    mkdirSync(dirname(join(dir, subgraph.schemaFileAsWritten)), { recursive: true });
    cpSync(subgraph.schemaFile, join(dir, subgraph.schemaFileAsWritten));
  }
  mkdirSync(join(dir, 'test/integration/subgraphs'), { recursive: true });
  return dir;
}

function snapshot(dir: string): string {
  return ['rover.yaml', 'supergraph.graphql', 'tsconfig.build.json'].map((path) => readFileSync(join(dir, path), 'utf8')).join('\0');
}

describe('subgraph:new', () => {
  test('the CLI refuses a bad name and a REST service\'s port with one clear message (exit 2), writing nothing', { timeout: 60_000 }, async () => {
    const before = snapshot(repoRoot);
    // Through the CLI: its exit code and "nothing was written" (one catch for every refusal), and the ports
    // it reserves for the REST services the subgraphs declare. The other refusals come from the same
    // scaffoldSubgraph call, in-process in the next test (a CLI run loads composition: ~0.45 CPU-s each).
    const cases: [string[], RegExp][] = [
      [['Bad_Name'], /not a valid subgraph name/],
      [['brand-new', '--port', '4011'], /port 4011 is taken by the catalog REST service/],
    ];
    for (const [args, message] of cases) {
      const result = await run(process.execPath, [compiledEntry('scripts/dist/subgraphNew.js'), ...args], { cwd: repoRoot, encoding: 'utf8' }).then(
        () => assert.fail(`${args.join(' ')} was accepted`),
        (error: { code: number; stderr: string }) => error,
      );
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message);
      assert.match(result.stderr, /nothing was written/);
    }
    assert.equal(snapshot(repoRoot), before);
    assert.equal(existsSync(join(repoRoot, 'subgraphs/brand-new')), false);
  });

  test('a taken name, a reserved name and a subgraph\'s port are refused with one clear message, writing nothing', { timeout: 30_000 }, async () => {
    const dir = scratchRepo();
    const before = snapshot(dir);
    const cases: [{ name: string; port?: number }, RegExp][] = [
      [{ name: 'orders' }, /already in rover\.yaml/],
      [{ name: 'kit' }, /reserved/],
      [{ name: 'brand-new', port: 4002 }, /port 4002 is taken by subgraph orders/],
    ];
    for (const [request, message] of cases) {
      await assert.rejects(scaffoldSubgraph({ repoRoot: dir, ...request, reservedPorts: RESERVED, isPortInUse: nothingInUse, installWorkspace: noInstall }), (error: Error) => {
        assert.ok(error instanceof ScaffoldError, `${request.name}: ${error.message}`);
        assert.match(error.message, message);
        return true;
      });
    }
    assert.equal(snapshot(dir), before);
    assert.equal(existsSync(join(dir, 'subgraphs/brand-new')), false);
  });

  test('scaffolds a subgraph that composes, is registered everywhere, compiles, and serves only the gateway identity', { timeout: 90_000 }, async () => {
    const dir = scratchRepo();
    // 4005 is busy on this machine: the next free port is taken.
    const result = await scaffoldSubgraph({ repoRoot: dir, name: 'reviews', reservedPorts: RESERVED, isPortInUse: async (port) => port === 4005, installWorkspace: noInstall });
    assert.equal(result.port, 4006);
    const rover = loadRoverConfig(join(dir, 'rover.yaml'));
    assert.equal(rover.subgraphs.find((subgraph) => subgraph.name === 'reviews')?.routingUrl, 'http://localhost:4006/graphql');
    assert.match(readFileSync(join(dir, 'rover.yaml'), 'utf8'), /^# Rover supergraph config/, 'comments kept');
    assert.match(readFileSync(join(dir, 'tsconfig.build.json'), 'utf8'), /\{ "path": "subgraphs\/reviews" \},/);
    const recomposed = composeSupergraph(rover, dir);
    assert.ok(recomposed.ok);
    assert.equal(readFileSync(join(dir, 'supergraph.graphql'), 'utf8'), recomposed.supergraphSdl, 'supergraph.graphql is up to date');
    assert.match(recomposed.supergraphSdl, /REVIEWS @join__graph\(name: "reviews"/);
    assert.match(readFileSync(join(dir, 'subgraphs/reviews/schema.graphql'), 'utf8'), /specs\.apollo\.dev\/federation\/v2\.9/, 'the federation version of the other subgraphs');
    assert.ok(existsSync(join(dir, 'test/integration/subgraphs/reviewsSubgraph.test.ts')));

    // It compiles as its own project, against the kit's published types, like every subgraph under `npm run build`.
    await run(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', join(dir, 'subgraphs/reviews/tsconfig.json')], { encoding: 'utf8' }).catch(
      (error: { stdout: string }) => assert.fail(`tsc: ${error.stdout}`),
    );
    const secret = 'a'.repeat(32);
    const subgraph = await startProcess({
      name: 'reviews',
      entry: join(dir, 'subgraphs/reviews/dist/main.js'),
      args: ['--port', '0'],
      env: { INTERNAL_IDENTITY_SECRET: secret, SUBGRAPH_DEBUG_COUNTERS: '1' },
    });
    try {
      const url = `${subgraph.url}/graphql`;
      assert.equal((await postGraphQL(url, { query: '{ reviews { id } }' })).status, 401);
      const as = (subject: string | null): GatewayCaller => ({
        secret,
        audience: 'reviews',
        requestId: 'r-1',
        identity: { subject, scopes: [], roles: [], kind: subject ? 'user' : 'anonymous', tier: 'free' },
      });
      const listed = await postAsGateway(url, { query: '{ reviews { id title } review(id: "review-1") { id } }' }, as(null));
      assert.deepEqual(listed.body.data, { reviews: [{ id: 'review-1', title: 'The first Review' }], review: { id: 'review-1' } });
      const created = await postAsGateway(url, { query: 'mutation { createReview(title: "Nice") { createdBy } }' }, as('user-3'));
      assert.deepEqual(created.body.data, { createReview: { createdBy: 'user-3' } });
      const entities = await postAsGateway(
        url,
        { query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Review { title } } }', variables: { r: [{ __typename: 'Review', id: 'review-1' }, { __typename: 'Review', id: 'review-2' }] } },
        as(null),
      );
      assert.deepEqual(entities.body.data, { _entities: [{ title: 'The first Review' }, { title: 'Nice' }] });
      const calls = (await (await fetch(`${subgraph.url}/debug/data-layer-calls`)).json()) as Record<string, number>;
      assert.equal(calls['reviews.findByIds'], 2, 'one batched call per request, not one per entity');
    } finally {
      await subgraph.stop();
    }
  });

  test('a subgraph that would not compose is refused before anything is written', { timeout: 30_000 }, async () => {
    const dir = scratchRepo();
    const before = snapshot(dir);
    // "moneys" → type Money, which the orders subgraph already defines as a shareable value type.
    await assert.rejects(scaffoldSubgraph({ repoRoot: dir, name: 'moneys', reservedPorts: RESERVED, isPortInUse: nothingInUse, installWorkspace: noInstall }), (error: Error) => {
      assert.ok(error instanceof ScaffoldError);
      assert.match(error.message, /does not compose/);
      assert.match(error.message, /Money/);
      return true;
    });
    assert.equal(snapshot(dir), before);
    assert.equal(existsSync(join(dir, 'subgraphs/moneys')), false);
  });

  test('a failure at the last step (npm install) undoes every write', { timeout: 30_000 }, async () => {
    const dir = scratchRepo();
    const before = snapshot(dir);
    const written: string[] = [];
    await assert.rejects(
      scaffoldSubgraph({
        repoRoot: dir,
        name: 'reviews',
        reservedPorts: RESERVED,
        isPortInUse: nothingInUse,
        onWritten: (path) => written.push(path),
        installWorkspace: async () => {
          throw new ScaffoldError('npm install failed (simulated)');
        },
      }),
      /npm install failed/,
    );
    assert.deepEqual(written, ['subgraphs/reviews/', 'test/integration/subgraphs/reviewsSubgraph.test.ts', 'tsconfig.build.json', 'rover.yaml', 'supergraph.graphql']);
    assert.equal(snapshot(dir), before);
    assert.equal(existsSync(join(dir, 'subgraphs/reviews')), false);
    assert.equal(existsSync(join(dir, 'test/integration/subgraphs/reviewsSubgraph.test.ts')), false);
  });
});
