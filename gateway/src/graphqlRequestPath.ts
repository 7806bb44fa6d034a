// The one place that assembles what Apollo Server runs for a request, listed in the order a request
// meets it (DESIGN.md "Request path"). The HTTP layer (httpServer.ts) runs before all of this: request
// ID, body/method/type limits, CORS, trusted documents (ids resolved, unlisted operations refused);
// authentication happens when Apollo Server builds the context.
//
//   0. APQ              a hash alone is resolved to its stored query (Apollo Server), the store counted
//   1. landing page     GET /graphql from a browser (Accept: text/html) is answered here, nothing runs
//   1b. tracing         parse/validate spans when tracing is on (tracing/tracingPlugin.ts)
//   2. parse            parser limits (tokens), from operationLimits
//   3. validate         subscriptions refused; depth, aliases, directives, cost limits
//   4. resolve          the operation's name and type noted for the access log
//   5. policy           authorization → demand control → rate limits, in order, inside ONE plugin
//                       (Apollo Server runs plugins' didResolveOperation concurrently: see policyPipeline.ts)
//   5b. response cache  after the policy: a hit is authorized, costed and charged; PRIVATE per identity
//   6. execute          the query plan through the datasource (federation.ts)
//   7. answer           errors masked (formatError), then reported: request ID, log codes, metrics
import type { ApolloServerOptions, ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { GatewayConfig } from './config.js';
import type { GatewayContext } from './context.js';
import { createSandboxLandingPage } from './explorer/sandboxLandingPage.js';
import type { Logger } from './logger.js';
import { createErrorMasker, createErrorMaskingPlugin } from './plugins/errorMasking.js';
import { createOperationLimits } from './plugins/operationLimits.js';
import { createRequestLoggingPlugin } from './plugins/requestLogging.js';
import { createTracingPlugin } from './tracing/tracingPlugin.js';
import type { PolicyPipeline } from './policy/policyPipeline.js';
import { refuseSubscriptionsRule } from './refuseSubscriptions.js';
import type { RequestErrors } from './requestErrors.js';

export interface GraphQLRequestPathOptions {
  config: Readonly<GatewayConfig>;
  logger: Logger;
  errors: RequestErrors;
  /** The ordered policy steps, as one plugin (policy/policyPipeline.ts). */
  policy: Pick<PolicyPipeline, 'plugin'>;
  /** APQ store lifecycle and metrics (persistedQueries/automaticPersistedQueries.ts). */
  apq?: ApolloServerPlugin<GatewayContext>;
  /** The response cache's plugins, which must run after the policy (caching/responseCache.ts); none when off. */
  responseCache?: ApolloServerPlugin<GatewayContext>[];
  /** Serve the Apollo Sandbox landing page (off in production unless configured on). */
  sandbox: boolean;
  /** Link the landing page to the local GraphiQL explorer. */
  linkToLocalExplorer: boolean;
  /** Parse/validate spans (tracing on); plan/execute are traced in federation.ts. @default false */
  tracing?: boolean;
}

/** The ApolloServer options that make up the request path: plugins in request order and their rules. */
export type GraphQLRequestPath = Required<
  Pick<ApolloServerOptions<GatewayContext>, 'plugins' | 'validationRules' | 'parseOptions' | 'formatError'>
>;

export function createGraphQLRequestPath(options: GraphQLRequestPathOptions): GraphQLRequestPath {
  const { config, logger, errors, policy } = options;
  const operationLimits = createOperationLimits(config.operationLimits);
  // A subgraph's own error codes reach clients only from that subgraph (subgraphs.<name>.clientErrorCodes).
  const subgraphErrorCodes = new Map(Object.entries(config.subgraphs).map(([name, subgraph]) => [name, new Set(subgraph.clientErrorCodes)]));
  const plugins: ApolloServerPlugin<GatewayContext>[] = [
    options.sandbox ? createSandboxLandingPage({ linkToLocalExplorer: options.linkToLocalExplorer }) : ApolloServerPluginLandingPageDisabled(),
    ...(operationLimits.plugins as ApolloServerPlugin<GatewayContext>[]),
    createRequestLoggingPlugin(),
    ...(options.tracing ? [createTracingPlugin()] : []),
    ...(options.apq ? [options.apq] : []),
    policy.plugin,
    ...(options.responseCache ?? []),
    createErrorMaskingPlugin({ logger, errors }),
  ];
  return {
    plugins,
    parseOptions: operationLimits.parseOptions,
    validationRules: [refuseSubscriptionsRule, ...operationLimits.validationRules],
    formatError: createErrorMasker(subgraphErrorCodes),
  };
}
