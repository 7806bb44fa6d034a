import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  GatewayIdentityError,
  signGatewayIdentity,
  verifyGatewayIdentity,
  type ForwardedIdentity,
} from '../../../../packages/identity/src/gatewayIdentity.js';

const secret = 'unit-test-secret-that-is-long-enough-0123';
const alice: ForwardedIdentity = { subject: 'user-1', scopes: ['orders:write'], roles: ['customer'], kind: 'user', tier: 'free' };
const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('gateway identity tokens', () => {
  test('a signed identity verifies to the same identity and request id', { timeout: 10_000 }, async () => {
    const token = await signGatewayIdentity({ secret, audience: 'users', identity: alice, requestId: 'req-1' });
    assert.deepEqual(await verifyGatewayIdentity(token, { secret, audience: 'users' }), { identity: alice, requestId: 'req-1' });
  });

  test('an anonymous identity round-trips with a null subject', { timeout: 10_000 }, async () => {
    const anonymous: ForwardedIdentity = { subject: null, scopes: [], roles: [], kind: 'anonymous', tier: 'anonymous' };
    const token = await signGatewayIdentity({ secret, audience: 'orders', identity: anonymous, requestId: 'req-2' });
    assert.deepEqual((await verifyGatewayIdentity(token, { secret, audience: 'orders' })).identity, anonymous);
  });

  test('a token for another subgraph is refused', { timeout: 10_000 }, async () => {
    const token = await signGatewayIdentity({ secret, audience: 'orders', identity: alice, requestId: 'r' });
    await assert.rejects(verifyGatewayIdentity(token, { secret, audience: 'users' }), GatewayIdentityError);
  });

  test('a token signed with another secret is refused', { timeout: 10_000 }, async () => {
    const token = await signGatewayIdentity({ secret: `${secret}-other`, audience: 'users', identity: alice, requestId: 'r' });
    await assert.rejects(verifyGatewayIdentity(token, { secret, audience: 'users' }), GatewayIdentityError);
  });

  test('a token older than maxAgeSeconds by iat is refused even when exp is in the future', { timeout: 10_000 }, async () => {
    const token = await signGatewayIdentity({
      secret,
      audience: 'users',
      identity: alice,
      requestId: 'r',
      issuedAt: nowSeconds() - 120,
      expiresInSeconds: 3600,
    });
    await assert.rejects(verifyGatewayIdentity(token, { secret, audience: 'users' }), GatewayIdentityError);
    // The same token passes with a wider window, so it was the age that failed it.
    assert.equal((await verifyGatewayIdentity(token, { secret, audience: 'users', maxAgeSeconds: 300 })).identity.subject, 'user-1');
  });

  test('an expired token is refused', { timeout: 10_000 }, async () => {
    const token = await signGatewayIdentity({ secret, audience: 'users', identity: alice, requestId: 'r', issuedAt: nowSeconds() - 30, expiresInSeconds: 10 });
    await assert.rejects(verifyGatewayIdentity(token, { secret, audience: 'users' }), /expired/);
  });

  test('missing and garbage tokens are refused', { timeout: 10_000 }, async () => {
    await assert.rejects(verifyGatewayIdentity(undefined, { secret, audience: 'users' }), /missing/);
    await assert.rejects(verifyGatewayIdentity('not.a.jwt', { secret, audience: 'users' }), GatewayIdentityError);
  });

  test('secrets shorter than 32 characters are refused on both sides', { timeout: 10_000 }, async () => {
    await assert.rejects(signGatewayIdentity({ secret: 'short', audience: 'users', identity: alice, requestId: 'r' }), /32/);
    await assert.rejects(verifyGatewayIdentity('x.y.z', { secret: 'short', audience: 'users' }), /32/);
  });
});
