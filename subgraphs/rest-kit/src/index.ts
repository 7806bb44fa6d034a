// @federation-gateway/rest-kit: the shared base of subgraphs that wrap a REST service (see README.md).
export { RestServiceDataSource, type RestServiceDataSourceOptions } from './RestServiceDataSource.js';
export { createRestBatchLoader, type RestBatchLoaderOptions } from './restBatchLoader.js';
export { RestCallError, classifyFetchError, describeFailure, type RestFailure } from './restCallError.js';
export { mapRestErrors, graphQLErrorFromRest, codeForRestFailure, snakeToCamel, type RestMappedCode } from './restErrorMapping.js';
export {
  takeRestBackendOptions,
  RestBackendOptionError,
  DEFAULT_REST_TIMEOUT_MS,
  MAX_REST_TIMEOUT_MS,
  type RestBackend,
  type RestBackendSpec,
} from './restBackendOptions.js';
export { exitOnBadBackendOptions } from './restSubgraphCli.js';
export {
  readRestBackendDeclarations,
  declaredRestBackends,
  backendSpecs,
  REST_BACKENDS_FILE,
  type RestBackendDeclaration,
  type DeclaredRestBackend,
} from './restBackendDeclarations.js';
