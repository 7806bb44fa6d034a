// The local GraphiQL explorer as a developer without internet uses it: `npm start`, open /graphiql in
// Chromium, run the prefilled cross-service query with the prefilled dev token, read the answer in the
// page. Every request the page makes must stay on this machine. A screenshot lands in test-output/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { launchChromium, openWatchedPage, saveScreenshot } from '../support/browser.js';
import { startNpmStart, type RunningNpmStart } from '../support/npmStart.js';

describe('GraphiQL explorer under npm start (headless Chromium, offline)', () => {
  let system: RunningNpmStart | undefined;
  let browser: Browser | undefined;
  before(async () => {
    [system, browser] = await Promise.all([startNpmStart(), launchChromium()]);
  }, { timeout: 120_000 });
  after(async () => {
    await browser?.close();
    await system?.stop();
  }, { timeout: 120_000 });

  test('runs the prefilled users → orders → products query with the printed dev token, all assets from the gateway', { timeout: 180_000 }, async (t) => {
    assert.ok(system!.graphiqlUrl, system!.stdout());
    assert.equal(system!.token.split('.').length, 3, 'npm start prints a JWT');
    const { page, requests, offHostRequests, errors } = await openWatchedPage(browser!);
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
    const { page, offHostRequests } = await openWatchedPage(browser!);
    await page.goto(system!.graphqlUrl);
    assert.ok(offHostRequests.length > 0, "Sandbox tries Apollo's CDN (aborted here, as offline)");
    const link = page.locator('#local-explorer-link');
    await link.waitFor({ state: 'attached' });
    await link.dispatchEvent('click');
    await page.waitForURL(system!.graphiqlUrl);
    await page.locator('.graphiql-execute-button').waitFor();
  });
});
