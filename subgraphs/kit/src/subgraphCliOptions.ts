// Parses a subgraph's command line: `--port N` (0 = ephemeral), `--host H`, `--insecure-allow-unsigned`,
// with `<NAME>_PORT` / `<NAME>_HOST` env fallbacks (never `PORT`, which belongs to the gateway).
import { parseArgs } from 'node:util';
import { MIN_SECRET_LENGTH } from '@federation-gateway/identity';

export interface SubgraphCliOptions {
  port: number;
  host: string;
  allowUnsignedIdentity: boolean;
  identitySecret: string | null;
}

/** Thrown for bad flags or env; the message is one line, meant for stderr. */
export class SubgraphCliError extends Error {
  override readonly name = 'SubgraphCliError';
}

/** `users` -> `USERS`, `order-history` -> `ORDER_HISTORY`: the prefix of the subgraph's env vars. */
export function envPrefix(subgraphName: string): string {
  return subgraphName.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
}

function parsePort(raw: string, source: string): number {
  if (!/^\d{1,5}$/.test(raw) || Number(raw) > 65535) {
    throw new SubgraphCliError(`${source} must be an integer port from 0 to 65535, got "${raw}"`);
  }
  return Number(raw);
}

export function parseSubgraphCliOptions(
  subgraphName: string,
  argv: string[] = process.argv.slice(2),
  env: NodeJS.ProcessEnv = process.env,
): SubgraphCliOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'insecure-allow-unsigned': { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new SubgraphCliError(`${(error as Error).message} (usage: --port N --host H [--insecure-allow-unsigned])`);
  }
  const prefix = envPrefix(subgraphName);
  const rawPort = values.port ?? env[`${prefix}_PORT`];
  if (rawPort === undefined) throw new SubgraphCliError(`no port: pass --port N or set ${prefix}_PORT`);
  const port = parsePort(rawPort, values.port !== undefined ? '--port' : `${prefix}_PORT`);
  const host = values.host ?? env[`${prefix}_HOST`] ?? '127.0.0.1';
  const secret = env.INTERNAL_IDENTITY_SECRET || null;
  const allowUnsignedIdentity = values['insecure-allow-unsigned'] === true;
  if (secret === null && !allowUnsignedIdentity) {
    throw new SubgraphCliError(`INTERNAL_IDENTITY_SECRET is not set: set it (>= ${MIN_SECRET_LENGTH} chars, shared with the gateway) or pass --insecure-allow-unsigned`);
  }
  if (secret !== null && secret.length < MIN_SECRET_LENGTH) {
    throw new SubgraphCliError(`INTERNAL_IDENTITY_SECRET must be at least ${MIN_SECRET_LENGTH} characters`);
  }
  return { port, host, allowUnsignedIdentity, identitySecret: secret };
}
