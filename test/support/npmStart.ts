// Runs `npm start` (compiled: scripts/dist/start.js --ephemeral-ports) for e2e tests: the whole sample system on
// OS-chosen ports, in its own process group so a failing test still kills every child.
import { spawn, type ChildProcess } from 'node:child_process';
import { compiledEntry, loopbackProcessEnv, repoRoot } from './processes.js';

export interface RunningNpmStart {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** The printed summary's URLs and token. */
  gatewayUrl: string;
  graphqlUrl: string;
  graphiqlUrl: string;
  token: string;
  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves once npm start has exited. */
  stop(graceMs?: number): Promise<void>;
  /** Resolves with npm start's exit code once it exits. */
  exited: Promise<number | null>;
  /** Resolves when stderr (so far or from now on) matches `pattern`. */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

export async function startNpmStart(timeoutMs = 100_000): Promise<RunningNpmStart> {
  const env = loopbackProcessEnv({ NODE_ENV: 'development' });
  delete env.PORT;
  const child = spawn(process.execPath, [compiledEntry('scripts/dist/start.js'), '--ephemeral-ports'], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  const waitForStderr = (pattern: RegExp, timeoutMs = 15_000) =>
    new Promise<void>((resolveMatch, rejectMatch) => {
      const check = () => {
        if (!pattern.test(stderr)) return;
        clearTimeout(timer);
        child.stderr!.off('data', check);
        resolveMatch();
      };
      const timer = setTimeout(() => {
        child.stderr!.off('data', check);
        rejectMatch(new Error(`npm start: nothing on stderr matched ${pattern} within ${timeoutMs} ms\n${stderr}`));
      }, timeoutMs);
      // Registered after the accumulating listener above, so `stderr` already holds the chunk.
      child.stderr!.on('data', check);
      check();
    });
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // the group is gone already
    }
  };
  const stop = async (graceMs = 15_000) => {
    killGroup('SIGTERM');
    const timer = setTimeout(() => killGroup('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
    killGroup('SIGKILL');
  };
  process.once('exit', () => killGroup('SIGKILL'));
  try {
    await new Promise<void>((resolveReady, rejectReady) => {
      const timer = setTimeout(() => rejectReady(new Error(`npm start was not ready within ${timeoutMs} ms\n${stdout}\n${stderr}`)), timeoutMs);
      const onData = () => {
        if (!stdout.includes('Ctrl-C stops everything.')) return;
        clearTimeout(timer);
        resolveReady();
      };
      child.stdout!.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        rejectReady(new Error(`npm start exited (code ${code}) before it was ready\n${stdout}\n${stderr}`));
      });
    });
  } catch (error) {
    await stop(1_000);
    throw error;
  }
  const graphqlUrl = /^ {2}gateway\s+(http:\/\/\S+\/graphql) /m.exec(stdout)?.[1] ?? '';
  const graphiqlUrl = /^ {2}GraphiQL\s+(http:\/\/\S+\/graphiql) /m.exec(stdout)?.[1] ?? '';
  const token = /Sample dev token[^\n]*\n\s+(\S+)/.exec(stdout)?.[1] ?? '';
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    gatewayUrl: graphqlUrl.replace(/\/graphql$/, ''),
    graphqlUrl,
    graphiqlUrl,
    token,
    stop,
    exited,
    waitForStderr,
  };
}
