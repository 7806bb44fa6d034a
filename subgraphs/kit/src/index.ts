// The subgraph kit: everything a subgraph needs besides its schema.graphql and resolvers.
export { runSubgraph, type RunSubgraphOptions } from './runSubgraph.js';
export { startSubgraph, type StartSubgraphOptions, type RunningSubgraph } from './subgraphServer.js';
export type { SubgraphDefinition, SubgraphContext, BaseSubgraphContext } from './subgraphDefinition.js';
export {
  signGatewayIdentity,
  verifyGatewayIdentity,
  GatewayIdentityError,
  GATEWAY_IDENTITY_HEADER,
  GATEWAY_IDENTITY_ISSUER,
  DEFAULT_MAX_AGE_SECONDS,
  type ForwardedIdentity,
  type SignGatewayIdentityOptions,
  type VerifyGatewayIdentityOptions,
  type VerifiedGatewayIdentity,
} from './gatewayIdentity.js';
export { badUserInput, notFound, unauthenticated, subgraphError, type SubgraphErrorCode } from './subgraphErrors.js';
export { DataLayerCallCounter } from './dataLayerCallCounter.js';
export { parseSubgraphCliOptions, SubgraphCliError, envPrefix } from './subgraphCliOptions.js';
export { createSeededRandom, type SeededRandom } from './seededRandom.js';
