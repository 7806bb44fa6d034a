// What the cluster primary answers for the whole gateway: /metrics as the sum of every serving worker's
// registry (and its own: the admin listener's requests, the primary's process metrics), through
// prom-client's AggregatorRegistry.aggregate; and subgraph health as a serving worker sees it. Asked over
// the cluster channel, each with a deadline, only of workers that serve: a worker still starting or just
// killed never holds a scrape up (prom-client's own clusterMetrics() asks every connected worker and
// fails the whole scrape after 5 s when one of them is not answering).
import type { Worker } from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';
import type { GatewayMetrics } from '../metrics.js';
import type { Logger } from '../logger.js';
import type { MetricsJson, PrimaryMessage, SubgraphHealthReport, WorkerMessage } from './clusterMessages.js';

/** How long the primary waits for one worker's answer, in ms: a scrape never waits longer than this. */
const WORKER_ANSWER_TIMEOUT_MS = 2_000;

export interface ClusterOps {
  /** Prometheus text of the whole gateway: every serving worker plus the primary. */
  metricsText(): Promise<string>;
  /** Per-subgraph health as one serving worker sees it (they all probe the same subgraphs). */
  subgraphHealth(): Promise<SubgraphHealthReport>;
  /** Routes a worker's answer or request; false when the message is not for this. */
  handle(worker: Worker, message: WorkerMessage): boolean;
}

export interface ClusterOpsOptions {
  /** The primary's own registry. */
  metrics: GatewayMetrics;
  /** Workers whose gateway listens (joined the cluster), in start order. */
  servingWorkers(): Worker[];
  logger: Logger;
}

type Answer = MetricsJson | SubgraphHealthReport | undefined;

export function createClusterOps(options: ClusterOpsOptions): ClusterOps {
  const pending = new Map<number, (answer: Answer) => void>();
  let nextRequestId = 0;

  /** Resolves with the worker's answer, or `timedOut` when it gives none in time (dead, stuck). */
  const ask = <T extends Answer>(worker: Worker, request: (requestId: number) => PrimaryMessage): Promise<T | 'timed_out'> => {
    const requestId = nextRequestId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        pending.delete(requestId);
        options.logger.warn({ event: 'worker_unanswered', workerPid: worker.process.pid, workerId: worker.id }, 'a worker did not answer the primary in time');
        resolve('timed_out');
      }, WORKER_ANSWER_TIMEOUT_MS);
      pending.set(requestId, (answer) => {
        clearTimeout(timer);
        resolve(answer as T);
      });
      try {
        worker.send(request(requestId));
      } catch {
        // The channel closed between the check and the send: the timer answers.
      }
    });
  };

  const metricsText = async (): Promise<string> => {
    const workers = options.servingWorkers().filter((worker) => worker.isConnected());
    const answers = await Promise.all(workers.map((worker) => ask<MetricsJson>(worker, (requestId) => ({ type: 'gateway:metrics-request', requestId }))));
    const registries = answers.filter((answer): answer is MetricsJson => answer !== 'timed_out' && answer !== undefined);
    registries.push(await options.metrics.registry.getMetricsAsJSON());
    return AggregatorRegistry.aggregate(registries).metrics();
  };

  const subgraphHealth = async (): Promise<SubgraphHealthReport> => {
    for (const worker of options.servingWorkers()) {
      if (!worker.isConnected()) continue;
      const answer = await ask<SubgraphHealthReport>(worker, (requestId) => ({ type: 'gateway:subgraph-health-request', requestId }));
      if (answer !== 'timed_out' && answer !== undefined) return answer;
    }
    throw new Error('no worker answered with subgraph health');
  };

  const handle = (worker: Worker, message: WorkerMessage): boolean => {
    switch (message.type) {
      case 'gateway:metrics':
        pending.get(message.requestId)?.(message.metrics);
        pending.delete(message.requestId);
        return true;
      case 'gateway:subgraph-health':
        pending.get(message.requestId)?.(message.subgraphs);
        pending.delete(message.requestId);
        return true;
      case 'gateway:cluster-metrics-request': {
        const reply = (answer: PrimaryMessage) => {
          if (worker.isConnected()) worker.send(answer);
        };
        metricsText().then(
          (text) => reply({ type: 'gateway:cluster-metrics', requestId: message.requestId, text }),
          (error: unknown) => reply({ type: 'gateway:cluster-metrics', requestId: message.requestId, text: undefined, error: (error as Error).message }),
        );
        return true;
      }
      default:
        return false;
    }
  };

  return { metricsText, subgraphHealth, handle };
}
