// Runs the gateway process on a config main.ts has validated: with more than one worker this process is
// the cluster primary (cluster/clusterPrimary.ts) and main.ts runs again as each worker; with one (the
// default) it is the gateway itself, with no primary.
// Imported by main.ts only after the flags and the config passed its checks, so that a refused start
// never loads @apollo/* (main.ts says why). It loads @apollo/* itself only where GraphQL is served (server.ts,
// imported below when this process is no cluster primary; server.ts first runs beforeApolloLoads.ts).
import cluster from 'node:cluster';
import type { GatewayConfig } from './config.js';
import { createLogger } from './logger.js';
import { tracingEnabled } from './tracing/tracingConfig.js';
import type { InternalIdentityNotice } from './internalIdentityStartup.js';
import type { SupergraphText } from './supergraph/supergraphText.js';
import { SupergraphLoadError, UnsupportedFeatureError } from './supergraph/supergraphLoadErrors.js';
import { createClusterWorkerChannel } from './cluster/clusterWorker.js';

/** A supergraph that cannot be served: main.ts prints its message as it is, in one line. */
export function isStartupError(error: unknown): boolean {
  return error instanceof SupergraphLoadError || error instanceof UnsupportedFeatureError;
}

export interface GatewayProcessOptions {
  config: GatewayConfig;
  /** > 1: this process is the cluster primary of that many workers. */
  workers: number;
  /** What checkInternalIdentity found worth a warning (logged by the process that serves). */
  identityNotice: InternalIdentityNotice | undefined;
  /** The supergraph file as main.ts read and parsed it (not in a cluster primary, which never reads it). */
  initialSupergraphText?: SupergraphText;
}

export async function runGatewayProcess({ config, workers, identityNotice, initialSupergraphText }: GatewayProcessOptions): Promise<void> {
  if (workers > 1) {
    const { runClusterPrimary } = await import('./cluster/clusterPrimary.js');
    await runClusterPrimary({ config, workers, logger: createLogger(config.logLevel).child({ cluster: 'primary', pid: process.pid }) });
    return;
  }
  // Loaded here, not by the cluster primary: they load graphql (errors.ts), which a primary never needs.
  const { describeAuthConfig } = await import('./auth/createAuthenticator.js');
  const { createRequestAuthentication } = await import('./auth/requestAuthentication.js');
  // A worker's lines carry its pid: N processes write to the same stdout.
  // With tracing on, every line logged while a request is served carries its traceId and spanId.
  const requestLogger = createLogger(config.logLevel, 'gateway', { traceIds: tracingEnabled(config.tracing) });
  const logger = cluster.isWorker ? requestLogger.child({ worker: cluster.worker?.id, pid: process.pid }) : requestLogger;
  const clusterChannel = cluster.isWorker ? createClusterWorkerChannel() : undefined;
  if (identityNotice) logger.warn({ event: identityNotice.event }, identityNotice.message);
  const authenticate = createRequestAuthentication(config.auth, {
    onJwksFetchError: (error) => logger.warn({ event: 'jwks_fetch_failed', err: error }, 'JWKS fetch failed; keeping the last good keys'),
  });
  logger.info({ event: 'auth_configured', ...describeAuthConfig(config.auth) }, describeAuthConfig(config.auth).description);
  // Loaded here, not by the cluster primary, which serves no GraphQL.
  const { startGateway } = await import('./server.js');
  const gateway = await startGateway({ config, logger, authenticate, clusterWorker: clusterChannel, initialSupergraphText });
  if (clusterChannel) {
    clusterChannel.join(gateway);
    logger.info({ event: 'worker_listening', url: gateway.url }, 'worker listening');
  } else {
    logger.info({ url: gateway.url, graphql: `${gateway.url}/graphql`, adminUrl: gateway.adminUrl, supergraph: config.supergraph.path }, 'listening');
  }

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ event: 'signal', signal }, 'received signal');
    gateway.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}
