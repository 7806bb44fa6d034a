// Memory and CPU of a process from Linux /proc. CPU time per request is the bench's most
// noise-resistant number: other work on the box lowers throughput, but barely changes how many
// CPU milliseconds the gateway itself spends on each request.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Resident set size in MiB (VmRSS of /proc/<pid>/status, which the kernel reports in kB). */
export function residentSetMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!match) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]) / 1024;
}

let clockTicksPerSecond: number | undefined;

function ticksPerSecond(): number {
  if (clockTicksPerSecond === undefined) {
    try {
      clockTicksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', timeout: 5_000 }).trim()) || 100;
    } catch {
      clockTicksPerSecond = 100; // USER_HZ on every mainstream Linux build
    }
  }
  return clockTicksPerSecond;
}

/** User + system CPU time consumed so far by the process (not its children), in ms. */
export function cpuTimeMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the ")" closing the command name; utime and stime are fields 14 and 15 of the whole line.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) / ticksPerSecond()) * 1000;
}

/** The process and its descendants (a `--workers N` gateway is a cluster primary and its workers), from /proc. */
export function processTree(pid: number): number[] {
  const pids = [pid];
  for (let index = 0; index < pids.length; index += 1) {
    const current = pids[index]!;
    let children = '';
    try {
      for (const task of readdirSync(`/proc/${current}/task`)) children += ` ${readFileSync(`/proc/${current}/task/${task}/children`, 'utf8')}`;
    } catch {
      continue; // exited meanwhile
    }
    pids.push(...children.split(/\s+/).filter(Boolean).map(Number));
  }
  return pids;
}

/** CPU time (cpuTimeMs) of the process and its descendants, in ms. */
export function processTreeCpuTimeMs(pid: number): number {
  return processTree(pid).reduce((sum, member) => sum + safely(() => cpuTimeMs(member)), 0);
}

/** Resident set (residentSetMiB) of the process and its descendants, in MiB (shared pages counted in each). */
export function processTreeResidentSetMiB(pid: number): number {
  return processTree(pid).reduce((sum, member) => sum + safely(() => residentSetMiB(member)), 0);
}

function safely(read: () => number): number {
  try {
    return read();
  } catch {
    return 0; // exited between listing and reading
  }
}
