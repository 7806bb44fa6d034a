// `npm start` runs the whole sample system: every REST service, every subgraph in rover.yaml and the
// gateway; prints the URLs and a working dev token; reports a child that dies; SIGTERM stops all.
// Run with --ephemeral-ports so it never collides with a developer's own `npm start`.
// The local GraphiQL explorer as a developer without internet uses it, on that same system (started once
// for this file: a whole-system boot costs ~10 CPU-s): open /graphiql in Chromium, run the prefilled
// cross-service query with the prefilled dev token, read the answer in the page. Every request the page
// makes must stay on this machine. A screenshot lands in test-output/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import type { Browser } from 'playwright-core';
// The declarations alone: the package's main entry loads RESTDataSource and graphql (~0.7 CPU-s).
import { declaredRestBackends } from '@federation-gateway/rest-kit/declarations';
import { loadRoverConfig } from '../../scripts/src/roverConfig.js';
import { launchChromium, openWatchedPage, saveScreenshot, type WatchedPage } from '../support/browser.js';
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

describe('npm start, and the GraphiQL explorer on it (headless Chromium, offline)', () => {
  let system: RunningNpmStart | undefined;
  let browser: Browser | undefined;
  /**
   * The explorer test's page, which the Sandbox test navigates on: its second load of the explorer (~5 MB of
   * JavaScript) then comes from that context's caches, ~3 CPU-s of Chromium less than in a fresh context.
   */
  let explorerPage: WatchedPage | undefined;
  before(async () => {
    [system, browser] = await Promise.all([startNpmStart(), launchChromium()]);
  }, { timeout: 120_000 });
  after(async () => {
    await browser?.close();
    await system?.stop(1_000);
  }, { timeout: 120_000 });

  test('starts everything and serves the four-hop query with the printed token', { timeout: 180_000 }, async () => {
    const stdout = system!.stdout();
    const rover = loadRoverConfig(resolve(repoRoot, 'rover.yaml'));
    const services = new Set(declaredRestBackends(resolve(repoRoot, 'subgraphs'), rover.subgraphs.map((s) => s.name)).map((b) => b.service));
    for (const name of services) assert.match(stdout, new RegExp(`^  REST ${name}\\s+http://\\S+ \\(pid \\d+\\)$`, 'm'), `${name} listed`);
    for (const { name } of rover.subgraphs) assert.match(stdout, new RegExp(`^  subgraph ${name}\\s+http://\\S+ \\(pid \\d+\\)$`, 'm'), `${name} listed`);
    const childPids = [...stdout.matchAll(/\(pid (\d+)\)/g)].map((m) => Number(m[1]));
    assert.equal(childPids.length, services.size + rover.subgraphs.length + 1);
    assert.ok(system!.graphqlUrl, stdout);
    assert.equal(system!.token.split('.').length, 3, 'a JWT is printed');

    const response = await postGraphQL(
      system!.graphqlUrl,
      { query: '{ users(first: 3) { name orders(first: 2) { status items { quantity product { name stock } } } } }' },
      { authorization: `Bearer ${system!.token}` },
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
  });

  test('runs the prefilled users → orders → products query with the printed dev token, all assets from the gateway', { timeout: 180_000 }, async (t) => {
    assert.ok(system!.graphiqlUrl, system!.stdout());
    assert.equal(system!.token.split('.').length, 3, 'npm start prints a JWT');
    explorerPage = await openWatchedPage(browser!);
    const { page, requests, offHostRequests, errors } = explorerPage;
    const sentAuthorization: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && new URL(request.url()).pathname === '/graphql') {
        const body = request.postData() ?? '';
        if (!body.includes('IntrospectionQuery')) sentAuthorization.push(request.headers().authorization ?? '(none)');
      }
    });

    await page.goto(system!.graphiqlUrl);
    // The header editor is open and prefilled with the token npm start printed.
    const headersEditor = page.locator('.graphiql-editor-tool .graphiql-editor').last();
    await headersEditor.locator('.view-lines').filter({ hasText: 'Authorization' }).waitFor();
    // The schema arrived (docs and completion need it) before the query runs.
    await page.locator('.graphiql-execute-button').waitFor();
    // The operation's own answer (not GraphiQL's introspection): its body says why when the page shows no result.
    const [answer] = await Promise.all([
      page.waitForResponse((response) => {
        const request = response.request();
        return request.method() === 'POST' && new URL(response.url()).pathname === '/graphql' && !(request.postData() ?? '').includes('IntrospectionQuery');
      }),
      page.locator('.graphiql-execute-button').click(),
    ]);
    const answerBody = (await answer.json()) as { errors?: unknown };
    assert.equal(answer.status(), 200);
    assert.equal(answerBody.errors, undefined, JSON.stringify(answerBody.errors));

    const result = page.locator('.result-window');
    await result.filter({ hasText: 'Contoso Studio Headphones' }).waitFor().catch(async (error: Error) => {
      await saveScreenshot(page, 'graphiql-explorer-failure.png');
      throw new Error(`${error.message}\nresult window: ${(await result.innerText().catch(() => '(unreadable)')).slice(0, 2000)}`);
    });
    const shown = (await result.innerText()).replace(/\s+/g, ' ');
    assert.match(shown, /"name": "Dennis Torvalds"/, 'users subgraph');
    assert.match(shown, /"status": "DELIVERED"/, 'orders subgraph (needs orders:read:all from the token)');
    assert.match(shown, /"name": "Contoso Studio Headphones"/, 'products subgraph');
    assert.match(shown, /"stock": \d+/, 'inventory subgraph');
    assert.doesNotMatch(shown, /"errors"/);
    assert.deepEqual(sentAuthorization, [`Bearer ${system!.token}`], 'the query ran with the prefilled dev token');

    const screenshot = await saveScreenshot(page, 'graphiql-explorer.png');
    t.diagnostic(`screenshot: ${screenshot}`);
    assert.deepEqual(offHostRequests, [], 'the explorer loads nothing from off this machine');
    assert.ok(requests.some((url) => url.endsWith('/graphiql/assets/graphiql.js')), 'the bundle came from the gateway');
    assert.deepEqual(errors, [], 'no console errors (CSP violations included)');
  });

  test('offline, the Sandbox landing page on GET /graphql links to the local explorer', { timeout: 180_000 }, async () => {
    const { page, offHostRequests } = explorerPage ?? (await openWatchedPage(browser!));
    const offHostBefore = offHostRequests.length;
    await page.goto(system!.graphqlUrl);
    assert.ok(offHostRequests.length > offHostBefore, "Sandbox tries Apollo's CDN (refused here, as offline)");
    const link = page.locator('#local-explorer-link');
    await link.waitFor({ state: 'attached' });
    await link.dispatchEvent('click');
    await page.waitForURL(system!.graphiqlUrl);
    await page.locator('.graphiql-execute-button').waitFor();
  });

  // Last: it stops the system the tests above share.
  test('reports a child that dies, and stops every child on SIGTERM', { timeout: 180_000 }, async () => {
    const stdout = system!.stdout();
    const childPids = [...stdout.matchAll(/\(pid (\d+)\)/g)].map((m) => Number(m[1]));
    assert.ok(childPids.length > 0, stdout);
    // A child that dies is reported, not silently ignored.
    const catalogPid = Number(/REST catalog\s+\S+ \(pid (\d+)\)/.exec(stdout)?.[1]);
    process.kill(catalogPid, 'SIGKILL');
    await system!.waitForStderr(/catalog exited unexpectedly/);

    // SIGTERM to npm start alone (not its group): it stops every child, waits for each, then exits 0.
    system!.child.kill('SIGTERM');
    assert.equal(await system!.exited, 0);
    assert.deepEqual(childPids.filter(isAlive), [], 'every child exited before npm start did');
  });
});
