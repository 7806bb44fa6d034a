// Defers loading the OpenTelemetry metrics stack that @apollo/gateway requires for its anonymous usage
// reporting to Apollo ("data collection": resource detectors for AWS, GCP, Azure and Alibaba, the metrics
// SDK and an OTLP/HTTP exporter), until something really uses it. Run by beforeApolloLoads.ts, before
// anything loads @apollo/gateway.
//
// Why: @apollo/gateway's utilities/opentelemetry.js requires all of it at load, but only calls it from
// createDataCollectionExporter(), i.e. when Apollo's telemetry is on, and this gateway turns it off unless
// `apolloTelemetry: true` (config.ts). Loading it anyway cost ~200 CPU-ms of the gateway's startup on
// the shared 2-core box (measured by requiring each module from @apollo/gateway's folder: resources ~90,
// exporter-metrics-otlp-http ~50, the four detectors ~45, sdk-metrics ~12); bench/RESULTS.md has the
// startup before/after.
//
// How: each module's entry in the CommonJS cache is a stand-in that loads the real module on first use
// (deferredModule.ts).
import { createRequire } from 'node:module';
import { deferModule } from './deferredModule.js';

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

// Resolved the way @apollo/gateway resolves them, so the cache entries replaced are the ones it loads.
const gatewayRequire = createRequire(createRequire(import.meta.url).resolve('@apollo/gateway'));

for (const name of DEFERRED_TELEMETRY_MODULES) deferModule(gatewayRequire.resolve(name));
