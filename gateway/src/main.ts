#!/usr/bin/env node
// CLI: `gateway --supergraph FILE [--port N] [--host H] [--admin-port N] [--workers N|auto] [--config FILE]`.
// Serves any valid Federation 2 supergraph. Bad flags, bad config or a bad supergraph exit non-zero
// with one clear line on stderr; SIGTERM/SIGINT drain in-flight requests and exit 0.
// With more than one worker this process is the cluster primary (cluster/clusterPrimary.ts) and runs
// again as each worker; with one (the default) it is the gateway itself, with no primary.
// First: before anything loads @apollo/gateway (see the file for why and what it bought).
import './plainFederationExports.js';
// Also before @apollo/gateway loads: its Apollo-telemetry modules load only if used (see the file).
import './deferredApolloTelemetry.js';
import cluster from 'node:cluster';
import { parseArgs } from 'node:util';
import { ConfigError, configFromEnv, readConfigFile, resolveConfig } from './config.js';
import { createLogger } from './logger.js';
import { tracingEnabled } from './tracing/tracingConfig.js';
import { describeAuthConfig } from './auth/createAuthenticator.js';
import { refuseDevKeyInProduction } from './auth/devSigningKey.js';
import { createRequestAuthentication } from './auth/requestAuthentication.js';
import { checkInternalIdentity } from './internalIdentityStartup.js';
import { SupergraphLoadError } from './supergraph/supergraphFile.js';
import { UnsupportedFeatureError } from './supergraph/securityFeatures.js';
import { refusePerWorkerState, resolveWorkerCount } from './cluster/workersConfig.js';
import { createClusterWorkerChannel } from './cluster/clusterWorker.js';

const USAGE = 'usage: gateway --supergraph FILE [--port N] [--host H] [--admin-port N] [--workers N|auto] [--config FILE]';

class UsageError extends Error {}

function parsePort(value: string, flag = '--port'): number {
  if (!/^\d+$/.test(value) || Number(value) > 65_535) throw new UsageError(`${flag} must be a whole number from 0 to 65535, got "${value}"`);
  return Number(value);
}

function parseWorkers(value: string): number | 'auto' {
  if (value === 'auto') return 'auto';
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`--workers must be a whole number from 1, or auto (one per core), got "${value}"`);
  return Number(value);
}

function cliConfig(argv: string[]): { configFile?: string; overrides: Record<string, unknown> } {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        supergraph: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        'admin-port': { type: 'string' },
        workers: { type: 'string' },
        config: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message} (${USAGE})`);
  }
  const { values } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const server: Record<string, unknown> = {};
  if (values.port !== undefined) server.port = parsePort(values.port);
  if (values.host !== undefined) server.host = values.host;
  if (values.workers !== undefined) server.workers = parseWorkers(values.workers);
  const overrides: Record<string, unknown> = {};
  if (Object.keys(server).length > 0) overrides.server = server;
  // A port for the admin listener turns it on (/healthz, /readyz, /metrics move there).
  if (values['admin-port'] !== undefined) overrides.admin = { enabled: true, port: parsePort(values['admin-port'], '--admin-port') };
  if (values.supergraph !== undefined) overrides.supergraph = { path: values.supergraph };
  return { configFile: values.config, overrides };
}

async function main(): Promise<void> {
  const { configFile, overrides } = cliConfig(process.argv.slice(2));
  const fileConfig = configFile ? readConfigFile(configFile) : {};
  const config = resolveConfig([fileConfig, configFromEnv(process.env), overrides]);
  const workers = resolveWorkerCount(config.server.workers);
  refuseDevKeyInProduction(config.auth);
  if (workers > 1 && cluster.isPrimary) {
    // Validated once, before forking: a config the workers cannot share exits here with one message.
    refusePerWorkerState(config, workers);
    checkInternalIdentity(config.internalIdentity);
    const { runClusterPrimary } = await import('./cluster/clusterPrimary.js');
    await runClusterPrimary({ config, workers, logger: createLogger(config.logLevel).child({ cluster: 'primary', pid: process.pid }) });
    return;
  }
  // A worker's lines carry its pid: N processes write to the same stdout.
  // With tracing on, every line logged while a request is served carries its traceId and spanId.
  const requestLogger = createLogger(config.logLevel, 'gateway', { traceIds: tracingEnabled(config.tracing) });
  const logger = cluster.isWorker ? requestLogger.child({ worker: cluster.worker?.id, pid: process.pid }) : requestLogger;
  const clusterChannel = cluster.isWorker ? createClusterWorkerChannel() : undefined;
  const identityNotice = checkInternalIdentity(config.internalIdentity);
  if (identityNotice) logger.warn({ event: identityNotice.event }, identityNotice.message);
  const authenticate = createRequestAuthentication(config.auth, {
    onJwksFetchError: (error) => logger.warn({ event: 'jwks_fetch_failed', err: error }, 'JWKS fetch failed; keeping the last good keys'),
  });
  logger.info({ event: 'auth_configured', ...describeAuthConfig(config.auth) }, describeAuthConfig(config.auth).description);
  // Loaded here, not by the cluster primary, which serves no GraphQL.
  const { startGateway } = await import('./server.js');
  const gateway = await startGateway({ config, logger, authenticate, clusterWorker: clusterChannel });
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

main().catch((error: unknown) => {
  const known = error instanceof UsageError || error instanceof ConfigError || error instanceof SupergraphLoadError || error instanceof UnsupportedFeatureError;
  const message = known ? (error as Error).message : `failed to start: ${(error as Error)?.message ?? String(error)}`;
  if (error && (error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    process.stderr.write(`gateway: port already in use: ${(error as Error).message}\n`);
  } else {
    process.stderr.write(`gateway: ${message.split('\n').join('\n  ')}\n`);
  }
  process.exit(2);
});
