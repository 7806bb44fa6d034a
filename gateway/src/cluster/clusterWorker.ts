// The worker's side of the cluster channel (clusterMessages.ts): it tells the primary when its gateway
// listens, answers the primary's requests for its metrics and its view of subgraph health, and asks the
// primary for the whole cluster's /metrics when that route is served on the API port.
import { isPrimaryMessage, type WorkerMessage } from './clusterMessages.js';
import type { RunningGateway } from '../server.js';

/** How long a worker waits for the primary's aggregated /metrics, in ms (it asks every worker, 2 s each). */
const CLUSTER_METRICS_TIMEOUT_MS = 5_000;

function send(message: WorkerMessage): void {
  // Absent only when the primary is gone; node's cluster module then exits this worker anyway.
  process.send?.(message);
}

export interface ClusterWorkerChannel {
  /** /metrics of the whole cluster (the primary sums every worker's registry), for the API port's route. */
  metricsText(): Promise<string>;
  /** Answers the primary from now on, and tells it this worker serves. Call once the gateway listens. */
  join(gateway: RunningGateway): void;
}

export function createClusterWorkerChannel(): ClusterWorkerChannel {
  const pending = new Map<number, { resolve(text: string): void; reject(error: Error): void }>();
  let nextRequestId = 0;

  // Listening from the start: an answer to metricsText() may come before join().
  process.on('message', (message: unknown) => {
    if (!isPrimaryMessage(message) || message.type !== 'gateway:cluster-metrics') return;
    const request = pending.get(message.requestId);
    pending.delete(message.requestId);
    if (message.text !== undefined) request?.resolve(message.text);
    else request?.reject(new Error(message.error ?? 'the cluster primary could not collect metrics'));
  });

  const metricsText = (): Promise<string> => {
    const requestId = nextRequestId++;
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(requestId);
        reject(new Error(`the cluster primary did not answer within ${CLUSTER_METRICS_TIMEOUT_MS} ms`));
      }, CLUSTER_METRICS_TIMEOUT_MS);
      pending.set(requestId, {
        resolve: (text) => {
          clearTimeout(timer);
          resolve(text);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      send({ type: 'gateway:cluster-metrics-request', requestId });
    });
  };

  const join = (gateway: RunningGateway): void => {
    process.on('message', (message: unknown) => {
      if (!isPrimaryMessage(message)) return;
      if (message.type === 'gateway:metrics-request') {
        void gateway.metrics.registry.getMetricsAsJSON().then((metrics) => send({ type: 'gateway:metrics', requestId: message.requestId, metrics }));
      } else if (message.type === 'gateway:subgraph-health-request') {
        void (gateway.subgraphHealth?.() ?? Promise.resolve(undefined)).then((subgraphs) =>
          send({ type: 'gateway:subgraph-health', requestId: message.requestId, subgraphs }),
        );
      }
    });
    send({ type: 'gateway:ready', url: gateway.url });
  };

  return { metricsText, join };
}
