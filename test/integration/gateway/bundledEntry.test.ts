// gateway/dist/main.js is one bundled file (scripts/bundleEntries.mjs, issue 13: startup to first answer), and
// bundling must not change what loads when: plainFederationExports.ts and deferredApolloTelemetry.ts work
// only if they run before @apollo/gateway loads, and the tracing SDK and the response cache load only when
// configured. An ES module bundle hoists its imports of external packages above its own code, which would
// silently lose both tricks; this starts the bundle the tests and users start and reads the CommonJS
// module cache it leaves (test/fixtures/loadOrderProbe.cjs), after one answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GATEWAY_ENTRY, repoRoot, startProcess } from '../../support/processes.js';
import { postGraphQL } from '../../support/http.js';

interface ProbeResult {
  atGatewayLoad: { internalsAccessors: number; sdkMetricsStandIn: boolean } | null;
  gatewayAt: number;
  federationInternalsAt: number;
  sdkMetricsAt: number;
  internalsAccessors: number;
  internalsExports: number;
  sdkMetricsStandIn: boolean;
  tracingSdkFiles: number;
  responseCacheFiles: number;
}

test('the bundled entry loads @apollo/gateway after its load-order tricks, and nothing lazy', { timeout: 60_000 }, async () => {
  const head = readFileSync(join(repoRoot, GATEWAY_ENTRY), 'utf8').slice(0, 200);
  assert.match(head, /^#!\/usr\/bin\/env node\n\/\/ bundled by scripts\/bundleEntries\.mjs\n/, 'gateway/dist/main.js is the bundle (npm run build, the test setup)');
  // zod's locales: English only (the build's zodEnglishOnly plugin; cli.test.ts checks a config error in English).
  const bundled = readFileSync(join(repoRoot, GATEWAY_ENTRY), 'utf8');
  const locales = [...bundled.matchAll(/^\/\/ node_modules\/zod\/v4\/locales\/([\w-]+)\.js$/gm)].map((match) => match[1]);
  assert.deepEqual(locales, ['en']);

  const probe = join(repoRoot, 'test/fixtures/loadOrderProbe.cjs');
  const gateway = await startProcess({
    name: 'gateway-bundled',
    entry: GATEWAY_ENTRY,
    args: ['--supergraph', join(repoRoot, 'supergraph.graphql'), '--port', '0'],
    env: { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${probe}`.trim() },
  });
  let result: ProbeResult | undefined;
  try {
    const answer = await postGraphQL(`${gateway.url}/graphql`, { query: '{ __typename }' });
    assert.deepEqual(answer.body, { data: { __typename: 'Query' } });
  } finally {
    assert.equal(await gateway.stop(), 0, 'drains and exits 0 on SIGTERM');
    const line = gateway.stdoutLines().find((text) => text.startsWith('{"loadOrderProbe"'));
    result = line ? (JSON.parse(line) as { loadOrderProbe: ProbeResult }).loadOrderProbe : undefined;
  }
  assert.ok(result, `the probe reported: ${gateway.stdoutLines().slice(-3).join('\n')}`);
  assert.ok(result.gatewayAt >= 0, '@apollo/gateway loaded');
  // plainFederationExports.ts ran first: when @apollo/gateway's entry ran, federation-internals' cache entry
  // was already the plain object (0 getters; -1 would be: not loaded yet), and deferredApolloTelemetry.ts's
  // stand-in was in place.
  assert.deepEqual(result.atGatewayLoad, { internalsAccessors: 0, sdkMetricsStandIn: true });
  assert.ok(result.federationInternalsAt >= 0 && result.federationInternalsAt < result.gatewayAt, `federation-internals first (${result.federationInternalsAt} < ${result.gatewayAt})`);
  assert.ok(result.internalsExports > 100);
  assert.equal(result.internalsAccessors, 0);
  // deferredApolloTelemetry.ts ran before @apollo/gateway, whose require() got the stand-in, never used.
  assert.ok(result.sdkMetricsAt >= 0 && result.sdkMetricsAt < result.gatewayAt, `stand-in first (${result.sdkMetricsAt} < ${result.gatewayAt})`);
  assert.equal(result.sdkMetricsStandIn, true);
  // Tracing and the response cache are off by default: their packages never loaded.
  assert.equal(result.tracingSdkFiles, 0);
  assert.equal(result.responseCacheFiles, 0);
});
