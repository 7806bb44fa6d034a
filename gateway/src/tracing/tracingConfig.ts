// OpenTelemetry tracing config: the `tracing` section of the gateway config, and the standard OTEL_*
// environment variables mapped onto it. Env wins over the config file, as every other env variable does
// (DESIGN.md: defaults < file < env < flags); OTEL_SDK_DISABLED=true turns tracing off whatever the file says.
//
// The variables are mapped here rather than left to the SDK (which reads some of them itself) so that one
// schema validates them: a typo such as OTEL_TRACES_SAMPLER=traceidration stops startup with the variable's
// name, where the SDK would log a diag line and silently fall back to always_on.
import { z } from 'zod';
import { isAddressOrCidr } from '../rateLimit/clientAddress.js';

/** The samplers of the OTel spec's OTEL_TRACES_SAMPLER (the ones that need no extra package). */
export const SAMPLERS = ['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'] as const;
export type SamplerName = (typeof SAMPLERS)[number];

/** The OTLP/HTTP default of the spec, used when tracing is on and no endpoint is given. */
export const DEFAULT_TRACES_ENDPOINT = 'http://localhost:4318/v1/traces';

export const tracingConfigSchema = z
  .object({
    /**
     * Record spans and export them over OTLP/HTTP. Off, the OpenTelemetry SDK is never loaded and requests do
     * no tracing work. Env: OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none turn it off.
     * @default true when an endpoint is set (here or OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT), else false
     */
    enabled: z.boolean().optional(),
    /**
     * The OTLP/HTTP traces URL, used as is (e.g. "http://otel-collector:4318/v1/traces"). Env:
     * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (as is) or OTEL_EXPORTER_OTLP_ENDPOINT (+ "/v1/traces").
     * @default "http://localhost:4318/v1/traces" when enabled
     */
    endpoint: z.url({ protocol: /^https?$/ }).optional(),
    /** Wire format of the OTLP/HTTP export. Env: OTEL_EXPORTER_OTLP_[TRACES_]PROTOCOL. @default "http/json" */
    protocol: z.enum(['http/json']).default('http/json'),
    /** `service.name` of every span. Env: OTEL_SERVICE_NAME. @default "federation-gateway" */
    serviceName: z.string().min(1).max(256).default('federation-gateway'),
    /**
     * Which requests are recorded, as OTEL_TRACES_SAMPLER. The parentbased_* samplers follow the sampled flag
     * of a trusted client's traceparent; an untrusted client's never counts. @default "parentbased_always_on"
     */
    sampler: z.enum(SAMPLERS).default('parentbased_always_on'),
    /** Fraction of new traces recorded by the *traceidratio samplers, 0 to 1. Env: OTEL_TRACES_SAMPLER_ARG. @default 1 */
    sampleRatio: z.number().min(0).max(1).default(1),
    /**
     * Peers (IP addresses or CIDRs, matched against the TCP peer, not X-Forwarded-For) whose `traceparent`
     * and `tracestate` the gateway continues: typically the ingress or mesh in front of it. From anyone else
     * a request starts a new trace and the client's context is only linked: a public client could otherwise
     * choose trace IDs (joining or polluting other traces) and force every request to be sampled.
     * @default [] (continue no client's trace)
     */
    acceptTraceparentFrom: z.array(z.string().refine(isAddressOrCidr, 'must be an IP address or CIDR, e.g. "10.0.0.0/8"')).default([]),
    /** The batch span processor (OTEL_BSP_* env variables). */
    batch: z
      .object({
        /** Delay between two exports, in ms. Env: OTEL_BSP_SCHEDULE_DELAY. @default 5000 */
        scheduledDelayMs: z.number().int().min(1).max(600_000).default(5_000),
        /** Spans kept waiting for export; more are dropped (memory bound while the collector is down). Env: OTEL_BSP_MAX_QUEUE_SIZE. @default 2048 */
        maxQueueSize: z.number().int().min(1).max(1_000_000).default(2_048),
        /** Spans per export request, at most maxQueueSize. Env: OTEL_BSP_MAX_EXPORT_BATCH_SIZE. @default 512 */
        maxExportBatchSize: z.number().int().min(1).max(1_000_000).default(512),
        /** Deadline of one export, in ms. Env: OTEL_BSP_EXPORT_TIMEOUT. @default 30000 */
        exportTimeoutMs: z.number().int().min(1).max(600_000).default(30_000),
      })
      .strict()
      .refine((batch) => batch.maxExportBatchSize <= batch.maxQueueSize, { message: 'maxExportBatchSize must not be above maxQueueSize', path: ['maxExportBatchSize'] })
      .prefault({}),
  })
  .strict();

export type TracingConfig = z.infer<typeof tracingConfigSchema>;

/** Whether tracing is on: explicitly, or because an endpoint is configured. */
export function tracingEnabled(config: Readonly<TracingConfig>): boolean {
  return config.enabled ?? config.endpoint !== undefined;
}

/** The traces URL the exporter posts to. */
export function tracesEndpoint(config: Readonly<TracingConfig>): string {
  return config.endpoint ?? DEFAULT_TRACES_ENDPOINT;
}

/** The OTEL_* variables tracingFromEnv reads (the exporter also reads OTEL_EXPORTER_OTLP_[TRACES_]HEADERS/TIMEOUT/COMPRESSION itself). */
export const TRACING_ENV_VARIABLES = [
  'OTEL_SDK_DISABLED',
  'OTEL_TRACES_EXPORTER',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
  'OTEL_EXPORTER_OTLP_PROTOCOL',
  'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL',
  'OTEL_SERVICE_NAME',
  'OTEL_TRACES_SAMPLER',
  'OTEL_TRACES_SAMPLER_ARG',
  'OTEL_BSP_SCHEDULE_DELAY',
  'OTEL_BSP_MAX_QUEUE_SIZE',
  'OTEL_BSP_MAX_EXPORT_BATCH_SIZE',
  'OTEL_BSP_EXPORT_TIMEOUT',
] as const;

export class TracingEnvError extends Error {
  override name = 'TracingEnvError';
}

/**
 * The `tracing` config keys the standard OTEL_* variables set (empty values count as unset, as in the
 * spec). Values are checked by the config schema afterwards; what cannot be mapped onto it throws here.
 */
export function tracingFromEnv(env: NodeJS.ProcessEnv): Record<string, unknown> | undefined {
  const read = (name: (typeof TRACING_ENV_VARIABLES)[number]): string | undefined => {
    const value = env[name]?.trim();
    return value ? value : undefined;
  };
  const tracing: Record<string, unknown> = {};
  const tracesEndpointEnv = read('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  const baseEndpoint = read('OTEL_EXPORTER_OTLP_ENDPOINT');
  // The spec: the signal-specific URL is used as is; the generic one gets the signal's path appended.
  if (tracesEndpointEnv) tracing.endpoint = tracesEndpointEnv;
  else if (baseEndpoint) tracing.endpoint = `${baseEndpoint.replace(/\/+$/, '')}/v1/traces`;
  const protocol = read('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ?? read('OTEL_EXPORTER_OTLP_PROTOCOL');
  if (protocol) tracing.protocol = protocol;
  const serviceName = read('OTEL_SERVICE_NAME');
  if (serviceName) tracing.serviceName = serviceName;
  const sampler = read('OTEL_TRACES_SAMPLER');
  if (sampler) tracing.sampler = sampler;
  const samplerArg = read('OTEL_TRACES_SAMPLER_ARG');
  if (samplerArg) tracing.sampleRatio = numberEnv('OTEL_TRACES_SAMPLER_ARG', samplerArg);
  const batch: Record<string, unknown> = {};
  const batchVariables = [
    ['OTEL_BSP_SCHEDULE_DELAY', 'scheduledDelayMs'],
    ['OTEL_BSP_MAX_QUEUE_SIZE', 'maxQueueSize'],
    ['OTEL_BSP_MAX_EXPORT_BATCH_SIZE', 'maxExportBatchSize'],
    ['OTEL_BSP_EXPORT_TIMEOUT', 'exportTimeoutMs'],
  ] as const;
  for (const [name, key] of batchVariables) {
    const value = read(name);
    if (value) batch[key] = numberEnv(name, value);
  }
  if (Object.keys(batch).length > 0) tracing.batch = batch;
  const exporter = read('OTEL_TRACES_EXPORTER');
  if (exporter !== undefined && exporter !== 'otlp' && exporter !== 'none') {
    throw new TracingEnvError(`env OTEL_TRACES_EXPORTER must be "otlp" or "none" (the gateway exports OTLP/HTTP only), got "${exporter}"`);
  }
  const disabled = read('OTEL_SDK_DISABLED');
  if (disabled !== undefined && !/^(true|false)$/i.test(disabled)) throw new TracingEnvError(`env OTEL_SDK_DISABLED must be true or false, got "${disabled}"`);
  if (exporter === 'none' || disabled?.toLowerCase() === 'true') tracing.enabled = false;
  return Object.keys(tracing).length > 0 ? tracing : undefined;
}

function numberEnv(name: string, value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number)) throw new TracingEnvError(`env ${name} must be a number, got "${value}"`);
  return number;
}
