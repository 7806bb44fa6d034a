// One pino logger per REST service process: JSON lines on stdout, the shape every server in this repo uses
// (tests wait for {"msg":"listening","url":...} on stdout).
import { pino, type Logger } from 'pino';

export type { Logger };

export function createServiceLogger(service: string): Logger {
  return pino({
    base: { service, pid: process.pid },
    level: process.env.LOG_LEVEL ?? 'info',
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
