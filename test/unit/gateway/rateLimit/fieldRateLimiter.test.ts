// Per-field rate limits count CALLS, as graphql-rate-limit's "max calls per window" means: a limited
// field under a list of n objects is n calls; aliases are separate calls; the same field merged from
// fragments is one call (GraphQL merges it); skipped fields make none; a field on an interface counts
// for the possible types that are limited; identityArgs use the coerced argument values. Checked
// through FieldRateLimiter with the in-memory store, including the reconcile after execution.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { parse, type DocumentNode } from 'graphql';
import { composeShopSupergraph } from '../../../fixtures/rateLimit/shopSupergraph.js';
import { buildDemandPolicy } from '../../../../gateway/src/policy/demandPolicy.js';
import { demandControlConfigSchema } from '../../../../gateway/src/policy/demandControlConfig.js';
import { createOperationAnalyzer, type OperationAnalysis } from '../../../../gateway/src/policy/operationAnalysis.js';
import { countResolved } from '../../../../gateway/src/policy/resolvedCounts.js';
import { FieldRateLimiter } from '../../../../gateway/src/rateLimit/fieldRateLimiter.js';
import { MemoryRateLimitStore } from '../../../../gateway/src/rateLimit/memoryRateLimitStore.js';
import { rateLimitConfigSchema } from '../../../../gateway/src/rateLimit/rateLimitConfig.js';
import { rateLimitIdentity } from '../../../../gateway/src/rateLimit/rateLimitIdentity.js';

const shop = composeShopSupergraph();
// The shop schema declares no @listSize: config sizes Query.products by its `first` argument.
const demandPolicy = buildDemandPolicy(shop.document, demandControlConfigSchema.parse({ listSizes: { 'Query.products': { slicingArguments: ['first'] } } }));
const analyzer = createOperationAnalyzer({ demandPolicyFor: () => demandPolicy, maxFields: 1000 });
function analyze(query: string | DocumentNode, variables?: Record<string, unknown>, operationName?: string): OperationAnalysis {
  const result = analyzer({ schema: shop.apiSchema, document: typeof query === 'string' ? parse(query) : query, variables, operationName });
  assert.equal(result.kind, 'analyzed');
  return (result as Extract<typeof result, { kind: 'analyzed' }>).analysis;
}

describe('FieldRateLimiter: calls, not occurrences', () => {
  const store = new MemoryRateLimitStore();
  after(() => store.close(), { timeout: 30_000 });
  const limiter = new FieldRateLimiter(store, rateLimitConfigSchema.parse({}));
  const charge = async (query: string, identityKey: string, variables?: Record<string, unknown>) => {
    const decision = await limiter.decide({ supergraph: shop.document, analysis: analyze(query, variables), identity: { key: identityKey, tier: 'anonymous' } }, Date.now());
    return { kind: decision.kind, costs: 'checks' in decision ? Object.fromEntries(decision.checks.map((c) => [c.coordinate, c.cost])) : {} };
  };

  test('a limited field under a list is charged once per list item; the slicing argument sets the count', { timeout: 10_000 }, async () => {
    assert.deepEqual(await charge('{ products(first: 3) { price } }', 'ip:calls-1'), { kind: 'allowed', costs: { 'Query.products': 1, 'Product.price': 3 } });
    assert.deepEqual((await charge('query ($n: Int) { products(first: $n) { price } }', 'ip:calls-2', { n: 4 })).kind, 'rejected', '4 calls > max 3, variable or not');
    assert.deepEqual((await charge('{ products { id } }', 'ip:calls-3')).costs, { 'Query.products': 1 }, 'fields without a limit below cost nothing');
  });

  test('aliases are separate calls; fragments of the same field merge into one call', { timeout: 10_000 }, async () => {
    const aliases = Array.from({ length: 10 }, (_, i) => `a${i}: products(first: 1) { id }`).join('\n');
    assert.deepEqual((await charge(`{ ${aliases} }`, 'ip:merge-1')).costs, { 'Query.products': 10 });
    const merged = `query Q { ...Top ...Top ... on Query { products(first: 2) { price } } } fragment Top on Query { products(first: 2) { id } }`;
    assert.deepEqual((await charge(merged, 'ip:merge-2')).costs, { 'Query.products': 1, 'Product.price': 2 });
  });

  test('a field on an interface counts for the possible types that are limited', { timeout: 10_000 }, async () => {
    assert.deepEqual((await charge('{ node(id: "1") { id ... on Product { price } } }', 'ip:abstract-1')).costs, { 'Product.price': 1 });
    assert.deepEqual((await charge('{ node(id: "1") { ... on Category { products { price } } } }', 'ip:abstract-2')).kind, 'rejected', 'Category.products has no size: 5 (the default) > 3');
  });

  test('@skip/@include with variables and their defaults: skipped fields make no calls', { timeout: 10_000 }, async () => {
    const query = 'query ($no: Boolean = true) { products(first: 1) @include(if: $no) { id } again: products(first: 1) @skip(if: $no) { id } }';
    assert.deepEqual((await charge(query, 'ip:skip-1')).costs, { 'Query.products': 1 });
    assert.deepEqual((await charge(query, 'ip:skip-2', { no: false })).costs, { 'Query.products': 1 });
  });

  test('reconcile gives back the calls the response shows did not run', { timeout: 10_000 }, async () => {
    const analysis = analyze('{ products(first: 3) { price } }');
    const identity = { key: 'ip:reconcile', tier: 'anonymous' };
    const admitted = await limiter.decide({ supergraph: shop.document, analysis, identity }, Date.now());
    assert.equal(admitted.kind, 'allowed');
    if (admitted.kind !== 'allowed') return;
    assert.equal((await limiter.decide({ supergraph: shop.document, analysis: analyze('{ product(id: "9") { price } }'), identity }, Date.now())).kind, 'rejected', '3 of 3 charged');
    // Only one product came back: two price calls never ran.
    const { givenBack, headers } = await limiter.reconcile(admitted, countResolved(analysis.rootFields, { products: [{ price: 5 }] }));
    assert.deepEqual(givenBack, [0, 2]);
    assert.match(headers?.ratelimit ?? '', /"Product\.price";r=2/);
    const again = await limiter.decide({ supergraph: shop.document, analysis: analyze('{ a: product(id: "9") { price } b: product(id: "8") { price } }'), identity }, Date.now());
    assert.equal(again.kind, 'allowed', 'the 2 given back are available again');
  });
});

describe('FieldRateLimiter (in-memory store): limits, identities, headers', () => {
  const store = new MemoryRateLimitStore();
  after(() => store.close(), { timeout: 30_000 });
  const limiter = new FieldRateLimiter(store, rateLimitConfigSchema.parse({}));
  const decide = (query: string, identityKey: string, variables?: Record<string, unknown>, nowMs = Date.now()) =>
    limiter.decide({ supergraph: shop.document, analysis: analyze(query, variables), identity: { key: identityKey, tier: 'anonymous' } }, nowMs);

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
