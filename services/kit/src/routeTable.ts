// A tiny method + path router: enough for a handful of REST routes, with the right 404 and 405 (+ Allow).
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** Path parameters, e.g. { id: 'prod-7' } for pattern '/products/:id'. */
  params: Record<string, string>;
}

export interface Route {
  method: 'GET' | 'POST' | 'DELETE' | 'PUT' | 'PATCH';
  /** '/products/:id'. A `:name` segment matches one non-empty path segment. */
  pattern: string;
  handler: (context: RouteContext) => void | Promise<void>;
}

export type RouteMatch =
  | { kind: 'found'; route: Route; key: string; params: Record<string, string> }
  | { kind: 'method_not_allowed'; key: string; allow: string[] }
  | { kind: 'not_found' };

/** The stable name of a route in stats and logs, e.g. 'GET /products/:id'. */
export function routeKey(route: Pick<Route, 'method' | 'pattern'>): string {
  return `${route.method} ${route.pattern}`;
}

function matchPattern(pattern: string, path: string): Record<string, string> | null {
  const wanted = pattern.split('/').filter(Boolean);
  const actual = path.split('/').filter(Boolean);
  if (wanted.length !== actual.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < wanted.length; i += 1) {
    const expected = wanted[i]!;
    const segment = actual[i]!;
    if (expected.startsWith(':')) {
      try {
        params[expected.slice(1)] = decodeURIComponent(segment);
      } catch {
        return null; // a malformed %-escape is no match, hence a 404
      }
    } else if (expected !== segment) {
      return null;
    }
  }
  return params;
}

export function matchRoute(routes: readonly Route[], method: string, path: string): RouteMatch {
  const allow = new Set<string>();
  let pathKey = '';
  for (const route of routes) {
    const params = matchPattern(route.pattern, path);
    if (!params) continue;
    // HEAD is served by the GET handler (sendCacheableJson drops the body).
    if (route.method === method || (method === 'HEAD' && route.method === 'GET')) {
      return { kind: 'found', route, key: routeKey(route), params };
    }
    allow.add(route.method);
    if (route.method === 'GET') allow.add('HEAD');
    pathKey = route.pattern;
  }
  if (allow.size > 0) return { kind: 'method_not_allowed', key: `${method} ${pathKey}`, allow: [...allow].sort() };
  return { kind: 'not_found' };
}
