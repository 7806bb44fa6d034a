// The errors of a supergraph that cannot be served, in a module of their own: gatewayProcess.ts tells them
// apart (main.ts prints their message as it is) without loading graphql or @apollo/* for it, which a cluster
// primary, serving no GraphQL, never loads.

/** The file cannot be read, is empty, or is no valid supergraph (the message names the file). */
export class SupergraphLoadError extends Error {
  override name = 'SupergraphLoadError';
}

/** The supergraph links a feature for SECURITY or EXECUTION that this gateway does not enforce (securityFeatures.ts). */
export class UnsupportedFeatureError extends Error {
  override name = 'UnsupportedFeatureError';
}
