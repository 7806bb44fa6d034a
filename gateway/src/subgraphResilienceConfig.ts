// The per-subgraph `resilience` config section (subgraphResilience.ts applies it). Apart from the breaker
// so that reading and checking the config (config.ts, before anything else loads: gateway/src/main.ts)
// does not load opossum, the subgraph fetcher and undici.
import { z } from 'zod';

export const resilienceConfigSchema = z
  .object({
    /** Extra attempts for a query after a retryable failure. @default 1 */
    retries: z.number().int().min(0).max(5).default(1),
    /** Wait before each retry, in ms (doubled per attempt). @default 25 */
    retryBackoffMs: z.number().int().min(0).max(10_000).default(25),
    circuitBreaker: z
      .object({
        /** @default true */
        enabled: z.boolean().default(true),
        /** Open when at least this % of calls in the rolling window failed. @default 50 */
        errorThresholdPercentage: z.number().int().min(1).max(100).default(50),
        /** Calls in the window before the breaker may open (no opening on 1 failure of 1). @default 10 */
        volumeThreshold: z.number().int().min(1).default(10),
        /** How long the breaker stays open before one trial call, in ms. @default 10000 */
        resetTimeoutMs: z.number().int().min(100).max(600_000).default(10_000),
        /** Length of the rolling window of statistics, in ms. @default 10000 */
        rollingWindowMs: z.number().int().min(1_000).max(600_000).default(10_000),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type ResilienceConfig = z.infer<typeof resilienceConfigSchema>;
