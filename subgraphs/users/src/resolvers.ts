// Resolvers of the users subgraph (schema: ../schema.graphql).
import { badUserInput } from '@federation-gateway/subgraph-kit';
import type { SubgraphContext } from '@federation-gateway/subgraph-kit';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import type { UserLoaders } from './userLoaders.js';
import type { UserRecord } from './sampleUsers.js';
import type { UserStore } from './userStore.js';

export type UsersContext = SubgraphContext<{ store: UserStore; loaders: UserLoaders }>;

/** Page size bounds: 100 keeps one page cheap for the subgraph and for the gateway's cost limits. */
const MAX_PAGE_SIZE = 100;

interface PageArgs {
  first?: number | null;
  after?: string | null;
}

async function loadPage(args: PageArgs, context: UsersContext) {
  const first = args.first ?? 10;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw badUserInput(`first must be between 1 and ${MAX_PAGE_SIZE}`, 'first');
  }
  const page = await context.store.listAfter(args.after ?? null, first);
  if (page === null) throw badUserInput('after is not a known cursor (pass the id of a user from the previous page)', 'after');
  // Prime the per-request loader so entity lookups later in the same request cost nothing.
  for (const user of page.users) context.loaders.userById.prime(user.id, user);
  return page;
}

export const usersResolvers: GraphQLResolverMap<UsersContext> = {
  Query: {
    me: (_parent: unknown, _args: unknown, context: UsersContext) => {
      const subject = context.identity?.subject;
      return subject ? context.loaders.userById.load(subject) : null;
    },
    user: (_parent: unknown, args: { id: string }, context: UsersContext) => context.loaders.userById.load(args.id),
    users: async (_parent: unknown, args: PageArgs, context: UsersContext) => (await loadPage(args, context)).users,
    usersConnection: async (_parent: unknown, args: PageArgs, context: UsersContext) => {
      const { users, hasNextPage } = await loadPage(args, context);
      return {
        edges: users.map((user) => ({ cursor: user.id, node: user })),
        pageInfo: { endCursor: users.at(-1)?.id ?? null, hasNextPage },
      };
    },
  },
  User: {
    __resolveReference: (reference: { id: string }, context: UsersContext): Promise<UserRecord | null> =>
      context.loaders.userById.load(reference.id),
  },
};
