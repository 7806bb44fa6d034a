// The inventory subgraph definition: its schema file, resolvers and per-request inventory access.
import type { SubgraphDefinition } from '@federation-gateway/subgraph-kit';
import { createSubgraphLogger } from '@federation-gateway/subgraph-kit';
import type { RestBackend } from '@federation-gateway/rest-kit';
import { InventoryDataSource } from './inventoryDataSource.js';
import { inventoryResolvers } from './resolvers.js';
import { createStockLoaders, type StockLoaders } from './stockLoaders.js';

export function createInventorySubgraph(inventoryBackend: RestBackend): SubgraphDefinition<{ inventory: InventoryDataSource; loaders: StockLoaders }> {
  // Only for failed REST calls; the kit logs requests and GraphQL errors itself.
  const logger = createSubgraphLogger('inventory');
  return {
    name: 'inventory',
    schemaFile: new URL('../schema.graphql', import.meta.url),
    resolvers: inventoryResolvers,
    createContext: ({ requestId, signal }) => {
      const inventory = new InventoryDataSource({ service: 'inventory', baseURL: inventoryBackend.url, timeoutMs: inventoryBackend.timeoutMs, requestId, logger, signal });
      return { inventory, loaders: createStockLoaders(inventory) };
    },
  };
}
