// The CLI entry of every subgraph: parse flags, start, log `listening`, drain and exit 0 on SIGTERM/SIGINT.
import { parseSubgraphCliOptions, SubgraphCliError } from './subgraphCliOptions.js';
import { createSubgraphLogger } from './subgraphLogger.js';
import { startSubgraph } from './subgraphServer.js';
import type { SubgraphDefinition } from './subgraphDefinition.js';

export interface RunSubgraphOptions {
  /**
   * The kit's flags only (--port, --host, --insecure-allow-unsigned); a subgraph with flags of its own
   * parses those first and passes the rest here. @default process.argv.slice(2)
   */
  argv?: string[];
}

export async function runSubgraph<TExtra extends object>(
  definition: SubgraphDefinition<TExtra>,
  options: RunSubgraphOptions = {},
): Promise<void> {
  const logger = createSubgraphLogger(definition.name);
  let cli;
  try {
    cli = parseSubgraphCliOptions(definition.name, options.argv ?? process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof SubgraphCliError)) throw error;
    process.stderr.write(`${definition.name}: ${error.message}\n`);
    process.exit(2);
  }
  if (cli.identitySecret === null) {
    logger.warn('--insecure-allow-unsigned: accepting requests without a gateway identity token; every caller is anonymous. Never do this outside local experiments.');
  }
  let running;
  try {
    running = await startSubgraph(definition, {
      port: cli.port,
      host: cli.host,
      identitySecret: cli.identitySecret,
      allowUnsignedIdentity: cli.allowUnsignedIdentity,
      logger,
    });
  } catch (error) {
    logger.error({ err: error }, 'failed to start');
    process.stderr.write(`${definition.name}: failed to start: ${(error as Error).message}\n`);
    process.exit(1);
  }
  logger.info({ url: running.url, graphqlUrl: running.graphqlUrl }, 'listening');

  const shutdown = (signal: NodeJS.Signals) => {
    logger.info({ signal }, 'shutting down: draining in-flight requests');
    running.stop().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}
