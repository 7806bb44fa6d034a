// Helpers for tests of `--workers N`: node:cluster hands out connections, not requests, round-robin, so
// a test that wants several workers to answer opens a connection per request.
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
  const dir = mkdtempSync(join(tmpdir(), 'gw-workers-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
