// The datasource in-process, against a real node:http "subgraph" on port 0 that records what it gets:
// which headers a subgraph sees (the signed identity and request ID, listed client headers, never a
// client's internal headers), and how transport failures become coded field errors at the fetch's path.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http';
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLDataSourceRequestKind } from '@apollo/gateway/dist/datasources/types.js';
import { GraphQLError } from 'graphql';
import { GATEWAY_IDENTITY_HEADER, verifyGatewayIdentity } from '@federation-gateway/identity';
import type { GatewayContext } from '../../../gateway/src/context.js';
import { SubgraphDataSource } from '../../../gateway/src/datasource.js';
import { INTERNAL_HEADERS } from '../../../gateway/src/internalHeaders.js';
import { ResponseBudget } from '../../../gateway/src/responseBudget.js';
import { createSubgraphConnectionPool } from '../../../gateway/src/subgraphFetcher.js';
import { createSubgraphCaller, resilienceConfigSchema } from '../../../gateway/src/subgraphResilience.js';
import { listenOnLoopback } from '../../support/loopbackServer.js';

const SECRET = 'datasource-test-secret-0123456789abcdef';

describe('SubgraphDataSource', () => {
  const received: IncomingHttpHeaders[] = [];
  /** The request bodies, exactly as received (the identity token is bound to them). */
  const bodies: string[] = [];
  /** Requests the subgraph holds without answering (the timeout test), released in after(). */
  const held: (() => void)[] = [];
  let subgraph: Server;
  let subgraphUrl: string;
  const pool = createSubgraphConnectionPool();

  before(async () => {
    subgraph = createServer((req: IncomingMessage, res) => {
      received.push(req.headers);
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        bodies.push(body);
        const answer = () => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ data: { ping: 'pong' } }));
        };
        if (body.includes('hang')) held.push(answer);
        else answer();
      });
    });
    subgraphUrl = `${await listenOnLoopback(subgraph)}/graphql`;
  }, { timeout: 10_000 });

  after(async () => {
    for (const release of held) release();
    await pool.close();
    subgraph.closeAllConnections();
    await new Promise((resolveClose) => subgraph.close(resolveClose));
  }, { timeout: 10_000 });

  function dataSource(options: { url?: string; timeoutMs?: number; propagateHeaders?: string[] } = {}): SubgraphDataSource {
    return new SubgraphDataSource({
      name: 'users',
      url: options.url ?? subgraphUrl,
      timeoutMs: options.timeoutMs ?? 5_000,
      maxResponseBytes: 1_048_576,
      identity: { secret: SECRET, lifetimeSeconds: 10 },
      propagateHeaders: options.propagateHeaders ?? [],
      connectionPool: pool,
      // No retries, no breaker: each test sees exactly one fetch.
      caller: createSubgraphCaller(resilienceConfigSchema.parse({ retries: 0, circuitBreaker: { enabled: false } })),
    });
  }

  /** What @apollo/gateway hands the datasource for one fetch of a client's operation. */
  function fetchOptions(query: string, clientHeaders: IncomingHttpHeaders, path: (string | number)[] = ['me']): GraphQLDataSourceProcessOptions<GatewayContext> {
    const context: GatewayContext = {
      requestId: 'req-42',
      clientIp: '127.0.0.1',
      auth: { subject: 'user-7', scopes: ['orders:read'], roles: ['admin'], claims: {}, kind: 'user', tier: 'gold' },
      req: { headers: clientHeaders } as IncomingMessage,
      requestLog: { errorCodes: [] },
      responseBudget: new ResponseBudget(1_048_576),
    };
    // Headers Apollo Server copied from somewhere upstream: internal ones must not survive either.
    const http = { method: 'POST', url: subgraphUrl, headers: new Headers({ 'x-user-id': 'forged', [GATEWAY_IDENTITY_HEADER]: 'forged' }) };
    return {
      kind: GraphQLDataSourceRequestKind.INCOMING_OPERATION,
      request: { query, http },
      context,
      incomingRequestContext: { context } as never,
      document: undefined,
      pathInIncomingRequest: path,
    } as unknown as GraphQLDataSourceProcessOptions<GatewayContext>;
  }

  test('the subgraph gets the signed identity and request ID, listed client headers, and no internal header a client sent', { timeout: 10_000 }, async () => {
    const clientHeaders: IncomingHttpHeaders = {
      authorization: 'Bearer client-token',
      'x-tenant': 'acme',
      ...Object.fromEntries(INTERNAL_HEADERS.map((name) => [name, 'forged'])),
    };
    const response = await dataSource({ propagateHeaders: ['x-tenant'] }).process(fetchOptions('{ ping }', clientHeaders));
    assert.deepEqual(response.data, { ping: 'pong' });
    const headers = received.at(-1)!;
    assert.equal(headers['x-tenant'], 'acme');
    assert.equal(headers.authorization, undefined, 'not listed in propagateHeaders');
    assert.equal(headers['x-request-id'], 'req-42');
    for (const name of INTERNAL_HEADERS) {
      if (name === GATEWAY_IDENTITY_HEADER || name === 'x-request-id') continue;
      assert.equal(headers[name], undefined, `${name} is never forwarded`);
    }
    const verified = await verifyGatewayIdentity(headers[GATEWAY_IDENTITY_HEADER] as string, { secret: SECRET, audience: 'users', body: bodies.at(-1)! });
    assert.deepEqual(verified.identity, { subject: 'user-7', scopes: ['orders:read'], roles: ['admin'], kind: 'user', tier: 'gold' });
    assert.equal(verified.requestId, 'req-42');
  });

  test('a subgraph slower than timeoutMs → GATEWAY_TIMEOUT at the fetch path, detail only in `internal`', { timeout: 10_000 }, async () => {
    const error = await dataSource({ timeoutMs: 200 }).process(fetchOptions('{ hang }', {}, ['me', 'orders'])).then(
      () => assert.fail('expected a timeout'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof GraphQLError);
    assert.equal(error.extensions.code, 'GATEWAY_TIMEOUT');
    assert.deepEqual(error.path, ['me', 'orders']);
    assert.equal((error.extensions.internal as { serviceName?: string }).serviceName, 'users');
  });

  test('a subgraph that drops the connection → DOWNSTREAM_SERVICE_ERROR; the message names no URL', { timeout: 10_000 }, async () => {
    const dropping = createServer();
    dropping.on('connection', (socket) => socket.destroy());
    const url = `${await listenOnLoopback(dropping)}/graphql`;
    try {
      const error = await dataSource({ url }).process(fetchOptions('{ ping }', {}, [])).then(
        () => assert.fail('expected a failure'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof GraphQLError);
      assert.equal(error.extensions.code, 'DOWNSTREAM_SERVICE_ERROR');
      assert.equal(error.path, undefined, 'a root fetch: the error belongs to the whole response');
      assert.doesNotMatch(error.message, /127\.0\.0\.1|socket|ECONNRESET/);
    } finally {
      await new Promise((resolveClose) => dropping.close(resolveClose));
    }
  });
});
