// OpenTelemetry tracing through real processes: users and orders subgraphs (behind recording proxies, to see the
// traceparent they receive), gateways exporting over OTLP/HTTP to a real receiver started here, on ephemeral
// ports. Spans are awaited as the receiver gets them (the export delay is configured short, never slept).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { postGraphQL } from '../../support/http.js';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../../support/otlpReceiver.js';
import { startRecordingProxy, type RecordingProxy } from '../../support/recordingProxy.js';
import type { RunningProcess } from '../../support/processes.js';
import { startSampleGraph, type SampleGraph } from '../../support/sampleGraph.js';

const SERVER = 2;
const CLIENT = 3;
const ERROR = 2;

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** The spans of one trace, by the request ID the gateway put on its request span. */
function traceOf(spans: readonly ReceivedSpan[], requestId: string): ReceivedSpan[] {
  const root = spans.find((s) => s.attributes['gateway.request_id'] === requestId);
  return root ? spans.filter((s) => s.traceId === root.traceId) : [];
}

function only(spans: readonly ReceivedSpan[], name: string): ReceivedSpan {
  const matching = spans.filter((s) => s.name === name);
  assert.equal(matching.length, 1, `one ${name} span, got ${matching.length}: ${spans.map((s) => s.name).join(', ')}`);
  return matching[0]!;
}

/** The traceparent headers the subgraph behind `proxy` received since `from`. */
function traceparentsSince(proxy: RecordingProxy, from: number): string[] {
  return proxy.exchanges.slice(from).map((exchange) => String(exchange.requestHeaders.traceparent));
}

describe('OpenTelemetry tracing', () => {
  let receiver: OtlpReceiver;
  let graph: SampleGraph;
  const proxies: Record<string, RecordingProxy> = {};
  /** Tracing from its config file alone; continues loopback clients' traces. */
  let traced: RunningProcess;
  let tracedUrl: string;
  /** Tracing from OTEL_* variables alone; trusts no client's traceparent; its orders subgraph is a closed port. */
  let fromEnv: RunningProcess;
  let auth: Record<string, string>;

  before(async () => {
    receiver = await startOtlpReceiver();
    graph = await startSampleGraph({
      subgraphBaseUrl: async (name, url) => (proxies[name] = await startRecordingProxy(url)).url,
      gatewayConfig: { subgraphs: { orders: { url: 'http://127.0.0.1:1/graphql', resilience: { retries: 1, retryBackoffMs: 0 } } } },
      gatewayEnv: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: 'gateway-from-env', OTEL_BSP_SCHEDULE_DELAY: '20', OTEL_TRACES_SAMPLER: 'parentbased_always_on', OTEL_EXPORTER_OTLP_HEADERS: 'x-collector-key=test-key' },
    });
    fromEnv = graph.gateway;
    traced = await graph.startGateway(
      {
        subgraphs: { orders: { url: `${proxies.orders!.url}/graphql` } },
        tracing: { endpoint: `${receiver.url}/v1/traces`, serviceName: 'gateway-from-config', acceptTraceparentFrom: ['127.0.0.1', '::1'], batch: { scheduledDelayMs: 20 } },
      },
      // Empty values count as unset (the OTel spec): this gateway's tracing comes from its file alone.
      { OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_SERVICE_NAME: '', OTEL_BSP_SCHEDULE_DELAY: '', OTEL_TRACES_SAMPLER: '' },
    );
    tracedUrl = `${traced.url}/graphql`;
    auth = { authorization: `Bearer ${await graph.tokenFor('user-1', ['orders:read:all'])}` };
  }, { timeout: 90_000 });
  after(async () => {
    await graph?.stop();
    await Promise.all(Object.values(proxies).map((proxy) => proxy.close()));
    await receiver?.close();
  }, { timeout: 60_000 });

  test('a request is one trace: request → parse, validate, policy, plan, execute → one span per subgraph fetch', { timeout: 30_000 }, async () => {
    const usersSeen = proxies.users!.exchanges.length;
    const ordersSeen = proxies.orders!.exchanges.length;
    const response = await postGraphQL(tracedUrl, { query: 'query TracedTree { users(first: 2) { id orders(first: 1) { id } } }' }, auth);
    assert.equal(response.status, 200);
    assert.equal(response.body.errors, undefined);
    const requestId = response.headers.get('x-request-id')!;
    const spans = traceOf(
      await receiver.waitFor((all) => traceOf(all, requestId).filter((s) => s.name.startsWith('subgraph ')).length >= 2 && traceOf(all, requestId).some((s) => s.kind === SERVER)),
      requestId,
    );

    const root = only(spans, 'POST /graphql');
    assert.equal(root.kind, SERVER);
    assert.equal(root.parentSpanId, '', 'no client traceparent: the request starts the trace');
    assert.equal(root.attributes['graphql.operation.name'], 'TracedTree');
    assert.equal(root.attributes['graphql.operation.type'], 'query');
    assert.equal(root.attributes['http.response.status_code'], 200);
    assert.equal(root.attributes['http.route'], '/graphql');
    assert.notEqual(root.status.code, ERROR);
    assert.equal(root.resource['service.name'], 'gateway-from-config');
    for (const phase of ['graphql.parse', 'graphql.validate', 'graphql.policy', 'graphql.plan', 'graphql.execute']) {
      assert.equal(only(spans, phase).parentSpanId, root.spanId, `${phase} is a child of the request span`);
    }
    const execute = only(spans, 'graphql.execute');
    for (const subgraph of ['users', 'orders']) {
      const fetch = only(spans, `subgraph ${subgraph}`);
      assert.equal(fetch.kind, CLIENT);
      assert.equal(fetch.parentSpanId, execute.spanId, `the ${subgraph} fetch is a child of execute`);
      assert.equal(fetch.attributes['subgraph.name'], subgraph);
      assert.equal(fetch.attributes['http.response.status_code'], 200);
      assert.equal(fetch.attributes['gateway.subgraph.retries'], 0);
      assert.equal(fetch.attributes['gateway.subgraph.circuit_breaker'], 'closed');
    }
    // Each subgraph received the gateway's traceparent naming its fetch span as the parent, sampled.
    assert.deepEqual(traceparentsSince(proxies.users!, usersSeen), [`00-${root.traceId}-${only(spans, 'subgraph users').spanId}-01`]);
    assert.deepEqual(traceparentsSince(proxies.orders!, ordersSeen), [`00-${root.traceId}-${only(spans, 'subgraph orders').spanId}-01`]);

    // The trace ID in the gateway's log lines: the access line, and lines logged while the request ran.
    const accessLine = await traced.waitForLog((r) => r.event === 'request' && r.requestId === requestId);
    assert.equal(accessLine.traceId, root.traceId);
    assert.equal(accessLine.spanId, root.spanId);
  });

  test('every line logged while a request runs carries its trace ID (an error logged by the pipeline)', { timeout: 30_000 }, async () => {
    const response = await postGraphQL(tracedUrl, { query: '{ users(first: 1) { id noSuchField } }' }, auth);
    assert.equal(response.status, 400);
    const requestId = response.headers.get('x-request-id')!;
    const errorLine = await traced.waitForLog((r) => r.event === 'graphql_error' && r.requestId === requestId);
    const spans = traceOf(await receiver.waitFor((all) => traceOf(all, requestId).length > 0), requestId);
    const root = only(spans, 'POST /graphql');
    assert.equal(errorLine.traceId, root.traceId);
    assert.equal(errorLine.spanId, root.spanId);
    assert.equal(root.attributes['http.response.status_code'], 400);
    assert.deepEqual(root.attributes['gateway.error_codes'], ['GRAPHQL_VALIDATION_FAILED']);
    assert.notEqual(root.status.code, ERROR, "a refused request is the client's mistake, not a gateway error");
  });

  test('an operation the policy refuses: the policy span is the failed one, nothing planned or executed', { timeout: 30_000 }, async () => {
    const response = await postGraphQL(tracedUrl, { query: 'query Known { users(first: 1) { id } }', operationName: 'Unknown' }, auth);
    assert.equal(response.status, 400);
    const requestId = response.headers.get('x-request-id')!;
    const spans = traceOf(await receiver.waitFor((all) => traceOf(all, requestId).some((s) => s.kind === SERVER)), requestId);
    assert.equal(only(spans, 'graphql.policy').status.code, ERROR);
    assert.deepEqual(spans.filter((s) => s.name === 'graphql.plan' || s.name === 'graphql.execute' || s.name.startsWith('subgraph ')), []);
    assert.deepEqual(only(spans, 'POST /graphql').attributes['gateway.error_codes'], ['OPERATION_RESOLUTION_FAILURE']);
  });

  test("a trusted client's traceparent is continued, and its trace reaches the subgraph", { timeout: 30_000 }, async () => {
    const traceId = hex(16);
    const parentId = hex(8);
    const usersSeen = proxies.users!.exchanges.length;
    const response = await postGraphQL(tracedUrl, { query: 'query Continued { users(first: 1) { id } }' }, { ...auth, traceparent: `00-${traceId}-${parentId}-01`, tracestate: 'vendor=abc' });
    assert.equal(response.status, 200);
    const requestId = response.headers.get('x-request-id')!;
    const spans = traceOf(await receiver.waitFor((all) => traceOf(all, requestId).some((s) => s.name === 'subgraph users') && traceOf(all, requestId).some((s) => s.kind === SERVER)), requestId);
    const root = only(spans, 'POST /graphql');
    assert.equal(root.traceId, traceId);
    assert.equal(root.parentSpanId, parentId);
    const fetch = only(spans, 'subgraph users');
    assert.deepEqual(traceparentsSince(proxies.users!, usersSeen), [`00-${traceId}-${fetch.spanId}-01`]);
    assert.equal(proxies.users!.exchanges.at(-1)!.requestHeaders.tracestate, 'vendor=abc', "a trusted parent's tracestate travels on");
  });

  test('OTEL_* variables alone turn export on; an untrusted traceparent starts a new trace (linked), never reaching the subgraph', { timeout: 30_000 }, async () => {
    const clientTraceId = hex(16);
    const clientParentId = hex(8);
    const usersSeen = proxies.users!.exchanges.length;
    const response = await postGraphQL(graph.graphqlUrl, { query: 'query Untrusted { users(first: 1) { id } }' }, { ...auth, traceparent: `00-${clientTraceId}-${clientParentId}-01`, tracestate: 'evil=1' });
    assert.equal(response.status, 200);
    const requestId = response.headers.get('x-request-id')!;
    const spans = traceOf(await receiver.waitFor((all) => traceOf(all, requestId).some((s) => s.name === 'subgraph users') && traceOf(all, requestId).some((s) => s.kind === SERVER)), requestId);
    const root = only(spans, 'POST /graphql');
    assert.equal(root.resource['service.name'], 'gateway-from-env');
    assert.notEqual(root.traceId, clientTraceId);
    assert.equal(root.parentSpanId, '');
    assert.deepEqual(root.links, [{ traceId: clientTraceId, spanId: clientParentId, attributes: { 'gateway.untrusted_parent': true } }]);
    const forwarded = traceparentsSince(proxies.users!, usersSeen);
    assert.deepEqual(forwarded, [`00-${root.traceId}-${only(spans, 'subgraph users').spanId}-01`]);
    assert.equal(proxies.users!.exchanges.at(-1)!.requestHeaders.tracestate, undefined, "an untrusted client's tracestate is dropped");
    assert.equal((await fromEnv.waitForLog((r) => r.event === 'request' && r.requestId === requestId)).traceId, root.traceId);
    // The exporter's own variables still apply (a vendor's API key in OTEL_EXPORTER_OTLP_HEADERS).
    assert.ok(receiver.requests.some((request) => request.headers['x-collector-key'] === 'test-key'), 'OTEL_EXPORTER_OTLP_HEADERS sent with the export');
  });

  test('a malformed or oversized traceparent is ignored: a new trace, the request served', { timeout: 30_000 }, async () => {
    for (const traceparent of ['00-zz-1-01', `00-${'0'.repeat(32)}-${hex(8)}-01`, `00-${hex(16)}-${hex(8)}-01-extra`, `ab-${hex(16)}-${hex(8)}-01${'-x'.repeat(2000)}`]) {
      const response = await postGraphQL(tracedUrl, { query: '{ users(first: 1) { id } }' }, { ...auth, traceparent });
      assert.equal(response.status, 200);
      const requestId = response.headers.get('x-request-id')!;
      const root = only(traceOf(await receiver.waitFor((all) => traceOf(all, requestId).some((s) => s.kind === SERVER)), requestId), 'POST /graphql');
      assert.equal(root.parentSpanId, '', `${traceparent.slice(0, 60)} is not continued`);
      assert.deepEqual(root.links, []);
    }
  });

  test("a failing subgraph fetch: the span has the gateway's code, the retry and the breaker state", { timeout: 30_000 }, async () => {
    const response = await postGraphQL(graph.graphqlUrl, { query: 'query Failing { users(first: 1) { id orders(first: 1) { id } } }' }, auth);
    const requestId = response.headers.get('x-request-id')!;
    const spans = traceOf(await receiver.waitFor((all) => traceOf(all, requestId).some((s) => s.name === 'subgraph orders') && traceOf(all, requestId).some((s) => s.kind === SERVER)), requestId);
    const fetch = only(spans, 'subgraph orders');
    assert.equal(fetch.status.code, ERROR);
    assert.equal(fetch.attributes['error.type'], 'DOWNSTREAM_SERVICE_ERROR');
    assert.equal(fetch.attributes['gateway.subgraph.retries'], 1);
    assert.equal(fetch.attributes['gateway.subgraph.circuit_breaker'], 'closed');
    assert.equal(fetch.attributes['http.response.status_code'], undefined, 'no answer: no status');
    assert.deepEqual(fetch.events.map((e) => [e.name, e.attributes.attempt, e.attributes.reason]), [['retry', 1, 'ECONNREFUSED']]);
    const root = only(spans, 'POST /graphql');
    assert.equal(root.status.code, ERROR, 'errors in the answer make the request span an error');
    assert.equal(only(spans, 'graphql.execute').status.code, ERROR);
  });

  test('spans still waiting in the batch are exported on shutdown (SIGTERM), before the process exits', { timeout: 40_000 }, async () => {
    const gateway = await graph.startGateway(
      {
        subgraphs: { orders: { url: `${proxies.orders!.url}/graphql` } },
        // 10 min between exports: nothing leaves before shutdown, unless the batch fills (512 spans).
        tracing: { endpoint: `${receiver.url}/v1/traces`, serviceName: 'gateway-shutdown', batch: { scheduledDelayMs: 600_000 } },
      },
      { OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_SERVICE_NAME: '', OTEL_BSP_SCHEDULE_DELAY: '', OTEL_TRACES_SAMPLER: '' },
    );
    const response = await postGraphQL(`${gateway.url}/graphql`, { query: 'query BeforeShutdown { users(first: 1) { id } }' }, auth);
    assert.equal(response.status, 200);
    const requestId = response.headers.get('x-request-id')!;
    await gateway.waitForLog((r) => r.event === 'request' && r.requestId === requestId);
    assert.deepEqual(traceOf(receiver.spans, requestId), [], 'not exported yet');
    assert.equal(await gateway.stop(), 0);
    const spans = traceOf(receiver.spans, requestId);
    assert.deepEqual(
      spans.map((s) => s.name).sort(),
      ['POST /graphql', 'graphql.execute', 'graphql.parse', 'graphql.plan', 'graphql.policy', 'graphql.validate', 'subgraph users'],
      'the whole trace arrived before the process exited',
    );
    assert.equal(spans[0]!.resource['service.name'], 'gateway-shutdown');
  });
});
