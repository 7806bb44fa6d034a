// Loads the OpenTelemetry SDK only when tracing is on: an untraced gateway never imports it (startup time and
// memory), and its requests carry no trace (one `undefined` check per call site).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../packageRoot.js';
import type { Logger } from '../logger.js';
import type { RequestTracing } from './requestTrace.js';
import { tracesEndpoint, tracingEnabled, type TracingConfig } from './tracingConfig.js';

/** The gateway package's version (`service.version` of its spans). */
function gatewayVersion(): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(packageRoot(import.meta.url), 'package.json'), 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

export async function loadRequestTracing(config: Readonly<TracingConfig>, logger: Logger): Promise<RequestTracing | undefined> {
  if (!tracingEnabled(config)) return undefined;
  const { createOtelRequestTracing } = await import('./otelRequestTracing.js');
  const tracing = createOtelRequestTracing({ config, logger, serviceVersion: gatewayVersion() });
  logger.info(
    {
      event: 'tracing_enabled',
      endpoint: tracesEndpoint(config),
      serviceName: config.serviceName,
      sampler: config.sampler,
      sampleRatio: config.sampleRatio,
      acceptTraceparentFrom: config.acceptTraceparentFrom,
    },
    'OpenTelemetry tracing on (OTLP/HTTP)',
  );
  return tracing;
}
