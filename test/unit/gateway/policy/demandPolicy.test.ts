// List sizes and weights come from the supergraph (@listSize and @cost as composition carries them,
// found through @link) with config on top; config coordinates the schema lacks are found.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSchema, parse } from 'graphql';
import { Supergraph } from '@apollo/federation-internals';
import { DemandPolicyError, buildDemandPolicy } from '../../../../gateway/src/policy/demandPolicy.js';
import { demandControlConfigSchema } from '../../../../gateway/src/policy/demandControlConfig.js';
import { policyConfigCoordinates, unknownCoordinates } from '../../../../gateway/src/policy/configCoordinates.js';
import { rateLimitConfigSchema } from '../../../../gateway/src/rateLimit/rateLimitConfig.js';
import { SupergraphLoadError, validateSupergraphSdl } from '../../../../gateway/src/supergraph/supergraphFile.js';
import { composeSupergraph } from '../../../support/composeCache.js';

const composed = composeSupergraph([
  {
    name: 'shop',
    url: 'http://shop.invalid/graphql',
    sdl: `
      extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@listSize", "@cost"])
      type Product @key(fields: "id") @cost(weight: 3) { id: ID! stock: Int @cost(weight: 5) }
      type Page { items: [Product!]! total: Int! }
      type Query {
        page(first: Int = 10, tag: String @cost(weight: 2)): Page @listSize(slicingArguments: ["first"], sizedFields: ["items"], requireOneSlicingArgument: false)
        all: [Product!]! @listSize(assumedSize: 40)
      }
    `,
  },
]);
const supergraph = parse(composed);
const schema = Supergraph.build(composed).apiSchema().toGraphQLJSSchema();
const query = schema.getQueryType()!;

test('@listSize and @cost are read from the composed supergraph (the cost link names them)', { timeout: 10_000 }, () => {
  const policy = buildDemandPolicy(supergraph, demandControlConfigSchema.parse({}));
  assert.deepEqual(policy.listSizeRule(schema, query, 'page'), { assumedSize: undefined, slicingArguments: ['first'], sizedFields: ['items'] });
  assert.deepEqual(policy.listSizeRule(schema, query, 'all'), { assumedSize: 40, slicingArguments: [], sizedFields: [] });
  assert.equal(policy.weight('Product.stock'), 5);
  assert.equal(policy.weight('Product'), 3);
  assert.deepEqual([...(policy.argumentWeights('Query.page') ?? [])], [['tag', 2]]);
  assert.equal(policy.defaultListSize, 5);
});

test('config adds and overrides per coordinate, key by key', { timeout: 10_000 }, () => {
  const policy = buildDemandPolicy(
    supergraph,
    demandControlConfigSchema.parse({ defaultListSize: 3, listSizes: { 'Query.all': { slicingArguments: ['limit'] }, 'Page.items': { assumedSize: 7 } }, weights: { 'Product.stock': 0, Page: 9 } }),
  );
  assert.deepEqual(policy.listSizeRule(schema, query, 'all'), { assumedSize: 40, slicingArguments: ['limit'], sizedFields: [] }, 'assumedSize kept from the supergraph');
  assert.deepEqual(policy.listSizeRule(schema, schema.getType('Page') as never, 'items'), { assumedSize: 7, slicingArguments: [], sizedFields: [] });
  assert.equal(policy.weight('Product.stock'), 0);
  assert.equal(policy.weight('Page'), 9);
  assert.equal(policy.defaultListSize, 3);
});

test('a supergraph without the cost link has no declared sizes; an unknown cost version fails closed', { timeout: 10_000 }, () => {
  const plain = parse('schema @link(url: "https://specs.apollo.dev/link/v1.0") { query: Query } type Query { all: [Int] @listSize(assumedSize: 1) }');
  assert.equal(buildDemandPolicy(plain, demandControlConfigSchema.parse({})).listSizeRule(schema, query, 'all'), undefined);
  const future = parse('schema @link(url: "https://specs.apollo.dev/link/v1.0") @link(url: "https://specs.apollo.dev/cost/v0.9", import: ["@listSize"]) { query: Query } type Query { a: Int }');
  assert.throws(() => buildDemandPolicy(future, demandControlConfigSchema.parse({})), DemandPolicyError);
});

test('config coordinates missing from the schema are named by their config key', { timeout: 10_000 }, () => {
  const coordinates = policyConfigCoordinates({
    rateLimits: rateLimitConfigSchema.parse({ fields: { 'Query.page': { max: 1, window: '1m' }, 'Query.pages': { max: 1, window: '1m' } }, tiers: { gold: { fields: { 'Product.price': { max: 2 } } } } }),
    demandControl: demandControlConfigSchema.parse({ listSizes: { 'Page.items': { assumedSize: 2 } }, weights: { Product: 1, Nope: 2, 'Page.nope': 1 } }),
  });
  assert.deepEqual(unknownCoordinates(schema, coordinates).map((c) => c.key), [
    'rateLimits.fields.Query.pages',
    'rateLimits.tiers.gold.fields.Product.price',
    'demandControl.weights.Nope',
    'demandControl.weights.Page.nope',
  ]);
});

test('arguments and fields inside config entries must exist too: identityArgs, slicingArguments (dot paths into inputs), sizedFields', { timeout: 10_000 }, () => {
  const withInputs = buildSchema(`
    input PageInput { first: Int after: String }
    type Product { id: ID! }
    type ProductConnection { nodes: [Product!]! }
    type Query { product(id: ID!): Product products(page: PageInput): ProductConnection }
  `);
  const coordinates = policyConfigCoordinates({
    rateLimits: rateLimitConfigSchema.parse({
      fields: { 'Query.product': { max: 1, window: '1m', identityArgs: ['id', 'sku'] } },
      tiers: { gold: { fields: { 'Query.products': { identityArgs: ['page.after', 'page.cursor'] } } } },
    }),
    demandControl: demandControlConfigSchema.parse({
      listSizes: {
        'Query.products': { slicingArguments: ['page.first', 'first', 'page.first.deeper'], sizedFields: ['nodes', 'edges'] },
        'Query.missing': { slicingArguments: ['first'], sizedFields: ['nodes'] },
      },
    }),
  });
  assert.deepEqual(unknownCoordinates(withInputs, coordinates), [
    { key: 'rateLimits.fields.Query.product.identityArgs', coordinate: 'Query.product(sku:)' },
    { key: 'rateLimits.tiers.gold.fields.Query.products.identityArgs', coordinate: 'Query.products(page.cursor:)' },
    { key: 'demandControl.listSizes.Query.products.slicingArguments', coordinate: 'Query.products(first:)' },
    { key: 'demandControl.listSizes.Query.products.slicingArguments', coordinate: 'Query.products(page.first.deeper:)' },
    { key: 'demandControl.listSizes.Query.products.sizedFields', coordinate: 'ProductConnection.edges' },
    { key: 'demandControl.listSizes.Query.missing', coordinate: 'Query.missing' },
  ], 'a missing field is named once, not again for what its entry names inside it');
});

test('a malformed @listSize fails the supergraph load (the old schema keeps serving), not every request', { timeout: 10_000 }, () => {
  const broken = composed.replace('@listSize(assumedSize: 40)', '@listSize(assumedSize: "forty")');
  assert.notEqual(broken, composed);
  assert.throws(() => validateSupergraphSdl(broken, 'broken.graphql'), (error: Error) => error instanceof SupergraphLoadError);
  assert.doesNotThrow(() => validateSupergraphSdl(composed, 'ok.graphql'));
});
