// The dev tools create the local dev signing key on first use, in the gateway's format.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { readDevSigningKey } from '../../../gateway/src/auth/devSigningKey.js';
import { loadOrCreateDevSigningKey } from '../../../scripts/src/devSigningKeyFile.js';
import { tempDir } from '../../support/tempDirs.js';

test('created once (mode 600, a 256-bit secret), then reused; the gateway reads the same key', { timeout: 10_000 }, () => {
  const file = join(tempDir('gw-devkey-'), '.local', 'dev-auth.json');
  const first = loadOrCreateDevSigningKey(file);
  const second = loadOrCreateDevSigningKey(file);
  assert.equal(first.secret, second.secret);
  assert.equal(Buffer.from(first.secret, 'base64url').length, 32);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.equal(readDevSigningKey(file)?.secret, first.secret);
});
