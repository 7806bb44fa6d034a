// Limits a subgraph applies to every operation itself, so that a caller who reaches it without the gateway
// (a leaked identity token, an internal service, `--insecure-allow-unsigned`) cannot send what the gateway
// would refuse. graphql-armor counts (as in the gateway's plugins/operationLimits.ts); the defaults sit above
// the gateway's, because the gateway's own subgraph fetches must always pass: an entity fetch adds
// `_entities` and a type condition around the client's selection, and the planner adds key fields.
// The cost is graphql-armor's with unit weights: field selections with fragments expanded, times literal
// `first`/`last` page sizes. It stops fragment bombs and huge literal pages; it knows no variables, which
// the gateway's demand control (estimated from variables and @listSize) covers before any fetch is sent.
import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { ValidationRule } from 'graphql';

export interface SubgraphOperationLimits {
  /** Deepest selection nesting, introspection included. @default 20 (the gateway allows 15 by default) */
  maxDepth: number;
  /** Aliases per operation. @default 100 (gateway: 50) */
  maxAliases: number;
  /** Directives per operation. @default 100 (gateway: 50) */
  maxDirectives: number;
  /** Lexical tokens per document (bounds parser work). @default 20000 (gateway: 5000; fetches add key fields) */
  maxTokens: number;
  /**
   * Field selections, fragments expanded, times literal first/last page sizes (graphql-armor's cost with unit
   * weights). @default 50000 (what the gateway admits by default, ≤ 2,000 expanded fields at an estimated
   * cost ≤ 1,000 objects, stays far below it)
   */
  maxCost: number;
}

export const DEFAULT_SUBGRAPH_OPERATION_LIMITS: Readonly<SubgraphOperationLimits> = Object.freeze({
  maxDepth: 20,
  maxAliases: 100,
  maxDirectives: 100,
  maxTokens: 20_000,
  maxCost: 50_000,
});

export interface SubgraphOperationGuards {
  validationRules: ValidationRule[];
  plugins: ApolloServerPlugin[];
  /** For Apollo Server's `parseOptions`: graphql-js stops parsing past `maxTokens`. */
  parseOptions: { maxTokens: number };
}

export function createSubgraphOperationGuards(overrides: Partial<SubgraphOperationLimits> = {}): SubgraphOperationGuards {
  const limits = { ...DEFAULT_SUBGRAPH_OPERATION_LIMITS, ...overrides };
  const armor = new ApolloArmor({
    // Introspection counts too: armor skips it by default, so a 100-level `__schema { types { fields … } }` would pass.
    maxDepth: { n: limits.maxDepth, ignoreIntrospection: false },
    maxAliases: { n: limits.maxAliases },
    // graphql-js's own parser limit instead (parseOptions): armor's token plugin throws a CJS GraphQLError
    // that Apollo Server's ESM build does not recognise (a 500 instead of a 400).
    maxTokens: { enabled: false },
    maxDirectives: { n: limits.maxDirectives },
    costLimit: { maxCost: limits.maxCost, objectCost: 1, scalarCost: 1, depthCostFactor: 1, flattenFragments: true, ignoreIntrospection: false },
    // "Did you mean …?" suggestions would describe the schema to a caller that bypassed the gateway.
    blockFieldSuggestion: { enabled: true },
  });
  const { plugins, validationRules } = armor.protect();
  // Typed against @apollo/server's CJS build; we import its ESM build (same interface), hence the cast.
  return { validationRules, plugins: plugins as unknown as ApolloServerPlugin[], parseOptions: { maxTokens: limits.maxTokens } };
}
