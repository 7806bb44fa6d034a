// requestErrors.ts, the one path of error responses: request ID on every error, each code counted once
// and listed on the access-log line; answers rendered outside Apollo Server's pipeline are reported once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RequestLogFields } from '../../../gateway/src/context.js';
import { resolveConfig } from '../../../gateway/src/config.js';
import { createGatewayMetrics } from '../../../gateway/src/metrics.js';
import { createRequestErrors } from '../../../gateway/src/requestErrors.js';

/** Metrics as a gateway with the default config has them. */
const defaultMetrics = () => createGatewayMetrics(resolveConfig([{ supergraph: { path: 'unused.graphql' } }]).metrics);

async function counts(metrics: ReturnType<typeof createGatewayMetrics>): Promise<Record<string, number>> {
  return Object.fromEntries((await metrics.graphqlErrors.get()).values.map((v) => [String(v.labels.code), v.value]));
}

test('report: request ID on each error, each code counted and logged; an error without a code is INTERNAL_SERVER_ERROR', { timeout: 10_000 }, async () => {
  const metrics = defaultMetrics();
  const errors = createRequestErrors(metrics);
  const log: RequestLogFields = { errorCodes: [] };
  const reported = errors.report({ requestId: 'r-1', log }, [
    { message: 'Not found.', path: ['a'], extensions: { code: 'NOT_FOUND' } },
    { message: 'Not found.', path: ['b'], extensions: { code: 'NOT_FOUND' } },
    { message: 'no code' },
  ]);
  assert.deepEqual(reported.map((e) => e.extensions), [
    { code: 'NOT_FOUND', requestId: 'r-1' },
    { code: 'NOT_FOUND', requestId: 'r-1' },
    { code: 'INTERNAL_SERVER_ERROR', requestId: 'r-1' },
  ]);
  assert.deepEqual(log.errorCodes, ['NOT_FOUND', 'NOT_FOUND', 'INTERNAL_SERVER_ERROR']);
  assert.deepEqual(await counts(metrics), { NOT_FOUND: 2, INTERNAL_SERVER_ERROR: 1 });
});

test('reportOutsidePipeline: only error statuses nothing reported yet; other bodies are returned untouched', { timeout: 10_000 }, async () => {
  const metrics = defaultMetrics();
  const errors = createRequestErrors(metrics);
  const body = JSON.stringify({ errors: [{ message: 'The credentials are missing or invalid.', extensions: { code: 'UNAUTHENTICATED', reason: 'token expired' } }] });

  const fresh: RequestLogFields = { errorCodes: [] };
  const reported = JSON.parse(errors.reportOutsidePipeline({ requestId: 'r-2', log: fresh }, 401, body)) as { errors: { extensions: Record<string, unknown> }[] };
  assert.deepEqual(reported.errors[0]!.extensions, { code: 'UNAUTHENTICATED', reason: 'token expired', requestId: 'r-2' });
  assert.deepEqual(fresh.errorCodes, ['UNAUTHENTICATED']);

  // Already reported by the pipeline's plugin: not counted twice.
  const done: RequestLogFields = { errorCodes: ['RATE_LIMITED'] };
  assert.equal(errors.reportOutsidePipeline({ requestId: 'r-3', log: done }, 429, body), body);
  // A success, or a body that is not a GraphQL error response, is left alone.
  assert.equal(errors.reportOutsidePipeline({ requestId: 'r-4', log: { errorCodes: [] } }, 200, '{"data":{}}'), '{"data":{}}');
  assert.equal(errors.reportOutsidePipeline({ requestId: 'r-5', log: { errorCodes: [] } }, 500, 'not json'), 'not json');
  assert.deepEqual(await counts(metrics), { UNAUTHENTICATED: 1 });
});
