// The cluster primary of `--workers N` (N > 1): it forks N workers (each a whole gateway: main.ts run
// again, on the same argv and config) that share the API port (node:cluster hands out connections round-
// robin), replaces a worker that dies, and on SIGTERM/SIGINT lets every worker drain before it exits.
// It serves no GraphQL itself (it never starts a gateway): only the admin listener (the whole cluster's
// /metrics, /healthz, /readyz; clusterOps.ts) when that is on.
//
// Startup: the first worker starts alone, the others once it serves, so that a bad supergraph, a taken
// port or a policy config the supergraph contradicts is reported once (by that worker, on stderr) and the
// primary exits with its code; a worker that fails to start is never retried.
// Crash loop: a worker that dies later is replaced after a backoff (100 ms, doubling); after
// MAX_DEATHS_IN_WINDOW deaths within DEATH_WINDOW_MS the primary stops the rest and exits 1, so that a
// broken build or host does not fork forever and the supervisor above (Kubernetes, systemd) sees it.
import cluster, { type Worker } from 'node:cluster';
import type { Server } from 'node:http';
import type { GatewayConfig } from '../config.js';
import type { Logger } from '../logger.js';
import { createGatewayMetrics } from '../metrics.js';
import { createAdminServer } from '../adminRoutes.js';
import { listen } from '../listen.js';
import { isWorkerMessage } from './clusterMessages.js';
import { createClusterOps } from './clusterOps.js';

/** Deaths counted for the crash-loop bound: within the last minute. */
const DEATH_WINDOW_MS = 60_000;
/** This many deaths within DEATH_WINDOW_MS: give up (5: a flaky OOM kill now and then is no crash loop). */
const MAX_DEATHS_IN_WINDOW = 5;
/** Delay before the first replacement, in ms; doubled for each further recent death (100, 200, 400, 800). */
const RESTART_BASE_DELAY_MS = 100;
/** Time a draining worker gets beyond server.shutdownGraceMs to close and exit, in ms (Apollo's stop, logs). */
const SHUTDOWN_MARGIN_MS = 5_000;

export interface ClusterPrimaryOptions {
  config: Readonly<GatewayConfig>;
  /** Workers to keep serving (> 1). */
  workers: number;
  logger: Logger;
}

class WorkerStartupError extends Error {
  constructor(
    readonly worker: Worker,
    readonly code: number | null,
    readonly signal: string | null,
  ) {
    super(`worker ${worker.id} (pid ${worker.process.pid}) exited before serving (${signal ? `signal ${signal}` : `exit code ${code}`})`);
  }
}

export async function runClusterPrimary(options: ClusterPrimaryOptions): Promise<void> {
  const { config, logger } = options;
  const production = process.env.NODE_ENV === 'production';
  const alive = new Set<Worker>();
  const serving: Worker[] = [];
  const startups = new Map<Worker, { resolve(worker: Worker): void; reject(error: WorkerStartupError): void }>();
  const restartTimers = new Set<NodeJS.Timeout>();
  let deaths: number[] = [];
  let starting = true;
  let stopping = false;
  /** The API's base URL, as the first worker bound it (the same port for all: the primary holds it). */
  let apiUrl: string | undefined;

  const metrics = createGatewayMetrics(config.metrics);
  const ops = createClusterOps({ metrics, servingWorkers: () => [...serving], logger });
  const adminServer: Server | undefined =
    (config.admin.enabled ?? production)
      ? createAdminServer({
          metrics,
          isReady: () => serving.length > 0,
          isShuttingDown: () => stopping,
          subgraphHealth: config.readiness.checkSubgraphs ? ops.subgraphHealth : undefined,
          metricsText: ops.metricsText,
          details: () => ({ workers: { serving: serving.length, expected: options.workers } }),
        })
      : undefined;

  const startWorker = (): Promise<Worker> => {
    const worker = cluster.fork();
    alive.add(worker);
    worker.on('exit', (code, signal) => onExit(worker, code, signal));
    return new Promise((resolve, reject) => startups.set(worker, { resolve, reject }));
  };

  cluster.on('message', (worker, message: unknown) => {
    if (!isWorkerMessage(message)) return;
    if (message.type !== 'gateway:ready') {
      ops.handle(worker, message);
      return;
    }
    serving.push(worker);
    apiUrl ??= message.url;
    logger.info({ event: 'worker_ready', workerId: worker.id, workerPid: worker.process.pid, url: message.url }, 'worker serving');
    startups.get(worker)?.resolve(worker);
    startups.delete(worker);
  });

  const onExit = (worker: Worker, code: number | null, signal: string | null) => {
    alive.delete(worker);
    const servingIndex = serving.indexOf(worker);
    if (servingIndex >= 0) serving.splice(servingIndex, 1);
    const startup = startups.get(worker);
    startups.delete(worker);
    startup?.reject(new WorkerStartupError(worker, code, signal));
    const fields = { workerId: worker.id, workerPid: worker.process.pid, code, signal };
    if (stopping) {
      logger.info({ event: 'worker_stopped', ...fields }, 'worker stopped');
      if (alive.size === 0) allStopped?.();
      return;
    }
    if (starting) return; // the startup sequence reports it
    logger.warn({ event: 'worker_died', ...fields }, `worker died (${signal ? `signal ${signal}` : `exit code ${code}`}); replacing it`);
    const now = Date.now();
    deaths = [...deaths.filter((at) => now - at < DEATH_WINDOW_MS), now];
    if (deaths.length >= MAX_DEATHS_IN_WINDOW) {
      const message = `workers keep dying (${deaths.length} deaths within ${DEATH_WINDOW_MS / 1000} s, the last pid ${worker.process.pid} with ${signal ? `signal ${signal}` : `exit code ${code}`}): giving up`;
      logger.error({ event: 'worker_crash_loop', deaths: deaths.length, windowMs: DEATH_WINDOW_MS }, message);
      process.stderr.write(`gateway: ${message}\n`);
      shutdown('crash_loop', 1);
      return;
    }
    const delayMs = RESTART_BASE_DELAY_MS * 2 ** (deaths.length - 1);
    const timer = setTimeout(() => {
      restartTimers.delete(timer);
      // A replacement that dies before serving is one more death, counted above.
      startWorker().catch(() => {});
    }, delayMs);
    restartTimers.add(timer);
  };

  let allStopped: (() => void) | undefined;
  const shutdown = (reason: NodeJS.Signals | 'crash_loop' | 'startup_failed', exitCode: number) => {
    if (stopping) return;
    stopping = true;
    logger.info({ event: 'shutdown_started', reason, workers: alive.size }, 'shutting down: every worker drains its in-flight requests');
    for (const timer of restartTimers) clearTimeout(timer);
    // SIGTERM rather than a message: a worker still starting has no handler yet and just ends, a serving
    // one drains (main.ts). Workers in this process group may have had the same signal already: harmless.
    for (const worker of alive) worker.process.kill('SIGTERM');
    const boundMs = config.server.shutdownGraceMs + SHUTDOWN_MARGIN_MS;
    const stopped = new Promise<boolean>((resolve) => {
      if (alive.size === 0) resolve(true);
      allStopped = () => resolve(true);
      setTimeout(() => resolve(false), boundMs).unref();
    });
    void stopped.then(async (inTime) => {
      if (!inTime) {
        logger.error({ event: 'shutdown_timeout', workers: [...alive].map((w) => w.process.pid), boundMs }, 'workers still running after the grace period: killing them');
        for (const worker of alive) worker.process.kill('SIGKILL');
      }
      if (adminServer) {
        const closed = new Promise<void>((resolve) => adminServer.close(() => resolve()));
        adminServer.closeAllConnections();
        await closed;
      }
      logger.info({ event: 'shutdown_complete' }, 'gateway stopped');
      process.exit(inTime ? exitCode : 1);
    });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM', 0));
  process.on('SIGINT', () => shutdown('SIGINT', 0));

  // The admin listener first, as in one process: probes reach it (503 starting) before the API serves.
  const adminUrl = adminServer ? await listen(adminServer, config.admin.port, config.admin.host ?? config.server.host) : undefined;
  try {
    // First one alone: a startup error is reported once; then the rest together.
    await startWorker();
    await Promise.all(Array.from({ length: options.workers - 1 }, () => startWorker()));
  } catch (error) {
    if (stopping) return; // a signal came during startup: shutdown() finishes
    const failed = error as WorkerStartupError;
    logger.error({ event: 'worker_startup_failed', workerId: failed.worker.id, workerPid: failed.worker.process.pid, code: failed.code, signal: failed.signal }, failed.message);
    // Its reason is on stderr already (main.ts); the primary exits with the same code.
    shutdown('startup_failed', failed.code && failed.code !== 0 ? failed.code : 1);
    return;
  }
  starting = false;
  if (stopping) return;
  logger.info(
    { url: apiUrl, graphql: `${apiUrl}/graphql`, adminUrl, workers: serving.length, workerPids: serving.map((w) => w.process.pid), supergraph: config.supergraph.path },
    'listening',
  );
}
