// `npm run token` (scripts/src/token.ts, compiled): the token alone on stdout, signed with the dev key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { decodeJwt, jwtVerify } from 'jose';
import { readDevSigningKey } from '../../../gateway/src/auth/devSigningKey.js';
import { compiledEntry, repoRoot } from '../../support/processes.js';
import { tempDir } from '../../support/tempDirs.js';

function runToken(args: string[], keyFile: string) {
  return spawnSync(process.execPath, [compiledEntry('scripts/dist/token.js'), ...args], {
    cwd: repoRoot,
    env: { ...process.env, DEV_AUTH_FILE: keyFile },
    encoding: 'utf8',
    timeout: 20_000,
  });
}

test('prints only a JWT signed with the dev key, with the requested subject, scopes and lifetime', { timeout: 30_000 }, async () => {
  const keyFile = join(tempDir('gw-token-'), 'dev-auth.json');
  const result = runToken(['--sub', 'user-7', '--scopes', 'orders:write users:read:email', '--ttl', '120'], keyFile);
  assert.equal(result.status, 0, result.stderr);
  const lines = result.stdout.split('\n').filter(Boolean);
  assert.equal(lines.length, 1);
  const key = readDevSigningKey(keyFile);
  assert.ok(key, 'the script created the dev key');
  const { payload } = await jwtVerify(lines[0]!, new TextEncoder().encode(key.secret), { issuer: key.issuer, audience: key.audience });
  assert.equal(payload.sub, 'user-7');
  assert.equal(payload.scope, 'orders:write users:read:email');
  assert.equal(decodeJwt(lines[0]!).exp! - decodeJwt(lines[0]!).iat!, 120);
});

test('without --sub: non-zero exit, usage on stderr, nothing on stdout', { timeout: 30_000 }, () => {
  const keyFile = join(tempDir('gw-token-'), 'dev-auth.json');
  const result = runToken([], keyFile);
  assert.notEqual(result.status, 0);
  assert.equal(result.stdout, '');
  assert.match(result.stderr, /--sub/);
});
