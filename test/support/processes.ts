// Starts real processes for integration tests and cleans them up, even when a test fails.
// Every server in this repo (gateway, subgraphs, REST services, fixtures) logs one JSON line
// `{"msg":"listening","url":"http://127.0.0.1:PORT",...}` on stdout once it accepts connections;
// tests pass `--port 0` so the OS picks a free ephemeral port, and read the real one from that line.
//
// Every process runs compiled JavaScript (`npm run build`, which scripts/run-tests.mjs runs first), so
// it starts in a fraction of a second instead of compiling TypeScript on the fly. Each one is the
// leader of its own process group (`detached`), and is stopped by signalling the whole group, so
// anything it spawned goes with it; groups still alive when the test file's process exits are killed.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

export const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** Compiled entry points of the processes tests start (paths relative to the repo root). */
export const GATEWAY_ENTRY = 'gateway/dist/main.js';
export const subgraphEntry = (name: string): string => `subgraphs/${name}/dist/main.js`;
export const serviceEntry = (name: string): string => `services/${name}/dist/main.js`;
export const SLOW_SUBGRAPH_ENTRY = 'test/fixtures/slow-subgraph/dist/main.js';

/** Absolute path of a compiled entry point; a clear error when the build has not run. */
export function compiledEntry(entry: string): string {
  if (!entry.endsWith('.js')) throw new Error(`${entry}: tests start compiled JavaScript (a dist/…/*.js entry), never TypeScript sources`);
  const path = resolve(repoRoot, entry);
  if (!existsSync(path)) throw new Error(`${entry} does not exist: run \`npm run build\` (npm test and scripts/run-tests.mjs do it first)`);
  return path;
}

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
  /** Like waitForLog, but only a record logged after this call matches (the next reload, the next request…). */
  waitForNextLog(predicate: (record: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** SIGTERM to the process group, then SIGKILL after `graceMs`; resolves with the exit code (null when killed by a signal). */
  stop(graceMs?: number): Promise<number | null>;
  /** Resolves when the process exits. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface StartOptions {
  name: string;
  /** Compiled entry point relative to the repo root, e.g. GATEWAY_ENTRY or subgraphEntry('users'). */
  entry: string;
  args?: string[];
  env?: Record<string, string | undefined>;
  /** How long to wait for the `listening` line. @default 20000 (20 s: compiled JS starts in < 1 s; this is for a box loaded by other test runs) */
  readyTimeoutMs?: number;
  /** When false, do not wait for the listening line (for processes expected to fail). */
  waitForReady?: boolean;
}

/**
 * The environment of a process a test starts: this one's, less NODE_EXTRA_CA_CERTS, plus `extra`. When that
 * variable is set (this machine points it at the 220 KB system CA bundle), every node process parses the
 * bundle as it starts: 129 against 86 CPU-ms for `node -e 0` (perf stat -r 20), ~7 CPU-s over the ~170
 * processes of a run. The processes the tests start speak HTTP on loopback only, never TLS, so they never
 * use it. (Tests that run npm keep it: npm may talk to a registry.)
 */
export function loopbackProcessEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  return { ...env, ...extra };
}

/** Process groups started by this test file and not yet exited. */
const running = new Set<ChildProcess>();

/** Sends `signal` to the child's whole process group; false when it is already gone. */
export function signalGroup(child: ChildProcess, signal: NodeJS.Signals): boolean {
  if (child.pid === undefined) return false;
  try {
    process.kill(-child.pid, signal);
    return true;
  } catch {
    return false;
  }
}

// Last resort when a test file ends (normally or by an uncaught failure) with processes still up.
// The global teardown in scripts/run-tests.mjs catches anything that survives even this.
process.on('exit', () => {
  for (const child of running) signalGroup(child, 'SIGKILL');
});

/** A line reader that keeps every line and resolves waiters on matching JSON records. */
function watchStdout(child: ChildProcess) {
  const lines: string[] = [];
  const records: Record<string, unknown>[] = [];
  const waiters: {
    predicate: (r: Record<string, unknown>) => boolean;
    resolve: (r: Record<string, unknown>) => void;
    reject: (error: Error) => void;
  }[] = [];
  let partial = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    partial += chunk;
    let newline: number;
    while ((newline = partial.indexOf('\n')) >= 0) {
      const line = partial.slice(0, newline);
      partial = partial.slice(newline + 1);
      lines.push(line);
      let record: unknown;
      try {
        record = JSON.parse(line);
      } catch {
        continue; // not a JSON log line
      }
      if (!record || typeof record !== 'object') continue;
      records.push(record as Record<string, unknown>);
      for (const waiter of [...waiters]) {
        if (waiter.predicate(record as Record<string, unknown>)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(record as Record<string, unknown>);
        }
      }
    }
  });
  return { lines, records, waiters };
}

/** The test file (from the repo root) that started this process: in a group's process, argv[1] is the group's file. */
function testFileOnStack(): string | undefined {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 50;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  const match = /(test\/[\w/.-]+\.test\.ts)/.exec(stack);
  return match?.[1];
}

/**
 * With env TEST_PROCESS_CPU_LOG=FILE, one JSON line per process the tests start (entry, name, `file`: the
 * test process's file, a group's for a group; `caller`: the test file that started it; CPU seconds it
 * used): where the suite's CPU goes. Sampled from /proc while it runs (the numbers are gone once it exits).
 */
function trackCpu(pid: number, options: StartOptions): { sample(): void; exited(): void } {
  const logFile = process.env.TEST_PROCESS_CPU_LOG;
  if (!logFile) return { sample: () => {}, exited: () => {} };
  const caller = testFileOnStack();
  let cpuSeconds = 0;
  const sample = () => {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      cpuSeconds = (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      // exited already
    }
  };
  const timer = setInterval(sample, 250);
  timer.unref();
  return {
    sample,
    exited: () => {
      clearInterval(timer);
      appendFileSync(logFile, `${JSON.stringify({ entry: options.entry, name: options.name, file: process.argv[1], caller, cpuSeconds })}\n`);
    },
  };
}

export async function startProcess(options: StartOptions): Promise<RunningProcess> {
  const child = spawn(process.execPath, [compiledEntry(options.entry), ...(options.args ?? [])], {
    cwd: repoRoot,
    // A gateway samples its event-loop delay once a second here instead of every 10 ms (its default): each
    // sample wakes an idle process, ~5-10 ms of CPU per second of a gateway's life (~65 gateways a run).
    env: loopbackProcessEnv({
      NODE_ENV: 'test',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
      METRICS_EVENT_LOOP_RESOLUTION_MS: process.env.METRICS_EVENT_LOOP_RESOLUTION_MS ?? '1000',
      ...options.env,
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so that stop() and the exit handler reach anything it spawns.
    detached: true,
  });
  if (child.pid === undefined) throw new Error(`${options.name}: failed to spawn`);
  running.add(child);
  const cpu = trackCpu(child.pid, options);
  const { lines, records, waiters } = watchStdout(child);
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) => {
    child.on('exit', (code, signal) => {
      running.delete(child);
      cpu.exited();
      // Whatever it left behind in its group goes too.
      signalGroup(child, 'SIGKILL');
      resolveExit({ code, signal });
    });
  });
  const describeOutput = () => `stdout:\n${lines.slice(-20).join('\n')}\nstderr:\n${stderr.slice(-4000)}`;
  // 'close' comes after the last of its output: a log line still awaited then will never come, so the
  // wait fails now, naming the exit, instead of holding the test (and its process) until its timeout.
  let closedWith: string | undefined;
  child.on('close', (code, signal) => {
    closedWith = `exited (code ${code}, signal ${signal})`;
    for (const waiter of waiters.splice(0)) waiter.reject(new Error(`${options.name}: ${closedWith} before a matching log line.\n${describeOutput()}`));
  });

  const waitForLog = (predicate: (r: Record<string, unknown>) => boolean, timeoutMs = 15_000) => {
    const seen = records.find(predicate);
    if (seen) return Promise.resolve(seen);
    if (closedWith !== undefined) return Promise.reject(new Error(`${options.name}: ${closedWith} before a matching log line.\n${describeOutput()}`));
    return new Promise<Record<string, unknown>>((resolveLog, rejectLog) => {
      const timer = setTimeout(() => {
        waiters.splice(waiters.indexOf(waiter), 1);
        rejectLog(new Error(`${options.name}: no matching log line within ${timeoutMs} ms.\n${describeOutput()}`));
      }, timeoutMs);
      const waiter = {
        predicate,
        resolve: (r: Record<string, unknown>) => {
          clearTimeout(timer);
          resolveLog(r);
        },
        reject: (error: Error) => {
          clearTimeout(timer);
          rejectLog(error);
        },
      };
      waiters.push(waiter);
    });
  };

  const stop = async (graceMs = 10_000) => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    cpu.sample();
    signalGroup(child, 'SIGTERM');
    const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs);
    const { code } = await exited;
    clearTimeout(timer);
    return code;
  };

  let url = '';
  if (options.waitForReady !== false) {
    const timeoutMs = options.readyTimeoutMs ?? 20_000;
    const ready = waitForLog((r) => r.msg === 'listening' && typeof r.url === 'string', timeoutMs);
    const died = exited.then(({ code, signal }) => {
      throw new Error(`${options.name} exited (code ${code}, signal ${signal}) before listening.\n${describeOutput()}`);
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
    waitForNextLog: (predicate, timeoutMs) => {
      const seen = new Set(records);
      return waitForLog((record) => !seen.has(record) && predicate(record), timeoutMs);
    },
    stop,
    exited,
  };
}

/** Stops every process in the list, in parallel; safe to call twice. */
export async function stopAll(processes: (RunningProcess | undefined)[]): Promise<void> {
  await Promise.all(processes.map((p) => p?.stop()));
}
