// Per-request DataLoader in front of the inventory service: the stock of every product in one GraphQL
// request is fetched with ONE `GET /stock?product_ids=…` (chunks of 100). See rest-kit/restBatchLoader.ts.
import type DataLoader from 'dataloader';
import { notFound } from '@federation-gateway/subgraph-kit';
import { createRestBatchLoader } from '@federation-gateway/rest-kit';
import { INVENTORY_MAX_BATCH_IDS, type InventoryDataSource, type StockLevel } from './inventoryDataSource.js';

export interface StockLoaders {
  /** Resolves to the product's stock level, or rejects with NOT_FOUND / the mapped REST failure. */
  stockByProductId: DataLoader<string, StockLevel>;
}

export function createStockLoaders(inventory: InventoryDataSource): StockLoaders {
  return {
    stockByProductId: createRestBatchLoader({
      fetchBatch: async (ids) => (await inventory.getStock(ids)).levels,
      idOf: (level) => level.productId,
      notFound: (id) => notFound(`no stock is tracked for product ${id}`),
      idPattern: /^[A-Za-z0-9_.-]{1,64}$/,
      maxBatchSize: INVENTORY_MAX_BATCH_IDS,
    }),
  };
}
