import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createHmac } from 'node:crypto';
import { decodeJwt, SignJWT } from 'jose';
import {
  GatewayIdentityError,
  bodySha256,
  signGatewayIdentity,
  verifyGatewayIdentity,
  type ForwardedIdentity,
} from '../../../../packages/identity/src/index.js';

const secret = 'unit-test-secret-that-is-long-enough-0123';
const alice: ForwardedIdentity = { subject: 'user-1', scopes: ['orders:write'], roles: ['customer'], kind: 'user', tier: 'free' };
const nowSeconds = () => Math.floor(Date.now() / 1000);
const body = JSON.stringify({ query: '{ me { id } }' });

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
/** A token signed with `secret` over any header and claims: what an attacker who knows the format can build. */
function hs256(header: unknown, claims: unknown, key = secret): string {
  const input = `${encode(header)}.${encode(claims)}`;
  return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`;
}
function validClaims(): Record<string, unknown> {
  return { scopes: [], roles: [], kind: 'user', tier: 'free', sub: 'user-1', iss: 'federation-gateway', aud: 'users', iat: nowSeconds(), exp: nowSeconds() + 10, bodySha256: bodySha256(body) };
}

describe('gateway identity tokens', () => {
  test('a signed identity verifies to the same identity and request id', { timeout: 10_000 }, async () => {
    const token = await signGatewayIdentity({ secret, audience: 'users', identity: alice, requestId: 'req-1', body });
    assert.deepEqual(await verifyGatewayIdentity(token, { secret, audience: 'users', body }), { identity: alice, requestId: 'req-1' });
  });

  test('an anonymous identity round-trips with a null subject', { timeout: 10_000 }, async () => {
    const anonymous: ForwardedIdentity = { subject: null, scopes: [], roles: [], kind: 'anonymous', tier: 'anonymous' };
    const token = await signGatewayIdentity({ secret, audience: 'orders', identity: anonymous, requestId: 'req-2', body });
    assert.deepEqual((await verifyGatewayIdentity(token, { secret, audience: 'orders', body })).identity, anonymous);
  });

  test('the token carries the hex SHA-256 of the body bytes and expires 10 s after iat by default', { timeout: 10_000 }, async () => {
    const token = await signGatewayIdentity({ secret, audience: 'users', identity: alice, requestId: 'r', body });
    const claims = decodeJwt(token);
    assert.equal(claims.bodySha256, createHash('sha256').update(Buffer.from(body, 'utf8')).digest('hex'));
    assert.equal(claims.bodySha256, bodySha256(Buffer.from(body)), 'a string and its UTF-8 bytes digest the same');
    assert.equal(Number(claims.exp) - Number(claims.iat), 10);
  });

  test('a token replayed with another body (query, variables or operation name) is refused', { timeout: 10_000 }, async () => {
    const token = await signGatewayIdentity({ secret, audience: 'users', identity: alice, requestId: 'r', body });
    const others = [
      JSON.stringify({ query: '{ users(first: 100) { id email } }' }),
      JSON.stringify({ query: '{ me { id } }', variables: { x: 1 } }),
      JSON.stringify({ query: '{ me { id } }', operationName: 'Other' }),
      `${body} `, // one byte more: the digest is over bytes, not over parsed JSON
      '',
    ];
    for (const other of others) {
      await assert.rejects(verifyGatewayIdentity(token, { secret, audience: 'users', body: other }), /another request body/);
    }
  });

  test('a token without the body digest claim is refused', { timeout: 10_000 }, async () => {
    // A token as the gateway minted them before bodySha256 existed: well signed, fresh, right audience.
    const { bodySha256: _omitted, ...claims } = validClaims();
    const token = hs256({ alg: 'HS256', typ: 'JWT' }, claims);
    await assert.rejects(verifyGatewayIdentity(token, { secret, audience: 'users', body }), /malformed claims/);
  });

  test('a token for another subgraph is refused', { timeout: 10_000 }, async () => {
    const token = await signGatewayIdentity({ secret, audience: 'orders', identity: alice, requestId: 'r', body });
    await assert.rejects(verifyGatewayIdentity(token, { secret, audience: 'users', body }), GatewayIdentityError);
  });

  test('a token signed with another secret is refused', { timeout: 10_000 }, async () => {
    const token = await signGatewayIdentity({ secret: `${secret}-other`, audience: 'users', identity: alice, requestId: 'r', body });
    await assert.rejects(verifyGatewayIdentity(token, { secret, audience: 'users', body }), GatewayIdentityError);
  });

  test('a token older than maxAgeSeconds by iat is refused even when exp is in the future', { timeout: 10_000 }, async () => {
    const token = await signGatewayIdentity({
      secret,
      audience: 'users',
      identity: alice,
      requestId: 'r',
      body,
      issuedAt: nowSeconds() - 120,
      expiresInSeconds: 3600,
    });
    await assert.rejects(verifyGatewayIdentity(token, { secret, audience: 'users', body }), GatewayIdentityError);
    // The same token passes with a wider window, so it was the age that failed it.
    assert.equal((await verifyGatewayIdentity(token, { secret, audience: 'users', body, maxAgeSeconds: 300 })).identity.subject, 'user-1');
  });

  test('an expired token is refused', { timeout: 10_000 }, async () => {
    const token = await signGatewayIdentity({ secret, audience: 'users', identity: alice, requestId: 'r', body, issuedAt: nowSeconds() - 30, expiresInSeconds: 10 });
    await assert.rejects(verifyGatewayIdentity(token, { secret, audience: 'users', body }), /expired/);
  });

  test('missing and garbage tokens are refused', { timeout: 10_000 }, async () => {
    await assert.rejects(verifyGatewayIdentity(undefined, { secret, audience: 'users', body }), /missing/);
    await assert.rejects(verifyGatewayIdentity('not.a.jwt', { secret, audience: 'users', body }), GatewayIdentityError);
  });

  test('secrets shorter than 32 characters are refused on both sides', { timeout: 10_000 }, async () => {
    await assert.rejects(signGatewayIdentity({ secret: 'short', audience: 'users', identity: alice, requestId: 'r', body }), /32/);
    await assert.rejects(verifyGatewayIdentity('x.y.z', { secret: 'short', audience: 'users', body }), /32/);
  });

  test('a token from a standard JWT library with the same claims verifies (plain RFC 7519 HS256)', { timeout: 10_000 }, async () => {
    const { iat: _iat, exp: _exp, iss: _iss, aud: _aud, sub: _sub, ...custom } = validClaims();
    const token = await new SignJWT(custom)
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer('federation-gateway')
      .setAudience(['orders', 'users'])
      .setSubject('user-1')
      .setIssuedAt()
      .setExpirationTime('10s')
      .sign(new TextEncoder().encode(secret));
    assert.equal((await verifyGatewayIdentity(token, { secret, audience: 'users', body })).identity.subject, 'user-1');
  });

  test('forged or bent tokens are refused: alg none / RS256 / crit, a tampered payload, a non-canonical signature', { timeout: 10_000 }, async () => {
    const good = hs256({ alg: 'HS256', typ: 'JWT' }, validClaims());
    assert.equal((await verifyGatewayIdentity(good, { secret, audience: 'users', body })).identity.subject, 'user-1', 'the control case verifies');
    const [header, payload, signature] = good.split('.') as [string, string, string];
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    // The last base64url character of a 32-byte MAC carries 2 unused bits: flipping one decodes to the same bytes.
    const respelled = signature.slice(0, -1) + alphabet[alphabet.indexOf(signature.at(-1)!) ^ 1];
    assert.deepEqual(Buffer.from(respelled, 'base64url'), Buffer.from(signature, 'base64url'));
    const forged = [
      `${encode({ alg: 'none', typ: 'JWT' })}.${payload}.`,
      `${encode({ alg: 'none', typ: 'JWT' })}.${payload}`,
      hs256({ alg: 'RS256', typ: 'JWT' }, validClaims()),
      hs256({ alg: 'HS256', crit: ['exp'], typ: 'JWT' }, validClaims()),
      `${header}.${encode({ ...validClaims(), scopes: ['orders:read:all'] })}.${signature}`,
      `${header}.${payload}.${respelled}`,
      `${header}.${payload}.${signature}.extra`,
      `${header}.${payload}.${signature}=`,
    ];
    for (const token of forged) {
      await assert.rejects(verifyGatewayIdentity(token, { secret, audience: 'users', body }), /invalid gateway identity token/, token);
    }
  });

  test('registered claims are enforced: iss, aud (string or list), nbf and iat in the future', { timeout: 10_000 }, async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ iss: 'someone-else' }, /iss/],
      [{ aud: ['orders'] }, /this subgraph is "users"/],
      [{ nbf: nowSeconds() + 30 }, /nbf/],
      [{ iat: nowSeconds() + 30, exp: nowSeconds() + 40 }, /iat in the future/],
      [{ exp: nowSeconds() }, /expired/],
      [{ exp: String(nowSeconds() + 10) }, /malformed claims/],
      [{ kind: 'admin' }, /malformed claims/],
    ];
    for (const [change, refusal] of cases) {
      const token = hs256({ alg: 'HS256', typ: 'JWT' }, { ...validClaims(), ...change });
      await assert.rejects(verifyGatewayIdentity(token, { secret, audience: 'users', body }), refusal, JSON.stringify(change));
    }
  });
});
