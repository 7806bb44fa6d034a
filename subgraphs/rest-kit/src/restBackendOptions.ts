// Where a REST-wrapping subgraph finds its REST service, and how long it waits for it.
// Flags `--<name>-url URL` and `--<name>-timeout-ms N`, else env (e.g. CATALOG_URL, CATALOG_TIMEOUT_MS),
// else the `npm start` layout. The flags are removed from the argv handed on to the subgraph kit, whose
// own parser is strict about unknown flags.

export interface RestBackendSpec {
  /** Flag stem: 'catalog' → --catalog-url, --catalog-timeout-ms. */
  flag: string;
  /** e.g. CATALOG_URL */
  urlEnv: string;
  /** e.g. CATALOG_TIMEOUT_MS */
  timeoutEnv: string;
  /** The service's URL under `npm start`, e.g. http://127.0.0.1:4011 */
  defaultUrl: string;
}

export interface RestBackend {
  /** Base URL, always ending in '/', so relative paths resolve under it. */
  url: string;
  /** Per-call budget, body included, in ms. */
  timeoutMs: number;
}

/** 2 s: a healthy sample service answers in a few ms; the gateway's own subgraph timeout must stay above it. */
export const DEFAULT_REST_TIMEOUT_MS = 2_000;
/** 5 s: the ceiling for a REST hop; longer would outlive typical gateway timeouts. */
export const MAX_REST_TIMEOUT_MS = 5_000;

export class RestBackendOptionError extends Error {
  override readonly name = 'RestBackendOptionError';
}

function takeFlag(argv: string[], name: string): string | undefined {
  let value: string | undefined;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    if (arg === `--${name}`) {
      value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new RestBackendOptionError(`--${name} needs a value`);
      argv.splice(i, 2);
      i -= 1;
    } else if (arg.startsWith(`--${name}=`)) {
      value = arg.slice(name.length + 3);
      argv.splice(i, 1);
      i -= 1;
    }
  }
  return value;
}

function parseUrl(raw: string, source: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new RestBackendOptionError(`${source} "${raw}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new RestBackendOptionError(`${source} must be an http(s) URL, got "${raw}"`);
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url.toString();
}

function parseTimeout(raw: string, source: string): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1 || value > MAX_REST_TIMEOUT_MS) {
    throw new RestBackendOptionError(`${source} must be an integer from 1 to ${MAX_REST_TIMEOUT_MS} (ms), got "${raw}"`);
  }
  return value;
}

/**
 * Reads the backends' options and returns the argv without their flags. Throws RestBackendOptionError with
 * a one-line message on a bad value.
 */
export function takeRestBackendOptions<Name extends string>(
  specs: Record<Name, RestBackendSpec>,
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): { backends: Record<Name, RestBackend>; remainingArgv: string[] } {
  const remainingArgv = [...argv];
  const backends = {} as Record<Name, RestBackend>;
  for (const name of Object.keys(specs) as Name[]) {
    const spec = specs[name];
    const urlFlag = takeFlag(remainingArgv, `${spec.flag}-url`);
    const timeoutFlag = takeFlag(remainingArgv, `${spec.flag}-timeout-ms`);
    const url = parseUrl(urlFlag ?? env[spec.urlEnv] ?? spec.defaultUrl, urlFlag !== undefined ? `--${spec.flag}-url` : spec.urlEnv);
    const rawTimeout = timeoutFlag ?? env[spec.timeoutEnv];
    const timeoutMs =
      rawTimeout === undefined
        ? DEFAULT_REST_TIMEOUT_MS
        : parseTimeout(rawTimeout, timeoutFlag !== undefined ? `--${spec.flag}-timeout-ms` : spec.timeoutEnv);
    backends[name] = { url, timeoutMs };
  }
  return { backends, remainingArgv };
}
