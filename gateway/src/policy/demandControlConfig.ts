// The `demandControl` section of the gateway config: the cost limit and the list sizes the operation
// analysis assumes. Subgraphs declare list sizes and weights in their SDL (`@listSize`, `@cost`, from
// https://specs.apollo.dev/cost/v0.1, the IBM GraphQL cost spec's directives); entries here add to or
// override those per schema coordinate.
import { z } from 'zod';
import { fieldCoordinateSchema } from '../rateLimit/rateLimitConfig.js';

/** "Type" or "Type.field". */
const typeOrFieldCoordinateSchema = z
  .string()
  .regex(/^[_A-Za-z][_0-9A-Za-z]*(\.[_A-Za-z][_0-9A-Za-z]*)?$/, 'must be "Type" or "Type.field", e.g. "Product.stock"');

/** What `@listSize` says, for one field. Any key given replaces the supergraph's value for that key. */
export const listSizeConfigSchema = z
  .object({
    /** Items the field returns when no slicing argument gives a number. */
    assumedSize: z.number().int().min(0).optional(),
    /** Arguments whose (coerced) value is the list size, e.g. ["first", "last"]; the largest given wins. Dot paths reach into input objects. */
    slicingArguments: z.array(z.string().min(1)).optional(),
    /** Child fields the size applies to instead of this field (connections: ["edges"] or ["nodes"]). */
    sizedFields: z.array(z.string().min(1)).optional(),
  })
  .strict();


export const demandControlConfigSchema = z
  .object({
    /** Estimate each operation's cost before any subgraph is called. @default true */
    enabled: z.boolean().default(true),
    /**
     * "enforce": an operation whose estimated cost is over maxCost is refused (400
     * COST_ESTIMATED_TOO_EXPENSIVE, nothing executed). "measure": never refuse; estimated and actual
     * costs are still logged and exported, so operators can choose maxCost from real traffic first.
     * @default "enforce"
     */
    mode: z.enum(['enforce', 'measure']).default('enforce'),
    /**
     * Highest estimated cost admitted. Cost: each object (composite value) 1, scalars and enums 0, list
     * fields multiply by their size, `@cost(weight:)` replaces a field's or type's weight, a mutation
     * adds 10 (the rules of Apollo's and the IBM cost spec). @default 1000 (Shopify's per-query limit
     * for the same rules; every sample query costs under 700)
     */
    maxCost: z.number().int().positive().default(1_000),
    /**
     * Items assumed for a list field that neither a slicing argument nor `assumedSize` sizes. A guess:
     * declare real sizes with @listSize. @default 5 (three nested lists nobody sized, e.g. orders →
     * items → tags, cost 155 and pass; five nested cost 3905 and are refused. With Apollo Router's
     * documented example of 10, any three nested unsized lists already cost 1110 > maxCost, which
     * refused ordinary queries of the federation audit that stock @apollo/gateway serves)
     */
    defaultListSize: z.number().int().min(0).default(5),
    /** `@listSize` added or overridden per "Type.field". @default {} */
    listSizes: z.record(fieldCoordinateSchema, listSizeConfigSchema).default({}),
    /** `@cost(weight:)` added or overridden per "Type" or "Type.field". @default {} */
    weights: z.record(typeOrFieldCoordinateSchema, z.number().int().min(0)).default({}),
  })
  .strict();

export type DemandControlConfig = z.infer<typeof demandControlConfigSchema>;
