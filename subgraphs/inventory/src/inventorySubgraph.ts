// The inventory subgraph definition: its schema file, resolvers and per-request inventory access.
import type { SubgraphDefinition } from '../../kit/src/subgraphDefinition.js';
import { createSubgraphLogger } from '../../kit/src/subgraphLogger.js';
import type { RestBackend } from '../../rest-kit/src/restBackendOptions.js';
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
    createContext: ({ requestId }) => {
      const inventory = new InventoryDataSource({ service: 'inventory', baseURL: inventoryBackend.url, timeoutMs: inventoryBackend.timeoutMs, requestId, logger });
      return { inventory, loaders: createStockLoaders(inventory) };
    },
  };
}
