// Headless Chromium for browser tests: Debian's /usr/bin/chromium driven by playwright-core
// (playwright's own browser download cannot work offline). Every request the page makes is recorded,
// and any request off this machine fails in Chromium's own host resolver (only localhost and 127.0.0.1
// resolve) and is reported, so a test can prove a page needs no internet. Not through Playwright's request
// interception (`context.route`): that sends every request through the test process and turns Chromium's
// HTTP cache off, so a second load of the 5 MB explorer was fetched and compiled anew (~1 CPU-s more per run,
// side by side).
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { repoRoot } from './processes.js';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Screenshots and other artefacts of browser tests (git-ignored). */
export const TEST_OUTPUT_DIR = join(repoRoot, 'test-output');

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Chromium features off for these tests, on top of Playwright's own list. Debian's chromium is the full
 * browser (its headless mode included), which preloads the omnibox popup's WebUI renderers (chrome://omnibox-popup.top-chrome/,
 * two pages) that keep rendering while a test runs: ~2-3 of the ~14 CPU-s Chromium spent on
 * test/e2e/npmStart.test.ts, side by side. A test page never opens the omnibox.
 */
const EXTRA_DISABLED_FEATURES = ['WebUIOmniboxPopup', 'WebUIOmniboxAimPopup', 'PreloadTopChromeWebUI'];

/**
 * Playwright's `--disable-features=...` with ours appended. Chromium honours only the last `--disable-features`
 * switch (checked: a second one re-enabled what the first disabled), so ours alone would re-enable the
 * features Playwright turns off for reliable automation (PaintHolding, RenderDocument...). Playwright's list
 * is read from the installed playwright-core (not a public export; a deep path bypasses its `exports` map), so
 * it cannot drift from the version that launches.
 */
function disableFeaturesSwitch(): { switch: string; playwrightDefault: string } {
  const require = createRequire(import.meta.url);
  const switchesModule = join(dirname(require.resolve('playwright-core/package.json')), 'lib/server/chromium/chromiumSwitches.js');
  const { chromiumSwitches } = require(switchesModule) as { chromiumSwitches?: (assistantMode?: boolean) => string[] };
  const playwrightDefault = typeof chromiumSwitches === 'function' ? chromiumSwitches(false).find((arg) => arg.startsWith('--disable-features=')) : undefined;
  if (playwrightDefault === undefined) {
    throw new Error(`${switchesModule} no longer gives Playwright's --disable-features switch: update disableFeaturesSwitch() in test/support/browser.ts for this playwright-core`);
  }
  return { switch: `${playwrightDefault},${EXTRA_DISABLED_FEATURES.join(',')}`, playwrightDefault };
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`${CHROMIUM_PATH} not found: browser tests need Debian's chromium (apt-get update && apt-get install -y chromium); .ci/run installs it`);
  }
  const disableFeatures = disableFeaturesSwitch();
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    // Replaced by the same list plus ours (see disableFeaturesSwitch).
    ignoreDefaultArgs: [disableFeatures.playwrightDefault],
    args: [
      disableFeatures.switch,
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-dev-shm-usage',
      // Offline, as the explorer's users may be: no name but these resolves (the machine has only loopback, so
      // an IP literal goes nowhere either); each such request is still recorded below.
      `--host-resolver-rules=MAP * ~NOTFOUND, ${[...LOCAL_HOSTS].filter((host) => !host.startsWith('[')).map((host) => `EXCLUDE ${host}`).join(', ')}`,
    ],
  });
}

export interface WatchedPage {
  page: Page;
  /** Every URL the page requested, in order. */
  requests: string[];
  /** Requests to any host but this machine (refused by Chromium's resolver). */
  offHostRequests: string[];
  /** Console errors and uncaught page errors (CSP violations show up here). */
  errors: string[];
}

export async function openWatchedPage(browser: Browser): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  // Waits are for events (a selector, a load); 60 s bounds them on a 2-core box that other test runs load.
  page.setDefaultTimeout(60_000);
  page.setDefaultNavigationTimeout(60_000);
  const watched: WatchedPage = { page, requests: [], offHostRequests: [], errors: [] };
  // Every request of the context's pages and their workers, before it is sent (the resolver refuses off-host ones).
  context.on('request', (request) => {
    const url = request.url();
    watched.requests.push(url);
    const { protocol, host, hostname } = new URL(url);
    const local = protocol === 'data:' || protocol === 'blob:' || LOCAL_HOSTS.has(hostname) || LOCAL_HOSTS.has(host);
    if (!local) watched.offHostRequests.push(url);
  });
  page.on('console', (message) => {
    if (message.type() === 'error') watched.errors.push(message.text());
  });
  page.on('pageerror', (error) => watched.errors.push(String(error)));
  return watched;
}

export async function saveScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(TEST_OUTPUT_DIR, { recursive: true });
  const path = join(TEST_OUTPUT_DIR, name);
  await page.screenshot({ path, fullPage: false });
  return path;
}
