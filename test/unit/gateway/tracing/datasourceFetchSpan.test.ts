// The datasource reports each subgraph fetch to its span: the breaker state it met, each retry with its
// reason, the final status or the gateway's code, and the traceparent it was given on the wire. Against a
// real node:http "subgraph" on port 0; the span side is a recording RequestTrace.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http';
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLDataSourceRequestKind } from '@apollo/gateway/dist/datasources/types.js';
import type { GatewayContext } from '../../../../gateway/src/context.js';
import { SubgraphDataSource } from '../../../../gateway/src/datasource.js';
import { ResponseBudget } from '../../../../gateway/src/responseBudget.js';
import { createSubgraphConnectionPool } from '../../../../gateway/src/subgraphFetcher.js';
import { createSubgraphCaller, resilienceConfigSchema } from '../../../../gateway/src/subgraphResilience.js';
import type { RequestTrace, SubgraphFetchOutcome } from '../../../../gateway/src/tracing/requestTrace.js';
import { listenOnLoopback } from '../../../support/loopbackServer.js';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

interface RecordedFetch {
  subgraph: string;
  breakerState: string;
  retries: [number, string][];
  outcome?: SubgraphFetchOutcome;
}

function recordingTrace(fetches: RecordedFetch[]): RequestTrace {
  return {
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId: '00f067aa0ba902b7',
    startPhase: () => {},
    endPhase: () => {},
    end: () => {},
    startSubgraphFetch(subgraph, _url, breakerState) {
      const fetch: RecordedFetch = { subgraph, breakerState, retries: [] };
      fetches.push(fetch);
      return {
        headers: { traceparent: TRACEPARENT },
        retrying: (attempt, reason) => fetch.retries.push([attempt, reason]),
        end: (outcome) => (fetch.outcome = outcome),
      };
    },
  };
}

describe('SubgraphDataSource: the fetch span', () => {
  /** Statuses the subgraph answers with, in order; the last one repeats. */
  let statuses: number[] = [];
  const received: IncomingHttpHeaders[] = [];
  let subgraph: Server;
  let url: string;
  const pool = createSubgraphConnectionPool();

  before(async () => {
    subgraph = createServer((req: IncomingMessage, res) => {
      req.resume();
      req.on('end', () => {
        received.push(req.headers);
        const status = statuses.length > 1 ? statuses.shift()! : statuses[0]!;
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(status === 200 ? { data: { users: [] } } : { errors: [{ message: 'down' }] }));
      });
    });
    url = `${await listenOnLoopback(subgraph)}/graphql`;
  }, { timeout: 30_000 });

  after(async () => {
    await pool.close();
    subgraph.closeAllConnections();
    await new Promise((resolve) => subgraph.close(resolve));
  }, { timeout: 30_000 });

  function dataSource(resilience: Record<string, unknown>): SubgraphDataSource {
    return new SubgraphDataSource({
      name: 'users',
      url,
      timeoutMs: 5_000,
      maxResponseBytes: 1_048_576,
      identity: undefined,
      propagateHeaders: [],
      connectionPool: pool,
      caller: createSubgraphCaller(resilienceConfigSchema.parse({ retryBackoffMs: 0, ...resilience })),
    });
  }

  function fetchOptions(trace: RequestTrace, clientHeaders: Record<string, string> = {}): GraphQLDataSourceProcessOptions<GatewayContext> {
    const context = {
      requestId: 'req-1',
      clientIp: '127.0.0.1',
      auth: null,
      req: { headers: clientHeaders } as unknown as IncomingMessage,
      requestLog: { errorCodes: [] },
      responseBudget: new ResponseBudget(1_048_576),
      trace,
    } satisfies GatewayContext;
    return {
      kind: GraphQLDataSourceRequestKind.INCOMING_OPERATION,
      request: { query: '{ users { id } }' },
      context,
      incomingRequestContext: { context, operation: { operation: 'query' }, overallCachePolicy: { restrict: () => {} } },
      pathInIncomingRequest: ['users'],
    } as unknown as GraphQLDataSourceProcessOptions<GatewayContext>;
  }

  test("a retried query: each retry with its reason, then the subgraph's status; the span's traceparent on the wire", { timeout: 10_000 }, async () => {
    statuses = [503, 200];
    received.length = 0;
    const fetches: RecordedFetch[] = [];
    await dataSource({ retries: 1, circuitBreaker: { enabled: false } }).process(fetchOptions(recordingTrace(fetches), { traceparent: '00-ffffffffffffffffffffffffffffffff-ffffffffffffffff-01' }));
    assert.deepEqual(fetches, [{ subgraph: 'users', breakerState: 'disabled', retries: [[1, 'HTTP 503']], outcome: { status: 200, graphqlErrors: undefined } }]);
    assert.deepEqual(received.map((headers) => headers.traceparent), [TRACEPARENT, TRACEPARENT], "the gateway's traceparent on both attempts, never the client's");
  });

  test('an open breaker: the span says so and ends SUBGRAPH_UNAVAILABLE, nothing sent', { timeout: 10_000 }, async () => {
    statuses = [503];
    const source = dataSource({ retries: 0, circuitBreaker: { volumeThreshold: 1, errorThresholdPercentage: 1, resetTimeoutMs: 60_000 } });
    const fetches: RecordedFetch[] = [];
    await assert.rejects(source.process(fetchOptions(recordingTrace(fetches))));
    received.length = 0;
    await assert.rejects(source.process(fetchOptions(recordingTrace(fetches))));
    assert.equal(received.length, 0, 'the open breaker sent nothing');
    assert.deepEqual(
      fetches.map((f) => [f.breakerState, f.outcome]),
      [
        ['closed', { status: 503, errorCode: 'DOWNSTREAM_SERVICE_ERROR' }],
        ['open', { status: undefined, errorCode: 'SUBGRAPH_UNAVAILABLE' }],
      ],
    );
  });
});
