// Structured JSON logs (pino) on stdout: one line per event, machine-readable, with the request ID.
import { pino, type Logger } from 'pino';
import { traceLogFields } from './tracing/logCorrelation.js';

export type { Logger };

export interface LoggerOptions {
  /** Add the traceId and spanId of the traced request being served to every line (tracing on). @default false */
  traceIds?: boolean;
}

export function createLogger(level: string, name = 'gateway', options: LoggerOptions = {}): Logger {
  return pino({
    ...(options.traceIds ? { mixin: traceLogFields } : {}),
    name,
    level,
    base: { service: name },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Never log credentials, even at debug level.
    redact: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]'],
  });
}
