// The one operation analysis every policy reads: coerced variables with defaults, @skip/@include,
// fragments and inline fragments merged as GraphQL merges them, abstract types, and estimated calls
// from list sizes along each path (slicing arguments, literal or variable, @listSize, default size).
// Also the cost model and the read-back of what a response shows ran.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { buildSchema, parse, validate, type DocumentNode } from 'graphql';
import { buildDemandPolicy } from '../../../../gateway/src/policy/demandPolicy.js';
import { demandControlConfigSchema } from '../../../../gateway/src/policy/demandControlConfig.js';
import { OperationTooLargeError, createOperationAnalyzer, type AnalyzedField, type OperationAnalysis } from '../../../../gateway/src/policy/operationAnalysis.js';
import { createOperationCostModel } from '../../../../gateway/src/policy/operationCost.js';
import { countResolved } from '../../../../gateway/src/policy/resolvedCounts.js';

const sdl = `
  schema
    @link(url: "https://specs.apollo.dev/link/v1.0")
    @link(url: "https://specs.apollo.dev/cost/v0.1", import: ["@listSize"])
  { query: Query mutation: Mutation }
  directive @link(url: String, as: String, import: [String]) repeatable on SCHEMA
  directive @cost(weight: Int!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION | INPUT_FIELD_DEFINITION | OBJECT | SCALAR
  directive @listSize(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION

  interface Node { id: ID! }
  type User implements Node {
    id: ID!
    name: String!
    friends(first: Int = 5): [User!]! @listSize(slicingArguments: ["first"])
    posts: [Post!]! @listSize(assumedSize: 3)
    secret(reason: String @cost(weight: 2)): String @cost(weight: 7)
  }
  type Post implements Node @cost(weight: 4) { id: ID! title: String! tags: [[String!]!]! author: User! }
  union SearchResult = User | Post
  type PostConnection { nodes: [Post!]! total: Int! }
  input Page { first: Int }
  type Query {
    me: User
    node(id: ID!): Node
    search(text: String!, limit: Int = 4): [SearchResult!]! @listSize(slicingArguments: ["limit"])
    posts(page: Page): PostConnection @listSize(slicingArguments: ["page.first"], sizedFields: ["nodes"], assumedSize: 50)
    everything: [Node!]!
  }
  type Mutation { like(postId: ID!): Post }
`;
const schema = buildSchema(sdl);
const policy = buildDemandPolicy(parse(sdl), demandControlConfigSchema.parse({}));
const analyzer = createOperationAnalyzer({ demandPolicyFor: () => policy, maxFields: 500 });
const costs = createOperationCostModel(() => policy);

function analyze(query: string | DocumentNode, variables: Record<string, unknown> = {}, operationName?: string): OperationAnalysis {
  const document = typeof query === 'string' ? parse(query) : query;
  assert.deepEqual(validate(schema, document), [], 'test operations must be valid');
  const result = analyzer({ schema, document, variables, operationName });
  assert.equal(result.kind, 'analyzed', result.kind === 'invalidVariables' ? result.errors.map((e) => e.message).join() : '');
  return (result as { analysis: OperationAnalysis }).analysis;
}
/** path → [calls, itemsPerCall] */
const estimates = (analysis: OperationAnalysis) => Object.fromEntries(analysis.fields.map((f) => [f.path.join('.'), [f.calls, f.itemsPerCall]]));
const paths = (analysis: OperationAnalysis) => analysis.fields.map((f) => f.path.join('.'));
const field = (analysis: OperationAnalysis, path: string): AnalyzedField => {
  const found = analysis.fields.find((f) => f.path.join('.') === path);
  assert.ok(found, `no field at ${path}; have ${paths(analysis).join(', ')}`);
  return found;
};

describe('variables and @skip/@include', () => {
  test('variable defaults apply, as in execution (the HTTP 500 of issue 10, case 1)', { timeout: 10_000 }, () => {
    const query = 'query Q($s: Boolean = true) { me { name @skip(if: $s) id } }';
    const defaulted = analyze(query);
    assert.deepEqual(defaulted.variables, { s: true });
    assert.deepEqual(paths(defaulted), ['me', 'me.id']);
    assert.deepEqual(paths(analyze(query, { s: false })), ['me', 'me.name', 'me.id']);
  });

  test('@include on fragments and inline fragments; an explicit null keeps the default out', { timeout: 10_000 }, () => {
    const query = `query ($yes: Boolean = false) { me { ...F @include(if: $yes) ... on User @skip(if: $yes) { id } } } fragment F on User { name }`;
    assert.deepEqual(paths(analyze(query)), ['me', 'me.id']);
    assert.deepEqual(paths(analyze(query, { yes: true })), ['me', 'me.name']);
  });

  test('variables that do not fit their types: no analysis, the errors execution would give', { timeout: 10_000 }, () => {
    const result = analyzer({ schema, document: parse('query ($n: Int) { me { friends(first: $n) { id } } }'), variables: { n: 'ten' } });
    assert.equal(result.kind, 'invalidVariables');
    assert.match(result.kind === 'invalidVariables' ? result.errors[0]!.message : '', /\$n/);
  });

  test('identityArgs read the coerced arguments of this request, not of a cached one', { timeout: 10_000 }, () => {
    const query = parse('query ($id: ID!) { node(id: $id) { id } }');
    const first = analyze(query, { id: 1 });
    const second = analyze(query, { id: 'b' });
    assert.equal(first.fields[0], second.fields[0], 'one cached tree: the id does not change the estimates');
    assert.deepEqual({ ...first.argumentsOf(first.fields[0]!) }, { id: '1' });
    assert.deepEqual({ ...second.argumentsOf(second.fields[0]!) }, { id: 'b' });
  });
});

describe('fragments, aliases and merging', () => {
  test('the same response key from the selection, a named fragment spread twice and an inline fragment is one call', { timeout: 10_000 }, () => {
    const analysis = analyze('{ me { ...A ...A name ... on User { name friends { id } } } } fragment A on User { name friends { name } }');
    assert.deepEqual(paths(analysis), ['me', 'me.name', 'me.friends', 'me.friends.@.name', 'me.friends.@.id']);
    assert.equal(field(analysis, 'me.name').nodes.length, 3, 'selection + fragment (once) + inline fragment');
    assert.deepEqual(estimates(analysis)['me.friends.@.id'], [5, 1], 'sub-selections merged under one list');
  });

  test('aliases are separate calls', { timeout: 10_000 }, () => {
    const analysis = analyze('{ a: me { id } b: me { id } c: me { friends(first: 2) { id } } }');
    assert.deepEqual(paths(analysis), ['a', 'a.id', 'b', 'b.id', 'c', 'c.friends', 'c.friends.@.id']);
  });

  test('only the selected operation is analyzed', { timeout: 10_000 }, () => {
    const analysis = analyze('query A { me { id } } query B { node(id: "1") { id } }', {}, 'B');
    assert.deepEqual(paths(analysis), ['node', 'node.id']);
    assert.equal(analysis.shape.operation.name?.value, 'B');
  });
});

describe('estimated calls from list sizes along the path', () => {
  test('nested lists multiply: a slicing argument, an argument default, an assumed size', { timeout: 10_000 }, () => {
    const e = estimates(analyze('{ me { friends(first: 3) { friends { posts { title } } } } }'));
    assert.deepEqual(e['me.friends'], [1, 3], 'literal first: 3');
    assert.deepEqual(e['me.friends.@.friends'], [3, 5], 'first defaults to 5 in the schema');
    assert.deepEqual(e['me.friends.@.friends.@.posts'], [15, 3], '@listSize(assumedSize: 3)');
    assert.deepEqual(e['me.friends.@.friends.@.posts.@.title'], [45, 1]);
  });

  test('a slicing argument given by a variable counts as much as a literal (issue 10, case 3)', { timeout: 10_000 }, () => {
    const query = parse('query ($n: Int) { me { friends(first: $n) { id } } }');
    assert.deepEqual(estimates(analyze(query, { n: 100 }))['me.friends.@.id'], [100, 1]);
    assert.deepEqual(estimates(analyze(query, { n: 7 }))['me.friends.@.id'], [7, 1], 'another value, another estimate (not a stale cache)');
    assert.deepEqual(estimates(analyze(query))['me.friends.@.id'], [5, 1], 'an unset variable leaves the argument default');
    assert.deepEqual(estimates(analyze('{ me { friends(first: -4) { id } } }'))['me.friends.@.id'], [0, 1], 'negative sizes count as 0');
  });

  test('connections: sizedFields take the size from a slicing argument path into an input object', { timeout: 10_000 }, () => {
    assert.deepEqual(estimates(analyze('{ posts(page: { first: 4 }) { nodes { title } total } }'))['posts.nodes'], [1, 4]);
    assert.deepEqual(estimates(analyze('query ($p: Page) { posts(page: $p) { nodes { title } } }', { p: { first: 9 } }))['posts.nodes.@.title'], [9, 1]);
    assert.deepEqual(estimates(analyze('{ posts { nodes { title } } }'))['posts.nodes'], [1, 50], 'no argument: assumedSize');
  });

  test('lists nothing sizes take the default size, each list level', { timeout: 10_000 }, () => {
    const e = estimates(analyze('{ everything { id ... on Post { tags } } }'));
    assert.deepEqual(e.everything, [1, 5]);
    assert.deepEqual(e['everything.@.tags'], [5, 25], '[[String!]!]! is two levels of 5');
  });
});

describe('abstract types', () => {
  test('fields under type conditions of a union are estimated for every parent object, under their own coordinate', { timeout: 10_000 }, () => {
    const analysis = analyze('{ search(text: "x") { ... on User { name } ... on Post { title author { name } } } }');
    const e = estimates(analysis);
    assert.deepEqual(e.search, [1, 4], 'limit defaults to 4');
    assert.deepEqual(e['search.@.name'], [4, 1]);
    assert.deepEqual(e['search.@.author.name'], [4, 1]);
    assert.deepEqual(field(analysis, 'search.@.name').coordinates, ['User.name']);
  });

  test('a field selected on an interface may run as every implementation', { timeout: 10_000 }, () => {
    const analysis = analyze('{ node(id: "1") { id ... on User { id name } } }');
    assert.deepEqual(paths(analysis), ['node', 'node.id', 'node.name'], 'id on Node and on User is one call');
    assert.deepEqual([...field(analysis, 'node.id').coordinates].sort(), ['Node.id', 'Post.id', 'User.id']);
  });

  test('the same response key naming different fields on different types stays two fields', { timeout: 10_000 }, () => {
    const analysis = analyze('{ search(text: "x", limit: 2) { ... on User { label: name } ... on Post { label: title } } }');
    assert.deepEqual(analysis.fields.map((f) => `${f.path.join('.')}:${f.fieldName}`), ['search:search', 'search.@.label:name', 'search.@.label:title']);
  });
});

describe('introspection and bounds', () => {
  test('analyses kept per operation are bounded: a client looping over first: $n values evicts the oldest', { timeout: 10_000 }, () => {
    const bounded = createOperationAnalyzer({ demandPolicyFor: () => policy, maxFields: 500, variantsPerOperation: 2 });
    const document = parse('query ($n: Int) { me { friends(first: $n) { id } } }');
    const treeFor = (n: number) => {
      const result = bounded({ schema, document, variables: { n } });
      assert.equal(result.kind, 'analyzed');
      return (result as { analysis: OperationAnalysis }).analysis.fields[0];
    };
    const one = treeFor(1);
    assert.equal(treeFor(1), one, 'the same values reuse the cached analysis');
    const two = treeFor(2);
    treeFor(3); // a third variant: the oldest (n = 1) goes
    assert.equal(treeFor(3), treeFor(3));
    assert.notEqual(treeFor(1), one, 'n = 1 was evicted and analyzed again');
    assert.notEqual(treeFor(2), two, 'then n = 2 (the oldest after n = 1 came back)');
  });

  test('introspection fields are marked and their depth measured', { timeout: 10_000 }, () => {
    const analysis = analyze('{ __schema { types { fields { type { name } } } } me { id } }');
    assert.equal(analysis.introspectionDepth, 5, "__schema types fields type name");
    assert.equal(analysis.fields.filter((f) => f.introspection).length, 5);
    assert.equal(field(analysis, 'me').introspection, false);
  });

  test('a fragment bomb stops at maxFields instead of expanding without bound', { timeout: 10_000 }, () => {
    // Each level spreads the next fragment under 4 fields: 4^8 fields once expanded, from a few hundred bytes.
    const levels = 8;
    const fragments = Array.from({ length: levels }, (_, i) =>
      `fragment F${i} on User { ${['a', 'b', 'c', 'd'].map((k) => `${k}: friends { ${i + 1 < levels ? `...F${i + 1}` : 'id'} }`).join(' ')} }`,
    ).join('\n');
    const document = parse(`{ me { ...F0 } }\n${fragments}`);
    assert.throws(() => analyzer({ schema, document }), OperationTooLargeError);
  });
});

describe('cost model', () => {
  test('objects 1, scalars 0, lists multiply, @cost on fields, types and arguments', { timeout: 10_000 }, () => {
    // me 1 + friends 3 + posts 3*3 objects at the Post type weight 4 + secret 3*7 + its argument 3*2
    const analysis = analyze('{ me { friends(first: 3) { posts { title } secret(reason: "audit") } } }');
    assert.equal(costs.estimated(analysis), 1 + 3 + 9 * 4 + 3 * 7 + 3 * 2);
  });

  test('a mutation adds 10; introspection costs nothing', { timeout: 10_000 }, () => {
    assert.equal(costs.estimated(analyze('mutation { like(postId: "1") { id } }')), 10 + 4);
    assert.equal(costs.estimated(analyze('{ __schema { types { name } } }')), 0);
  });

  test('actual cost and resolved calls come from the response', { timeout: 10_000 }, () => {
    const analysis = analyze('{ me { friends(first: 10) { name posts { title } } } }');
    const data = { me: { friends: [{ name: 'a', posts: [{ title: 'x' }] }, { name: 'b', posts: [] }] } };
    const resolved = countResolved(analysis.rootFields, data);
    assert.deepEqual(resolved.get(field(analysis, 'me.friends.@.name')), { calls: 2, items: 2 });
    assert.deepEqual(resolved.get(field(analysis, 'me.friends.@.posts')), { calls: 2, items: 1 });
    assert.deepEqual(resolved.get(field(analysis, 'me.friends.@.posts.@.title')), { calls: 1, items: 1 });
    assert.equal(costs.actual(analysis, resolved), 1 + 2 + 1 * 4);
    assert.ok(costs.estimated(analysis) > costs.actual(analysis, resolved));
    assert.equal(countResolved(analysis.rootFields, { me: null }).get(field(analysis, 'me.friends'))?.calls ?? 0, 0, 'below a null parent nothing ran');
  });
});
