// Our gateway with OpenTelemetry tracing on, for `npm run bench -- --also "traced=--max-semi-space-size=128
// bench/tracedGatewayEntry.mjs"`: every request sampled (always_on), exported over OTLP/HTTP to a closed
// port on loopback, so the run measures the SDK's work in the gateway (spans, context, batching, OTLP/JSON
// encoding) without a collector competing for the CPU. Export failures are logged once a minute.
process.env.OTEL_EXPORTER_OTLP_ENDPOINT = 'http://127.0.0.1:9';
process.env.OTEL_TRACES_SAMPLER = 'always_on';
await import('../gateway/dist/main.js');
