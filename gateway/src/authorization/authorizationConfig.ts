// The `authorization` section of the gateway config (policy itself comes from the supergraph).
import { z } from 'zod';

export const authorizationConfigSchema = z
  .object({
    /**
     * true: an operation selecting any field the caller may not see is rejected whole (HTTP 403,
     * FORBIDDEN) instead of executing without those fields. @default false (partial data + errors)
     */
    rejectUnauthorized: z.boolean().default(false),
  })
  .strict();

