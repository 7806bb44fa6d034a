// The datasource's lean process() keeps what RemoteGraphQLDataSource's own process() does, against a real
// node:http "subgraph" on port 0: the body upstream would send, the subgraph's cache-control hint on the
// operation's cache policy and `didReceiveResponse` (both through upstream's private `respond`), a non-2xx
// answer through `errorFromResponse` (status seen by the refusal log), a body that is not JSON, and a
// query retried after a 503 while a mutation is not.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLDataSourceRequestKind } from '@apollo/gateway/dist/datasources/types.js';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { GraphQLError } from 'graphql';
import type { GatewayContext } from '../../../gateway/src/context.js';
import { SubgraphDataSource } from '../../../gateway/src/datasource.js';
import { ResponseBudget } from '../../../gateway/src/responseBudget.js';
import { createSubgraphConnectionPool } from '../../../gateway/src/subgraphFetcher.js';
import type { SubgraphRefusal } from '../../../gateway/src/subgraphRefusal.js';
import { createSubgraphCaller, resilienceConfigSchema } from '../../../gateway/src/subgraphResilience.js';
import { listenOnLoopback } from '../../support/loopbackServer.js';

type Reply = (res: ServerResponse) => void;

describe('SubgraphDataSource: the lean process() keeps upstream behaviour', () => {
  const bodies: string[] = [];
  /** The answers the subgraph gives, in order; the last one repeats. */
  let replies: Reply[] = [];
  let subgraph: Server;
  let url: string;
  const pool = createSubgraphConnectionPool();

  before(async () => {
    subgraph = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        bodies.push(body);
        const reply = replies.length > 1 ? replies.shift()! : replies[0]!;
        reply(res);
      });
    });
    url = `${await listenOnLoopback(subgraph)}/graphql`;
  }, { timeout: 30_000 });

  after(async () => {
    await pool.close();
    subgraph.closeAllConnections();
    await new Promise((resolve) => subgraph.close(resolve));
  }, { timeout: 30_000 });

  const json = (value: unknown, headers: Record<string, string> = {}): Reply => (res) => {
    res.writeHead(200, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(value));
  };

  function dataSource(refusals: SubgraphRefusal[] = [], retries = 0): SubgraphDataSource {
    return new SubgraphDataSource({
      name: 'users',
      url,
      timeoutMs: 5_000,
      maxResponseBytes: 1_048_576,
      identity: undefined,
      propagateHeaders: [],
      connectionPool: pool,
      caller: createSubgraphCaller(resilienceConfigSchema.parse({ retries, retryBackoffMs: 0, circuitBreaker: { enabled: false } })),
      onRefused: (_subgraph, refusal) => refusals.push(refusal),
    });
  }

  /** What @apollo/gateway hands the datasource for one fetch; `restrict` records the cache hints. */
  function fetchOptions(query: string, hints: unknown[] = [], operation: 'query' | 'mutation' = 'query'): GraphQLDataSourceProcessOptions<GatewayContext> {
    const context = {
      requestId: 'req-1',
      clientIp: '127.0.0.1',
      auth: null,
      req: { headers: {} } as IncomingMessage,
      requestLog: { errorCodes: [] },
      responseBudget: new ResponseBudget(1_048_576),
    } satisfies GatewayContext;
    return {
      kind: GraphQLDataSourceRequestKind.INCOMING_OPERATION,
      request: { query, variables: { first: 2 }, operationName: 'Q' },
      context,
      incomingRequestContext: {
        context,
        operation: { operation },
        overallCachePolicy: { restrict: (hint: unknown) => hints.push(hint) },
      },
      pathInIncomingRequest: ['users'],
    } as unknown as GraphQLDataSourceProcessOptions<GatewayContext>;
  }

  test('sends the body upstream sends: query, variables, operationName, in that order', { timeout: 10_000 }, async () => {
    replies = [json({ data: { users: [] } })];
    bodies.length = 0;
    await dataSource().process(fetchOptions('query Q($first: Int) { users(first: $first) { id } }'));
    assert.equal(bodies[0], JSON.stringify({ query: 'query Q($first: Int) { users(first: $first) { id } }', variables: { first: 2 }, operationName: 'Q' }));
  });

  test("the subgraph's cache-control reaches the operation's cache policy, and the answer is the parsed body", { timeout: 10_000 }, async () => {
    replies = [json({ data: { users: [{ id: 'u1' }] } }, { 'cache-control': 'max-age=60, public' })];
    const hints: unknown[] = [];
    const response = await dataSource().process(fetchOptions('{ users { id } }', hints));
    assert.deepEqual(hints, [{ maxAge: 60, scope: 'PUBLIC' }]);
    assert.deepEqual(response.data, { users: [{ id: 'u1' }] });
    assert.equal(response.http?.headers.get('Cache-Control'), 'max-age=60, public');
  });

  test('didReceiveResponse of a subclass sees the answer and may replace it', { timeout: 10_000 }, async () => {
    replies = [json({ data: { users: [] } })];
    class Annotating extends SubgraphDataSource {
      override didReceiveResponse({ response }: { response: GatewayGraphQLResponse }): GatewayGraphQLResponse {
        return { ...response, extensions: { seen: true } };
      }
    }
    const source = dataSource();
    const annotating = Object.assign(Object.create(Annotating.prototype) as Annotating, source);
    const response = await annotating.process(fetchOptions('{ users { id } }'));
    assert.deepEqual(response.extensions, { seen: true });
  });

  test('a 401 goes through errorFromResponse: coded DOWNSTREAM_SERVICE_ERROR at the path, the refusal logged with its reason', { timeout: 10_000 }, async () => {
    replies = [
      (res) => {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ errors: [{ message: 'gateway identity token expired' }] }));
      },
    ];
    const refusals: SubgraphRefusal[] = [];
    const failure = await dataSource(refusals).process(fetchOptions('{ users { id } }')).then(
      () => assert.fail('expected an error'),
      (error: unknown) => error,
    );
    assert.ok(failure instanceof GraphQLError);
    assert.equal(failure.extensions.code, 'DOWNSTREAM_SERVICE_ERROR');
    assert.deepEqual(failure.path, ['users']);
    assert.deepEqual(refusals.map((r) => [r.status, r.reason]), [[401, 'gateway identity token expired']]);
  });

  test('an answer that is not JSON is a DOWNSTREAM_SERVICE_ERROR, not a crash', { timeout: 10_000 }, async () => {
    replies = [
      (res) => {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<html>proxy error</html>');
      },
    ];
    await assert.rejects(dataSource().process(fetchOptions('{ users { id } }')), (error: GraphQLError) => error.extensions.code === 'DOWNSTREAM_SERVICE_ERROR');
  });

  test('a query is sent again after a 503; a mutation is not', { timeout: 10_000 }, async () => {
    const unavailable: Reply = (res) => {
      res.writeHead(503, { 'content-type': 'text/plain' });
      res.end('busy');
    };
    replies = [unavailable, json({ data: { users: [] } })];
    bodies.length = 0;
    const response = await dataSource([], 1).process(fetchOptions('{ users { id } }'));
    assert.deepEqual(response.data, { users: [] });
    assert.equal(bodies.length, 2);

    replies = [unavailable, json({ data: { addUser: { id: 'u2' } } })];
    bodies.length = 0;
    await assert.rejects(dataSource([], 1).process(fetchOptions('mutation { addUser { id } }', [], 'mutation')));
    assert.equal(bodies.length, 1);
  });
});
