// Security limits on the operation's text (tokens, depth, aliases, directives), checked during parse
// and validation, before any policy runs. graphql-armor does the counting; we only choose limits a
// federated graph needs and make them configurable. Cost is not here: graphql-armor's cost rule
// multiplies only integer literals of first/last (`first: $n` costs one item) and knows no schema
// list sizes, so demand control (gateway/src/policy) estimates cost from the operation analysis
// instead, with coerced variables and @listSize. graphql-armor's depth rule skips introspection
// fields: maxIntrospectionDepth is enforced by the policy pipeline on its analysis (introspectionDepth).
import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { ValidationRule } from 'graphql';
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

export interface OperationLimits {
  plugins: ApolloServerPlugin[];
  validationRules: ValidationRule[];
  /** For Apollo Server's `parseOptions`: graphql-js stops parsing past `maxTokens`. */
  parseOptions: { maxTokens: number };
}

export function createOperationLimits(config: OperationLimitsConfig): OperationLimits {
  const armor = new ApolloArmor({
    maxDepth: { n: config.maxDepth },
    maxAliases: { n: config.maxAliases },
    // graphql-js's own parser limit is used instead (parseOptions below): armor's token plugin throws
    // its CJS copy of GraphQLError, which Apollo Server's ESM build does not recognise (a 500, not a 400).
    maxTokens: { enabled: false },
    maxDirectives: { n: config.maxDirectives },
    costLimit: { enabled: false },
    blockFieldSuggestion: { enabled: config.blockFieldSuggestions },
  });
  const { plugins, validationRules } = armor.protect();
  // graphql-armor is typed against @apollo/server's CJS build and we import its ESM build: the same
  // interface under two declaration paths, hence the cast.
  return { plugins: plugins as unknown as ApolloServerPlugin[], validationRules, parseOptions: { maxTokens: config.maxTokens } };
}
