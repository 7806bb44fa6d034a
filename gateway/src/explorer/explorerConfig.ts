// Config of the local GraphiQL explorer (GET /graphiql), embedded in gateway/src/config.ts as `graphiql`.
import { z } from 'zod';

export const graphiqlConfigSchema = z
  .object({
    /**
     * Serve GraphiQL on GET /graphiql (assets from the gateway itself, no CDN). Needs introspection,
     * which GraphiQL reads the schema through. @default on when introspection is on (outside production)
     */
    enabled: z.boolean().optional(),
    /**
     * Headers every new GraphiQL tab starts with, e.g. `{ Authorization: "Bearer <dev token>" }` (what
     * `npm start` sets). They are written into the page for anyone who can open it: local development only.
     * @default {}
     */
    defaultHeaders: z
      .record(z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'must be an HTTP header name'), z.string().max(16_384))
      .default({}),
    /** The operation the first tab shows. @default a short comment on how to use the explorer */
    defaultQuery: z.string().max(100_000).optional(),
  })
  .strict();

export type GraphiqlConfig = z.infer<typeof graphiqlConfigSchema>;
