// The verified-token cache skips re-verification of a repeated token, but never outlives the token's
// exp or maxAgeMs, never caches failures, and stays bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AuthIdentity } from '../../../../gateway/src/auth/authIdentity.js';
import { withVerifiedTokenCache } from '../../../../gateway/src/auth/verifiedTokenCache.js';

/** auth.jwt's defaults (authConfig.ts): 10 000 entries, 60 s. */
const LIMITS = { maxEntries: 10_000, maxAgeMs: 60_000 };

function identityFor(token: string, exp: number): AuthIdentity {
  return { subject: token, scopes: [], roles: [], claims: { exp }, kind: 'user', tier: 'authenticated' };
}

function fakeClockVerifier(expBySecond: (token: string) => number) {
  const calls: string[] = [];
  const verify = async (token: string) => {
    calls.push(token);
    if (token.startsWith('bad')) throw new Error('invalid');
    return identityFor(token, expBySecond(token));
  };
  return { verify, calls };
}

test('a repeated valid token is verified once', { timeout: 10_000 }, async () => {
  let nowMs = 1_000_000;
  const { verify, calls } = fakeClockVerifier(() => 10_000);
  const cached = withVerifiedTokenCache(verify, { ...LIMITS, clockToleranceSec: 0, now: () => nowMs });
  assert.equal((await cached('t1')).subject, 't1');
  assert.equal((await cached('t1')).subject, 't1');
  assert.deepEqual(calls, ['t1']);
  nowMs += 59_000;
  await cached('t1');
  assert.deepEqual(calls, ['t1'], 'within maxAgeMs');
  nowMs += 2_000;
  await cached('t1');
  assert.deepEqual(calls, ['t1', 't1'], 'maxAgeMs (60 s) passed: verified again');
});

test('an entry never outlives the token exp (plus clock tolerance)', { timeout: 10_000 }, async () => {
  let nowMs = 1_000_000;
  const { verify, calls } = fakeClockVerifier(() => 1_010); // exp 10 s from now, in seconds
  const cached = withVerifiedTokenCache(verify, { ...LIMITS, clockToleranceSec: 5, now: () => nowMs });
  await cached('t');
  nowMs += 14_000;
  await cached('t');
  assert.equal(calls.length, 1);
  nowMs += 2_000;
  await cached('t');
  assert.equal(calls.length, 2, 'past exp + tolerance the verifier decides again');
});

test('failures are not cached, and a token differing in any byte is verified from scratch', { timeout: 10_000 }, async () => {
  const { verify, calls } = fakeClockVerifier(() => 10_000);
  const cached = withVerifiedTokenCache(verify, { ...LIMITS, clockToleranceSec: 0, now: () => 1_000_000 });
  await assert.rejects(cached('bad-token'));
  await assert.rejects(cached('bad-token'));
  await cached('token-a');
  await cached('token-b');
  assert.deepEqual(calls, ['bad-token', 'bad-token', 'token-a', 'token-b']);
});

test('the cache is bounded: the oldest entry is evicted first', { timeout: 10_000 }, async () => {
  const { verify, calls } = fakeClockVerifier(() => 10_000);
  const cached = withVerifiedTokenCache(verify, { ...LIMITS, maxEntries: 2, clockToleranceSec: 0, now: () => 1_000_000 });
  await cached('a');
  await cached('b');
  await cached('c');
  await cached('b');
  await cached('a');
  assert.deepEqual(calls, ['a', 'b', 'c', 'a']);
});
