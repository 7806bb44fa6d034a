// @federation-gateway/subgraph-kit: everything a subgraph needs besides its schema.graphql and resolvers.
export { runSubgraph, type RunSubgraphOptions } from './runSubgraph.js';
export { startSubgraph, RequestAbortedError, type StartSubgraphOptions, type RunningSubgraph } from './subgraphServer.js';
export { DEFAULT_SUBGRAPH_OPERATION_LIMITS, type SubgraphOperationLimits } from './subgraphOperationLimits.js';
export type { SubgraphDefinition, SubgraphContext, BaseSubgraphContext } from './subgraphDefinition.js';
/** Who the gateway says the caller is (`context.identity`); the contract lives in @federation-gateway/identity. */
export type { ForwardedIdentity } from '@federation-gateway/identity';
export { badUserInput, notFound, unauthenticated, subgraphError, type SubgraphErrorCode } from './subgraphErrors.js';
export { DataLayerCallCounter } from './dataLayerCallCounter.js';
export { parseSubgraphCliOptions, SubgraphCliError, envPrefix, type SubgraphCliOptions } from './subgraphCliOptions.js';
export { createSeededRandom, type SeededRandom } from './seededRandom.js';
export { createSubgraphLogger } from './subgraphLogger.js';
