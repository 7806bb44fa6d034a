// API keys (hashed, constant-time, revocation) and the local dev signing key + token script.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { authConfigSchema } from '../../gateway/src/auth/authConfig.js';
import { createAuthenticator } from '../../gateway/src/auth/createAuthenticator.js';
import { AuthenticationError } from '../../gateway/src/auth/authErrors.js';
import { hashApiKey } from '../../gateway/src/auth/verifyApiKey.js';
import { devAuthConfig, loadOrCreateDevSigningKey, refuseDevKeyInProduction } from '../../gateway/src/auth/devSigningKey.js';
import { repoRoot } from '../support/processes.js';

describe('API keys', () => {
  const authenticate = createAuthenticator(authConfigSchema.parse({
    apiKeys: {
      consumers: [
        { name: 'reporting', keySha256: hashApiKey('live-key-reporting'), tier: 'partner', scopes: ['orders:read:all'] },
        { name: 'old-client', keySha256: hashApiKey('revoked-key'), tier: 'partner', revoked: true },
      ],
    },
  }));

  test('a valid key maps to an apiKey identity', async () => {
    assert.deepEqual(await authenticate({ 'x-api-key': 'live-key-reporting' }), {
      subject: 'reporting', scopes: ['orders:read:all'], roles: [], claims: {}, kind: 'apiKey', tier: 'partner',
    });
  });

  for (const [label, key] of [['unknown', 'nope'], ['revoked', 'revoked-key'], ['empty', '']] as const) {
    test(`${label} key → UNAUTHENTICATED`, async () => {
      const error = await authenticate({ 'x-api-key': key }).then(() => undefined, (e: unknown) => e);
      assert.ok(error instanceof AuthenticationError);
      assert.equal(error.description, 'invalid api key');
    });
  }

  test('keySha256 must be a hex SHA-256', () => {
    assert.equal(authConfigSchema.safeParse({ apiKeys: { consumers: [{ name: 'x', keySha256: 'plain-key', tier: 't' }] } }).success, false);
  });
});

describe('dev signing key', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-devkey-'));
  const file = join(dir, '.local', 'dev-auth.json');

  test('created once (mode 600), then reused', () => {
    const first = loadOrCreateDevSigningKey(file);
    const second = loadOrCreateDevSigningKey(file);
    assert.equal(first.secret, second.secret);
    assert.ok(first.secret.length >= 43);
    assert.equal(statSync(file).mode & 0o777, 0o600);
  });

  test('production refuses the dev key, as devKey or pasted as a secret', () => {
    const env = { NODE_ENV: 'production', DEV_AUTH_FILE: file };
    assert.throws(() => refuseDevKeyInProduction(devAuthConfig(), env), /auth\.jwt\.key/);
    const secret = JSON.parse(readFileSync(file, 'utf8')).secret as string;
    const pasted = authConfigSchema.parse({ jwt: { key: { type: 'secret', secret } } });
    assert.throws(() => refuseDevKeyInProduction(pasted, env), /dev signing key/);
    assert.doesNotThrow(() => refuseDevKeyInProduction(devAuthConfig(), { NODE_ENV: 'development', DEV_AUTH_FILE: file }));
  });

  test('npm run token prints only a JWT the dev config accepts', async () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/token.ts', '--sub', 'user-7', '--scopes', 'orders:write users:read:email', '--ttl', '120'], {
      cwd: repoRoot, env: { ...process.env, DEV_AUTH_FILE: file }, encoding: 'utf8',
    });
    assert.equal(result.status, 0, result.stderr);
    const lines = result.stdout.split('\n').filter(Boolean);
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    const previous = process.env.DEV_AUTH_FILE;
    process.env.DEV_AUTH_FILE = file;
    try {
      const identity = await createAuthenticator(devAuthConfig())({ authorization: `Bearer ${lines[0]}` });
      assert.equal(identity?.subject, 'user-7');
      assert.deepEqual(identity?.scopes, ['orders:write', 'users:read:email']);
    } finally {
      if (previous === undefined) delete process.env.DEV_AUTH_FILE;
      else process.env.DEV_AUTH_FILE = previous;
    }
  });

  test('token script without --sub exits non-zero with usage on stderr, nothing on stdout', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/token.ts'], { cwd: repoRoot, env: { ...process.env, DEV_AUTH_FILE: file }, encoding: 'utf8' });
    assert.notEqual(result.status, 0);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /--sub/);
  });
});
