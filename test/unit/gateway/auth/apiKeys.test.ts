// API keys: hashed, compared in constant time, revocable.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { authConfigSchema } from '../../../../gateway/src/auth/authConfig.js';
import { createAuthenticator } from '../../../../gateway/src/auth/createAuthenticator.js';
import { AuthenticationError } from '../../../../gateway/src/auth/authErrors.js';
import { hashApiKey } from '../../../../gateway/src/auth/verifyApiKey.js';

describe('API keys', () => {
  const authenticate = createAuthenticator(authConfigSchema.parse({
    apiKeys: {
      consumers: [
        { name: 'reporting', keySha256: hashApiKey('live-key-reporting'), tier: 'partner', scopes: ['orders:read:all'] },
        { name: 'old-client', keySha256: hashApiKey('revoked-key'), tier: 'partner', revoked: true },
      ],
    },
  }));

  test('a valid key maps to an apiKey identity', { timeout: 10_000 }, async () => {
    assert.deepEqual(await authenticate({ 'x-api-key': 'live-key-reporting' }), {
      subject: 'reporting', scopes: ['orders:read:all'], roles: [], claims: {}, kind: 'apiKey', tier: 'partner',
    });
  });

  for (const [label, key] of [['unknown', 'nope'], ['revoked', 'revoked-key'], ['empty', '']] as const) {
    test(`${label} key → UNAUTHENTICATED`, { timeout: 10_000 }, async () => {
      const error = await authenticate({ 'x-api-key': key }).then(() => undefined, (e: unknown) => e);
      assert.ok(error instanceof AuthenticationError);
      assert.equal(error.description, 'invalid api key');
    });
  }

  test('keySha256 must be a hex SHA-256', { timeout: 10_000 }, () => {
    assert.equal(authConfigSchema.safeParse({ apiKeys: { consumers: [{ name: 'x', keySha256: 'plain-key', tier: 't' }] } }).success, false);
  });
});
