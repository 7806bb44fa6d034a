// Composes small fixture supergraphs in tests, with @apollo/composition (what `npm run compose` uses),
// and starts the fixture subgraph and a gateway over it (any valid supergraph, not only the sample graph).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { GATEWAY_ENTRY, repoRoot, SLOW_SUBGRAPH_ENTRY, startProcess, type RunningProcess } from './processes.js';
import { shareProcesses } from './sharedFixtures.js';

export const SLOW_SUBGRAPH_SCHEMA = 'test/fixtures/slow-subgraph/schema.graphql';

export interface FixtureSubgraph {
  name: string;
  url: string;
  /** SDL text; defaults to the file at `schemaFile`. */
  sdl?: string;
  /** Path relative to the repo root. */
  schemaFile?: string;
}

export function composeFixture(subgraphs: FixtureSubgraph[]): string {
  const result = composeServices(
    subgraphs.map((s) => ({
      name: s.name,
      url: s.url,
      typeDefs: parse(s.sdl ?? readFileSync(join(repoRoot, s.schemaFile!), 'utf8')),
    })),
  );
  if (result.errors) throw new Error(`fixture composition failed: ${result.errors.map((e) => e.message).join('; ')}`);
  return result.supergraphSdl;
}

/**
 * The fixture subgraph (test/fixtures/slow-subgraph); unsigned unless `env` gives it a secret. Without
 * `env`, the files of a group's process share one (test/support/sharedFixtures.ts; ~1 CPU-s a start):
 * stop() then hands it back for the next file. A test that stops it to have it dead passes `own: true`.
 */
export async function startSlowSubgraph(env?: Record<string, string>, { own = false }: { own?: boolean } = {}): Promise<RunningProcess> {
  const args = ['--port', '0', ...(env?.INTERNAL_IDENTITY_SECRET ? [] : ['--insecure-allow-unsigned'])];
  const start = (owned: RunningProcess[]) => startProcess({ name: 'slow', entry: SLOW_SUBGRAPH_ENTRY, args, env }).then((p) => (owned.push(p), p));
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
  env?: Record<string, string>;
  name?: string;
}

/** A real gateway process over a supergraph composed from the fixture subgraph. */
export async function startFixtureGateway(options: FixtureGatewayOptions): Promise<FixtureGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'gw-fixture-'));
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
