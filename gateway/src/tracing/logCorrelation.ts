// The trace ID and span ID in every log line written while a traced request is being served: the HTTP layer
// runs each traced request inside `runWithTrace`, and the logger's mixin (installed only when tracing is on)
// reads it back. AsyncLocalStorage is created on first use, so an untraced gateway never enables it.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { RequestTrace } from './requestTrace.js';

let activeTrace: AsyncLocalStorage<RequestTrace> | undefined;

export function runWithTrace<T>(requestTrace: RequestTrace, run: () => T): T {
  activeTrace ??= new AsyncLocalStorage<RequestTrace>();
  return activeTrace.run(requestTrace, run);
}

/** pino `mixin`: the fields of the trace active where the line is logged (none outside a traced request). */
export function traceLogFields(): { traceId?: string; spanId?: string } {
  const current = activeTrace?.getStore();
  return current ? { traceId: current.traceId, spanId: current.spanId } : {};
}
