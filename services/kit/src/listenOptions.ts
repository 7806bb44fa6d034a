// Where a REST service listens: `--port N` / `--host H` flags, else the service's own env var (never
// `PORT`, which belongs to the gateway). No default port: `npm start` passes the one declared in the
// wrapping subgraph's rest-backends.json, tests pass 0.
import { parseArgs } from 'node:util';

export interface ListenOptions {
  port: number;
  host: string;
}

export interface ListenDefaults {
  /** Env var read when `--port` is absent, e.g. CATALOG_PORT. */
  portEnv: string;
}

/** Throws an Error with a one-line message on a bad flag or port; main.ts prints it and exits 1. */
export function parseListenOptions(argv: string[], env: NodeJS.ProcessEnv, defaults: ListenDefaults): ListenOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const rawPort = values.port ?? env[defaults.portEnv];
  if (rawPort === undefined) throw new Error(`no port: pass --port N or set ${defaults.portEnv}`);
  const port = Number(rawPort);
  // 0 is allowed: the OS picks a free ephemeral port (tests rely on it).
  if (!/^\d+$/.test(rawPort) || !Number.isInteger(port) || port < 0 || port > 65_535) {
    const source = values.port !== undefined ? '--port' : defaults.portEnv;
    throw new Error(`invalid ${source} "${rawPort}": expected an integer from 0 to 65535`);
  }
  const host = values.host ?? '127.0.0.1';
  if (host.length === 0) throw new Error('invalid --host "": expected a host name or address');
  return { port, host };
}
