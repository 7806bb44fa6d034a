// Reading @rateLimit from a composed supergraph (through its @link import, renamed here) and layering
// config overrides per field and per tier; the config schema's defaults and rejections.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'graphql';
import { composeShopSupergraph } from '../../../fixtures/rateLimit/shopSupergraph.js';
import { rateLimitDirectiveName, readSupergraphRateLimits, RateLimitPolicyError } from '../../../../gateway/src/rateLimit/supergraphRateLimits.js';
import { buildRateLimitPolicy } from '../../../../gateway/src/rateLimit/rateLimitPolicy.js';
import { rateLimitConfigSchema } from '../../../../gateway/src/rateLimit/rateLimitConfig.js';
import { SupergraphLoadError, validateSupergraphSdl } from '../../../../gateway/src/supergraph/supergraphFile.js';

const shop = composeShopSupergraph();

describe('supergraph limits', () => {
  test('the directive is found through its @link import, renamed to @throttle', { timeout: 10_000 }, () => {
    assert.equal(rateLimitDirectiveName(shop.document), 'throttle');
  });

  test('every declared limit is read per Type.field with the window in ms', { timeout: 10_000 }, () => {
    const limits = readSupergraphRateLimits(shop.document);
    assert.deepEqual(Object.fromEntries(limits), {
      'Mutation.buy': { max: 1, windowMs: 2_000, identityArgs: [], message: undefined },
      'Product.price': { max: 3, windowMs: 10_000, identityArgs: [], message: undefined },
      'Query.products': { max: 30, windowMs: 60_000, identityArgs: [], message: undefined },
      'Query.product': { max: 5, windowMs: 60_000, identityArgs: ['id'], message: undefined },
      'Query.search': { max: 2, windowMs: 60_000, identityArgs: ['input.term'], message: 'Searching too fast' },
    });
  });

  const linked = (imports: string, field: string) =>
    parse(`schema @link(url: "https://specs.apollo.dev/link/v1.0") @link(url: "https://github.com/federation-gateway/rateLimit/v1.0"${imports}) { query: Query }
      type Query { ${field} }`);

  test('link spec names: plain import, no import (@rateLimit), namespace alias (as:)', { timeout: 10_000 }, () => {
    assert.equal(rateLimitDirectiveName(linked(', import: ["@rateLimit"]', 'a: Int')), 'rateLimit');
    assert.equal(rateLimitDirectiveName(linked('', 'a: Int')), 'rateLimit');
    assert.equal(rateLimitDirectiveName(linked(', as: "limits"', 'a: Int')), 'limits');
    assert.equal(rateLimitDirectiveName(parse('type Query { a: Int @rateLimit(max: 1, window: "1s") }')), undefined);
    assert.equal(readSupergraphRateLimits(parse('type Query { a: Int @rateLimit(max: 1, window: "1s") }')).size, 0, 'unlinked directive is not ours');
  });

  test('an unreadable declaration fails loading, naming the field', { timeout: 10_000 }, () => {
    assert.throws(() => readSupergraphRateLimits(linked(', import: ["@rateLimit"]', 'a: Int @rateLimit(max: 0, window: "1m")')), (e: Error) => e instanceof RateLimitPolicyError && /Query\.a/.test(e.message));
    assert.throws(() => readSupergraphRateLimits(linked(', import: ["@rateLimit"]', 'a: Int @rateLimit(max: 1, window: "soon")')), /Query\.a.*"1m"/);
    assert.throws(() => readSupergraphRateLimits(linked(', import: ["@rateLimit"]', 'a(id: ID): Int @rateLimit(max: 1, window: "1m", identityArgs: ["nope"])')), /no argument "nope"/);
  });

  test('the supergraph loader refuses a malformed @rateLimit (load and hot reload keep the old schema)', { timeout: 10_000 }, () => {
    assert.doesNotThrow(() => validateSupergraphSdl(shop.sdl, 'shop'));
    const broken = shop.sdl.replace('@throttle(max: 3, window: "10s")', '@throttle(max: 3, window: "ten seconds")');
    assert.notEqual(broken, shop.sdl);
    assert.throws(() => validateSupergraphSdl(broken, 'shop'), (e: Error) => e instanceof SupergraphLoadError && /Product\.price/.test(e.message));
  });
});

describe('policy layering', () => {
  const declared = readSupergraphRateLimits(shop.document);

  test('without config the declarations apply to every tier', { timeout: 10_000 }, () => {
    const policy = buildRateLimitPolicy(declared, rateLimitConfigSchema.parse({}));
    assert.deepEqual(policy.limitFor('Query.products', 'anonymous'), declared.get('Query.products'));
    assert.deepEqual(policy.limitFor('Query.products', 'gold'), declared.get('Query.products'));
    assert.equal(policy.limitFor('Query.free', 'anonymous'), undefined);
  });

  test('config overrides per field, adds undeclared fields, and tiers override on top', { timeout: 10_000 }, () => {
    const config = rateLimitConfigSchema.parse({
      fields: {
        'Query.products': { max: 50 },
        'Query.free': { max: 10, window: '10s' },
        'Product.price': { disabled: true },
      },
      tiers: {
        anonymous: { fields: { 'Query.products': { max: 5, windowMs: 1_000 } } },
        partner: { fields: { 'Query.products': { disabled: true }, 'Product.price': { max: 100, window: '1m' } } },
      },
    });
    const policy = buildRateLimitPolicy(declared, config);
    assert.deepEqual(policy.limitFor('Query.products', 'authenticated'), { max: 50, windowMs: 60_000, identityArgs: [], message: undefined });
    assert.deepEqual(policy.limitFor('Query.products', 'anonymous'), { max: 5, windowMs: 1_000, identityArgs: [], message: undefined });
    assert.equal(policy.limitFor('Query.products', 'partner'), undefined);
    assert.deepEqual(policy.limitFor('Query.free', 'anonymous'), { max: 10, windowMs: 10_000, identityArgs: [], message: undefined });
    assert.equal(policy.limitFor('Product.price', 'authenticated'), undefined);
    assert.equal(policy.limitFor('Product.price', 'partner')?.max, 100);
    assert.ok(policy.limitedCoordinates.has('Product.price'), 'limited for some tier, so occurrences are counted');
    assert.deepEqual(policy.warnings, []);
  });

  test('a partial override of an undeclared field is reported, not guessed', { timeout: 10_000 }, () => {
    const policy = buildRateLimitPolicy(declared, rateLimitConfigSchema.parse({ fields: { 'Query.free': { max: 3 } } }));
    assert.equal(policy.limitFor('Query.free', 'anonymous'), undefined);
    assert.match(policy.warnings[0] ?? '', /rateLimits\.fields\.Query\.free/);
  });
});

describe('config schema', () => {
  test('defaults: memory store, fail open, no trusted proxies', { timeout: 10_000 }, () => {
    assert.deepEqual(rateLimitConfigSchema.parse({}), {
      enabled: true,
      store: { kind: 'memory' },
      onStoreUnavailable: 'open',
      trustedProxies: [],
      fields: {},
      tiers: {},
    });
    assert.deepEqual(rateLimitConfigSchema.parse({ store: { kind: 'redis', url: 'redis://127.0.0.1:6379' } }).store, {
      kind: 'redis',
      url: 'redis://127.0.0.1:6379',
      commandTimeoutMs: 50,
      maxWaitMs: 1_000,
      connectTimeoutMs: 1_000,
      keyPrefix: 'gw:rl:',
    });
  });

  test('rejects typos, bad windows, slow Redis timeouts, bad proxies and bad coordinates', { timeout: 10_000 }, () => {
    const bad = [
      { onStoreUnavailble: 'open' },
      { store: { kind: 'redis', url: 'redis://x', commandTimeoutMs: 500 } },
      { store: { kind: 'memcached' } },
      { fields: { 'Query.users': { max: 1, window: 'soon' } } },
      { fields: { 'Query.users': { max: 1, window: '1m', windowMs: 60_000 } } },
      { fields: { users: { max: 1, window: '1m' } } },
      { fields: { 'Query.users': { maks: 1 } } },
      { trustedProxies: ['10.0.0.0/33'] },
      { trustedProxies: ['proxy.internal'] },
      { tiers: { gold: { feilds: {} } } },
    ];
    for (const input of bad) assert.equal(rateLimitConfigSchema.safeParse(input).success, false, JSON.stringify(input));
    assert.equal(rateLimitConfigSchema.safeParse({ trustedProxies: ['10.0.0.0/8', '127.0.0.1', '::1', 'fd00::/8'] }).success, true);
  });
});
