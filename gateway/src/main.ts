#!/usr/bin/env node
// CLI: `gateway --supergraph FILE [--port N] [--host H] [--admin-port N] [--workers N|auto] [--config FILE]`.
// Serves any valid Federation 2 supergraph. Bad flags, bad config or a bad supergraph exit non-zero
// with one clear line on stderr; SIGTERM/SIGINT drain in-flight requests and exit 0.
//
// This file checks the flags and the config (the file, the environment, and what they must not combine
// to) with nothing but config.ts and its checks loaded, and only then imports gatewayProcess.ts, which
// loads @apollo/* and the rest of the gateway and runs it. So a typo in a flag or the config is refused
// in ~0.4 CPU-s instead of ~0.8 (loading @apollo/*, graphql-armor and undici it would never use; measured
// 2026-12-01 on the 2-core box, 5 runs each).
// A process that will load the supergraph itself (not a cluster primary) then reads and parses the file
// with graphql's parser alone (supergraph/supergraphText.ts): a missing, empty or unparsable file is refused
// before @apollo/* loads, with the message and exit code it always had. What needs the whole supergraph (a
// policy naming a field it does not have, a security feature it links) is checked there, once it is loaded.
import cluster from 'node:cluster';
import { parseArgs } from 'node:util';
import { ConfigError, configFromEnv, readConfigFile, resolveConfig } from './config.js';
import { refuseDevKeyInProduction } from './auth/devSigningKey.js';
import { checkInternalIdentity } from './internalIdentityStartup.js';
import { explorerSwitches } from './explorer/explorerSwitches.js';
import { refusePerWorkerState, resolveWorkerCount } from './cluster/workersConfig.js';

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

/** gatewayProcess.ts once loaded: it knows the errors of loading a supergraph. */
let gatewayProcess: typeof import('./gatewayProcess.js') | undefined;
/** supergraphText.ts once loaded: its refusals are as known as gatewayProcess.ts's. */
let supergraphText: typeof import('./supergraph/supergraphText.js') | undefined;

async function main(): Promise<void> {
  const { configFile, overrides } = cliConfig(process.argv.slice(2));
  const fileConfig = configFile ? readConfigFile(configFile) : {};
  const config = resolveConfig([fileConfig, configFromEnv(process.env), overrides]);
  const workers = resolveWorkerCount(config.server.workers);
  refuseDevKeyInProduction(config.auth);
  // Validated once, by the primary before forking: a config the workers cannot share exits here with one message.
  const primary = workers > 1 && cluster.isPrimary;
  if (primary) refusePerWorkerState(config, workers);
  const identityNotice = checkInternalIdentity(config.internalIdentity);
  explorerSwitches(config, process.env.NODE_ENV === 'production');
  // The primary serves no GraphQL and never reads the supergraph: each worker checks it for itself.
  let initialSupergraphText;
  if (!primary) {
    supergraphText = await import('./supergraph/supergraphText.js');
    initialSupergraphText = supergraphText.readSupergraphText(config.supergraph.path);
  }
  gatewayProcess = await import('./gatewayProcess.js');
  await gatewayProcess.runGatewayProcess({ config, workers: primary ? workers : 1, identityNotice, initialSupergraphText });
}

main().catch((error: unknown) => {
  const known =
    error instanceof UsageError ||
    error instanceof ConfigError ||
    (supergraphText !== undefined && error instanceof supergraphText.SupergraphLoadError) ||
    gatewayProcess?.isStartupError(error) === true;
  const message = known ? (error as Error).message : `failed to start: ${(error as Error)?.message ?? String(error)}`;
  if (error && (error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    process.stderr.write(`gateway: port already in use: ${(error as Error).message}\n`);
  } else {
    process.stderr.write(`gateway: ${message.split('\n').join('\n  ')}\n`);
  }
  process.exit(2);
});
