// `npm start` runs the whole sample system: every REST service, every subgraph in rover.yaml and the
// gateway; prints the URLs and a working dev token; reports a child that dies; SIGTERM stops all.
// Run with --ephemeral-ports so it never collides with a developer's own `npm start`.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { declaredRestBackends } from '@federation-gateway/rest-kit';
import { loadRoverConfig } from '../../scripts/src/roverConfig.js';
import { postGraphQL } from '../support/http.js';
import { compiledEntry, repoRoot, signalGroup } from '../support/processes.js';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('npm start', () => {
  let start: ChildProcess | undefined;
  let childPids: number[] = [];
  after(() => {
    // npm start runs in its own process group with its children: one signal reaches them all.
    if (start) signalGroup(start, 'SIGKILL');
    for (const pid of childPids) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  }, { timeout: 120_000 });

  test('starts everything, serves the four-hop query with the printed token, reports a dead child, stops all on SIGTERM', { timeout: 180_000 }, async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'development' };
    delete env.PORT;
    start = spawn(process.execPath, [compiledEntry('scripts/dist/start.js'), '--ephemeral-ports'], {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    start.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    start.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((r) => start!.on('exit', (code) => r(code)));

    await waitFor(() => stdout.includes('Ctrl-C stops everything.') || start!.exitCode !== null, 100_000, `the ready summary\n${stdout}\n${stderr}`);
    assert.equal(start.exitCode, null, stderr);

    const rover = loadRoverConfig(resolve(repoRoot, 'rover.yaml'));
    const services = new Set(declaredRestBackends(resolve(repoRoot, 'subgraphs'), rover.subgraphs.map((s) => s.name)).map((b) => b.service));
    for (const name of services) assert.match(stdout, new RegExp(`^  REST ${name}\\s+http://\\S+ \\(pid \\d+\\)$`, 'm'), `${name} listed`);
    for (const { name } of rover.subgraphs) assert.match(stdout, new RegExp(`^  subgraph ${name}\\s+http://\\S+ \\(pid \\d+\\)$`, 'm'), `${name} listed`);
    childPids = [...stdout.matchAll(/\(pid (\d+)\)/g)].map((m) => Number(m[1]));
    assert.equal(childPids.length, services.size + rover.subgraphs.length + 1);
    const graphqlUrl = /^  gateway\s+(http:\/\/\S+\/graphql) /m.exec(stdout)?.[1];
    assert.ok(graphqlUrl, stdout);
    const token = /Sample dev token[^\n]*\n\s+(\S+)/.exec(stdout)?.[1];
    assert.ok(token && token.split('.').length === 3, 'a JWT is printed');

    const response = await postGraphQL(
      graphqlUrl,
      { query: '{ users(first: 3) { name orders(first: 2) { status items { quantity product { name stock } } } } }' },
      { authorization: `Bearer ${token}` },
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
    await waitFor(() => /catalog exited unexpectedly/.test(stderr), 10_000, 'the dead child report');

    start.kill('SIGTERM');
    assert.equal(await exited, 0);
    await waitFor(() => childPids.every((pid) => !isAlive(pid)), 15_000, 'every child to exit');
  });
});
