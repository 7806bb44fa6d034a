// Preloaded into every test file's process by scripts/run-tests.mjs (`--import`; node --test passes its
// execArgv on to the file processes): when the file's process exits, appends one JSON line to the file
// named by env TEST_FILE_RESOURCES_LOG with what the process cost:
//   file          the test file it ran (a group's generated file, scripts/testFileGroups.mjs, for a group)
//   wallMs        from this module's load to exit (the file's whole life, tsx start included)
//   cpuSeconds    user+sys of the file's process and of every child it reaped (its process tree: the
//                 gateways, subgraphs, Redis and npm it started and waited for), from /proc/self/stat
//   selfCpuSeconds  user+sys of the test process alone (node, tsx, the test code and its in-process
//                 servers), the rest of cpuSeconds being what it started
//   spawned       processes it started directly (spawn, execFile, fork and their Sync forms)
// In a group's process, each member file adds a line of its own (`member: true`, `group`: the group's
// file) with the same numbers from its first hook to its last (globalThis[Symbol.for('run-tests.file-
// resources')], called by the group's generated file): a process the member left running for a later
// one to reuse counts where it exits.
// run-tests.mjs prints these per file and in total, so that a slow or CPU-hungry suite says where.
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { appendFileSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';

const logFile = process.env.TEST_FILE_RESOURCES_LOG;
// A test file's process runs the file itself (not the runner that starts the files), or a group's
// generated file (reported under its path; run-tests.mjs names the group).
const argvFile = process.argv[1] ?? '';
const testFile = argvFile.endsWith('.test.ts') ? relative(process.cwd(), argvFile) : argvFile.endsWith('.test.mjs') ? argvFile : undefined;
if (logFile && testFile) {
  const startedAt = performance.now();
  const require = createRequire(import.meta.url);
  const childProcess = require('node:child_process');
  let spawned = 0;
  // spawn/exec/execFile/fork all go through ChildProcess.prototype.spawn; the Sync forms through spawnSync.
  const prototypeSpawn = childProcess.ChildProcess.prototype.spawn;
  childProcess.ChildProcess.prototype.spawn = function countedSpawn(...args) {
    spawned += 1;
    return prototypeSpawn.apply(this, args);
  };
  const spawnSync = childProcess.spawnSync;
  childProcess.spawnSync = function countedSpawnSync(...args) {
    spawned += 1;
    return spawnSync.apply(this, args);
  };
  for (const name of ['execSync', 'execFileSync']) {
    const original = childProcess[name];
    childProcess[name] = function countedSync(...args) {
      spawned += 1;
      return original.apply(this, args);
    };
  }
  syncBuiltinESMExports();
  /**
   * CPU seconds from one read of /proc/self/stat: `tree` is user+sys of this process and of every child it
   * reaped (fields 14-17: utime, stime, cutime, cstime), `self` of this process alone (its own threads).
   * Clock ticks, 100 per second on Linux.
   */
  const cpuTimes = () => {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ').map(Number);
    const self = fields[11] + fields[12];
    return { tree: (self + fields[13] + fields[14]) / 100, self: self / 100 };
  };
  const members = new Map();
  globalThis[Symbol.for('run-tests.file-resources')] = {
    fileStarted(file) {
      const cpu = cpuTimes();
      members.set(file, { wallMs: performance.now(), cpuSeconds: cpu.tree, selfCpuSeconds: cpu.self, spawned });
    },
    fileEnded(file) {
      const start = members.get(file);
      if (!start) return;
      const cpu = cpuTimes();
      const line = {
        file,
        group: testFile,
        member: true,
        wallMs: Math.round(performance.now() - start.wallMs),
        cpuSeconds: Math.round((cpu.tree - start.cpuSeconds) * 100) / 100,
        selfCpuSeconds: Math.round((cpu.self - start.selfCpuSeconds) * 100) / 100,
        spawned: spawned - start.spawned,
      };
      appendFileSync(logFile, `${JSON.stringify(line)}\n`);
    },
  };
  process.on('exit', () => {
    const cpu = cpuTimes();
    appendFileSync(
      logFile,
      `${JSON.stringify({ file: testFile, wallMs: Math.round(performance.now() - startedAt), cpuSeconds: cpu.tree, selfCpuSeconds: cpu.self, spawned })}\n`,
    );
  });
}
