// Error masking (Apollo Server's formatError): clients keep codes of the error table and client-safe
// extension fields; anything else becomes INTERNAL_SERVER_ERROR, and subgraph URLs, bodies, service
// names and stack traces never reach them. A subgraph's own codes pass only from that subgraph.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ERRORS, gatewayError } from '../../../../gateway/src/errors.js';
import { createErrorMasker, maskError } from '../../../../gateway/src/plugins/errorMasking.js';

/** What @apollo/gateway produces for a subgraph's error, unmasked. */
const fromSubgraph = (code: string, serviceName = 'reviews'): GraphQLFormattedError => ({
  message: `${code} from the subgraph`,
  path: ['product', 'reviews'],
  locations: [{ line: 1, column: 3 }],
  extensions: {
    code,
    serviceName,
    response: { url: 'http://reviews.internal:4005/graphql', status: 500, body: '{"secret":"stack"}' },
    exception: { stacktrace: ['Error: at /srv/reviews/src/resolvers.ts:12'] },
    field: 'rating',
  },
});

test('an unknown or internal code becomes INTERNAL_SERVER_ERROR with the table message; path and locations stay', { timeout: 10_000 }, () => {
  for (const code of ['ECONNREFUSED', 'INTERNAL_SERVER_ERROR', 'SOMETHING_ELSE']) {
    const masked = maskError(fromSubgraph(code));
    assert.deepEqual(masked, {
      message: ERRORS.INTERNAL_SERVER_ERROR.message,
      path: ['product', 'reviews'],
      locations: [{ line: 1, column: 3 }],
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
  }
  const noCode = maskError({ message: 'TypeError: cannot read x of undefined' });
  assert.deepEqual(noCode, { message: ERRORS.INTERNAL_SERVER_ERROR.message, extensions: { code: 'INTERNAL_SERVER_ERROR' } });
});

test('a code of the table keeps its message and only client-safe extensions', { timeout: 10_000 }, () => {
  const masked = maskError(fromSubgraph('BAD_USER_INPUT'));
  assert.equal(masked.message, 'BAD_USER_INPUT from the subgraph');
  assert.deepEqual(masked.extensions, { code: 'BAD_USER_INPUT', field: 'rating' });
  assert.doesNotMatch(JSON.stringify(masked), /reviews\.internal|stack|serviceName/);
});

test("a subgraph's own code passes only from the subgraph the config lists it for", { timeout: 10_000 }, () => {
  const mask = createErrorMasker(new Map([['reviews', new Set(['DUPLICATE_REVIEW'])]]));
  assert.equal(mask(fromSubgraph('DUPLICATE_REVIEW', 'reviews')).extensions?.code, 'DUPLICATE_REVIEW');
  assert.equal(mask(fromSubgraph('DUPLICATE_REVIEW', 'orders')).extensions?.code, 'INTERNAL_SERVER_ERROR');
  assert.equal(maskError(fromSubgraph('DUPLICATE_REVIEW', 'reviews')).extensions?.code, 'INTERNAL_SERVER_ERROR');
});

test('a validation rule of ours keeps its own request-error code instead of GRAPHQL_VALIDATION_FAILED', { timeout: 10_000 }, () => {
  const ruleError = gatewayError('SUBSCRIPTION_NOT_SUPPORTED');
  const asApolloReportsIt: GraphQLFormattedError = { message: ruleError.message, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } };
  assert.equal(maskError(asApolloReportsIt, new GraphQLError(ruleError.message, { originalError: ruleError })).extensions?.code, 'SUBSCRIPTION_NOT_SUPPORTED');
  // A field-error code carried by a validation error is not a request refusal: Apollo's code stays.
  const fieldCode = gatewayError('NOT_FOUND');
  assert.equal(maskError(asApolloReportsIt, new GraphQLError('x', { originalError: fieldCode })).extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
});

test('a failure behind a subgraph keeps its code but gets the table message and no reason; client-facing codes keep the subgraph message', { timeout: 10_000 }, () => {
  for (const code of ['DOWNSTREAM_SERVICE_ERROR', 'GATEWAY_TIMEOUT', 'SUBGRAPH_UNAVAILABLE']) {
    const leaky = fromSubgraph(code, 'products');
    const masked = maskError({ ...leaky, message: 'the catalog service failed: unreachable (ECONNREFUSED)', extensions: { ...leaky.extensions, reason: 'connect ECONNREFUSED 10.0.0.7:4011' } });
    assert.equal(masked.message, ERRORS[code as keyof typeof ERRORS].message);
    assert.deepEqual(masked.extensions, { code, field: 'rating' });
  }
  for (const code of ['NOT_FOUND', 'BAD_USER_INPUT', 'CONFLICT', 'UNAUTHENTICATED']) {
    assert.equal(maskError(fromSubgraph(code)).message, `${code} from the subgraph`);
  }
  // Raised by the gateway itself (no serviceName): its own message stays.
  assert.equal(maskError(gatewayError('DOWNSTREAM_SERVICE_ERROR', { message: 'own words' }) as unknown as GraphQLFormattedError).message, 'own words');
});
