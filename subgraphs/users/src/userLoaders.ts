// Per-request DataLoaders over the users data layer: created in the subgraph's createContext, so one
// request's batch and cache never serve another caller.
import DataLoader from 'dataloader';
import type { UserRecord } from './sampleUsers.js';
import type { UserStore } from './userStore.js';

export interface UserLoaders {
  userById: DataLoader<string, UserRecord | null>;
}

/** 1000: the most ids one data-layer call takes; a 5000-entity query costs 5 calls, not 5000. */
const MAX_BATCH_SIZE = 1000;

export function createUserLoaders(store: UserStore): UserLoaders {
  return {
    userById: new DataLoader((ids) => store.findByIds(ids), { maxBatchSize: MAX_BATCH_SIZE }),
  };
}
