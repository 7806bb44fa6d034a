// The HTTP layer in-process: createHttpServer over a real node:http server on port 0 and a real Apollo
// Server (a two-field schema, our formatError and error plugin). Every refusal, whichever layer makes it,
// answers with the table's status, a coded body carrying the request ID, a count in
// gateway_graphql_errors_total and the code on the access-log line: the one error path (requestErrors.ts).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter, once } from 'node:events';
import type { Server } from 'node:http';
import { Writable } from 'node:stream';
import { ApolloServer } from '@apollo/server';
import { pino } from 'pino';
import { resolveConfig } from '../../../gateway/src/config.js';
import type { GatewayContext } from '../../../gateway/src/context.js';
import { gatewayError } from '../../../gateway/src/errors.js';
import { createHttpServer } from '../../../gateway/src/httpServer.js';
import { createGatewayMetrics } from '../../../gateway/src/metrics.js';
import { createErrorMaskingPlugin, maskError } from '../../../gateway/src/plugins/errorMasking.js';
import { createRequestErrors } from '../../../gateway/src/requestErrors.js';
import { ResponseBudget } from '../../../gateway/src/responseBudget.js';
import { listenOnLoopback } from '../../support/loopbackServer.js';

interface Answer {
  status: number;
  headers: Headers;
  body: { data?: unknown; errors?: { message: string; extensions?: { code?: string; requestId?: string; reason?: string } }[] };
}

describe('HTTP layer (createHttpServer)', () => {
  const logLines: Record<string, unknown>[] = [];
  const logged = new EventEmitter();
  const logger = pino(
    { level: 'info' },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n')) {
          if (!line) continue;
          logLines.push(JSON.parse(line) as Record<string, unknown>);
          logged.emit('line');
        }
        done();
      },
    }),
  );
  const config = resolveConfig([{ supergraph: { path: 'unused.graphql' }, server: { maxBodyBytes: 512 } }]);
  const metrics = createGatewayMetrics(config.metrics);
  const errors = createRequestErrors(metrics);
  let ready = true;
  let apollo: ApolloServer<GatewayContext>;
  let server: Server;
  let url: string;

  before(async () => {
    apollo = new ApolloServer<GatewayContext>({
      typeDefs: 'type Query { ping: String  secret: String  echo(text: String!, times: Int = 1): String }',
      resolvers: {
        Query: {
          ping: () => 'pong',
          echo: (_: unknown, args: { text: string; times: number }) => args.text.repeat(args.times),
          secret: () => {
            throw new Error('connect ECONNREFUSED http://users.internal:4001/graphql');
          },
        },
      },
      csrfPrevention: true,
      formatError: maskError,
      plugins: [createErrorMaskingPlugin({ logger, errors })],
    });
    await apollo.start();
    server = createHttpServer({
      config,
      apollo,
      logger,
      metrics,
      errors,
      isReady: () => ready,
      isShuttingDown: () => false,
      serveOpsRoutes: true,
      buildContext: async (req, requestId, requestLog) => {
        // Stands in for authentication: a bad credential fails context creation, as in server.ts.
        if (req.headers.authorization === 'Bearer bad') {
          throw gatewayError('UNAUTHENTICATED', { extensions: { reason: 'token expired' }, headers: { 'www-authenticate': 'Bearer error="invalid_token"' } });
        }
        return { requestId, clientIp: '127.0.0.1', auth: null, req, requestLog, responseBudget: new ResponseBudget(1_048_576) };
      },
    });
    url = await listenOnLoopback(server);
  }, { timeout: 30_000 });

  after(async () => {
    await new Promise((resolveClose) => server.close(resolveClose));
    await apollo.stop();
  }, { timeout: 30_000 });

  async function call(path: string, init: RequestInit = {}): Promise<Answer> {
    const response = await fetch(`${url}${path}`, init);
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Answer['body']) : {} };
  }
  const post = (body: string, headers: Record<string, string> = {}) =>
    call('/graphql', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  async function errorCount(code: string): Promise<number> {
    const metric = await metrics.graphqlErrors.get();
    return metric.values.find((v) => v.labels.code === code)?.value ?? 0;
  }

  /** The access-log line of the request with this ID: written when the response finishes, so maybe not yet. */
  async function accessLog(requestId: string): Promise<Record<string, unknown>> {
    const find = () => logLines.find((l) => l.event === 'request' && l.requestId === requestId);
    while (!find()) await once(logged, 'line');
    return find()!;
  }

  /** One refusal, checked end to end: status, code, request ID in body and header, metric, access log. */
  async function assertRefusal(answer: Answer, status: number, code: string, countBefore: number): Promise<void> {
    assert.equal(answer.status, status);
    assert.equal(answer.body.errors?.length, 1);
    const error = answer.body.errors![0]!;
    assert.equal(error.extensions?.code, code);
    assert.equal(error.extensions?.requestId, answer.headers.get('x-request-id'));
    assert.equal(await errorCount(code), countBefore + 1, `${code} counted once`);
    const line = await accessLog(error.extensions!.requestId!);
    assert.equal(line.status, status);
    assert.deepEqual(line.errorCodes, [code]);
  }

  test('answers are sent whole with their exact byte length, ASCII or not', { timeout: 10_000 }, async () => {
    // The request body is capped at 512 bytes here: the large answers are repeated by the resolver.
    const cases: [string, number][] = [['plain ascii', 1], ['caf\u00e9 \u00fcber', 1], ['emoji \u{1F600} and \u4e2d\u6587', 1], ['ascii ', 15_000], ['x\u00e9', 40_000]];
    for (const [text, times] of cases) {
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'query($t: String!, $n: Int) { echo(text: $t, times: $n) }', variables: { t: text, n: times } }),
      });
      const bytes = Buffer.from(await response.arrayBuffer());
      assert.equal(response.status, 200);
      assert.equal(Number(response.headers.get('content-length')), bytes.length, 'content-length is the byte length');
      assert.deepEqual(JSON.parse(bytes.toString('utf8')), { data: { echo: text.repeat(times) } }, 'decoded as UTF-8, the text is intact');
    }
  });

  test('405 with Allow, 415, 413 and 404 are counted and logged like every other error', { timeout: 10_000 }, async () => {
    const before405 = await errorCount('METHOD_NOT_ALLOWED');
    const r405 = await call('/graphql', { method: 'PUT' });
    await assertRefusal(r405, 405, 'METHOD_NOT_ALLOWED', before405);
    assert.equal(r405.headers.get('allow'), 'GET, POST, OPTIONS');

    const before415 = await errorCount('UNSUPPORTED_MEDIA_TYPE');
    await assertRefusal(await call('/graphql', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' }), 415, 'UNSUPPORTED_MEDIA_TYPE', before415);

    const before413 = await errorCount('PAYLOAD_TOO_LARGE');
    await assertRefusal(await post(JSON.stringify({ query: `{ ping } #${'x'.repeat(600)}` })), 413, 'PAYLOAD_TOO_LARGE', before413);

    const before404 = await errorCount('NOT_FOUND_ROUTE');
    await assertRefusal(await call('/nowhere'), 404, 'NOT_FOUND_ROUTE', before404);
  });

  test('a body that is not a JSON object → 400 BAD_REQUEST; not ready → 503 with Retry-After', { timeout: 10_000 }, async () => {
    const before400 = await errorCount('BAD_REQUEST');
    await assertRefusal(await post('{"query": '), 400, 'BAD_REQUEST', before400);
    await assertRefusal(await post('[{"query":"{ ping }"}]'), 400, 'BAD_REQUEST', before400 + 1);

    ready = false;
    try {
      const before503 = await errorCount('SERVICE_UNAVAILABLE');
      const r503 = await post('{"query":"{ ping }"}');
      await assertRefusal(r503, 503, 'SERVICE_UNAVAILABLE', before503);
      assert.equal(r503.headers.get('retry-after'), '1');
    } finally {
      ready = true;
    }
  });

  test('a failed context (authentication) answers 401 with WWW-Authenticate, the request ID, a count and a log code', { timeout: 10_000 }, async () => {
    const before = await errorCount('UNAUTHENTICATED');
    const answer = await post('{"query":"{ ping }"}', { authorization: 'Bearer bad' });
    await assertRefusal(answer, 401, 'UNAUTHENTICATED', before);
    assert.equal(answer.body.errors![0]!.extensions?.reason, 'token expired');
    assert.match(answer.headers.get('www-authenticate') ?? '', /invalid_token/);
  });

  test('CSRF prevention (answered before Apollo Server runs any plugin) takes the same path', { timeout: 10_000 }, async () => {
    const before = await errorCount('BAD_REQUEST');
    await assertRefusal(await call(`/graphql?query=${encodeURIComponent('{ ping }')}`), 400, 'BAD_REQUEST', before);
  });

  test('errors of the request pipeline: a parse error is a 400 counted once; a field error is masked, 200, counted', { timeout: 10_000 }, async () => {
    const beforeParse = await errorCount('GRAPHQL_PARSE_FAILED');
    await assertRefusal(await post('{"query":"{ ping"}'), 400, 'GRAPHQL_PARSE_FAILED', beforeParse);

    const beforeInternal = await errorCount('INTERNAL_SERVER_ERROR');
    const answer = await post('{"query":"{ ping secret }"}');
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body.data, { ping: 'pong', secret: null });
    const [error] = answer.body.errors!;
    assert.equal(error!.extensions?.code, 'INTERNAL_SERVER_ERROR');
    assert.doesNotMatch(JSON.stringify(answer.body), /users\.internal|ECONNREFUSED/);
    assert.equal(error!.extensions?.requestId, answer.headers.get('x-request-id'));
    assert.equal(await errorCount('INTERNAL_SERVER_ERROR'), beforeInternal + 1);
    assert.deepEqual((await accessLog(error!.extensions!.requestId!)).errorCodes, ['INTERNAL_SERVER_ERROR']);
  });

  test('a successful request has no error codes on its access-log line; a sane X-Request-ID is kept, another replaced', { timeout: 10_000 }, async () => {
    const ok = await post('{"query":"{ ping }"}', { 'x-request-id': 'client-req-1' });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('x-request-id'), 'client-req-1');
    const line = await accessLog('client-req-1');
    assert.equal(line.errorCodes, undefined);
    const replaced = await post('{"query":"{ ping }"}', { 'x-request-id': 'bad id with spaces' });
    assert.match(replaced.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
  });

  test('/healthz, /readyz and /metrics are routed without GraphQL; OPTIONS answers a CORS preflight', { timeout: 10_000 }, async () => {
    assert.deepEqual((await call('/healthz')).body, { status: 'ok' });
    assert.deepEqual((await call('/readyz')).body, { status: 'ready' });
    const metricsText = await (await fetch(`${url}/metrics`)).text();
    assert.match(metricsText, /gateway_graphql_errors_total\{code="METHOD_NOT_ALLOWED"\} [1-9]/);
    const preflight = await fetch(`${url}/graphql`, { method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-headers': 'content-type' } });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), '*');
  });
});
