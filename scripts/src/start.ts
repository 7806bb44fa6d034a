// `npm start`: runs the whole sample system on localhost — every sample REST service, every subgraph
// listed in rover.yaml (ports from its routing_url) and the gateway (PORT, default 4000) — waits until
// each is listening, prints the URLs and a sample dev token, and stops everything on Ctrl-C / SIGTERM.
// A child that dies is reported; one that dies during startup stops the whole system (exit 1).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
// The declarations alone: the package's main entry loads RESTDataSource and graphql (~0.7 CPU-s).
import { declaredRestBackends } from '@federation-gateway/rest-kit/declarations';
import { loadRoverConfig } from './roverConfig.js';
import { formatStartLogLine } from './startLogLine.js';
import { loadOrCreateDevSigningKey } from './devSigningKeyFile.js';
import { mintDevToken } from './mintDevToken.js';

const root = resolve(import.meta.dirname, '../..');

/** What GraphiQL's first tab shows under `npm start`: one query across the four sample services. */
const GRAPHIQL_SAMPLE_QUERY = `# users → orders → products → stock: four services.
# Ctrl-Enter runs it with the dev token under Headers.
query UsersWithOrders {
  users(first: 3) {
    name
    orders(first: 2) {
      status
      total { amountCents currency }
      items { quantity product { name stock } }
    }
  }
}
`;

/** How long one process may take to log `listening`: they are compiled JS and start in well under 1 s. */
const READY_TIMEOUT_MS = 30_000;
/** How long children get to drain after SIGTERM before SIGKILL. */
const STOP_GRACE_MS = 12_000;

interface Child {
  name: string;
  process: ChildProcess;
  ready: Promise<string>;
}

const children: Child[] = [];
let stopping = false;
let started = false;

function printLine(name: string, line: string): void {
  process.stdout.write(`${formatStartLogLine(name, line)}\n`);
}

/** `script`: a compiled entry point relative to the repo root (`npm start` builds first). */
function startChild(name: string, script: string, args: string[], env: Record<string, string>, nodeFlags: string[] = []): Child {
  const child = spawn(process.execPath, [...nodeFlags, resolve(root, script), ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let buffered = '';
  const ready = new Promise<string>((resolveReady, rejectReady) => {
    const timer = setTimeout(() => rejectReady(new Error(`${name} did not start within ${READY_TIMEOUT_MS / 1000} s`)), READY_TIMEOUT_MS);
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      buffered += chunk;
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        printLine(name, line);
        if (line.includes('"msg":"listening"')) {
          clearTimeout(timer);
          const url = (JSON.parse(line) as { url?: string }).url ?? '';
          resolveReady(url);
        }
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      rejectReady(new Error(`${name} exited (code ${code}, signal ${signal}) before it was ready`));
    });
  });
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    for (const line of chunk.split('\n')) if (line.trim() !== '') process.stderr.write(`[${name}] ${line}\n`);
  });
  child.on('exit', (code, signal) => {
    if (stopping) return;
    process.stderr.write(`[start] ${name} exited unexpectedly (code ${code}, signal ${signal})${started ? '; the rest keeps running, restart npm start to bring it back' : ''}\n`);
  });
  ready.catch(() => undefined);
  const entry = { name, process: child, ready };
  children.push(entry);
  return entry;
}

async function stopAll(exitCode: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    process.stdout.write('[start] stopping every process...\n');
    await Promise.all(
      children.map(
        ({ process: child }) =>
          new Promise<void>((resolveStop) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolveStop();
            const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
            child.once('exit', () => {
              clearTimeout(timer);
              resolveStop();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
  }
  process.exit(exitCode);
}

// If whatever started us (npm, a shell, a supervisor) dies without signalling, stop too: children
// must never outlive `npm start`. Checked every second; unref'd so it never keeps the process alive.
const parentAtStart = process.ppid;
setInterval(() => {
  if (process.ppid !== parentAtStart) void stopAll(0);
}, 1_000).unref();

process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));
process.on('SIGHUP', () => void stopAll(0));

/**
 * `--ephemeral-ports`: every process on an OS-chosen port (the gateway too unless PORT is set), wired
 * together through the ports they report. Tests use it so they never collide with a running `npm start`.
 */
const { values: flags } = parseArgs({ options: { 'ephemeral-ports': { type: 'boolean', default: false } }, strict: true });
const ephemeral = flags['ephemeral-ports'] === true;

async function main(): Promise<void> {
  const rover = loadRoverConfig(resolve(root, 'rover.yaml'));
  const gatewayPort = process.env.PORT ?? (ephemeral ? '0' : '4000');
  // A fresh secret per run: subgraphs accept only identity tokens signed by this gateway.
  const internalIdentitySecret = process.env.INTERNAL_IDENTITY_SECRET ?? randomBytes(32).toString('base64url');
  const devKey = loadOrCreateDevSigningKey(resolve(root, '.local/dev-auth.json'));
  const shared = { INTERNAL_IDENTITY_SECRET: internalIdentitySecret, NODE_ENV: process.env.NODE_ENV ?? 'development' };

  // The REST services the subgraphs wrap, as each subgraph declares them (subgraphs/<name>/rest-backends.json).
  const backends = declaredRestBackends(resolve(root, 'subgraphs'), rover.subgraphs.map((s) => s.name));
  // One process per service, even when two subgraphs wrap the same one.
  const services = new Map<string, Child>();
  for (const backend of backends) {
    if (services.has(backend.service)) continue;
    const args = ['--port', ephemeral ? '0' : String(backend.port)];
    services.set(backend.service, startChild(`rest:${backend.service}`, `services/${backend.service}/dist/main.js`, args, shared));
  }
  /** Per subgraph, the flags pointing it at the services it wraps (`--catalog-url URL`). */
  const backendFlags: Record<string, string[]> = {};
  for (const backend of backends) {
    (backendFlags[backend.subgraph] ??= []).push(`--${backend.name}-url`, await services.get(backend.service)!.ready);
  }

  const subgraphs = rover.subgraphs.map((subgraph) => {
    const port = ephemeral ? '0' : new URL(subgraph.routingUrl).port || '80';
    const args = ['--port', port, ...(backendFlags[subgraph.name] ?? [])];
    return { subgraph, child: startChild(subgraph.name, `subgraphs/${subgraph.name}/dist/main.js`, args, shared) };
  });
  const subgraphUrls: Record<string, string> = {};
  for (const { subgraph, child } of subgraphs) subgraphUrls[subgraph.name] = `${await child.ready}/graphql`;

  const token = await mintDevToken(devKey, { subject: 'user-1', scopes: ['orders:read:all', 'orders:write', 'users:read:email'], ttlSeconds: 12 * 3600 });
  // The dev config, plus GraphiQL's header editor prefilled with the sample token, plus (ephemeral
  // ports) routing-URL overrides for the ports the subgraphs actually got. Written where only this
  // user can read it: it holds a token.
  const devConfig = (parseYaml(readFileSync(resolve(root, 'config/gateway.dev.yaml'), 'utf8')) ?? {}) as Record<string, unknown>;
  const configDir = mkdtempSync(join(tmpdir(), 'npm-start-'));
  const configFile = join(configDir, 'gateway.yaml');
  writeFileSync(
    configFile,
    toYaml({
      ...devConfig,
      graphiql: { defaultHeaders: { Authorization: `Bearer ${token}` }, defaultQuery: GRAPHIQL_SAMPLE_QUERY },
      ...(ephemeral ? { subgraphs: Object.fromEntries(Object.entries(subgraphUrls).map(([name, url]) => [name, { url }])) } : {}),
    }),
    { mode: 0o600 },
  );
  process.on('exit', () => rmSync(configDir, { recursive: true, force: true }));
  const gateway = startChild(
    'gateway',
    'gateway/dist/main.js',
    ['--supergraph', 'supergraph.graphql', '--config', configFile, '--port', gatewayPort, '--host', process.env.HOST ?? '127.0.0.1'],
    { ...shared, DEV_AUTH_FILE: devKey.file },
    // As `npm run gateway` runs it: a larger young generation (see README, "Running the gateway alone").
    ['--max-semi-space-size=32'],
  );
  const gatewayUrl = (await gateway.ready).replace('127.0.0.1', 'localhost');
  started = true;

  const graphqlUrl = `${gatewayUrl}/graphql`;
  process.stdout.write(
    [
      '',
      'Everything is running:',
      ...(await Promise.all([...services].map(async ([service, child]) => `  REST ${service.padEnd(18)} ${await child.ready} (pid ${child.process.pid})`))),
      ...subgraphs.map(({ subgraph, child }) => `  subgraph ${subgraph.name.padEnd(14)} ${subgraphUrls[subgraph.name]} (pid ${child.process.pid})`),
      `  gateway                 ${graphqlUrl} (pid ${gateway.process.pid})`,
      `  GraphiQL                ${gatewayUrl}/graphiql (local explorer, no internet needed; the token below is prefilled)`,
      `  Apollo Sandbox          ${graphqlUrl} (needs internet: its scripts come from Apollo's CDN)`,
      `  Schema (SDL)            ${graphqlUrl}/schema.graphql`,
      '',
      'Sample dev token (sub user-1, scopes orders:read:all orders:write users:read:email, valid 12 h):',
      `  ${token}`,
      'In Sandbox: Headers → add `Authorization` with value `Bearer <token>`. Mint others with:',
      '  npm run -s token -- --sub user-2 --scopes "orders:write"',
      '',
      'Try it from another terminal:',
      `  TOKEN=${token}`,
      `  curl -s ${graphqlUrl} -H 'content-type: application/json' -H "authorization: Bearer $TOKEN" \\`,
      `    -d '{"query":"{ users(first: 3) { name orders(first: 2) { total { amountCents currency } status } } }"}'`,
      '',
      'Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`[start] ${(error as Error).message}\n`);
  void stopAll(1);
});
