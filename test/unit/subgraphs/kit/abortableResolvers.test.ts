// The kit's resolver wrapping: once context.signal is aborted, field resolvers and __resolveReference throw
// instead of running; type resolution, custom scalars and unaborted requests are untouched.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphQLScalarType, type GraphQLResolveInfo } from 'graphql';
import { withAbortChecks } from '../../../../subgraphs/kit/src/abortableResolvers.js';

const info = {} as GraphQLResolveInfo;

describe('withAbortChecks', () => {
  let calls = 0;
  const scalar = new GraphQLScalarType({ name: 'Money' });
  const resolveType = () => 'Book';
  const wrapped = withAbortChecks({
    Money: scalar,
    Query: { a: () => (calls += 1), b: { resolve: () => (calls += 1), description: 'object form' } },
    User: { __resolveReference: (ref: { id: string }) => ({ ...ref, found: (calls += 1) }) },
    Media: { __resolveType: resolveType },
  });

  test('runs resolvers while the request is alive', { timeout: 10_000 }, () => {
    const live = { signal: new AbortController().signal };
    calls = 0;
    (wrapped.Query.a as (...args: unknown[]) => unknown)(null, {}, live, info);
    (wrapped.Query.b.resolve as (...args: unknown[]) => unknown)(null, {}, live, info);
    assert.deepEqual((wrapped.User.__resolveReference as (...args: unknown[]) => unknown)({ id: 'u1' }, live, info), { id: 'u1', found: 3 });
    assert.equal(calls, 3);
  });

  test('refuses every wrapped resolver after the abort, with the abort reason', { timeout: 10_000 }, () => {
    const controller = new AbortController();
    controller.abort(new Error('gateway gave up'));
    const dead = { signal: controller.signal };
    calls = 0;
    assert.throws(() => (wrapped.Query.a as (...args: unknown[]) => unknown)(null, {}, dead, info), /gateway gave up/);
    assert.throws(() => (wrapped.Query.b.resolve as (...args: unknown[]) => unknown)(null, {}, dead, info), /gateway gave up/);
    assert.throws(() => (wrapped.User.__resolveReference as (...args: unknown[]) => unknown)({ id: 'u1' }, dead, info), /gateway gave up/);
    assert.equal(calls, 0);
  });

  test('custom scalars, __resolveType and field options stay as they were', { timeout: 10_000 }, () => {
    assert.equal(wrapped.Money, scalar);
    assert.equal(wrapped.Media.__resolveType, resolveType);
    assert.equal(wrapped.Query.b.description, 'object form');
  });
});
