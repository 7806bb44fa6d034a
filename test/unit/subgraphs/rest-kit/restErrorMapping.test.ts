// REST outcome → GraphQL error code: the one table of subgraphs/rest-kit/src/restErrorMapping.ts, and the
// classification of what fetch throws.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphQLError } from 'graphql';
import { RestCallError, classifyFetchError, type RestFailure } from '../../../../subgraphs/rest-kit/src/restCallError.js';
import { graphQLErrorFromRest, snakeToCamel } from '../../../../subgraphs/rest-kit/src/restErrorMapping.js';

function mapped(failure: RestFailure): GraphQLError {
  const error = graphQLErrorFromRest(new RestCallError('inventory', 'POST /reservations', failure));
  assert.ok(error instanceof GraphQLError);
  return error;
}

test('status codes map to NOT_FOUND, BAD_USER_INPUT, CONFLICT and DOWNSTREAM_SERVICE_ERROR', { timeout: 10_000 }, () => {
  const cases: [number, string][] = [
    [404, 'NOT_FOUND'],
    [400, 'BAD_USER_INPUT'],
    [422, 'BAD_USER_INPUT'],
    [409, 'CONFLICT'],
    [401, 'DOWNSTREAM_SERVICE_ERROR'],
    [429, 'DOWNSTREAM_SERVICE_ERROR'],
    [500, 'DOWNSTREAM_SERVICE_ERROR'],
    [503, 'DOWNSTREAM_SERVICE_ERROR'],
  ];
  for (const [status, code] of cases) {
    assert.equal(mapped({ kind: 'status', status, body: { error: 'x', reason: 'because' } }).extensions.code, code, String(status));
  }
});

test("4xx keeps the service's reason and names the offending field in camelCase", { timeout: 10_000 }, () => {
  const error = mapped({ kind: 'status', status: 400, body: { error: 'invalid_reservation', reason: 'product_id: too long', field: 'product_id' } });
  assert.equal(error.message, 'product_id: too long');
  assert.equal(error.extensions.reason, 'product_id: too long');
  assert.equal(error.extensions.field, 'productId');
  const conflict = mapped({ kind: 'status', status: 409, body: { error: 'insufficient_stock', reason: 'only 2 left' } });
  assert.equal(conflict.extensions.reason, 'only 2 left');
});

test('timeout, unreachable and malformed bodies are DOWNSTREAM_SERVICE_ERROR with a failure kind, no URL', { timeout: 10_000 }, () => {
  const timeout = mapped({ kind: 'timeout', timeoutMs: 500 });
  assert.equal(timeout.extensions.code, 'DOWNSTREAM_SERVICE_ERROR');
  assert.equal(timeout.extensions.failure, 'timeout');
  assert.equal(mapped({ kind: 'unreachable', code: 'ECONNREFUSED' }).extensions.failure, 'unreachable');
  assert.equal(mapped({ kind: 'malformed_body', detail: 'invalid JSON' }).extensions.failure, 'malformed_body');
  assert.equal(mapped({ kind: 'status', status: 502, body: '<html>' }).extensions.failure, 'status_502');
  assert.doesNotMatch(JSON.stringify(timeout.toJSON()), /http:/);
});

test('errors that are not REST failures pass through unchanged (they are bugs, not downstream trouble)', { timeout: 10_000 }, () => {
  const bug = new TypeError('undefined is not a function');
  assert.equal(graphQLErrorFromRest(bug), bug);
});

test('classifyFetchError recognises timeouts, refused connections and broken JSON', { timeout: 10_000 }, () => {
  const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
  assert.deepEqual(classifyFetchError(timeout, 250), { kind: 'timeout', timeoutMs: 250 });
  const refused = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }) });
  assert.deepEqual(classifyFetchError(refused, 250), { kind: 'unreachable', code: 'ECONNREFUSED' });
  assert.equal(classifyFetchError(new SyntaxError('Unexpected token <'), 250)?.kind, 'malformed_body');
  assert.equal(classifyFetchError(new RangeError('bug'), 250), undefined);
});

test('snakeToCamel', { timeout: 10_000 }, () => {
  assert.equal(snakeToCamel('product_id'), 'productId');
  assert.equal(snakeToCamel('price_cents'), 'priceCents');
  assert.equal(snakeToCamel('quantity'), 'quantity');
});
