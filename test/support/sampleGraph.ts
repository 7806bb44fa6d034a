// Starts the sample graph for integration tests: real subgraph processes (and the REST services
// the wrapping subgraphs need) on ephemeral ports, and a real gateway serving the committed
// supergraph.graphql with routing URLs overridden to those ports.
//
// Shared subgraphs: in a group's process (test/support/sharedFixtures.ts), subgraphs without REST
// backends (users, orders) are started once per set of subgraphs and env, and the group's files each
// put their own gateway in front of them, and their own REST-backed subgraphs beside them (a users +
// orders pair is ~2 CPU-s to start, and most files on the sample graph use one). Files that place orders
// on them do so as user-6 and above: users 1-3's orders stay the sample data, which crossService, fourHop
// and entityFanOut compare answers with. Run alone, a file always starts its own.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { stringify as toYaml } from 'yaml';
// The declarations alone: the package's main entry loads RESTDataSource and graphql (~0.7 CPU-s).
import { declaredRestBackends } from '@federation-gateway/rest-kit/declarations';
import { GATEWAY_ENTRY, repoRoot, serviceEntry, startProcess, stopAll, subgraphEntry, type RunningProcess } from './processes.js';
import { shareProcesses } from './sharedFixtures.js';
import { tempDir } from './tempDirs.js';

export const TEST_ISSUER = 'https://issuer.test.invalid';
export const TEST_AUDIENCE = 'federation-gateway-tests';

export interface SampleGraph {
  gateway: RunningProcess;
  graphqlUrl: string;
  subgraphs: Record<string, RunningProcess>;
  /** The REST services started for the chosen subgraphs, by folder name under services/ (e.g. catalog). */
  services: Record<string, RunningProcess>;
  /** The secret subgraphs use to verify `x-gateway-identity`. */
  internalIdentitySecret: string;
  /** The HS256 secret the gateway verifies client JWTs with. */
  jwtSecret: string;
  /** A valid client JWT for `subject` with `scopes`. */
  tokenFor(subject: string, scopes: string[], extraClaims?: Record<string, unknown>): Promise<string>;
  /** Path of the gateway's config file (YAML). */
  configPath: string;
  /** Another gateway over the same subgraphs, with `gatewayConfig` deep-merged over this one's (and extra env); stopped by stop(). */
  startGateway(gatewayConfig: Record<string, unknown>, env?: Record<string, string>): Promise<RunningProcess>;
  stop(): Promise<void>;
}

export interface SampleGraphOptions {
  /** Subgraphs to start (compiled: subgraphs/<name>/dist/main.js). @default ['users', 'orders'] */
  subgraphs?: string[];
  /** Extra gateway config, deep-merged over the test defaults. */
  gatewayConfig?: Record<string, unknown>;
  /** Supergraph file for the gateway. @default the committed supergraph.graphql */
  supergraphPath?: string;
  /** Extra env for the gateway process. */
  gatewayEnv?: Record<string, string>;
  /** Extra env for every subgraph process. */
  subgraphEnv?: Record<string, string>;
  /** The base URL the gateway calls for a subgraph (e.g. a recording proxy in front of it). @default the subgraph's own */
  subgraphBaseUrl?: (name: string, url: string) => string | Promise<string>;
}

interface StartedSubgraphs {
  subgraphs: Record<string, RunningProcess>;
  services: Record<string, RunningProcess>;
  internalIdentitySecret: string;
}

/** The REST services and subgraphs of `names`, started and ready. */
async function startSubgraphs(
  names: string[],
  subgraphEnv: Record<string, string> | undefined,
  started: RunningProcess[],
  internalIdentitySecret = randomBytes(32).toString('base64url'),
): Promise<StartedSubgraphs> {
  // The REST services the chosen subgraphs wrap, as each declares them (subgraphs/<name>/rest-backends.json).
  const backends = declaredRestBackends(join(repoRoot, 'subgraphs'), names);
  const services: Record<string, RunningProcess> = {};
  await Promise.all(
    [...new Set(backends.map((b) => b.service))].map(async (service) => {
      const running = await startProcess({ name: `rest:${service}`, entry: serviceEntry(service), args: ['--port', '0'], env: { FAULT_INJECTION: '1' } });
      started.push(running);
      services[service] = running;
    }),
  );
  const subgraphs: Record<string, RunningProcess> = {};
  await Promise.all(
    names.map(async (name) => {
      const backendFlags = backends.filter((b) => b.subgraph === name).flatMap((b) => [`--${b.name}-url`, services[b.service]!.url]);
      const running = await startProcess({
        name,
        entry: subgraphEntry(name),
        args: ['--port', '0', ...backendFlags],
        env: { INTERNAL_IDENTITY_SECRET: internalIdentitySecret, SUBGRAPH_DEBUG_COUNTERS: '1', ...subgraphEnv },
      });
      started.push(running);
      subgraphs[name] = running;
    }),
  );
  return { subgraphs, services, internalIdentitySecret };
}

/**
 * The subgraphs for one startSampleGraph: in a group's process, the ones without REST backends are shared
 * (test/support/sharedFixtures.ts); the ones with REST backends, and their REST services, are new (a REST
 * service's fault injection is state a file could leave behind), signed with the shared ones' secret.
 */
async function subgraphsFor(options: SampleGraphOptions, names: string[], started: RunningProcess[]): Promise<StartedSubgraphs> {
  const restBacked = new Set(declaredRestBackends(join(repoRoot, 'subgraphs'), names).map((backend) => backend.subgraph));
  const plain = names.filter((name) => !restBacked.has(name));
  const shared =
    plain.length === 0
      ? undefined
      : await shareProcesses(`sample-graph ${JSON.stringify([plain, options.subgraphEnv ?? {}])}`, (owned) => startSubgraphs(plain, options.subgraphEnv, owned));
  if (!shared) return startSubgraphs(names, options.subgraphEnv, started);
  const { subgraphs, internalIdentitySecret } = shared.value;
  const own = await startSubgraphs(names.filter((name) => restBacked.has(name)), options.subgraphEnv, started, internalIdentitySecret);
  const viewed = Object.fromEntries(Object.entries(subgraphs).map(([name, p]) => [name, shared.view(p)]));
  return { subgraphs: { ...viewed, ...own.subgraphs }, services: own.services, internalIdentitySecret };
}

export interface SampleSubgraphs extends StartedSubgraphs {
  /** Stops the ones that are this file's own (shared ones run on for the group's next file). */
  stop(): Promise<void>;
}

/** The sample graph's subgraphs without a gateway (shared in a group like startSampleGraph's), for a file that starts its own. */
export async function startSampleSubgraphs(names: string[] = ['users', 'orders']): Promise<SampleSubgraphs> {
  const started: RunningProcess[] = [];
  try {
    return { ...(await subgraphsFor({}, names, started)), stop: () => stopAll(started) };
  } catch (error) {
    await stopAll(started);
    throw error;
  }
}

function merge(base: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const existing = out[key];
    out[key] =
      existing && typeof existing === 'object' && !Array.isArray(existing) && value && typeof value === 'object' && !Array.isArray(value)
        ? merge(existing as Record<string, unknown>, value as Record<string, unknown>)
        : value;
  }
  return out;
}

export async function startSampleGraph(options: SampleGraphOptions = {}): Promise<SampleGraph> {
  const names = options.subgraphs ?? ['users', 'orders'];
  const jwtSecret = randomBytes(32).toString('base64url');
  const started: RunningProcess[] = [];
  try {
    const { subgraphs, services, internalIdentitySecret } = await subgraphsFor(options, names, started);
    const baseUrls: Record<string, string> = {};
    for (const name of names) baseUrls[name] = (await options.subgraphBaseUrl?.(name, subgraphs[name]!.url)) ?? subgraphs[name]!.url;
    const config = merge(
      {
        subgraphs: Object.fromEntries(names.map((name) => [name, { url: `${baseUrls[name]}/graphql` }])),
        supergraph: { pollIntervalMs: 100 },
        auth: {
          jwt: { key: { type: 'secret', secret: jwtSecret }, algorithms: ['HS256'], issuer: TEST_ISSUER, audience: TEST_AUDIENCE },
        },
      },
      options.gatewayConfig ?? {},
    );
    const launchGateway = async (gatewayConfig: Record<string, unknown>, env?: Record<string, string>): Promise<{ gateway: RunningProcess; configPath: string }> => {
      const dir = tempDir('gw-test-');
      const path = join(dir, 'gateway.yaml');
      writeFileSync(path, toYaml(gatewayConfig));
      const running = await startProcess({
        name: 'gateway',
        entry: GATEWAY_ENTRY,
        args: ['--supergraph', options.supergraphPath ?? join(repoRoot, 'supergraph.graphql'), '--port', '0', '--config', path],
        env: { INTERNAL_IDENTITY_SECRET: internalIdentitySecret, ...options.gatewayEnv, ...env },
      });
      started.push(running);
      return { gateway: running, configPath: path };
    };
    const { gateway, configPath } = await launchGateway(config);
    const key = new TextEncoder().encode(jwtSecret);
    return {
      gateway,
      graphqlUrl: `${gateway.url}/graphql`,
      subgraphs,
      services,
      internalIdentitySecret,
      jwtSecret,
      configPath,
      tokenFor: (subject, scopes, extraClaims = {}) =>
        new SignJWT({ scope: scopes.join(' '), ...extraClaims })
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject(subject)
          .setIssuer(TEST_ISSUER)
          .setAudience(TEST_AUDIENCE)
          .setIssuedAt()
          .setExpirationTime('10m')
          .sign(key),
      startGateway: async (extra, env) => (await launchGateway(merge(config, extra), env)).gateway,
      stop: () => stopAll(started),
    };
  } catch (error) {
    await stopAll(started);
    throw error;
  }
}
