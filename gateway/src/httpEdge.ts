// The HTTP edge's time and connection limits (config `server`): what a slow or flooding client may hold.
//   headersTimeoutMs    a client trickling its headers is answered 408 and disconnected
//   requestTimeoutMs    the same for the whole request, body included
//   keepAliveTimeoutMs  idle keep-alive connections: longer than the load balancer's idle timeout
//   maxConnections      beyond it a new connection is closed at once (logged, counted)
import type { Server, ServerOptions } from 'node:http';
import type { GatewayConfig } from './config.js';
import type { Logger } from './logger.js';
import type { GatewayMetrics } from './metrics.js';

/** At most one `connections_dropped` warning per this many ms (a flood would otherwise flood the log too). */
const DROP_LOG_INTERVAL_MS = 10_000;

export function httpServerOptions(server: Readonly<GatewayConfig['server']>): ServerOptions {
  return {
    maxHeaderSize: server.maxHeaderBytes,
    headersTimeout: server.headersTimeoutMs,
    requestTimeout: server.requestTimeoutMs,
    keepAliveTimeout: server.keepAliveTimeoutMs,
    // Node checks both timeouts only every connectionsCheckingInterval (30 s by default), so a slow client
    // would be held up to 30 s past its deadline. Every min(1 s, headersTimeout / 4) costs one walk over
    // the open connections.
    connectionsCheckingInterval: Math.max(25, Math.min(1_000, Math.floor(server.headersTimeoutMs / 4))),
  };
}

/** Applies maxConnections and reports connections refused because of it. */
export function limitConnections(httpServer: Server, maxConnections: number, logger: Logger, metrics: GatewayMetrics): void {
  httpServer.maxConnections = maxConnections;
  let droppedSinceLog = 0;
  let lastLogAt = 0;
  httpServer.on('drop', () => {
    metrics.httpConnectionsDropped.inc();
    droppedSinceLog += 1;
    const now = Date.now();
    if (now - lastLogAt < DROP_LOG_INTERVAL_MS) return;
    logger.warn(
      { event: 'connections_dropped', dropped: droppedSinceLog, maxConnections },
      `server.maxConnections (${maxConnections}) reached: new connections are closed at once`,
    );
    droppedSinceLog = 0;
    lastLogAt = now;
  });
}
