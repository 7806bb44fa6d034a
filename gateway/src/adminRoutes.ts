// The operational endpoints: GET /healthz (alive), /readyz (supergraph loaded, not shutting down,
// subgraphs healthy when configured) and /metrics (Prometheus). They are served on the API port, or,
// with `admin.enabled` (the default in production), only on a separate admin listener: /metrics names
// schema coordinates, subgraphs and the Node version, which API clients need not see, and probes and
// scrapes then reach the gateway on a port the load balancer never exposes.
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { GatewayMetrics } from './metrics.js';

export const OPS_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics']);

export interface OpsEndpointsOptions {
  metrics: GatewayMetrics;
  /** True once a supergraph is loaded. */
  isReady(): boolean;
  isShuttingDown(): boolean;
  /** When configured, per-subgraph health reported (and required) by /readyz. */
  subgraphHealth?: (() => Promise<Record<string, 'ok' | 'unavailable'>>) | undefined;
  /**
   * The Prometheus text of /metrics; defaults to this process's registry (the cluster primary gives the
   * sum over its workers).
   */
  metricsText?: () => Promise<string>;
  /** More fields for the /healthz and /readyz bodies (the cluster primary: its workers, serving and expected). */
  details?: () => Record<string, unknown>;
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** Answers one of OPS_PATHS (the caller checked the path; any method but HEAD/GET is treated as GET). */
export async function serveOpsRoute(pathname: string, res: ServerResponse, options: OpsEndpointsOptions): Promise<void> {
  const details = options.details?.() ?? {};
  switch (pathname) {
    case '/healthz':
      return sendJson(res, 200, { status: 'ok', ...details });
    case '/readyz': {
      if (!options.isReady() || options.isShuttingDown()) {
        return sendJson(res, 503, { status: options.isShuttingDown() ? 'shutting_down' : 'starting', ...details });
      }
      if (!options.subgraphHealth) return sendJson(res, 200, { status: 'ready', ...details });
      const subgraphs = await options.subgraphHealth();
      const healthy = Object.values(subgraphs).every((state) => state === 'ok');
      return sendJson(res, healthy ? 200 : 503, { status: healthy ? 'ready' : 'subgraph_unavailable', subgraphs, ...details });
    }
    case '/metrics': {
      const text = await (options.metricsText ?? (() => options.metrics.registry.metrics()))();
      res.writeHead(200, { 'content-type': options.metrics.registry.contentType });
      res.end(text);
      return;
    }
    default:
      return sendJson(res, 404, { errors: [{ message: 'No such route.', extensions: { code: 'NOT_FOUND_ROUTE' } }] });
  }
}

/** The admin listener: only OPS_PATHS, every other path 404; requests counted like the API port's. */
export function createAdminServer(options: OpsEndpointsOptions): Server {
  return createServer({ keepAliveTimeout: 5_000, requestTimeout: 10_000 }, (req, res) => {
    const startedAt = process.hrtime.bigint();
    const pathname = new URL(req.url ?? '/', 'http://admin.local').pathname;
    const route = OPS_PATHS.has(pathname) ? pathname : 'other';
    res.on('finish', () => {
      const status = String(res.statusCode);
      options.metrics.httpRequests.inc({ route, method: req.method ?? 'GET', status });
      options.metrics.httpDuration.observe({ route, status }, Number(process.hrtime.bigint() - startedAt) / 1e9);
    });
    serveOpsRoute(pathname, res, options).catch(() => {
      if (!res.headersSent) sendJson(res, 500, { errors: [{ message: 'Internal server error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
      else res.destroy();
    });
  });
}
