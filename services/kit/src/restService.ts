// The process shell every sample REST service shares: node:http server, request logging, per-route request
// counts (`GET /_stats`), optional fault injection, `listening` log line, graceful SIGTERM/SIGINT.
// A service itself is only a list of routes (see services/catalog/src/routes.ts).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AddressInfo } from 'node:net';
import { HttpError, readJsonBody, sendError, sendJson } from './jsonHttp.js';
import { matchRoute, type Route } from './routeTable.js';
import { RequestStats } from './requestStats.js';
import { FaultQueue, GARBAGE_BODY, faultInjectionEnabled, faultSpecSchema, type FaultSpec } from './faultInjection.js';
import { createServiceLogger, type Logger } from './serviceLogger.js';
import { parseListenOptions, type ListenOptions } from './listenOptions.js';

export interface RestServiceDefinition {
  /** Appears in every log line as `service`. */
  name: string;
  routes: readonly Route[];
  /** Env var for the port when `--port` is absent, e.g. CATALOG_PORT. */
  portEnv: string;
}

export interface RunningRestService {
  url: string;
  server: Server;
  logger: Logger;
  /** Stops accepting, lets in-flight requests finish (at most `graceMs`), then closes. */
  close(graceMs?: number): Promise<void>;
}

/** 10 s: long enough for any in-flight request here (none legitimately takes more than a second). */
const SHUTDOWN_GRACE_MS = 10_000;

function urlOf(address: AddressInfo): string {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

export async function startRestService(
  definition: RestServiceDefinition,
  listen: ListenOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RunningRestService> {
  const logger = createServiceLogger(definition.name);
  const stats = new RequestStats();
  const faults = faultInjectionEnabled(env) ? new FaultQueue() : null;

  const handleControl = async (req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> => {
    if (path === '/_stats') {
      if (req.method === 'GET') sendJson(res, 200, stats.snapshot(), { 'cache-control': 'no-store' });
      else if (req.method === 'DELETE') {
        stats.reset();
        res.writeHead(204).end();
      } else sendError(res, 405, { error: 'method_not_allowed', reason: 'use GET or DELETE' }, { allow: 'DELETE, GET' });
      return true;
    }
    if (path === '/_faults' && faults) {
      if (req.method === 'GET') sendJson(res, 200, { faults: faults.list() }, { 'cache-control': 'no-store' });
      else if (req.method === 'DELETE') {
        faults.clear();
        res.writeHead(204).end();
      } else if (req.method === 'POST') {
        const parsed = faultSpecSchema.safeParse(await readJsonBody(req));
        if (!parsed.success) {
          throw new HttpError(400, { error: 'invalid_fault', reason: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
        }
        faults.add(parsed.data);
        sendJson(res, 201, { fault: parsed.data });
      } else sendError(res, 405, { error: 'method_not_allowed', reason: 'use GET, POST or DELETE' }, { allow: 'DELETE, GET, POST' });
      return true;
    }
    return false;
  };

  /** Applies a fault; returns true when the response is already settled (no normal handling). */
  const applyFault = async (fault: FaultSpec, req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    switch (fault.kind) {
      case 'status':
        sendError(res, fault.status, { error: 'injected_fault', reason: `fault injection: status ${fault.status}` });
        return true;
      case 'garbage':
        res.writeHead(200, { 'content-type': fault.contentType, 'content-length': String(Buffer.byteLength(GARBAGE_BODY)) });
        res.end(GARBAGE_BODY);
        return true;
      case 'reset':
        req.socket.destroy();
        return true;
      case 'delay':
        await sleep(fault.delayMs);
        return false;
    }
  };

  /** Requests whose response has not closed yet; set by close() to run when the last one does. */
  let inFlight = 0;
  let drained: (() => void) | undefined;
  const server = createServer((req, res) => {
    inFlight += 1;
    const startedAt = process.hrtime.bigint();
    const requestId = (req.headers['x-request-id'] as string | undefined) ?? randomUUID();
    res.setHeader('x-request-id', requestId);
    const pathAndQuery = req.url ?? '/';
    const url = new URL(pathAndQuery, 'http://service.invalid');
    const method = req.method ?? 'GET';
    let route = 'control';

    res.on('close', () => {
      inFlight -= 1;
      if (inFlight === 0) drained?.();
      if (route !== 'control') stats.record({ method, url: pathAndQuery, route, status: res.statusCode });
      const durationMs = Number(process.hrtime.bigint() - startedAt) / 1e6;
      logger.info({ requestId, method, url: pathAndQuery, route, status: res.statusCode, durationMs: Math.round(durationMs * 10) / 10, aborted: !res.writableFinished }, 'request');
    });

    const handle = async () => {
      if (url.pathname.startsWith('/_') && (await handleControl(req, res, url.pathname))) return;
      const match = matchRoute(definition.routes, method, url.pathname);
      if (match.kind === 'not_found') {
        route = 'unmatched';
        throw new HttpError(404, { error: 'not_found', reason: `no route for ${method} ${url.pathname}` });
      }
      route = match.key;
      const fault = faults?.take(match.key, pathAndQuery);
      if (fault) {
        logger.warn({ requestId, fault }, 'fault injected');
        if (await applyFault(fault, req, res)) return;
      }
      if (match.kind === 'method_not_allowed') {
        throw new HttpError(405, { error: 'method_not_allowed', reason: `${method} is not allowed here` }, { allow: match.allow.join(', ') });
      }
      await match.route.handler({ req, res, url, params: match.params });
    };

    handle().catch((error: unknown) => {
      if (res.headersSent || res.destroyed) {
        logger.error({ requestId, err: error }, 'error after the response started');
        res.destroy();
        return;
      }
      if (error instanceof HttpError) {
        sendError(res, error.status, error.body, error.headers);
        return;
      }
      logger.error({ requestId, err: error }, 'unhandled error');
      sendError(res, 500, { error: 'internal_error', reason: 'the service failed to handle the request' });
    });
  });

  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(listen.port, listen.host, () => {
      server.off('error', rejectListen);
      resolveListen();
    });
  });
  const url = urlOf(server.address() as AddressInfo);

  // Once no request is in flight, every connection left is closed: server.close() alone would also wait for
  // keep-alive sockets (until keepAliveTimeout, 5 s) and for sockets a client opened but has not used yet
  // (undici opens one right after a request it aborted: that held a stop up ~4 s), which
  // closeIdleConnections() does not reach.
  const close = (graceMs = SHUTDOWN_GRACE_MS) =>
    new Promise<void>((resolveClose) => {
      const force = setTimeout(() => {
        drained = undefined;
        logger.warn({ graceMs, inFlight }, 'in-flight requests still running after the grace period; closing their connections');
        server.closeAllConnections();
      }, graceMs);
      force.unref();
      server.close(() => {
        clearTimeout(force);
        resolveClose();
      });
      drained = () => {
        drained = undefined;
        clearTimeout(force);
        server.closeAllConnections();
      };
      if (inFlight === 0) drained();
      else server.closeIdleConnections();
    });

  return { url, server, logger, close };
}

/** CLI entry for a REST service: flags, start, one `listening` line, exit 0 on SIGTERM/SIGINT after draining. */
export async function runRestService(definition: RestServiceDefinition): Promise<void> {
  let listen: ListenOptions;
  try {
    listen = parseListenOptions(process.argv.slice(2), process.env, definition);
  } catch (error) {
    process.stderr.write(`${definition.name}: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  }
  let service: RunningRestService;
  try {
    service = await startRestService(definition, listen);
  } catch (error) {
    process.stderr.write(`${definition.name}: cannot listen on ${listen.host}:${listen.port}: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
  service.logger.info({ url: service.url, faultInjection: faultInjectionEnabled(process.env) }, 'listening');
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      service.logger.info({ signal }, 'shutting down');
      void service.close().then(() => {
        service.logger.info('stopped');
        process.exit(0);
      });
    });
  }
}
