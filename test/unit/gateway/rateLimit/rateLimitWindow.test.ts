// Our synchronous window parser must read every window exactly as graphql-rate-limit itself does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GraphQLResolveInfo } from 'graphql';
import { getGraphQLRateLimiter, type Identity } from 'graphql-rate-limit';
import { parseRateLimitWindow, parseWindowLikeGraphqlRateLimit } from '../../../../gateway/src/rateLimit/rateLimitWindow.js';

/** The window graphql-rate-limit derives from a directive's `window`, captured from the windowMs it hands its store. */
async function libraryWindowMs(window: string): Promise<number | undefined> {
  let captured: number | undefined;
  const limiter = getGraphQLRateLimiter({
    identifyContext: () => 'probe',
    store: {
      getForIdentity: (_identity: Identity) => [],
      setForIdentity: (_identity: Identity, _timestamps: readonly number[], windowMs?: number) => {
        captured = windowMs;
      },
    },
  });
  await limiter({ parent: null, args: {}, context: {}, info: { fieldName: 'probe' } as GraphQLResolveInfo }, { max: 1, window });
  return captured;
}

const windows = [
  '10s', '1m', '2s', '500', '500ms', '1.5h', '1 hour', '2 hours', '3 minutes', '1min', '7d', '1w', '1y', '2 yrs',
  '1 second', '30secs', '1msec', '.5s', '1H', '1M', '100 milliseconds', '1day', '2weeks',
];

test('every unit of the window syntax matches graphql-rate-limit', { timeout: 10_000 }, async () => {
  for (const window of windows) {
    assert.equal(parseWindowLikeGraphqlRateLimit(window), await libraryWindowMs(window), window);
  }
});

test('windows the library cannot read are undefined for both', { timeout: 10_000 }, async () => {
  for (const window of ['soon', '1 fortnight', '1m30s', 'm']) {
    assert.equal(parseWindowLikeGraphqlRateLimit(window), undefined, window);
    assert.ok(Number.isNaN(Number(await libraryWindowMs(window))), window);
  }
});

test('a usable window is at least 1 ms and rejects the rest with the syntax in the message', { timeout: 10_000 }, () => {
  assert.equal(parseRateLimitWindow('1m'), 60_000);
  assert.equal(parseRateLimitWindow('2s'), 2_000);
  for (const bad of ['soon', '0s', '-1m', '0.5ms', '']) assert.throws(() => parseRateLimitWindow(bad), /"10s", "1m"/);
});
