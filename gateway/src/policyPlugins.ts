// The request-policy plugins (authorization, rate limits), in the order of the request path.
// Each is a factory returning Apollo Server hooks; they read policy for the schema a request runs
// against through the SupergraphRegistry, so a hot reload swaps policy together with the schema.
import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayConfig } from './config.js';
import type { GatewayContext } from './context.js';
import type { Logger } from './logger.js';
import type { GatewayMetrics } from './metrics.js';
import type { SupergraphRegistry } from './supergraph/supergraphRegistry.js';

export interface PolicyPluginDependencies {
  config: Readonly<GatewayConfig>;
  logger: Logger;
  metrics: GatewayMetrics;
  registry: SupergraphRegistry;
}

export function createPolicyPlugins(_dependencies: PolicyPluginDependencies): ApolloServerPlugin<GatewayContext>[] {
  return [];
}
