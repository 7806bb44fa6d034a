// Defers loading the OpenTelemetry metrics stack that @apollo/gateway requires for its anonymous usage
// reporting to Apollo ("data collection": resource detectors for AWS, GCP, Azure and Alibaba, the metrics
// SDK and an OTLP/HTTP exporter), until something really uses it. Imported first by gatewayProcess.ts,
// before anything loads @apollo/gateway.
//
// Why: @apollo/gateway's utilities/opentelemetry.js requires all of it at load, but only calls it from
// createDataCollectionExporter(), i.e. when Apollo's telemetry is on, and this gateway turns it off unless
// `apolloTelemetry: true` (config.ts). Loading it anyway cost ~200 CPU-ms of the gateway's startup on
// the shared 2-core box (measured by requiring each module from @apollo/gateway's folder: resources ~90,
// exporter-metrics-otlp-http ~50, the four detectors ~45, sdk-metrics ~12); bench/RESULTS.md has the
// startup before/after.
//
// How: each module's entry in the CommonJS cache is a stand-in whose exports object is a Proxy; the first
// property read, key listing or `in` check loads the real module and answers from it. So a `require()`
// that only keeps the object for later costs nothing, and anything that uses it gets the real module,
// unchanged (the stand-in is swapped out of the cache at that moment, so later `require()`s get the
// real exports object). A module already loaded is left alone.
import { createRequire } from 'node:module';
import { Module } from 'node:module';
import { dirname } from 'node:path';

/** Required by @apollo/gateway/dist/utilities/opentelemetry.js, used only inside createDataCollectionMeterProvider(). */
export const DEFERRED_TELEMETRY_MODULES = [
  '@opentelemetry/sdk-metrics',
  '@opentelemetry/resources',
  '@opentelemetry/resource-detector-alibaba-cloud',
  '@opentelemetry/resource-detector-aws',
  '@opentelemetry/resource-detector-gcp',
  '@opentelemetry/resource-detector-azure',
  '@opentelemetry/exporter-metrics-otlp-http',
  'node-cpu-count',
] as const;

interface CjsModule {
  id: string;
  filename: string;
  loaded: boolean;
  exports: unknown;
  paths: string[];
}
type ModuleInternals = typeof Module & {
  new (id: string, parent: unknown): CjsModule;
  _nodeModulePaths(from: string): string[];
};

// Resolved the way @apollo/gateway resolves them, so the cache entries replaced are the ones it loads.
const gatewayRequire = createRequire(createRequire(import.meta.url).resolve('@apollo/gateway'));

/** Ids (absolute paths) of the stand-ins not yet replaced by their real module: what tests check. */
export const stillDeferred = new Set<string>();

/** Replaces the cache entry of `id` (an absolute module path) with a stand-in, unless it is loaded already. */
export function deferModule(id: string): void {
  if (gatewayRequire.cache[id]) return;
  let real: object | undefined;
  const load = (): object => {
    if (real === undefined) {
      delete gatewayRequire.cache[id];
      stillDeferred.delete(id);
      real = gatewayRequire(id) as object;
    }
    return real;
  };
  const exports = new Proxy(
    {},
    {
      get: (_target, key) => Reflect.get(load(), key),
      has: (_target, key) => Reflect.has(load(), key),
      ownKeys: () => Reflect.ownKeys(load()),
      // Reported configurable: the Proxy's own (empty) target does not have these properties.
      getOwnPropertyDescriptor: (_target, key) => {
        const descriptor = Reflect.getOwnPropertyDescriptor(load(), key);
        return descriptor && { ...descriptor, configurable: true };
      },
      getPrototypeOf: () => Reflect.getPrototypeOf(load()),
    },
  );
  const ModuleClass = Module as ModuleInternals;
  const standIn = new ModuleClass(id, null);
  standIn.filename = id;
  standIn.paths = ModuleClass._nodeModulePaths(dirname(id));
  standIn.exports = exports;
  standIn.loaded = true;
  gatewayRequire.cache[id] = standIn as unknown as NodeJS.Module;
  stillDeferred.add(id);
}

for (const name of DEFERRED_TELEMETRY_MODULES) deferModule(gatewayRequire.resolve(name));
