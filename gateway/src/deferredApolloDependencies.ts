// Defers dependencies that @apollo/gateway, its query planner and @apollo/server require when they load
// but use only on paths this gateway does not take at startup (most never). Run first by beforeApolloLoads.ts,
// before anything loads @apollo/* (before plainFederationExports.ts, which loads the query planner).
//
// Why: together ~250 CPU-ms of every gateway start (loading each from its requirer's folder, 2026-12-02, the
// 2-core box; the start before/after is in bench/RESULTS.md, "Startup"): make-fetch-happen with cacache,
// @npmcli/fs and semver ~100, deep-equal with its es-abstract helpers ~70, the incubating semantic
// conventions ~70, @graphql-tools/schema ~45, node-fetch ~25, the usage-reporting protobufs ~30.
//
// Which, and what uses them (@apollo/gateway 2.14, @apollo/server 5):
// - make-fetch-happen: RemoteGraphQLDataSource's constructor keeps `makeFetchHappen.defaults(...)` as its
//   fetcher, which our SubgraphDataSource never calls (its process() exchanges through undici:
//   datasource.ts); the uplink manager (not used: the supergraph comes from a file) does the same. The
//   facade's `defaults` returns a fetcher that loads make-fetch-happen on its first call and then is
//   exactly `makeFetchHappen.defaults(options)`; anything else read from the module loads it.
// - node-fetch: executeQueryPlan.js builds node-fetch Headers only for Apollo's usage traces (off), and
//   RemoteGraphQLDataSource.process, which our datasource replaces.
// - deep-equal: the query graphs compare a path's @skip/@include conditions with it, only while planning
//   an operation that has some (then it loads, on that first plan).
// - pretty-format, ts-graphviz: the planner's debug printing of plans and graphs (`debug: true` only).
// - @graphql-tools/schema: Apollo Server builds a schema from `typeDefs` with it; a gateway has none.
// - @apollo/usage-reporting-protobuf: the trace protobufs of Apollo's usage reporting and inline traces
//   (ftv1), both off in this gateway (the inline trace plugin Apollo Server installs stays off: the
//   gateway's schema is no subgraph).
// - @opentelemetry/semantic-conventions/incubating (one 850 kB file, ~70 CPU-ms): @apollo/gateway's
//   utilities/opentelemetry.js reads two attribute names from it at load (the facade has them, checked
//   against the real module by startupWork.test.ts) and the rest only for Apollo's telemetry (off unless
//   `apolloTelemetry: true`, deferredApolloTelemetry.ts).
// - @apollo/composition: the gateway's supergraph managers that compose (IntrospectAndCompose, LocalCompose);
//   this gateway reads a composed supergraph file.
import { createRequire } from 'node:module';
import { deferModule, type StandInOptions } from './deferredModule.js';

const ownRequire = createRequire(import.meta.url);
// Each resolved from the package that requires it, so the cache entries replaced are the ones it loads.
const gatewayRequire = createRequire(ownRequire.resolve('@apollo/gateway'));
const plannerRequire = createRequire(gatewayRequire.resolve('@apollo/query-planner'));
const queryGraphsRequire = createRequire(plannerRequire.resolve('@apollo/query-graphs'));
const serverRequire = createRequire(ownRequire.resolve('@apollo/server'));

type Fetcher = (...args: unknown[]) => unknown;

/** make-fetch-happen's `defaults(options)`, whose fetcher is made (and the module loaded) on its first call. */
function fetcherDefaults(load: () => object) {
  return {
    defaults(options?: unknown): Fetcher {
      let fetcher: Fetcher | undefined;
      return (...args) => {
        fetcher ??= (load() as { defaults(options?: unknown): Fetcher }).defaults(options);
        return fetcher(...args);
      };
    },
  };
}

/** Absolute module id → how its stand-in answers before the module loads. */
export const DEFERRED_APOLLO_DEPENDENCIES: ReadonlyMap<string, StandInOptions> = new Map<string, StandInOptions>([
  [gatewayRequire.resolve('make-fetch-happen'), { callable: true, facade: fetcherDefaults }],
  [gatewayRequire.resolve('node-fetch'), { callable: true, esModule: true }],
  [queryGraphsRequire.resolve('deep-equal'), { callable: true }],
  [plannerRequire.resolve('pretty-format'), { esModule: true }],
  [queryGraphsRequire.resolve('ts-graphviz'), {}],
  [serverRequire.resolve('@graphql-tools/schema'), { esModule: true }],
  [gatewayRequire.resolve('@apollo/usage-reporting-protobuf'), {}],
  [serverRequire.resolve('@apollo/usage-reporting-protobuf'), {}],
  [gatewayRequire.resolve('@opentelemetry/semantic-conventions/incubating'), { facade: () => ({ ATTR_CLOUD_PROVIDER: 'cloud.provider', ATTR_CLOUD_PLATFORM: 'cloud.platform' }) }],
  [gatewayRequire.resolve('@apollo/composition'), { esModule: true }],
]);

for (const [id, options] of DEFERRED_APOLLO_DEPENDENCIES) deferModule(id, options);
