// Per-request DataLoader in front of the inventory service: the stock of every product in one GraphQL
// request is fetched with ONE `GET /stock?product_ids=…` (chunks of 100). Created in createContext, so a
// batch and its cache never serve another caller.
import DataLoader from 'dataloader';
import { notFound } from '../../kit/src/subgraphErrors.js';
import { graphQLErrorFromRest } from '../../rest-kit/src/restErrorMapping.js';
import { INVENTORY_MAX_BATCH_IDS, type InventoryDataSource, type StockLevel } from './inventoryDataSource.js';

export interface StockLoaders {
  /** Resolves to the product's stock level, or rejects with NOT_FOUND / the mapped REST failure. */
  stockByProductId: DataLoader<string, StockLevel>;
}

/** The service's id syntax: an id that cannot exist is not found, without failing the batch it is in (400). */
const PRODUCT_ID_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

function untracked(id: string) {
  return notFound(`no stock is tracked for product ${id}`);
}

export function createStockLoaders(inventory: InventoryDataSource): StockLoaders {
  const loadBatch = async (ids: readonly string[]): Promise<(StockLevel | Error)[]> => {
    const wellFormed = ids.filter((id) => PRODUCT_ID_PATTERN.test(id));
    if (wellFormed.length === 0) return ids.map(untracked);
    try {
      const { levels } = await inventory.getStock(wellFormed);
      const byId = new Map(levels.map((level) => [level.productId, level]));
      return ids.map((id) => byId.get(id) ?? untracked(id));
    } catch (error) {
      // The whole batch failed: each product's stock gets the error at its own path, the rest resolves.
      const mapped = graphQLErrorFromRest(error);
      return ids.map(() => (mapped instanceof Error ? mapped : new Error(String(mapped))));
    }
  };
  return { stockByProductId: new DataLoader(loadBatch, { maxBatchSize: INVENTORY_MAX_BATCH_IDS }) };
}
