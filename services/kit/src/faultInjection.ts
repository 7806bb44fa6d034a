// Test-only fault injection, so integration tests can drive every failure mode through the REAL service
// process. Enabled only when the process starts with env FAULT_INJECTION=1; otherwise the control endpoint
// does not exist (404) and no request is ever altered.
//
//   POST   /_faults  {"kind":"status","status":500,"route":"GET /stock","times":1}  queue a fault → 201
//   GET    /_faults  the faults still queued
//   DELETE /_faults  drop every queued fault → 204
//
// A queued fault applies to the next `times` requests matching `route` (a route key such as
// 'GET /products/:id'; absent = any route) and `urlIncludes` (a substring of path + query).
import { z } from 'zod';

export const faultSpecSchema = z.strictObject({
  /** status: answer with `status` and a JSON error body; delay: wait `delayMs` then answer normally;
   *  garbage: answer 200 with a body that is not JSON; reset: destroy the socket without answering. */
  kind: z.enum(['status', 'delay', 'garbage', 'reset']),
  route: z.string().min(1).optional(),
  urlIncludes: z.string().min(1).optional(),
  /** @default 500 */
  status: z.number().int().min(400).max(599).default(500),
  /** @default 1000 ms; at most 60 s so a forgotten fault cannot hang a test run for long. */
  delayMs: z.number().int().min(1).max(60_000).default(1_000),
  /** Content type of a `garbage` body. @default 'text/html' (what a proxy error page looks like). */
  contentType: z.string().min(1).default('text/html; charset=utf-8'),
  /** @default 1 */
  times: z.number().int().min(1).max(1_000).default(1),
});

export type FaultSpec = z.infer<typeof faultSpecSchema>;

export function faultInjectionEnabled(env: NodeJS.ProcessEnv): boolean {
  return env.FAULT_INJECTION === '1';
}

export class FaultQueue {
  private readonly pending: FaultSpec[] = [];

  add(spec: FaultSpec): void {
    this.pending.push({ ...spec });
  }

  list(): FaultSpec[] {
    return this.pending.map((spec) => ({ ...spec }));
  }

  clear(): void {
    this.pending.length = 0;
  }

  /** The first queued fault matching this request, consuming one of its `times`; undefined when none. */
  take(routeKey: string, pathAndQuery: string): FaultSpec | undefined {
    const index = this.pending.findIndex(
      (spec) =>
        (spec.route === undefined || spec.route === routeKey) &&
        (spec.urlIncludes === undefined || pathAndQuery.includes(spec.urlIncludes)),
    );
    if (index < 0) return undefined;
    const spec = this.pending[index]!;
    spec.times -= 1;
    if (spec.times <= 0) this.pending.splice(index, 1);
    return { ...spec };
  }
}

/** The body of a `garbage` fault: a proxy's HTML error page, the classic non-JSON answer of a "JSON" API. */
export const GARBAGE_BODY = '<html><body><h1>502 Bad Gateway</h1><p>upstream hiccup</p></body></html>\n';
