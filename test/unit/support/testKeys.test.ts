// The auth tests' kept key pairs (test/support/testKeys.ts): one pair per name and algorithm, the same pair
// on every later use, a different pair for a different name, and a pair that really signs and verifies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT, exportSPKI, jwtVerify } from 'jose';
import { testKeyPair } from '../../support/testKeys.js';
import { repoRoot } from '../../support/processes.js';

test('a name keeps its pair; another name gets another; the pair signs and verifies', { timeout: 10_000 }, async () => {
  // Fresh names, so the first call generates (EdDSA: cheap to generate).
  const names = [`probe-${randomUUID()}`, `probe-${randomUUID()}`];
  try {
    const first = await testKeyPair(names[0]!, 'EdDSA');
    const again = await testKeyPair(names[0]!, 'EdDSA');
    const other = await testKeyPair(names[1]!, 'EdDSA');
    assert.equal(await exportSPKI(again.publicKey), await exportSPKI(first.publicKey));
    assert.notEqual(await exportSPKI(other.publicKey), await exportSPKI(first.publicKey));
    const token = await new SignJWT({ scope: 'a' }).setProtectedHeader({ alg: 'EdDSA' }).setSubject('user-1').sign(again.privateKey);
    assert.equal((await jwtVerify(token, first.publicKey)).payload.sub, 'user-1');
    await assert.rejects(jwtVerify(token, other.publicKey), /signature verification failed/);
  } finally {
    for (const name of names) rmSync(join(repoRoot, 'node_modules/.cache/test-keys', `EdDSA-${name}.json`), { force: true });
  }
});

test('a name that is not a plain file name is refused', { timeout: 10_000 }, async () => {
  await assert.rejects(testKeyPair('../escape', 'EdDSA'), /a key name is letters, digits/);
});
