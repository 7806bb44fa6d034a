// Replaces the CommonJS re-export getters of @apollo/federation-internals, @apollo/query-graphs and
// @apollo/query-planner with plain data properties, once, before @apollo/gateway loads them.
//
// Why: these packages are TypeScript-compiled CommonJS whose index re-exports every submodule through
// `__exportStar`, i.e. one `get: () => m[k]` accessor per export. @apollo/gateway reads
// `federation_internals_1.x` on its per-request paths (plan execution, result shaping), so every such read
// is an accessor call. Measured on the deep bench scenario (bench/RESULTS.md, "Profile and levers"): the
// accessor alone was 1.4 % of the gateway's busy time (gone after); the prototype measured 2.08× →
// 2.40× stock's throughput with it, our same-run comparison 1.06× (inside that run's noise).
//
// Safe because no export of these packages is a live (`let`) binding: the values read once are the values
// every later read would return. `__esModule` is kept, so interop helpers treat the object as before.
// Run by beforeApolloLoads.ts before @apollo/gateway loads (after deferredApolloDependencies.ts); a module that loaded @apollo/gateway earlier keeps the
// getters (slower, same behaviour).
import { createRequire } from 'node:module';

// Resolved the way @apollo/gateway resolves them (each from the package that depends on it), so the
// module objects replaced are the ones it will load. In dependency order: each package is loaded after
// the ones it requires were replaced, so it captures their plain objects too.
const gatewayRequire = createRequire(createRequire(import.meta.url).resolve('@apollo/gateway'));
const plannerRequire = createRequire(gatewayRequire.resolve('@apollo/query-planner'));
const MODULE_IDS = [
  gatewayRequire.resolve('@apollo/federation-internals'),
  plannerRequire.resolve('@apollo/query-graphs'),
  gatewayRequire.resolve('@apollo/query-planner'),
];

for (const id of MODULE_IDS) {
  const exports = gatewayRequire(id) as Record<string, unknown>;
  const entry = gatewayRequire.cache[id];
  if (!entry) continue;
  const plain: Record<string, unknown> = {};
  for (const key of Object.getOwnPropertyNames(exports)) {
    const descriptor = Object.getOwnPropertyDescriptor(exports, key)!;
    Object.defineProperty(plain, key, { value: exports[key], enumerable: descriptor.enumerable ?? true, writable: false, configurable: false });
  }
  entry.exports = plain;
}
