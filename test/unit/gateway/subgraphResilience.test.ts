// Which subgraph fetches may be retried, and after which failures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphQLError, parse } from 'graphql';
import { isQueryOperation, isRetryableFailure, resilienceConfigSchema } from '../../../gateway/src/subgraphResilience.js';

test('only queries are retryable; mutations, subscriptions and unknown text are not', { timeout: 10_000 }, () => {
  assert.equal(isQueryOperation(undefined, '{ ping }'), true);
  assert.equal(isQueryOperation(undefined, 'query Q__slow__0 { ping }'), true);
  assert.equal(isQueryOperation(undefined, 'mutation { touch }'), false);
  assert.equal(isQueryOperation(undefined, 'subscription { s }'), false);
  assert.equal(isQueryOperation(undefined, undefined), false);
  assert.equal(isQueryOperation(parse('mutation M { touch }'), '{ ping }'), false, 'the document wins when present');
});

test('retryable failures: refused or reset connections and 502/503/504, never 4xx or 500', { timeout: 10_000 }, () => {
  const withStatus = (status: number) => new GraphQLError(`${status}`, { extensions: { response: { status } } });
  for (const status of [502, 503, 504]) assert.equal(isRetryableFailure(withStatus(status)), true, String(status));
  for (const status of [400, 401, 404, 500]) assert.equal(isRetryableFailure(withStatus(status)), false, String(status));
  assert.equal(isRetryableFailure(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })), true);
  assert.equal(isRetryableFailure(new Error('fetch failed', { cause: { code: 'ECONNRESET' } })), true);
  assert.equal(isRetryableFailure(new Error('timed out')), false);
});

test('config defaults and strictness', { timeout: 10_000 }, () => {
  const config = resilienceConfigSchema.parse({});
  assert.equal(config.retries, 1);
  assert.equal(config.circuitBreaker.enabled, true);
  assert.throws(() => resilienceConfigSchema.parse({ retry: 2 }));
});
