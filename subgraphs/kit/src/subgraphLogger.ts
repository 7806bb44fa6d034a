// One JSON log line per event on stdout (pino), the format every server in this repo uses.
import { pino, type Logger } from 'pino';

export function createSubgraphLogger(subgraphName: string): Logger {
  return pino({ level: process.env.LOG_LEVEL ?? 'info', base: { service: subgraphName, pid: process.pid } });
}
