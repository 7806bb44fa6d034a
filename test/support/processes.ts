// Starts real processes for integration tests and cleans them up, even when a test fails.
// Every server in this repo (gateway, subgraphs, REST services) logs one JSON line
// `{"msg":"listening","url":"http://127.0.0.1:PORT",...}` on stdout once it accepts connections;
// tests pass `--port 0` so the OS picks a free ephemeral port, and read the real one from that line.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

export const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));

export interface RunningProcess {
  readonly name: string;
  readonly pid: number;
  /** Base URL from the `listening` log line, e.g. http://127.0.0.1:40123 */
  readonly url: string;
  readonly port: number;
  readonly child: ChildProcess;
  /** Every stdout line so far (JSON log lines stay as text). */
  stdoutLines(): string[];
  stderrText(): string;
  /** Parsed JSON log lines so far (non-JSON lines are skipped). */
  logRecords(): Record<string, unknown>[];
  /** Resolves with the first log record matching `predicate` (already seen or future). */
  waitForLog(predicate: (record: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code (null when killed by a signal). */
  stop(graceMs?: number): Promise<number | null>;
  /** Resolves when the process exits. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface StartOptions {
  name: string;
  /** Script path relative to the repo root, run with tsx (e.g. 'gateway/src/main.ts'). */
  script: string;
  args?: string[];
  env?: Record<string, string | undefined>;
  /** How long to wait for the `listening` line; 30 s covers a cold tsx compile on a busy 2-core box. */
  readyTimeoutMs?: number;
  /** When false, do not wait for the listening line (for processes expected to fail). */
  waitForReady?: boolean;
}

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) {
    if (child.exitCode === null && child.pid !== undefined) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
});

export async function startProcess(options: StartOptions): Promise<RunningProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(repoRoot, options.script), ...(options.args ?? [])], {
    cwd: repoRoot,
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: process.env.LOG_LEVEL ?? 'info', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`${options.name}: failed to spawn`);
  running.add(child);
  const lines: string[] = [];
  const records: Record<string, unknown>[] = [];
  const waiters: { predicate: (r: Record<string, unknown>) => boolean; resolve: (r: Record<string, unknown>) => void }[] = [];
  let stderr = '';
  let partial = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    partial += chunk;
    let newline: number;
    while ((newline = partial.indexOf('\n')) >= 0) {
      const line = partial.slice(0, newline);
      partial = partial.slice(newline + 1);
      lines.push(line);
      try {
        const record = JSON.parse(line) as Record<string, unknown>;
        if (record && typeof record === 'object') {
          records.push(record);
          for (const waiter of [...waiters]) {
            if (waiter.predicate(record)) {
              waiters.splice(waiters.indexOf(waiter), 1);
              waiter.resolve(record);
            }
          }
        }
      } catch {
        // not a JSON log line
      }
    }
  });
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) => {
    child.on('exit', (code, signal) => {
      running.delete(child);
      resolveExit({ code, signal });
    });
  });

  const waitForLog = (predicate: (r: Record<string, unknown>) => boolean, timeoutMs = 15_000) => {
    const seen = records.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise<Record<string, unknown>>((resolveLog, rejectLog) => {
      const timer = setTimeout(() => {
        waiters.splice(waiters.indexOf(waiter), 1);
        rejectLog(new Error(`${options.name}: no matching log line within ${timeoutMs} ms.\nstdout:\n${lines.slice(-20).join('\n')}\nstderr:\n${stderr.slice(-2000)}`));
      }, timeoutMs);
      const waiter = {
        predicate,
        resolve: (r: Record<string, unknown>) => {
          clearTimeout(timer);
          resolveLog(r);
        },
      };
      waiters.push(waiter);
    });
  };

  const stop = async (graceMs = 10_000) => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    const { code } = await exited;
    clearTimeout(timer);
    return code;
  };

  let url = '';
  if (options.waitForReady !== false) {
    const timeoutMs = options.readyTimeoutMs ?? 30_000;
    const ready = waitForLog((r) => r.msg === 'listening' && typeof r.url === 'string', timeoutMs);
    const died = exited.then(({ code, signal }) => {
      throw new Error(`${options.name} exited (code ${code}, signal ${signal}) before listening.\nstdout:\n${lines.slice(-20).join('\n')}\nstderr:\n${stderr.slice(-4000)}`);
    });
    try {
      const record = await Promise.race([ready, died]);
      url = String(record.url);
    } catch (error) {
      await stop(1_000);
      throw error;
    }
  }
  const port = url ? Number(new URL(url).port) : 0;
  return {
    name: options.name,
    pid: child.pid,
    url,
    port,
    child,
    stdoutLines: () => [...lines],
    stderrText: () => stderr,
    logRecords: () => [...records],
    waitForLog,
    stop,
    exited,
  };
}

/** Stops every process in the list, in parallel; safe to call twice. */
export async function stopAll(processes: (RunningProcess | undefined)[]): Promise<void> {
  await Promise.all(processes.map((p) => p?.stop()));
}
