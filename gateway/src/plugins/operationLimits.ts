// Security limits on the operation itself (depth, aliases, tokens, directives, static cost), checked
// during parse/validation, before authorization, rate limits or any subgraph call. graphql-armor does
// the counting; we only choose limits a federated graph needs and make them configurable.
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
    /** graphql-armor's static cost (objects 2, scalars 1, times 1.5 per depth level). @default 20000 */
    maxCost: z.number().int().positive().default(20_000),
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
    costLimit: { maxCost: config.maxCost },
    blockFieldSuggestion: { enabled: config.blockFieldSuggestions },
  });
  const { plugins, validationRules } = armor.protect();
  // graphql-armor is typed against @apollo/server's CJS build and we import its ESM build: the same
  // interface under two declaration paths, hence the cast.
  return { plugins: plugins as unknown as ApolloServerPlugin[], validationRules, parseOptions: { maxTokens: config.maxTokens } };
}
