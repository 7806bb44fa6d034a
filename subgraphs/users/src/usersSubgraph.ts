// The users subgraph definition: its schema file, resolvers and per-request loaders, ready for the kit.
import type { SubgraphDefinition } from '@federation-gateway/subgraph-kit';
import { generateSampleUsers } from './sampleUsers.js';
import { createUserLoaders, type UserLoaders } from './userLoaders.js';
import { usersResolvers } from './resolvers.js';
import { UserStore } from './userStore.js';

export function createUsersSubgraph(
  store = new UserStore(generateSampleUsers()),
): SubgraphDefinition<{ store: UserStore; loaders: UserLoaders }> {
  return {
    name: 'users',
    schemaFile: new URL('../schema.graphql', import.meta.url),
    resolvers: usersResolvers,
    createContext: () => ({ store, loaders: createUserLoaders(store) }),
    debugCounters: () => store.calls.snapshot(),
  };
}
