// GET /graphiql: a local GraphiQL whose every asset the gateway serves itself (from the bundle in
// gateway/dist/explorer-assets), so it works without internet, unlike Apollo Sandbox on GET /graphql.
// GET /graphql/schema.graphql: the client-facing SDL (what introspection shows, as one file for codegen).
// The page is locked down by CSP: scripts, styles, fonts, workers and fetches from this origin only.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GraphQLSchema } from 'graphql';
import type { ErrorCode } from '../errors.js';
import { printClientSchema } from '../supergraph/clientSchema.js';
import { EXPLORER_SCRIPT, EXPLORER_STYLESHEET, type ExplorerAsset } from './explorerAssets.js';
import type { GraphiqlConfig } from './explorerConfig.js';

export const GRAPHIQL_PATH = '/graphiql';
export const GRAPHIQL_ASSETS_PREFIX = '/graphiql/assets/';
export const CLIENT_SCHEMA_PATH = '/graphql/schema.graphql';

const DEFAULT_QUERY = `# GraphiQL, served by the gateway itself (no internet needed).
# Ctrl-Enter runs the operation; Ctrl-Space completes; the Docs button (top left) browses the schema.
# Add credentials under Headers below, e.g. {"Authorization": "Bearer <token>"}.
{
  __typename
}
`;

/**
 * 'unsafe-inline' styles: Monaco and GraphiQL set style attributes and inject <style> elements at run
 * time. Workers come from this origin (Monaco's language services); blob: for Monaco's fallback worker.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self' data:",
  "img-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export interface ExplorerRoutesOptions {
  graphiql: Readonly<GraphiqlConfig> & { enabled: boolean };
  /** Serve the SDL (introspection shows the same). */
  introspection: boolean;
  /** The API schema currently served; undefined before the first supergraph is loaded. */
  currentSchema(): GraphQLSchema | undefined;
  /** The built bundle, or why it is missing (then /graphiql answers 503; the gateway logs why at startup). */
  assets(): ReadonlyMap<string, ExplorerAsset> | Error;
}

/** Answers with one of the gateway's coded errors (the HTTP layer's error path, with the request ID). */
export type RejectRequest = (code: ErrorCode, headers?: Record<string, string>, message?: string) => void;

export interface ExplorerRoutes {
  /** Serves the request and returns true when `pathname` is one of these routes (and it is enabled). */
  handle(req: IncomingMessage, res: ServerResponse, pathname: string, reject: RejectRequest): boolean;
}

/** JSON inside <script type="application/json">: `<` escaped so no value can close the element. */
function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

function renderPage(config: Readonly<GraphiqlConfig>): string {
  const settings = { endpoint: 'graphql', defaultHeaders: config.defaultHeaders, defaultQuery: config.defaultQuery ?? DEFAULT_QUERY };
  // Relative URLs: the page works the same behind a proxy that mounts the gateway under a path prefix.
  // An empty icon: browsers otherwise ask for /favicon.ico, which the gateway answers 404 (an error in the
  // page's console on every load; img-src allows data:).
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>GraphiQL</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="graphiql/assets/${EXPLORER_STYLESHEET}">
<style>html, body, #graphiql { height: 100%; margin: 0; } .loading { font-family: sans-serif; padding: 1em; }</style>
</head>
<body>
<div id="graphiql"><p class="loading">Loading GraphiQL…</p></div>
<script id="graphiql-settings" type="application/json">${scriptSafeJson(settings)}</script>
<script type="module" src="graphiql/assets/${EXPLORER_SCRIPT}"></script>
</body>
</html>
`;
}

function send(req: IncomingMessage, res: ServerResponse, status: number, headers: Record<string, string | number>, body: Buffer | string): void {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(status, { ...headers, 'content-length': bytes.length, 'x-content-type-options': 'nosniff' });
  res.end(req.method === 'HEAD' ? undefined : bytes);
}

export function createExplorerRoutes(options: ExplorerRoutesOptions): ExplorerRoutes {
  const page = renderPage(options.graphiql);
  const printed = new WeakMap<GraphQLSchema, string>();

  function serveAsset(req: IncomingMessage, res: ServerResponse, name: string, reject: RejectRequest): void {
    const assets = options.assets();
    if (assets instanceof Error) return reject('SERVICE_UNAVAILABLE', {}, 'The GraphiQL explorer is not built on this gateway.');
    const asset = assets.get(name);
    if (!asset) return reject('NOT_FOUND_ROUTE');
    // Fixed names (the page refers to them), so revalidate each time; the ETag makes that a 304.
    const headers = { 'content-type': asset.contentType, 'cache-control': 'no-cache', etag: asset.etag, vary: 'accept-encoding' };
    if (req.headers['if-none-match'] === asset.etag) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    const acceptsGzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    if (asset.gzipped && acceptsGzip) send(req, res, 200, { ...headers, 'content-encoding': 'gzip' }, asset.gzipped);
    else send(req, res, 200, headers, asset.body);
  }

  return {
    handle(req, res, pathname, reject) {
      const explorerRoute = options.graphiql.enabled && (pathname === GRAPHIQL_PATH || pathname.startsWith(GRAPHIQL_ASSETS_PREFIX));
      const schemaRoute = options.introspection && pathname === CLIENT_SCHEMA_PATH;
      if (!explorerRoute && !schemaRoute) return false;
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        reject('METHOD_NOT_ALLOWED', { allow: 'GET, HEAD' });
        return true;
      }
      if (schemaRoute) {
        const schema = options.currentSchema();
        if (!schema) {
          reject('SERVICE_UNAVAILABLE', { 'retry-after': '1' });
          return true;
        }
        let sdl = printed.get(schema);
        if (sdl === undefined) printed.set(schema, (sdl = printClientSchema(schema)));
        send(req, res, 200, { 'content-type': 'text/plain; charset=utf-8', 'content-disposition': 'inline; filename="schema.graphql"', 'cache-control': 'no-cache' }, sdl);
        return true;
      }
      if (pathname === GRAPHIQL_PATH) {
        if (options.assets() instanceof Error) {
          reject('SERVICE_UNAVAILABLE', {}, 'The GraphiQL explorer is not built on this gateway.');
          return true;
        }
        send(req, res, 200, {
          'content-type': 'text/html; charset=utf-8',
          'cache-control': 'no-store',
          'content-security-policy': CONTENT_SECURITY_POLICY,
          'referrer-policy': 'no-referrer',
        }, page);
        return true;
      }
      serveAsset(req, res, pathname.slice(GRAPHIQL_ASSETS_PREFIX.length), reject);
      return true;
    },
  };
}
