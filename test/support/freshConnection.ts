// Helpers for tests of `--workers N`: node:cluster hands out connections, not requests, round-robin, so
// a test that wants several workers to answer opens a connection per request.
import { request } from 'node:http';
import type { RunningProcess } from './processes.js';
import { tempDir } from './tempDirs.js';

/** Two workers start one after the other on a machine shared with other test runs. */
export const WORKERS_STARTUP_TIMEOUT_MS = 90_000;

export interface Answer {
  status: number;
  body: { data?: Record<string, unknown> | null; errors?: unknown[] };
}

/** POST /graphql on a connection of its own (`agent: false`): node:cluster deals connections, not requests, round-robin. */
export function postOnFreshConnection(graphqlUrl: string, query: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(graphqlUrl, { method: 'POST', agent: false, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Answer['body'] });
        } catch {
          reject(new Error(`non-JSON answer (${res.statusCode}): ${text.slice(0, 300)}`));
        }
      });
    });
    req.on('error', reject);
    req.end(JSON.stringify({ query }));
  });
}

/**
 * The pids of the workers that logged the first `count` /graphql request lines after line `fromLine` of the
 * gateway's output, once `count` are there. A worker logs a request when its answer has gone out, so the
 * client can hold every answer before the lines reach the test (seen once at load ~7: one pid where two
 * had answered): this waits for the lines it reads.
 */
export async function servingPids(gateway: RunningProcess, fromLine: number, count: number): Promise<Set<number>> {
  const lines = () => gateway.logRecords().slice(fromLine).filter((r) => r.event === 'request' && r.path === '/graphql').slice(0, count);
  await gateway.waitForLog(() => lines().length >= count, 15_000);
  return new Set(lines().map((r) => Number(r.pid)));
}

/** True while a process with this pid exists (signal 0 checks without sending anything). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A temp folder for a test's supergraph and config, removed when the test file's process exits. */
export function workersTestDir(): string {
  return tempDir('gw-workers-');
}
