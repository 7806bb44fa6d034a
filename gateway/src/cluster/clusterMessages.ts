// The IPC messages between the cluster primary and its workers (node:cluster's channel). Every type is
// prefixed, so they never collide with node's own `NODE_*` messages or prom-client's.
import type { Registry } from 'prom-client';

/** A worker's registry, as prom-client's getMetricsAsJSON() gives it (what AggregatorRegistry.aggregate sums). */
export type MetricsJson = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

export type SubgraphHealthReport = Record<string, 'ok' | 'unavailable'>;

/** Worker → primary. */
export type WorkerMessage =
  /** The worker's gateway listens on the shared API port. */
  | { type: 'gateway:ready'; url: string }
  /** An answer to one of the primary's requests. */
  | { type: 'gateway:metrics'; requestId: number; metrics: MetricsJson }
  | { type: 'gateway:subgraph-health'; requestId: number; subgraphs: SubgraphHealthReport | undefined }
  /** /metrics served on the API port (no admin listener): the primary answers with the whole cluster's text. */
  | { type: 'gateway:cluster-metrics-request'; requestId: number };

/** Primary → worker. */
export type PrimaryMessage =
  | { type: 'gateway:metrics-request'; requestId: number }
  | { type: 'gateway:subgraph-health-request'; requestId: number }
  | { type: 'gateway:cluster-metrics'; requestId: number; text: string | undefined; error?: string };

const WORKER_TYPES = new Set(['gateway:ready', 'gateway:metrics', 'gateway:subgraph-health', 'gateway:cluster-metrics-request']);
const PRIMARY_TYPES = new Set(['gateway:metrics-request', 'gateway:subgraph-health-request', 'gateway:cluster-metrics']);

function typeOf(message: unknown): unknown {
  return typeof message === 'object' && message !== null ? (message as { type?: unknown }).type : undefined;
}

export function isWorkerMessage(message: unknown): message is WorkerMessage {
  return WORKER_TYPES.has(typeOf(message) as string);
}

export function isPrimaryMessage(message: unknown): message is PrimaryMessage {
  return PRIMARY_TYPES.has(typeOf(message) as string);
}
