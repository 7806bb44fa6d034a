// Every occurrence of a limited field counts: aliases, fragments, several paths; identityArgs use the
// argument values with variables resolved. Checked both at the occurrence level and end to end through
// FieldRateLimiter with the in-memory store.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'graphql';
import { composeShopSupergraph } from '../../../fixtures/rateLimit/shopSupergraph.js';
import { collectLimitedFieldOccurrences } from '../../../../gateway/src/rateLimit/operationFieldOccurrences.js';
import { FieldRateLimiter } from '../../../../gateway/src/rateLimit/fieldRateLimiter.js';
import { MemoryRateLimitStore } from '../../../../gateway/src/rateLimit/memoryRateLimitStore.js';
import { rateLimitConfigSchema } from '../../../../gateway/src/rateLimit/rateLimitConfig.js';
import { rateLimitIdentity } from '../../../../gateway/src/rateLimit/rateLimitIdentity.js';

const shop = composeShopSupergraph();
const limited = new Set(['Query.products', 'Query.product', 'Query.search', 'Product.price', 'Mutation.buy']);

function occurrences(query: string, variables?: Record<string, unknown>, operationName?: string) {
  return collectLimitedFieldOccurrences({
    schema: shop.apiSchema,
    document: parse(query),
    operationName,
    variables,
    isLimited: (c) => limited.has(c),
  });
}
const coordinates = (query: string, variables?: Record<string, unknown>) => occurrences(query, variables).map((o) => o.coordinate).sort();

describe('occurrence counting', () => {
  test('10 aliases of a limited field are 10 hits', { timeout: 10_000 }, () => {
    const aliases = Array.from({ length: 10 }, (_, i) => `a${i}: products { id }`).join('\n');
    assert.equal(coordinates(`{ ${aliases} }`).filter((c) => c === 'Query.products').length, 10);
  });

  test('inline fragments, named fragments spread twice and nested paths all count', { timeout: 10_000 }, () => {
    const query = `
      query Q { ...Top ...Top ... on Query { products { price } } product(id: "1") { ...Priced } }
      fragment Top on Query { products { id } }
      fragment Priced on Product { price cheap: price }`;
    assert.deepEqual(coordinates(query), ['Product.price', 'Product.price', 'Product.price', 'Query.product', 'Query.products', 'Query.products', 'Query.products']);
  });

  test('a field on an interface counts for the possible types that are limited', { timeout: 10_000 }, () => {
    assert.deepEqual(coordinates(`{ node(id: "1") { id ... on Product { price } } }`), ['Product.price']);
    assert.deepEqual(coordinates(`{ node(id: "1") { ... on Category { products { price } } } }`), ['Product.price']);
  });

  test('@skip/@include with variables: skipped fields do not execute and do not count', { timeout: 10_000 }, () => {
    const query = `query ($no: Boolean!) { products @include(if: $no) { id } again: products @skip(if: $no) { id } }`;
    assert.deepEqual(coordinates(query, { no: false }), ['Query.products']);
    assert.deepEqual(coordinates(query, { no: true }), ['Query.products']);
  });

  test('only the selected operation counts', { timeout: 10_000 }, () => {
    const doc = `query A { products { id } } query B { product(id: "1") { id } }`;
    assert.deepEqual(occurrences(doc, undefined, 'B').map((o) => o.coordinate), ['Query.product']);
  });

  test('arguments are coerced with variables resolved, nested inputs included', { timeout: 10_000 }, () => {
    const found = occurrences(`query ($id: ID!, $term: String!) { product(id: $id) { id } search(input: { term: $term }) { id } }`, { id: 7, term: 'lamp' });
    assert.deepEqual(JSON.parse(JSON.stringify(found.map((o) => o.args))), [{ id: '7' }, { input: { term: 'lamp' } }]);
  });
});

describe('FieldRateLimiter (in-memory store)', () => {
  const store = new MemoryRateLimitStore();
  after(() => store.close(), { timeout: 30_000 });
  const limiter = new FieldRateLimiter(store, rateLimitConfigSchema.parse({}));
  const decide = (query: string, identityKey: string, variables?: Record<string, unknown>, nowMs = Date.now()) =>
    limiter.decide({ schema: shop.apiSchema, supergraph: shop.document, document: parse(query), variables, identity: { key: identityKey, tier: 'anonymous' } }, nowMs);

  test('5 aliases of a field limited to 3 are rejected and consume nothing; 3 then pass', { timeout: 10_000 }, async () => {
    const five = `{ product(id: "1") { ${Array.from({ length: 5 }, (_, i) => `p${i}: price`).join(' ')} } }`;
    const rejected = await decide(five, 'ip:10.0.0.1');
    assert.equal(rejected.kind, 'rejected');
    assert.deepEqual(rejected.kind === 'rejected' && rejected.exceeded.map((e) => e.coordinate), ['Product.price']);
    const three = await decide(`{ product(id: "1") { a: price b: price c: price } }`, 'ip:10.0.0.1');
    assert.equal(three.kind, 'allowed');
    assert.equal((await decide(`{ product(id: "1") { price } }`, 'ip:10.0.0.1')).kind, 'rejected');
  });

  test('identityArgs: each argument value has its own budget', { timeout: 10_000 }, async () => {
    const q = `query ($id: ID!) { product(id: $id) { id } }`;
    for (let i = 0; i < 5; i++) assert.equal((await decide(q, 'ip:10.0.0.2', { id: 'a' })).kind, 'allowed');
    assert.equal((await decide(q, 'ip:10.0.0.2', { id: 'a' })).kind, 'rejected');
    assert.equal((await decide(q, 'ip:10.0.0.2', { id: 'b' })).kind, 'allowed', 'another id is another key');
    const search = `query ($t: String!) { search(input: { term: $t, limit: 1 }) { id } }`;
    assert.equal((await decide(search, 'ip:10.0.0.2', { t: 'x' })).kind, 'allowed');
    assert.equal((await decide(search, 'ip:10.0.0.2', { t: 'x' })).kind, 'allowed');
    const third = await decide(search, 'ip:10.0.0.2', { t: 'x' });
    assert.equal(third.kind === 'rejected' && third.exceeded[0]?.message, 'Searching too fast');
  });

  test('different identities are independent; fields without limits are not checked', { timeout: 10_000 }, async () => {
    const buy = `mutation { buy(productId: "1") }`;
    assert.equal((await decide(buy, 'user:alice')).kind, 'allowed');
    assert.equal((await decide(buy, 'user:alice')).kind, 'rejected');
    assert.equal((await decide(buy, 'user:bob')).kind, 'allowed');
    assert.equal((await decide(`{ free }`, 'user:alice')).kind, 'unlimited');
  });

  test('allowed operations carry IETF headers; rejected ones add Retry-After', { timeout: 10_000 }, async () => {
    const t0 = Date.now();
    const allowed = await decide(`{ products { id } }`, 'user:carol', undefined, t0);
    assert.equal(allowed.kind, 'allowed');
    assert.deepEqual(allowed.kind === 'allowed' && allowed.headers, { 'ratelimit-policy': '"Query.products";q=30;w=60', ratelimit: '"Query.products";r=29;t=60' });
    const buy = `mutation { buy(productId: "1") }`;
    await decide(buy, 'user:carol', undefined, t0);
    const rejected = await decide(buy, 'user:carol', undefined, t0 + 500);
    assert.equal(rejected.kind, 'rejected');
    assert.deepEqual(rejected.kind === 'rejected' && rejected.headers, { 'ratelimit-policy': '"Mutation.buy";q=1;w=2', ratelimit: '"Mutation.buy";r=0;t=2', 'retry-after': '2' });
  });

  test('identity: JWT subject, else API key, else IP; tiers follow', { timeout: 10_000 }, () => {
    assert.deepEqual(rateLimitIdentity({ subject: 'u1', kind: 'user', tier: 'authenticated' }, '10.0.0.9'), { key: 'user:u1', tier: 'authenticated' });
    assert.deepEqual(rateLimitIdentity({ subject: 'acme', kind: 'apiKey', tier: 'partner' }, '10.0.0.9'), { key: 'apiKey:acme', tier: 'partner' });
    assert.deepEqual(rateLimitIdentity(null, '10.0.0.9'), { key: 'ip:10.0.0.9', tier: 'anonymous' });
  });
});
