// The gateway's one config object: typed, validated with zod (unknown keys are errors, so a typo
// stops startup instead of silently falling back to a default), then deeply frozen.
// Sources, lowest to highest precedence: defaults < config file (YAML/JSON) < env vars < CLI flags.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { operationLimitsConfigSchema } from './plugins/operationLimitsConfig.js';
import { resilienceConfigSchema } from './subgraphResilienceConfig.js';
import { authConfigSchema } from './auth/authConfig.js';
import { authorizationConfigSchema } from './authorization/authorizationConfig.js';
import { rateLimitConfigSchema } from './rateLimit/rateLimitConfig.js';
import { graphiqlConfigSchema } from './explorer/explorerConfig.js';
import { demandControlConfigSchema } from './policy/demandControlConfig.js';
import { responseCacheConfigSchema } from './caching/responseCacheConfig.js';
import { apqConfigSchema } from './persistedQueries/apqConfig.js';
import { trustedDocumentsConfigSchema } from './persistedQueries/trustedDocumentsConfig.js';
import { NON_PROPAGATABLE_HEADERS } from './internalHeaders.js';
import { tracingConfigSchema, tracingFromEnv, TracingEnvError, TRACING_ENV_VARIABLES } from './tracing/tracingConfig.js';
import { DEFAULT_LIFETIME_SECONDS, MIN_SECRET_LENGTH } from '@federation-gateway/identity';

const propagatedHeaderSchema = z
  .string()
  .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'must be an HTTP header name')
  .transform((name) => name.toLowerCase())
  .refine((name) => !NON_PROPAGATABLE_HEADERS.has(name), { message: 'this header cannot be propagated to subgraphs' });

const subgraphSchema = z
  .object({
    /** Overrides the supergraph's routing URL (per environment, or ephemeral ports in tests). */
    url: z.url().optional(),
    /** Per-fetch timeout in ms; defaults to `subgraphDefaults.timeoutMs`. */
    timeoutMs: z.number().int().positive().max(300_000).optional(),
    /** Largest answer read from this subgraph, in bytes; defaults to `subgraphDefaults.maxResponseBytes`. */
    maxResponseBytes: z.number().int().min(1024).max(1_073_741_824).optional(),
    /** Client headers copied to this subgraph's requests; replaces `subgraphDefaults.propagateHeaders`. */
    propagateHeaders: z.array(propagatedHeaderSchema).optional(),
    /** Retries and circuit breaker for this subgraph; replaces `subgraphDefaults.resilience`. */
    resilience: resilienceConfigSchema.optional(),
    /**
     * This subgraph's own error codes that clients may see, with the subgraph's message (e.g.
     * ["DUPLICATE_REVIEW"]). Any other code a subgraph sends is masked as INTERNAL_SERVER_ERROR, because
     * its message may carry internals. The gateway's own codes (errors.ts) pass from every subgraph. @default []
     */
    clientErrorCodes: z.array(z.string().regex(/^[A-Z][A-Z0-9_]{0,63}$/, 'error codes are UPPER_SNAKE_CASE')).max(100).default([]),
  })
  .strict();

export const gatewayConfigSchema = z
  .object({
    server: z
      .object({
        /** Interface to bind. @default "127.0.0.1" (loopback: expose deliberately with --host). */
        host: z.string().min(1).default('127.0.0.1'),
        /** @default 4000 */
        port: z.number().int().min(0).max(65_535).default(4000),
        /** Largest accepted request body in bytes. @default 1048576 (1 MiB) */
        maxBodyBytes: z.number().int().positive().default(1_048_576),
        /**
         * Largest accepted request header block in bytes; Node answers 431 itself beyond it.
         * @default 32768 (32 KiB: room for large JWTs, which auth then rejects with a clear 401)
         */
        maxHeaderBytes: z.number().int().min(1024).max(1_048_576).default(32_768),
        /**
         * Processes serving the API port (node:cluster): a whole number, or "auto" for one per core (os.availableParallelism()).
         * 1 runs the gateway in this process, with no cluster primary. More than 1 needs the Redis rate-limit
         * store (the memory one would count per worker). Flag --workers, env WORKERS. @default 1
         */
        workers: z.union([z.number().int().min(1).max(256), z.literal('auto')]).default(1),
        /** How long shutdown waits for in-flight requests, in ms. @default 10000 */
        shutdownGraceMs: z.number().int().min(0).max(600_000).default(10_000),
        /**
         * Longest time a client may take to send a request's headers, in ms (Node's headersTimeout): a
         * client trickling headers a byte at a time is answered 408 and disconnected within this plus at most
         * 1 s (connections are checked every min(1 s, headersTimeoutMs / 4)). At most requestTimeoutMs.
         * @default 10000
         */
        headersTimeoutMs: z.number().int().min(100).max(300_000).default(10_000),
        /** Longest time a client may take to send a whole request, headers and body, in ms (Node's requestTimeout). @default 60000 */
        requestTimeoutMs: z.number().int().min(1000).default(60_000),
        /**
         * How long an idle keep-alive connection stays open, in ms. Above the idle timeout of the load balancer
         * in front (AWS ALB and nginx 60 s), so the gateway never closes a connection the balancer is about to
         * reuse (which shows as sporadic 502s); behind Google Cloud's load balancer use 620000.
         * @default 65000
         */
        keepAliveTimeoutMs: z.number().int().min(1000).max(3_600_000).default(65_000),
        /**
         * Most client connections open at once; beyond it a new connection is closed at once (counted in
         * gateway_http_connections_dropped_total, and logged). Bounds sockets and memory under a flood of idle
         * or slow connections. @default 10000
         */
        maxConnections: z.number().int().positive().default(10_000),
        /**
         * A body over maxBodyBytes is answered 413 at once, and what follows is read and thrown away so that
         * clients that send the whole body before reading (Node's fetch, most SDKs) get the 413 rather than a
         * reset: at most this many bytes, then the connection is closed. @default 16777216 (16 MiB)
         */
        oversizeBodyDrainBytes: z.number().int().min(0).max(1_073_741_824).default(16_777_216),
        /** Longest time spent reading and discarding an over-limit body, in ms, before closing. @default 5000 */
        oversizeBodyDrainMs: z.number().int().min(0).max(60_000).default(5_000),
        /**
         * Most bytes one operation may take from its subgraphs, all fetches together (each fanned-back
         * duplicate entity counted as if sent): beyond it no further subgraph is called and a query fails with
         * 400 RESPONSE_TOO_LARGE (a mutation keeps what it received: partial data). Bounds memory per request.
         * @default 16777216 (16 MiB; the response built from it is no larger)
         */
        maxResponseBytes: z.number().int().min(1024).max(1_073_741_824).default(16_777_216),
      })
      .strict()
      .refine((server) => server.headersTimeoutMs <= server.requestTimeoutMs, {
        message: 'headersTimeoutMs must not be above requestTimeoutMs (the headers are part of the request)',
        path: ['headersTimeoutMs'],
      })
      .prefault({}),
    supergraph: z
      .object({
        /** Path to the composed supergraph SDL. Required (flag --supergraph or env SUPERGRAPH_PATH). */
        path: z.string().min(1),
        /** Swap to a new supergraph when the file changes. @default true */
        watch: z.boolean().default(true),
        /** How often the file is polled for changes, in ms. @default 500 */
        pollIntervalMs: z.number().int().min(50).max(60_000).default(500),
      })
      .strict(),
    /** Per-subgraph overrides, by subgraph name as in the supergraph's join__Graph. */
    subgraphs: z.record(z.string(), subgraphSchema).default({}),
    subgraphDefaults: z
      .object({
        /** Per-fetch timeout in ms. @default 30000 (30 s, Apollo Router's default) */
        timeoutMs: z.number().int().positive().max(300_000).default(30_000),
        /**
         * Largest answer read from one subgraph fetch, in bytes (counting fanned-back duplicate entities as
         * if sent); beyond it reading stops and the fetch's fields get SUBGRAPH_RESPONSE_TOO_LARGE (null).
         * @default 10485760 (10 MiB: far above a normal subgraph answer, the size Apollo Router's docs use)
         */
        maxResponseBytes: z.number().int().min(1024).max(1_073_741_824).default(10_485_760),
        /**
         * Client request headers copied to every subgraph request (e.g. ["authorization", "accept-language"]).
         * @default [] (nothing from the client reaches a subgraph unless listed; `Authorization` included)
         */
        propagateHeaders: z.array(propagatedHeaderSchema).default([]),
        /** Retries (queries only) and circuit breaker per subgraph; see subgraphResilience.ts. */
        resilience: resilienceConfigSchema.prefault({}),
      })
      .strict()
      .prefault({}),
    internalIdentity: z
      .object({
        /**
         * HMAC secret (>= MIN_SECRET_LENGTH, 32 chars) used to sign the verified identity forwarded to subgraphs as
         * `x-gateway-identity`; subgraphs verify it so nobody can bypass the gateway. Each token is bound
         * to the body of the one subgraph request it travels with (docs/subgraph-contract.md).
         * Env: INTERNAL_IDENTITY_SECRET. Required with NODE_ENV=production unless `enabled: false`.
         */
        secret: z.string().min(MIN_SECRET_LENGTH).optional(),
        /**
         * false: send subgraphs no identity at all, deliberately (they then see every caller as nobody,
         * or refuse the gateway). The gateway says so at startup. @default true
         */
        enabled: z.boolean().default(true),
        /**
         * Lifetime of each token, in seconds. It only covers the hop to the subgraph (signed as the body
         * is sent, checked before the subgraph runs anything), and bounds how long that exact request can
         * be replayed. Subgraphs refuse tokens older than 60 s whatever this says. @default 10
         */
        lifetimeSeconds: z.number().int().min(1).max(60).default(DEFAULT_LIFETIME_SECONDS),
      })
      .strict()
      .refine((identity) => identity.enabled || identity.secret === undefined, {
        message: 'a secret is set but enabled is false: remove one (INTERNAL_IDENTITY_SECRET may come from the environment)',
      })
      .prefault({}),
    readiness: z
      .object({
        /**
         * Also ask every subgraph `{ __typename }` on GET /readyz, and answer 503 when one fails. Off by
         * default: one dead subgraph would take every gateway instance out of the load balancer, while a
         * gateway with partial data is usually better than none. @default false
         */
        checkSubgraphs: z.boolean().default(false),
        /** How long one subgraph check result is reused, in ms (probes come every few seconds). @default 2000 */
        cacheMs: z.number().int().min(0).max(60_000).default(2_000),
        /** Deadline of one subgraph check, in ms. @default 2000 */
        timeoutMs: z.number().int().positive().max(60_000).default(2_000),
      })
      .strict()
      .prefault({}),
    metrics: z
      .object({
        /**
         * Distinct operation names gateway_operation_duration_seconds labels; later names count as
         * __other__ (clients choose names: each one is a time series in Prometheus). @default 100
         */
        maxOperationNames: z.number().int().min(0).max(10_000).default(100),
        /** Distinct apollographql-client-name/-version pairs gateway_client_requests_total labels; then __other__. @default 50 */
        maxClients: z.number().int().min(0).max(10_000).default(50),
        /**
         * How often the event-loop delay (gateway_nodejs_eventloop_lag_*) is sampled, ms: a stall shorter than
         * this can go unseen; each sample wakes an idle process (~5 ms of CPU per second at 10 ms, measured on
         * a 2-core box; nothing to speak of under load). Env METRICS_EVENT_LOOP_RESOLUTION_MS. @default 10
         */
        eventLoopResolutionMs: z.number().int().min(1).max(60_000).default(10),
      })
      .strict()
      .prefault({}),
    admin: z
      .object({
        /**
         * Serve /metrics, /healthz and /readyz on their own listener (and no longer on the API port):
         * /metrics names schema coordinates and versions that API clients need not see.
         * @default true when NODE_ENV=production, else false
         */
        enabled: z.boolean().optional(),
        /** Interface of the admin listener. @default server.host */
        host: z.string().min(1).optional(),
        /** Port of the admin listener. Env ADMIN_PORT and flag --admin-port set it and turn the listener on. @default 9090 */
        port: z.number().int().min(0).max(65_535).default(9090),
      })
      .strict()
      .prefault({}),
    /** Security limits on each operation (tokens, depth, aliases, directives, expanded fields); see plugins/operationLimits.ts. */
    operationLimits: operationLimitsConfigSchema.prefault({}),
    /** Estimated cost per operation (list sizes, weights, maxCost); see policy/demandControlConfig.ts. */
    demandControl: demandControlConfigSchema.prefault({}),
    /** Introspection; defaults to on outside production. */
    introspection: z.boolean().optional(),
    /** Apollo Sandbox landing page on GET /graphql (Accept: text/html; loads from Apollo's CDN); defaults to on outside production. */
    sandbox: z.boolean().optional(),
    /** The local GraphiQL explorer on GET /graphiql, served without any CDN (gateway/src/explorer/explorerConfig.ts). */
    graphiql: graphiqlConfigSchema.prefault({}),
    cors: z
      .object({
        /** Allowed origins; ["*"] allows any origin without credentials. @default ["*"] */
        origins: z.array(z.string().min(1)).default(['*']),
        /** Preflight cache lifetime in seconds. @default 600 */
        maxAgeSeconds: z.number().int().min(0).default(600),
      })
      .strict()
      .prefault({}),
    /** Per-field rate limits (@rateLimit from the supergraph + overrides); see gateway/src/rateLimit/rateLimitConfig.ts. */
    rateLimits: rateLimitConfigSchema.prefault({}),
    /** Query responses cached by the subgraphs' cache hints, in memory or Redis (gateway/src/caching/responseCacheConfig.ts). */
    responseCache: responseCacheConfigSchema.prefault({}),
    /** Automatic persisted queries and their store (gateway/src/persistedQueries/apqConfig.ts). */
    apq: apqConfigSchema.prefault({}),
    /** A manifest of trusted operations: ids, logging or refusing the rest (gateway/src/persistedQueries/trustedDocumentsConfig.ts). */
    trustedDocuments: trustedDocumentsConfigSchema.prefault({}),
    /** JWT / API-key verification (gateway/src/auth/authConfig.ts). Unset: every caller is anonymous. */
    auth: authConfigSchema.optional(),
    /** How @authenticated/@requiresScopes are enforced (gateway/src/authorization/authorizationConfig.ts). */
    authorization: authorizationConfigSchema.prefault({}),
    /** OpenTelemetry traces over OTLP/HTTP, and the standard OTEL_* env variables (gateway/src/tracing/tracingConfig.ts). Off by default. */
    tracing: tracingConfigSchema.prefault({}),
    /**
     * @apollo/gateway's anonymous usage metrics sent to Apollo (an OTLP/HTTP export to Apollo's endpoint every
     * hour, after probing the AWS, GCP, Azure and Alibaba instance-metadata endpoints at startup). Off unless
     * turned on: a gateway makes no outbound call it was not configured to make, and starts faster without it
     * (deferredApolloTelemetry.ts). Env APOLLO_TELEMETRY_DISABLED=true keeps it off whatever this says.
     * @default false
     */
    apolloTelemetry: z.boolean().default(false),
    /** pino level. @default "info" */
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .strict();

export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads a YAML or JSON config file (YAML is a superset of JSON). */
export function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read config file ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    throw new ConfigError(`config file ${path} is not valid YAML/JSON: ${(error as Error).message.split('\n')[0]}`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(`config file ${path} must contain an object at the top level`);
  }
  return parsed as Record<string, unknown>;
}

/** The environment variables configFromEnv reads (deploy/ manifests may set only these, NODE_ENV and OTEL_*). */
export const CONFIG_ENV_VARIABLES = [
  'PORT',
  'HOST',
  'WORKERS',
  'ADMIN_PORT',
  'SUPERGRAPH_PATH',
  'INTERNAL_IDENTITY_SECRET',
  'RATE_LIMIT_REDIS_URL',
  'LOG_LEVEL',
  'METRICS_EVENT_LOOP_RESOLUTION_MS',
  ...TRACING_ENV_VARIABLES,
] as const;

/** Maps the environment variables the gateway honours (CONFIG_ENV_VARIABLES) onto config keys. */
export function configFromEnv(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const config: Record<string, Record<string, unknown> | unknown> = {};
  const server: Record<string, unknown> = {};
  if (env.PORT !== undefined && env.PORT !== '') server.port = parseIntegerEnv('PORT', env.PORT);
  if (env.HOST) server.host = env.HOST;
  if (env.WORKERS !== undefined && env.WORKERS !== '') server.workers = env.WORKERS === 'auto' ? 'auto' : parseIntegerEnv('WORKERS', env.WORKERS);
  if (Object.keys(server).length > 0) config.server = server;
  if (env.ADMIN_PORT !== undefined && env.ADMIN_PORT !== '') config.admin = { enabled: true, port: parseIntegerEnv('ADMIN_PORT', env.ADMIN_PORT) };
  if (env.SUPERGRAPH_PATH) config.supergraph = { path: env.SUPERGRAPH_PATH };
  if (env.INTERNAL_IDENTITY_SECRET) config.internalIdentity = { secret: env.INTERNAL_IDENTITY_SECRET };
  // A URL with a password belongs in a Secret, not in the config file: the store kind follows the URL.
  if (env.RATE_LIMIT_REDIS_URL) config.rateLimits = { store: { kind: 'redis', url: env.RATE_LIMIT_REDIS_URL } };
  if (env.LOG_LEVEL) config.logLevel = env.LOG_LEVEL;
  if (env.METRICS_EVENT_LOOP_RESOLUTION_MS !== undefined && env.METRICS_EVENT_LOOP_RESOLUTION_MS !== '') {
    config.metrics = { eventLoopResolutionMs: parseIntegerEnv('METRICS_EVENT_LOOP_RESOLUTION_MS', env.METRICS_EVENT_LOOP_RESOLUTION_MS) };
  }
  // The standard OTEL_* variables (endpoint, sampler, service name, OTEL_SDK_DISABLED, ...), over the file's `tracing`.
  try {
    const tracing = tracingFromEnv(env);
    if (tracing) config.tracing = tracing;
  } catch (error) {
    if (error instanceof TracingEnvError) throw new ConfigError(error.message);
    throw error;
  }
  return config;
}

function parseIntegerEnv(name: string, value: string): number {
  if (!/^\d+$/.test(value)) throw new ConfigError(`env ${name} must be a whole number, got "${value}"`);
  return Number(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deep merge of plain objects; arrays and scalars from `override` replace. */
export function mergeConfig(base: Record<string, unknown>, override: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    if (value === undefined) continue;
    const existing = merged[key];
    merged[key] = isPlainObject(existing) && isPlainObject(value) ? mergeConfig(existing, value) : value;
  }
  return merged;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** Validates the merged sources; the error names the first offending key. */
export function resolveConfig(sources: Record<string, unknown>[]): Readonly<GatewayConfig> {
  const merged = sources.reduce((acc, source) => mergeConfig(acc, source), {});
  const result = gatewayConfigSchema.safeParse(merged);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const key = issue.path.join('.') || '(root)';
    const detail =
      issue.code === 'unrecognized_keys'
        ? `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${[...issue.path, k].join('.')}"`).join(', ')}`
        : `${key}: ${issue.message}`;
    throw new ConfigError(`invalid config: ${detail}`);
  }
  return deepFreeze(result.data);
}
