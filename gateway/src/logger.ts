// Structured JSON logs (pino) on stdout: one line per event, machine-readable, with the request ID.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, name = 'gateway'): Logger {
  return pino({
    name,
    level,
    base: { service: name },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Never log credentials, even at debug level.
    redact: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]'],
  });
}
