// A client's trace context is hostile input: only a well-formed traceparent of bounded size is read, and a
// tracestate only when asked (a trusted peer) and bounded too.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { remoteParentOf } from '../../../../gateway/src/tracing/otelRequestTracing.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';

function request(headers: Record<string, string | string[]>): IncomingMessage {
  return { headers } as unknown as IncomingMessage;
}

describe('remoteParentOf', () => {
  test('a well-formed traceparent is read, with its sampled flag', { timeout: 10_000 }, () => {
    const parent = remoteParentOf(request({ traceparent: `00-${TRACE_ID}-${SPAN_ID}-01` }), false);
    assert.deepEqual(parent && { traceId: parent.traceId, spanId: parent.spanId, traceFlags: parent.traceFlags, isRemote: parent.isRemote }, {
      traceId: TRACE_ID,
      spanId: SPAN_ID,
      traceFlags: 1,
      isRemote: true,
    });
  });

  test('malformed, all-zero, version ff, version 00 with extra fields, repeated or oversized: ignored', { timeout: 10_000 }, () => {
    for (const traceparent of [
      'garbage',
      `00-${TRACE_ID.toUpperCase()}-${SPAN_ID}-01`,
      `00-${'0'.repeat(32)}-${SPAN_ID}-01`,
      `00-${TRACE_ID}-${'0'.repeat(16)}-01`,
      `ff-${TRACE_ID}-${SPAN_ID}-01`,
      `00-${TRACE_ID}-${SPAN_ID}-01-extra`,
      `01-${TRACE_ID}-${SPAN_ID}-01-${'a'.repeat(300)}`,
    ]) {
      assert.equal(remoteParentOf(request({ traceparent }), true), undefined, traceparent.slice(0, 80));
    }
    // Two headers (Node joins them with ", "): the spec says to ignore both.
    assert.equal(remoteParentOf(request({ traceparent: `00-${TRACE_ID}-${SPAN_ID}-01, 00-${TRACE_ID}-${SPAN_ID}-00` }), true), undefined);
  });

  test('tracestate: kept only when asked, an oversized one dropped, members bounded by TraceState', { timeout: 10_000 }, () => {
    const traceparent = `00-${TRACE_ID}-${SPAN_ID}-01`;
    assert.equal(remoteParentOf(request({ traceparent, tracestate: 'a=1' }), false)?.traceState, undefined);
    assert.equal(remoteParentOf(request({ traceparent, tracestate: 'a=1,b=2' }), true)?.traceState?.serialize(), 'a=1,b=2');
    assert.equal(remoteParentOf(request({ traceparent, tracestate: `a=${'x'.repeat(5000)}` }), true)?.traceState, undefined);
    const many = Array.from({ length: 100 }, (_, i) => `k${i}=v`).join(',');
    const kept = remoteParentOf(request({ traceparent, tracestate: many }), true)?.traceState?.serialize() ?? '';
    assert.ok(kept.split(',').length <= 32, `at most 32 members kept, got ${kept.split(',').length}`);
  });
});
