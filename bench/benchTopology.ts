// What the benchmark runs: one pair of real users + orders subgraphs (signed identity required, as in
// production), and how to spawn each gateway in front of them: ours (compiled, full request path) and
// the stock baseline (bench/stockGateway.ts). Both use the committed supergraph.graphql with the routing
// URLs overridden to the subgraphs' ephemeral ports, and both forward the same identity, so the subgraphs
// do the same work and return the same data for either gateway.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { stringify as toYaml } from 'yaml';
import type { ForwardedIdentity } from '@federation-gateway/identity';
import { spawnBenchProcess, type BenchProcess } from './benchProcess.js';

export const BENCH_ISSUER = 'https://issuer.bench.invalid';
export const BENCH_AUDIENCE = 'federation-gateway-bench';
/** The caller of every benchmark request: reading other users' orders needs `orders:read:all`. */
const BENCH_SUBJECT = 'user-1';
const BENCH_SCOPES = ['orders:read:all'];

export interface GatewaySpec {
  label: string;
  /** Arguments to `node`. */
  nodeArgs: string[];
  env: Record<string, string>;
  /** Path of the GraphQL endpoint below the listening URL. */
  graphqlPath: string;
  /** Headers of the next request (called once per request: the deep scenario's JWT differs every time). */
  requestHeaders(): Record<string, string>;
}

export interface BenchTopology {
  subgraphs: BenchProcess[];
  ours: GatewaySpec;
  stock: GatewaySpec;
  /** Ours with the response cache on (memory store): the cached scenario, reported apart. */
  oursCached: GatewaySpec;
}

/** Only what the servers need: an inherited PORT or LOG_LEVEL would silently change what is measured. */
export function baseEnv(internalIdentitySecret: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    // Production settings for every process: what a deployment would run (introspection off, etc.).
    NODE_ENV: 'production',
    INTERNAL_IDENTITY_SECRET: internalIdentitySecret,
    // Production puts /metrics and the probes on an admin listener (9090 by default): any free port here.
    ADMIN_PORT: '0',
  };
}

export async function startBenchTopology(options: {
  repoRoot: string;
  logDir: string;
  ourGatewayMain: string;
  /** As `npm run gateway` runs it (compiledEntries.ts). */
  ourGatewayNodeFlags: string[];
  stockGatewayMain: string;
  subgraphMain(name: string): string;
  started: BenchProcess[];
}): Promise<BenchTopology> {
  const { repoRoot, logDir } = options;
  const internalIdentitySecret = randomBytes(32).toString('base64url');
  const jwtSecret = randomBytes(32).toString('base64url');
  const env = baseEnv(internalIdentitySecret);

  const subgraphs = await Promise.all(
    ['users', 'orders'].map(async (name) => {
      const running = await spawnBenchProcess({
        name,
        nodeArgs: [options.subgraphMain(name), '--port', '0'],
        env,
        cwd: repoRoot,
        logDir,
      });
      options.started.push(running);
      return running;
    }),
  );
  const [users, orders] = subgraphs as [BenchProcess, BenchProcess];
  const supergraphPath = join(repoRoot, 'supergraph.graphql');

  const ourConfig = {
    subgraphs: { users: { url: `${users.url}/graphql` }, orders: { url: `${orders.url}/graphql` } },
    auth: { jwt: { key: { type: 'secret', secret: jwtSecret }, algorithms: ['HS256'], issuer: BENCH_ISSUER, audience: BENCH_AUDIENCE } },
    // Query.users carries @rateLimit(max: 30, window: "1m"): raised so that no request is rejected,
    // while the limiter still counts every request (its cost stays in the measurement).
    rateLimits: { fields: { 'Query.users': { max: 1_000_000_000 } } },
  };
  const ourConfigPath = join(logDir, 'gateway.yaml');
  writeFileSync(ourConfigPath, toYaml(ourConfig));
  const cachedConfigPath = join(logDir, 'gateway-cached.yaml');
  writeFileSync(cachedConfigPath, toYaml({ ...ourConfig, responseCache: { enabled: true } }));
  const token = await new SignJWT({ scope: BENCH_SCOPES.join(' ') })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(BENCH_SUBJECT)
    .setIssuer(BENCH_ISSUER)
    .setAudience(BENCH_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime('15m')
    .sign(new TextEncoder().encode(jwtSecret));

  // The identity our gateway derives from that token (no tier claim → "authenticated"): the stock
  // baseline forwards exactly this one, signed the same way.
  const forwardedIdentity: ForwardedIdentity = { subject: BENCH_SUBJECT, scopes: BENCH_SCOPES, roles: [], kind: 'user', tier: 'authenticated' };

  return {
    subgraphs,
    ours: {
      label: 'ours',
      nodeArgs: [...options.ourGatewayNodeFlags, options.ourGatewayMain, '--supergraph', supergraphPath, '--port', '0', '--config', ourConfigPath],
      env,
      graphqlPath: '/graphql',
      requestHeaders: () => ({ authorization: `Bearer ${token}` }),
    },
    oursCached: {
      label: 'ours, response cache',
      nodeArgs: [...options.ourGatewayNodeFlags, options.ourGatewayMain, '--supergraph', supergraphPath, '--port', '0', '--config', cachedConfigPath],
      env,
      graphqlPath: '/graphql',
      requestHeaders: () => ({ authorization: `Bearer ${token}` }),
    },
    stock: {
      label: 'stock @apollo/gateway',
      nodeArgs: [
        options.stockGatewayMain,
        '--supergraph',
        supergraphPath,
        '--port',
        '0',
        '--subgraph',
        `users=${users.url}/graphql`,
        '--subgraph',
        `orders=${orders.url}/graphql`,
        '--identity',
        JSON.stringify(forwardedIdentity),
      ],
      env,
      graphqlPath: '/',
      // Stock has no client authentication; it forwards the fixed identity above instead.
      requestHeaders: () => ({}),
    },
  };
}
