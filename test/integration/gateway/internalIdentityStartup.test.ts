// Regression (issue 12): in production mode without INTERNAL_IDENTITY_SECRET the gateway started with no
// warning, and subgraphs then got no identity. Now production refuses to start unless sending no identity
// is configured on purpose (and then says so); outside production it starts and warns. Real gateway CLI;
// the two that start for good are gateways other files share (test/support/fixtureSupergraph.ts). That a
// production gateway with a secret starts without any identity warning is asserted on one that runs anyway
// (productionLeaks.test.ts: production, a secret, the sample graph), not on a gateway started for it alone.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { SHARED_FIXTURE_GATEWAYS, startFixtureGateway, startSlowSubgraph } from '../../support/fixtureSupergraph.js';
import { GATEWAY_ENTRY, repoRoot, startProcess, stopAll } from '../../support/processes.js';
import { tempDir } from '../../support/tempDirs.js';

const supergraph = join(repoRoot, 'supergraph.graphql');

function configFile(yaml: string): string {
  const path = join(tempDir('gw-identity-'), 'gateway.yaml');
  writeFileSync(path, yaml);
  return path;
}

function gateway(name: string, env: Record<string, string | undefined>, yaml?: string, waitForReady = true) {
  const args = ['--supergraph', supergraph, '--port', '0', ...(yaml === undefined ? [] : ['--config', configFile(yaml)])];
  // INTERNAL_IDENTITY_SECRET: undefined so a value in the test runner's own environment cannot leak in;
  // ADMIN_PORT 0: production opens an admin listener, on an ephemeral port here.
  return startProcess({ name, entry: GATEWAY_ENTRY, args, env: { INTERNAL_IDENTITY_SECRET: undefined, ADMIN_PORT: '0', ...env }, waitForReady });
}

describe('the internal identity secret at startup', () => {
  test('production without INTERNAL_IDENTITY_SECRET: exit 2 naming the key and the way out', { timeout: 30_000 }, async () => {
    const refused = await gateway('gateway-prod-no-secret', { NODE_ENV: 'production' }, undefined, false);
    const { code } = await refused.exited;
    assert.equal(code, 2);
    assert.match(refused.stderrText(), /internalIdentity\.secret: required with NODE_ENV=production/);
    assert.match(refused.stderrText(), /internalIdentity\.enabled: false/);
  });

  test('production with internalIdentity.enabled: false starts and says subgraphs get no identity', { timeout: 30_000 }, async () => {
    // That production gateway is one other files use as well: its startup lines are the same for each.
    const subgraph = await startSlowSubgraph();
    const { gateway: started } = await startFixtureGateway({
      subgraphUrl: `${subgraph.url}/graphql`,
      ...SHARED_FIXTURE_GATEWAYS.production,
      share: true,
      name: 'gateway-prod-no-identity',
    });
    try {
      const notice = await started.waitForLog((r) => r.event === 'internal_identity_disabled');
      assert.equal(notice.level, 40, 'a warning');
      assert.match(String(notice.msg), /no x-gateway-identity/);
    } finally {
      await stopAll([started, subgraph]);
    }
  });

  test('a secret together with enabled: false is a contradiction: exit 2 naming the key', { timeout: 30_000 }, async () => {
    const refused = await gateway(
      'gateway-contradiction',
      { INTERNAL_IDENTITY_SECRET: randomBytes(32).toString('base64url') },
      'internalIdentity:\n  enabled: false\n',
      false,
    );
    const { code } = await refused.exited;
    assert.equal(code, 2);
    assert.match(refused.stderrText(), /internalIdentity/);
  });

  test('outside production without a secret: starts (npm run gateway works after npm ci) and warns', { timeout: 30_000 }, async () => {
    // The development gateway other files use as well (NODE_ENV=test, no secret): its startup lines are the same for each.
    const subgraph = await startSlowSubgraph();
    const { gateway: started } = await startFixtureGateway({
      subgraphUrl: `${subgraph.url}/graphql`,
      ...SHARED_FIXTURE_GATEWAYS.development,
      share: true,
      name: 'gateway-dev-no-secret',
    });
    try {
      const notice = await started.waitForLog((r) => r.event === 'internal_identity_missing');
      assert.equal(notice.level, 40);
    } finally {
      await stopAll([started, subgraph]);
    }
  });
});
