// Spawns the benchmark's server processes (gateways, subgraphs) and stops them by PID.
// Unlike test/support/processes.ts, stdout goes to a log FILE, not a pipe: under load our gateway writes
// one access-log line per request, and draining a pipe would cost CPU in the bench process, which is
// also the load generator on a 2-core box. The `listening` line is found by polling that file.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface BenchProcess {
  readonly name: string;
  readonly pid: number;
  /** Base URL from the `listening` log line, e.g. http://127.0.0.1:40123 */
  readonly url: string;
  /** performance.now() just before spawn, so startup can be measured from the real start. */
  readonly spawnedAtMs: number;
  readonly logPath: string;
  /** The last `lines` lines of stdout + stderr, for failure messages. */
  logTail(lines?: number): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

export interface SpawnBenchProcessOptions {
  name: string;
  /** Arguments to `node` (e.g. ['subgraphs/users/dist/main.js', '--port', '0']). */
  nodeArgs: string[];
  env: Record<string, string>;
  cwd: string;
  /** Directory for `<name>.log`. */
  logDir: string;
  /** 30 s: compiled JS starts in well under a second; this is for a 2-core box busy with other runs. */
  readyTimeoutMs?: number;
}

// Every child ever spawned, so that an exit (normal, error, Ctrl-C) never leaves one running.
const liveChildren = new Set<ChildProcess>();

function killByPid(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(child.pid, signal);
  } catch {
    // already gone
  }
}

process.on('exit', () => {
  for (const child of liveChildren) killByPid(child, 'SIGKILL');
});

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function spawnBenchProcess(options: SpawnBenchProcessOptions): Promise<BenchProcess> {
  const logPath = join(options.logDir, `${options.name}.log`);
  const logFd = openSync(logPath, 'w');
  const spawnedAtMs = performance.now();
  const child = spawn(process.execPath, options.nodeArgs, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', logFd, logFd],
  });
  closeSync(logFd); // the child holds its own copy of the descriptor
  if (child.pid === undefined) throw new Error(`${options.name}: failed to spawn`);
  const pid = child.pid;
  liveChildren.add(child);
  const exited = new Promise<void>((resolve) => {
    child.on('exit', () => {
      liveChildren.delete(child);
      resolve();
    });
  });

  const logTail = (lines = 15) => readFileSync(logPath, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  const stop = async (graceMs = 5_000) => {
    killByPid(child, 'SIGTERM');
    const timer = setTimeout(() => killByPid(child, 'SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };

  const deadline = performance.now() + (options.readyTimeoutMs ?? 30_000);
  let url: string | undefined;
  // 20 ms polling: well below the startup times measured (hundreds of ms), so it adds little error.
  while (url === undefined) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${options.name} exited (code ${child.exitCode}, signal ${child.signalCode}) before listening:\n${logTail()}`);
    }
    if (performance.now() > deadline) {
      await stop(1_000);
      throw new Error(`${options.name}: no "listening" line within ${options.readyTimeoutMs ?? 30_000} ms:\n${logTail()}`);
    }
    url = findListeningUrl(readFileSync(logPath, 'utf8'));
    if (url === undefined) await sleep(20);
  }
  return { name: options.name, pid, url, spawnedAtMs, logPath, logTail, stop };
}

function findListeningUrl(log: string): string | undefined {
  for (const line of log.split('\n')) {
    if (!line.includes('"listening"')) continue;
    try {
      const record = JSON.parse(line) as { msg?: unknown; url?: unknown };
      if (record.msg === 'listening' && typeof record.url === 'string') return record.url.replace(/\/$/, '');
    } catch {
      // a partly written line: read again on the next poll
    }
  }
  return undefined;
}

/** Stops every process in parallel; safe to call twice. */
export async function stopAllBenchProcesses(processes: (BenchProcess | undefined)[]): Promise<void> {
  await Promise.all(processes.map((p) => p?.stop()));
}
