// `npm start` runs the whole sample system: every REST service, every subgraph in rover.yaml and the
// gateway; prints the URLs and a working dev token; reports a child that dies; SIGTERM stops all.
// Run with --ephemeral-ports so it never collides with a developer's own `npm start`.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
// The declarations alone: the package's main entry loads RESTDataSource and graphql (~0.7 CPU-s).
import { declaredRestBackends } from '@federation-gateway/rest-kit/declarations';
import { loadRoverConfig } from '../../scripts/src/roverConfig.js';
import { postGraphQL } from '../support/http.js';
import { startNpmStart, type RunningNpmStart } from '../support/npmStart.js';
import { repoRoot } from '../support/processes.js';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm start', () => {
  let system: RunningNpmStart | undefined;
  after(async () => system?.stop(1_000), { timeout: 60_000 });

  test('starts everything, serves the four-hop query with the printed token, reports a dead child, stops all on SIGTERM', { timeout: 180_000 }, async () => {
    system = await startNpmStart();
    const stdout = system.stdout();
    const rover = loadRoverConfig(resolve(repoRoot, 'rover.yaml'));
    const services = new Set(declaredRestBackends(resolve(repoRoot, 'subgraphs'), rover.subgraphs.map((s) => s.name)).map((b) => b.service));
    for (const name of services) assert.match(stdout, new RegExp(`^  REST ${name}\\s+http://\\S+ \\(pid \\d+\\)$`, 'm'), `${name} listed`);
    for (const { name } of rover.subgraphs) assert.match(stdout, new RegExp(`^  subgraph ${name}\\s+http://\\S+ \\(pid \\d+\\)$`, 'm'), `${name} listed`);
    const childPids = [...stdout.matchAll(/\(pid (\d+)\)/g)].map((m) => Number(m[1]));
    assert.equal(childPids.length, services.size + rover.subgraphs.length + 1);
    assert.ok(system.graphqlUrl, stdout);
    assert.equal(system.token.split('.').length, 3, 'a JWT is printed');

    const response = await postGraphQL(
      system.graphqlUrl,
      { query: '{ users(first: 3) { name orders(first: 2) { status items { quantity product { name stock } } } } }' },
      { authorization: `Bearer ${system.token}` },
    );
    assert.equal(response.status, 200);
    assert.equal(response.body.errors, undefined, JSON.stringify(response.body.errors));
    const users = response.body.data!.users as { name: string; orders: { items: { product: { name: string; stock: number | null } }[] }[] }[];
    assert.equal(users.length, 3);
    const products = users.flatMap((u) => u.orders.flatMap((o) => o.items.map((i) => i.product)));
    assert.ok(products.length > 0);
    for (const product of products) {
      assert.ok(product.name.length > 0);
      assert.equal(typeof product.stock, 'number');
    }

    // A child that dies is reported, not silently ignored.
    const catalogPid = Number(/REST catalog\s+\S+ \(pid (\d+)\)/.exec(stdout)?.[1]);
    process.kill(catalogPid, 'SIGKILL');
    await system.waitForStderr(/catalog exited unexpectedly/);

    // SIGTERM to npm start alone (not its group): it stops every child, waits for each, then exits 0.
    system.child.kill('SIGTERM');
    assert.equal(await system.exited, 0);
    assert.deepEqual(childPids.filter(isAlive), [], 'every child exited before npm start did');
  });
});
