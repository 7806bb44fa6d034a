// The gateway's side of the local dev signing key: it verifies tokens signed with it (config
// `auth.jwt.key.type: devKey`, as config/gateway.dev.yaml has it), never generates it, and refuses it
// in production. The dev tools' side (creating the key, minting) is in test/unit/scripts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { authConfigSchema, type AuthConfig } from '../../../../gateway/src/auth/authConfig.js';
import { AuthenticationError } from '../../../../gateway/src/auth/authErrors.js';
import { createAuthenticator } from '../../../../gateway/src/auth/createAuthenticator.js';
import { refuseDevKeyInProduction, readDevSigningKey } from '../../../../gateway/src/auth/devSigningKey.js';
import { loadOrCreateDevSigningKey } from '../../../../scripts/src/devSigningKeyFile.js';
import { mintDevToken } from '../../../../scripts/src/mintDevToken.js';
import { repoRoot } from '../../../support/processes.js';
import { tempDir } from '../../../support/tempDirs.js';

/** The auth section `npm start` runs the gateway with. */
function devGatewayAuth(): AuthConfig {
  const config = parseYaml(readFileSync(join(repoRoot, 'config/gateway.dev.yaml'), 'utf8')) as { auth: unknown };
  return authConfigSchema.parse(config.auth);
}

function tempKeyFile(): string {
  return join(tempDir('gw-devkey-'), '.local', 'dev-auth.json');
}

test('the dev gateway config accepts a token minted with the dev key, and refuses one signed otherwise', { timeout: 10_000 }, async () => {
  const file = tempKeyFile();
  const key = loadOrCreateDevSigningKey(file);
  const authenticate = createAuthenticator(devGatewayAuth(), { env: { DEV_AUTH_FILE: file } });
  const token = await mintDevToken(key, { subject: 'user-7', scopes: ['orders:write'], ttlSeconds: 60 });
  const identity = await authenticate({ authorization: `Bearer ${token}` });
  assert.equal(identity?.subject, 'user-7');
  assert.deepEqual(identity?.scopes, ['orders:write']);

  const otherKey = loadOrCreateDevSigningKey(tempKeyFile());
  const forged = await mintDevToken(otherKey, { subject: 'user-7', scopes: ['orders:write'], ttlSeconds: 60 });
  await assert.rejects(authenticate({ authorization: `Bearer ${forged}` }), AuthenticationError);
});

test('the gateway never generates the dev key: without one, startup fails naming the key and the fix', { timeout: 10_000 }, () => {
  const file = tempKeyFile();
  assert.throws(() => createAuthenticator(devGatewayAuth(), { env: { DEV_AUTH_FILE: file } }), /auth\.jwt\.key: devKey: no dev signing key at .*npm run token/);
  assert.equal(readDevSigningKey(file), undefined);
});

test('production refuses the dev key, as devKey or pasted as a secret', { timeout: 10_000 }, () => {
  const file = tempKeyFile();
  const { secret } = loadOrCreateDevSigningKey(file);
  const env = { NODE_ENV: 'production', DEV_AUTH_FILE: file };
  assert.throws(() => refuseDevKeyInProduction(devGatewayAuth(), env), /auth\.jwt\.key/);
  const pasted = authConfigSchema.parse({ jwt: { key: { type: 'secret', secret } } });
  assert.throws(() => refuseDevKeyInProduction(pasted, env), /dev signing key/);
  assert.doesNotThrow(() => refuseDevKeyInProduction(devGatewayAuth(), { NODE_ENV: 'development', DEV_AUTH_FILE: file }));
});
