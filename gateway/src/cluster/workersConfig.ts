// How many worker processes serve the API port (`server.workers`, flag --workers, env WORKERS), and what
// the config must not keep per process when there are several. Each worker is a whole gateway with its
// own memory: state that must be exact across requests has to live in a store every worker shares.
import { availableParallelism } from 'node:os';
import { ConfigError, type GatewayConfig } from '../config.js';

/** The number of workers the setting asks for: "auto" is one per core this process may use. */
export function resolveWorkerCount(setting: GatewayConfig['server']['workers']): number {
  return setting === 'auto' ? availableParallelism() : setting;
}

/**
 * Refuses a config whose correctness depends on per-process state when `workers` > 1. Only the rate-limit
 * counters are such state: with the memory store each worker would count alone, so N workers would allow N
 * times every limit. The other per-process stores only cost hit rate (the response cache, APQ: a miss in
 * one worker is answered as a miss, and the client or the subgraphs fill it) or are read-only copies
 * (trusted documents, the supergraph), so they are allowed (README "Operate").
 */
export function refusePerWorkerState(config: Readonly<GatewayConfig>, workers: number): void {
  if (workers <= 1) return;
  if (config.rateLimits.enabled && config.rateLimits.store.kind === 'memory') {
    throw new ConfigError(
      `invalid config: server.workers is ${workers} but rateLimits.store is the memory store, which counts per worker ` +
        `(${workers} workers would allow ${workers}× every limit): use the Redis store ` +
        '(rateLimits.store: { kind: redis, url: redis://… } or env RATE_LIMIT_REDIS_URL), ' +
        'or rateLimits.enabled: false when the gateway enforces no rate limits',
    );
  }
}
