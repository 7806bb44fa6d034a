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
import { operationLimitsConfigSchema, type OperationLimitsConfig } from './operationLimitsConfig.js';

export { operationLimitsConfigSchema, type OperationLimitsConfig };

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
