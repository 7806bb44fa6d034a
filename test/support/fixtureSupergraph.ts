// Composes small fixture supergraphs in tests, with @apollo/composition (what `npm run compose` uses; composeCache.ts),
// and starts the fixture subgraph and a gateway over it (any valid supergraph, not only the sample graph).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GATEWAY_ENTRY, repoRoot, SLOW_SUBGRAPH_ENTRY, startProcess, type RunningProcess } from './processes.js';
import { composeSupergraph } from './composeCache.js';
import { shareProcesses } from './sharedFixtures.js';
import { tempDir } from './tempDirs.js';

export const SLOW_SUBGRAPH_SCHEMA = 'test/fixtures/slow-subgraph/schema.graphql';

export interface FixtureSubgraph {
  name: string;
  url: string;
  /** SDL text; defaults to the file at `schemaFile`. */
  sdl?: string;
  /** Path relative to the repo root. */
  schemaFile?: string;
}

/**
 * The supergraph of `subgraphs`, as @apollo/composition composes it. Composition copies each subgraph's URL
 * into its `join__Graph` value and reads it nowhere else, so each set of schemas is composed once, with a
 * placeholder URL per subgraph (composeCache.ts keeps it across processes and runs), and the URLs are put
 * in afterwards: the fixture gateways of a group's files, each on its own subgraph URL, mostly compose the
 * same schema.
 */
export function composeFixture(subgraphs: FixtureSubgraph[]): string {
  const sdls = subgraphs.map((s) => s.sdl ?? readFileSync(join(repoRoot, s.schemaFile!), 'utf8'));
  const key = JSON.stringify(subgraphs.map((s, index) => [s.name, sdls[index]]));
  let composed = composedWithPlaceholders.get(key);
  if (composed === undefined) {
    composed = composeSupergraph(subgraphs.map((s, index) => ({ name: s.name, url: placeholderUrl(index), sdl: sdls[index]! })));
    subgraphs.forEach((_s, index) => {
      const count = composed!.split(`"${placeholderUrl(index)}"`).length - 1;
      if (count !== 1) throw new Error(`composeFixture: the placeholder URL of subgraph ${index} occurs ${count} times in the supergraph, not once`);
    });
    composedWithPlaceholders.set(key, composed);
  }
  return subgraphs.reduce((sdl, s, index) => sdl.replace(`"${placeholderUrl(index)}"`, () => JSON.stringify(s.url)), composed);
}

/** Supergraphs composed in this process, by subgraph names and schemas, with placeholderUrl(i) for subgraph i's URL. */
const composedWithPlaceholders = new Map<string, string>();
const placeholderUrl = (index: number) => `http://composed-fixture-subgraph-${index}.invalid/graphql`;

/**
 * The fixture subgraph (test/fixtures/slow-subgraph); unsigned unless `env` gives it a secret, its debug
 * counters on (GET /debug/data-layer-calls: read them as differences). Without `env`, the files of a
 * group's process share one (test/support/sharedFixtures.ts; ~1 CPU-s a start): stop() then hands it back
 * for the next file. A test that stops it to have it dead passes `own: true`.
 */
export async function startSlowSubgraph(env?: Record<string, string>, { own = false }: { own?: boolean } = {}): Promise<RunningProcess> {
  const args = ['--port', '0', ...(env?.INTERNAL_IDENTITY_SECRET ? [] : ['--insecure-allow-unsigned'])];
  const start = (owned: RunningProcess[]) =>
    startProcess({ name: 'slow', entry: SLOW_SUBGRAPH_ENTRY, args, env: { SUBGRAPH_DEBUG_COUNTERS: '1', ...env } }).then((p) => (owned.push(p), p));
  if (env !== undefined || own) return start([]);
  const shared = await shareProcesses('slow-subgraph', start, { stopReleases: true });
  return shared ? shared.view(shared.value) : start([]);
}

export interface FixtureGateway {
  gateway: RunningProcess;
  graphqlUrl: string;
  /** The temp folder holding the supergraph and config files. */
  dir: string;
  supergraphPath: string;
}

export interface FixtureGatewayOptions {
  /** Routing URL of the `slow` subgraph (e.g. `${subgraph.url}/graphql`, or a proxy in front of it). */
  subgraphUrl: string;
  /** SDL of the subgraph; defaults to the fixture's schema.graphql. */
  sdl?: string;
  /** Gateway config file contents (YAML); none when absent. */
  config?: string;
  env?: Record<string, string | undefined>;
  name?: string;
  /**
   * Share it with the group's other files that ask for the same gateway (everything above but `name`;
   * test/support/sharedFixtures.ts; ~1.5 CPU-s a start): its log records are its startup lines and the ones
   * since this file asked, and stop() hands it back. Only for a file that needs it neither dead nor restarted.
   */
  share?: boolean;
}

/** A GraphiQL default header value that tries to break out of its script element (explorer.test.ts). */
export const HOSTILE_GRAPHIQL_HEADER = '</script><script>alert(1)</script>';

/** No INTERNAL_IDENTITY_SECRET, whatever the test runner's own environment holds (the fixture subgraph runs unsigned). */
const NO_IDENTITY_SECRET = { INTERNAL_IDENTITY_SECRET: undefined };

/**
 * Gateways that several files use as they are (over the shared fixture subgraph): pass one of them,
 * with `share: true`, to startFixtureGateway.
 */
export const SHARED_FIXTURE_GATEWAYS = {
  /**
   * Development defaults (introspection, the explorer, every limit at its default), plus what one file
   * needs and no other reads: GraphiQL default headers with HOSTILE_GRAPHIQL_HEADER (only on the GraphiQL
   * page: explorer.test.ts asserts that it is escaped), DUPLICATE_REVIEW as a code the subgraph may show
   * clients (only on errors with that code: subgraphErrorCodes.test.ts), and a 1 s headers timeout (10 s by
   * default: httpEdge.test.ts trickles its headers; every other client sends them at once).
   */
  development: {
    env: NO_IDENTITY_SECRET,
    config: [
      `graphiql:\n  defaultHeaders:\n    X-Demo: ${JSON.stringify(HOSTILE_GRAPHIQL_HEADER)}`,
      'subgraphs:\n  slow:\n    clientErrorCodes: [DUPLICATE_REVIEW]',
      'server:\n  headersTimeoutMs: 1000',
      '',
    ].join('\n'),
  },
  /** Production, without an identity for the unsigned fixture subgraph (which production asks to be said). */
  production: { env: { ...NO_IDENTITY_SECRET, NODE_ENV: 'production', ADMIN_PORT: '0' }, config: 'internalIdentity:\n  enabled: false\n' },
} satisfies Record<string, Partial<FixtureGatewayOptions>>;

/** A real gateway process over a supergraph composed from the fixture subgraph. */
export async function startFixtureGateway(options: FixtureGatewayOptions): Promise<FixtureGateway> {
  if (options.share) {
    const { name: _name, share: _share, ...gateway } = options;
    // An env value undefined unsets what the runner's environment has: in the key as null (JSON drops undefined).
    const shared = await shareProcesses(
      `fixture-gateway ${JSON.stringify(gateway, (_key, value: unknown) => (value === undefined ? null : value))}`,
      (owned) => launchFixtureGateway(options).then((fixture) => (owned.push(fixture.gateway), fixture)),
      { stopReleases: true },
    );
    if (shared) return { ...shared.value, gateway: shared.view(shared.value.gateway) };
  }
  return launchFixtureGateway(options);
}

async function launchFixtureGateway(options: FixtureGatewayOptions): Promise<FixtureGateway> {
  const dir = tempDir('gw-fixture-');
  const supergraphPath = join(dir, 'supergraph.graphql');
  writeFileSync(
    supergraphPath,
    composeFixture([{ name: 'slow', url: options.subgraphUrl, ...(options.sdl ? { sdl: options.sdl } : { schemaFile: SLOW_SUBGRAPH_SCHEMA }) }]),
  );
  const args = ['--supergraph', supergraphPath, '--port', '0'];
  if (options.config !== undefined) {
    writeFileSync(join(dir, 'gateway.yaml'), options.config);
    args.push('--config', join(dir, 'gateway.yaml'));
  }
  const gateway = await startProcess({ name: options.name ?? 'gateway', entry: GATEWAY_ENTRY, args, env: options.env });
  return { gateway, graphqlUrl: `${gateway.url}/graphql`, dir, supergraphPath };
}
