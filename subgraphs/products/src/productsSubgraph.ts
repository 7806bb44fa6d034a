// The products subgraph definition: its schema file, resolvers and per-request catalog access.
import type { SubgraphDefinition } from '@federation-gateway/subgraph-kit';
import { createSubgraphLogger } from '@federation-gateway/subgraph-kit';
import type { RestBackend } from '@federation-gateway/rest-kit';
import { CatalogDataSource } from './catalogDataSource.js';
import { createProductLoaders, type ProductLoaders } from './productLoaders.js';
import { productsResolvers } from './resolvers.js';

export function createProductsSubgraph(catalogBackend: RestBackend): SubgraphDefinition<{ catalog: CatalogDataSource; loaders: ProductLoaders }> {
  // Only for failed REST calls; the kit logs requests and GraphQL errors itself.
  const logger = createSubgraphLogger('products');
  return {
    name: 'products',
    schemaFile: new URL('../schema.graphql', import.meta.url),
    resolvers: productsResolvers,
    createContext: ({ requestId, signal }) => {
      const catalog = new CatalogDataSource({ service: 'catalog', baseURL: catalogBackend.url, timeoutMs: catalogBackend.timeoutMs, requestId, logger, signal });
      return { catalog, loaders: createProductLoaders(catalog) };
    },
  };
}
