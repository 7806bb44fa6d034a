// The guards that apply a subgraph's operation limits (subgraphOperationLimits.ts) to Apollo Server:
// graphql-armor's validation rules and plugins, and graphql-js's token limit for the parser. Internal to
// the kit (subgraphServer.ts), so its @apollo/server types stay out of the kit's public declarations.
import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { ValidationRule } from 'graphql';
import { DEFAULT_SUBGRAPH_OPERATION_LIMITS, type SubgraphOperationLimits } from './subgraphOperationLimits.js';

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
