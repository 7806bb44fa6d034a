// The `operationLimits` config section (plugins/operationLimits.ts applies it). Apart from the plugin so
// that reading and checking the config (config.ts, before anything else loads: gateway/src/main.ts) does
// not load graphql-armor and graphql.
import { z } from 'zod';

export const operationLimitsConfigSchema = z
  .object({
    /** Deepest selection nesting. @default 15 (the sample four-hop query is 6 deep; introspection is exempt) */
    maxDepth: z.number().int().positive().default(15),
    /** Aliases per operation. @default 50 */
    maxAliases: z.number().int().positive().default(50),
    /** Lexical tokens per document (bounds parser work). @default 5000 */
    maxTokens: z.number().int().positive().default(5_000),
    /** Directives per operation. @default 50 */
    maxDirectives: z.number().int().positive().default(50),
    /**
     * Fields one operation may select once fragments are expanded and merged (what the policy analysis
     * walks; fragments spread inside fragments multiply, so a small document can expand to millions).
     * Over it: 400 GRAPHQL_VALIDATION_FAILED. @default 2000 (the full introspection query is ~150)
     */
    maxExpandedFields: z.number().int().positive().default(2_000),
    /**
     * Deepest nesting below `__schema` / `__type` (`__schema` itself is 1): `types { fields { type { ofType {
     * ofType … } } } }` 100 levels deep costs the gateway work while naming no subgraph field. Over it: 400
     * GRAPHQL_VALIDATION_FAILED. @default 20 (graphql-js's full introspection query, used by GraphiQL and codegen
     * tools, is 15 deep)
     */
    maxIntrospectionDepth: z.number().int().positive().default(20),
    /** Moved: cost is estimated by demand control now (`demandControl.maxCost`). */
    maxCost: z.never({ error: 'moved to demandControl.maxCost (cost is now estimated from list sizes and variables)' }).optional(),
    /** Hide "Did you mean …?" field suggestions, which leak schema shape when introspection is off.
     * @default true */
    blockFieldSuggestions: z.boolean().default(true),
  })
  .strict();

export type OperationLimitsConfig = z.infer<typeof operationLimitsConfigSchema>;
