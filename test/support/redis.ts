// Starts a real redis-server on an ephemeral port for tests that need one.
// Without redis-server on PATH the test fails with the install command, never skips.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { setPriority } from 'node:os';
import { tempDir } from './tempDirs.js';

export interface RunningRedis {
  readonly port: number;
  readonly url: string;
  readonly pid: number;
  /** Stops the server (SIGTERM); `restart()` brings it back on the same port. */
  stop(): Promise<void>;
  /** Starts a new redis-server on the same port (after stop), for recovery tests. */
  restart(): Promise<void>;
}

const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) if (child.pid !== undefined && child.exitCode === null) {
    try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
  }
});

/**
 * redis-server cannot bind port 0 and report the port it got, so each start picks a random port below
 * Linux's ephemeral range (32768+, where the OS puts every `--port 0` server of the other tests) and
 * tries another when it is taken: a collision costs a retry, never a failed test.
 */
const PORT_RANGE = { min: 20_000, max: 32_000 } as const;
/** Niceness -10: ahead of the test processes (0) for the CPU, far from real-time classes. */
const REDIS_PRIORITY = -10;
const BIND_ATTEMPTS = 10;
const randomPort = () => PORT_RANGE.min + Math.floor(Math.random() * (PORT_RANGE.max - PORT_RANGE.min));

class PortInUseError extends Error {}

function assertRedisInstalled(): void {
  const found = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (found.error || found.status !== 0) {
    throw new Error('redis-server is not on PATH: install it with `apt-get update && apt-get install -y redis-server` (.ci/run does this)');
  }
}

async function launch(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, like every process the tests start (test/support/processes.ts).
    detached: true,
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  // The gateway gives Redis 50 ms of silence (rateLimits.store.commandTimeoutMs) before it applies the
  // fail-open/closed policy. A production Redis has its own host; this one shares two cores with every
  // test process of the team, and a starved Redis would turn exactness tests into timing tests. So it
  // is scheduled ahead of them where the OS allows it (root may raise priority; otherwise nothing changes).
  if (child.pid !== undefined) {
    try {
      setPriority(child.pid, REDIS_PRIORITY);
    } catch {
      // not permitted: it runs at normal priority
    }
  }
  await new Promise<void>((resolveReady, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`redis-server did not start on ${port}: ${out}`)), 10_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolveReady();
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(/Address already in use/.test(out) ? new PortInUseError(`port ${port} is taken`) : new Error(`redis-server exited with ${code}: ${out}`));
    });
  });
  return child;
}

async function launchOnSomePort(dir: string): Promise<{ port: number; child: ChildProcess }> {
  for (let attempt = 1; ; attempt += 1) {
    const port = randomPort();
    try {
      return { port, child: await launch(port, dir) };
    } catch (error) {
      if (!(error instanceof PortInUseError) || attempt === BIND_ATTEMPTS) throw error;
    }
  }
}

export async function startRedis(): Promise<RunningRedis> {
  assertRedisInstalled();
  const dir = tempDir('gw-redis-');
  const launched = await launchOnSomePort(dir);
  const { port } = launched;
  let { child } = launched;
  const stopChild = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.on('exit', () => r()));
    child.kill('SIGTERM');
    await exited;
  };
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    get pid() { return child.pid ?? 0; },
    stop: stopChild,
    restart: async () => {
      await stopChild();
      child = await launch(port, dir);
    },
  };
}
