// The request-policy plugins (authorization, rate limits), in the order of the request path.
// Each is a factory returning Apollo Server hooks; they read policy for the schema a request runs
// against through the SupergraphRegistry, so a hot reload swaps policy together with the schema.
import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayConfig } from './config.js';
import type { GatewayContext } from './context.js';
import type { Logger } from './logger.js';
import type { GatewayMetrics } from './metrics.js';
import type { SupergraphRegistry } from './supergraph/supergraphRegistry.js';
import { createAuthorizationPlugin } from './plugins/authorization.js';
import { createPolicyReader } from './authorization/authorizationPolicy.js';
import { createRateLimitPlugin } from './plugins/rateLimit.js';

export interface PolicyPluginDependencies {
  config: Readonly<GatewayConfig>;
  logger: Logger;
  metrics: GatewayMetrics;
  registry: SupergraphRegistry;
}

export function createPolicyPlugins(dependencies: PolicyPluginDependencies): ApolloServerPlugin<GatewayContext>[] {
  const { config, logger, metrics, registry } = dependencies;
  const readPolicy = createPolicyReader();
  return [
    // Apollo Server runs didResolveOperation hooks concurrently, so order is not relied on: the rate-limit
    // plugin counts authorization's rewritten document when it exists, and refunds its hits when
    // authorization rejects the whole operation.
    createAuthorizationPlugin({
      policyFor: (schema) => readPolicy(registry.supergraphFor(schema).document),
      rejectUnauthorized: config.authorization.rejectUnauthorized,
      onUnauthorized: (removed, context) => {
        for (const { coordinate } of removed) metrics.authorizationDenials.inc({ coordinate });
        logger.info({ event: 'authorization_denied', requestId: context.requestId, coordinates: removed.map((r) => r.coordinate) }, 'unauthorized fields removed');
      },
    }),
    createRateLimitPlugin({
      config: config.rateLimits,
      supergraphDocumentFor: (schema) => registry.supergraphFor(schema).document,
      logger,
      metricsRegistry: metrics.registry,
    }),
  ];
}
