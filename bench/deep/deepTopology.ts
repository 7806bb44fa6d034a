// The deep scenario's setup: the four benchmark subgraphs in one process, their supergraph composed
// for this run, and how each gateway is spawned in front of them.
// - Ours runs its production path: it verifies a distinct client JWT on every request, counts a
//   per-field rate limit on the root field `Query.users` (max 10^9 per minute: counted, never
//   rejecting), estimates the operation's cost (under a maxCost it stays below), signs the forwarded
//   identity for each subgraph fetch, logs and measures.
// - Stock forwards the client's Authorization header to the subgraphs (the usual stock setup) and does
//   nothing else. The benchmark subgraphs read neither header.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify as toYaml } from 'yaml';
import { spawnBenchProcess, type BenchProcess } from '../benchProcess.js';
import { BENCH_AUDIENCE, BENCH_ISSUER, baseEnv, type GatewaySpec } from '../benchTopology.js';
import { createDistinctTokenSource } from '../distinctTokens.js';
import { composeDeepSupergraph, DEEP_SUBGRAPH_NAMES } from './deepSupergraph.js';

export interface DeepTopology {
  subgraphs: BenchProcess;
  ours: GatewaySpec;
  stock: GatewaySpec;
  /** Requests each benchmark subgraph has received so far. */
  subgraphRequestCounts(): Promise<Record<string, number>>;
}

export async function startDeepTopology(options: {
  repoRoot: string;
  logDir: string;
  ourGatewayMain: string;
  stockGatewayMain: string;
  deepSubgraphsMain: string;
  /** node flags put before our gateway's entry point (those of `npm run gateway`, and e.g. --cpu-prof). */
  ourNodeFlags: string[];
  started: BenchProcess[];
}): Promise<DeepTopology> {
  const { repoRoot, logDir } = options;
  const env = baseEnv(randomBytes(32).toString('base64url'));
  const schemaDir = join(repoRoot, 'bench/deep/schemas');
  const subgraphs = await spawnBenchProcess({
    name: 'deep-subgraphs',
    nodeArgs: [options.deepSubgraphsMain, '--schemas', schemaDir, '--port', '0'],
    env,
    cwd: repoRoot,
    logDir,
  });
  options.started.push(subgraphs);

  const supergraphPath = join(logDir, 'deep-supergraph.graphql');
  writeFileSync(supergraphPath, composeDeepSupergraph(schemaDir, subgraphs.url));

  const jwtSecret = randomBytes(32).toString('base64url');
  const ourConfigPath = join(logDir, 'deep-gateway.yaml');
  writeFileSync(
    ourConfigPath,
    toYaml({
      auth: { jwt: { key: { type: 'secret', secret: jwtSecret }, algorithms: ['HS256'], issuer: BENCH_ISSUER, audience: BENCH_AUDIENCE } },
      // Added by config (the benchmark SDL declares none): counted on every request, rejecting nothing.
      rateLimits: { fields: { 'Query.users': { max: 1_000_000_000, window: '1m' } } },
      // Demand control stays on (estimated and measured on every request); TestQuery estimates 24,420 with
      // the default list size, over the default maxCost of 1,000, so the limit is raised to refuse nothing.
      demandControl: { maxCost: 1_000_000 },
    }),
  );
  // One source for both gateways: each request, whichever gateway it goes to, carries a new token.
  const nextAuthorization = createDistinctTokenSource({
    secret: jwtSecret,
    issuer: BENCH_ISSUER,
    audience: BENCH_AUDIENCE,
    subjects: Array.from({ length: 50 }, (_, index) => `bench-user-${index + 1}`),
    scope: 'reviews:read',
  });
  const requestHeaders = () => ({ authorization: nextAuthorization() });

  return {
    subgraphs,
    ours: {
      label: 'ours',
      nodeArgs: [...options.ourNodeFlags, options.ourGatewayMain, '--supergraph', supergraphPath, '--port', '0', '--config', ourConfigPath],
      env,
      graphqlPath: '/graphql',
      requestHeaders,
    },
    stock: {
      label: 'stock @apollo/gateway',
      nodeArgs: [options.stockGatewayMain, '--supergraph', supergraphPath, '--port', '0', '--forward-header', 'authorization'],
      env,
      graphqlPath: '/',
      requestHeaders,
    },
    subgraphRequestCounts: async () => {
      const response = await fetch(`${subgraphs.url}/stats`, { signal: AbortSignal.timeout(5_000) });
      const counts = (await response.json()) as Record<string, number>;
      return Object.fromEntries(DEEP_SUBGRAPH_NAMES.map((name) => [name, counts[name] ?? 0]));
    },
  };
}
