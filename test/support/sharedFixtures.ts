// Processes shared by the test files of one process. A group's generated file (scripts/testFileGroups.mjs)
// puts a registry on globalThis before its files load and, after the last one, runs every stop
// registered here; its files run one after the other, so a shared process serves one file at a time.
// A file run in a process of its own finds no registry and shares nothing.
//
// What a file sees of a shared process starts when it asks for it: its log records and output are the
// ones since then (a log line an earlier file caused never satisfies its waitForLog), plus its startup
// records up to its `listening` line (every process started with the same key logs the same ones).
// stop() on it either stops it for real and takes its set out of the share (the next file gets new ones), or, for a fixture
// whose files stop it only to clean up (`stopReleases`), hands it back for the next file; a test that
// needs such a process dead asks for one of its own.
import { stopAll, type RunningProcess } from './processes.js';

interface Registry {
  /** Runs `stop` once the group's last file has finished (the process's exit kills them at the latest). */
  onStop(stop: () => Promise<void>): void;
  /** Which of the group's files runs now (counts up at each file's start). */
  readonly file: number;
}

function registry(): Registry | undefined {
  return (globalThis as Record<symbol, Registry | undefined>)[Symbol.for('run-tests.shared-fixtures')];
}

interface Entry {
  started: Promise<unknown>;
  processes: RunningProcess[];
  /** The file (Registry.file) that has it, 0 for none: one file at a time, and one use within a file. */
  leasedBy: number;
}
const entries = new Map<string, Entry[]>();

/**
 * The value `start` makes (its processes pushed onto `owned`), shared by the files of a group's process:
 * one not in use by the current file, or a new one; with `view` giving this file's view of each of its
 * processes. Undefined outside a group: the caller starts its own.
 */
export async function shareProcesses<T>(
  key: string,
  start: (owned: RunningProcess[]) => Promise<T>,
  { stopReleases = false }: { stopReleases?: boolean } = {},
): Promise<{ value: T; view(process: RunningProcess): RunningProcess } | undefined> {
  const group = registry();
  if (!group) return undefined;
  const list = entries.get(key) ?? [];
  entries.set(key, list);
  const exited = (p: RunningProcess) => p.child.exitCode !== null || p.child.signalCode !== null;
  let entry = list.find((candidate) => candidate.leasedBy !== group.file && !candidate.processes.some(exited));
  if (entry) entry.leasedBy = group.file;
  else {
    const owned: RunningProcess[] = [];
    group.onStop(() => stopAll(owned));
    entry = { started: start(owned), processes: owned, leasedBy: group.file };
    list.push(entry);
  }
  const taken = entry;
  let value: T;
  try {
    value = (await taken.started) as T;
  } catch (error) {
    list.splice(list.indexOf(taken), 1);
    throw error;
  }
  const stop = async (process: RunningProcess, graceMs?: number): Promise<number | null> => {
    if (stopReleases) {
      // Free for the next user (this file's next suite, or the next file).
      taken.leasedBy = 0;
      return null;
    }
    if (list.includes(taken)) list.splice(list.indexOf(taken), 1);
    return process.stop(graceMs);
  };
  return { value, view: (process) => fromNow(process, (graceMs) => stop(process, graceMs)) };
}

/** `process` as a file that starts using it now sees it: its startup records and output from now on, and `stop` for stop(). */
function fromNow(process: RunningProcess, stop: (graceMs?: number) => Promise<number | null>): RunningProcess {
  const lines = process.stdoutLines().length;
  const stderr = process.stderrText().length;
  const records = process.logRecords();
  const startup = records.findIndex((record) => record.msg === 'listening') + 1;
  const earlier = new Set(records.slice(startup));
  return {
    ...process,
    stdoutLines: () => process.stdoutLines().slice(lines),
    stderrText: () => process.stderrText().slice(stderr),
    logRecords: () => process.logRecords().filter((record) => !earlier.has(record)),
    waitForLog: (predicate, timeoutMs) => process.waitForLog((record) => !earlier.has(record) && predicate(record), timeoutMs),
    stop,
  };
}
