// Per-request DataLoaders over the orders data layer: created in the subgraph's createContext, so one
// request's batch and cache never serve another caller.
import DataLoader from 'dataloader';
import type { OrderRecord } from './sampleOrders.js';
import type { OrderStore } from './orderStore.js';

export interface OrderLoaders {
  orderById: DataLoader<string, OrderRecord | null>;
  /** All of a user's orders, newest first; `User.orders` filters and slices per field arguments. */
  ordersByUserId: DataLoader<string, OrderRecord[]>;
}

/** 1000: the most keys one data-layer call takes. */
const MAX_BATCH_SIZE = 1000;

export function createOrderLoaders(store: OrderStore): OrderLoaders {
  return {
    orderById: new DataLoader((ids) => store.findByIds(ids), { maxBatchSize: MAX_BATCH_SIZE }),
    ordersByUserId: new DataLoader((userIds) => store.findByUserIds(userIds), { maxBatchSize: MAX_BATCH_SIZE }),
  };
}
