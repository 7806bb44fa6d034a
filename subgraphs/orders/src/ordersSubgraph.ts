// The orders subgraph definition: its schema file, resolvers and per-request loaders, ready for the kit.
import type { SubgraphDefinition } from '@federation-gateway/subgraph-kit';
import { createOrderLoaders, type OrderLoaders } from './orderLoaders.js';
import { OrderStore } from './orderStore.js';
import { ordersResolvers } from './resolvers.js';
import { generateSampleCatalog, type CatalogProduct } from './sampleCatalog.js';
import { generateSampleOrders } from './sampleOrders.js';

export function createOrdersSubgraph(
  catalog: ReadonlyMap<string, CatalogProduct> = generateSampleCatalog(),
  store = new OrderStore(generateSampleOrders(catalog)),
): SubgraphDefinition<{ store: OrderStore; catalog: ReadonlyMap<string, CatalogProduct>; loaders: OrderLoaders }> {
  return {
    name: 'orders',
    schemaFile: new URL('../schema.graphql', import.meta.url),
    resolvers: ordersResolvers,
    createContext: () => ({ store, catalog, loaders: createOrderLoaders(store) }),
    debugCounters: () => store.calls.snapshot(),
  };
}
