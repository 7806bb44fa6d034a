// Resolvers of the inventory subgraph (schema: ../schema.graphql).
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import type { SubgraphContext } from '@federation-gateway/subgraph-kit';
import { unauthenticated } from '@federation-gateway/subgraph-kit';
import { mapRestErrors } from '@federation-gateway/rest-kit';
import type { InventoryDataSource, Reservation } from './inventoryDataSource.js';
import type { StockLoaders } from './stockLoaders.js';

export type InventoryContext = SubgraphContext<{ inventory: InventoryDataSource; loaders: StockLoaders }>;

export const inventoryResolvers: GraphQLResolverMap<InventoryContext> = {
  Product: {
    // A stub: this subgraph only adds `stock`; everything else about a product lives in the products subgraph.
    __resolveReference: (reference: { id: string }) => ({ id: reference.id }),
    stock: async (product: { id: string }, _args: unknown, context: InventoryContext): Promise<number> =>
      (await context.loaders.stockByProductId.load(product.id)).available,
  },
  Reservation: {
    product: (reservation: Reservation) => ({ id: reservation.productId }),
  },
  Mutation: {
    // Exactly one POST per call: no retry here, in the data source, or in RESTDataSource (see
    // InventoryDataSource.reserve); the gateway retries queries only.
    reserveStock: async (_parent: unknown, args: { productId: string; quantity: number }, context: InventoryContext) => {
      // The gateway enforces @authenticated; checking again here keeps a misconfigured gateway from
      // letting anonymous callers hold stock.
      if (context.identity === null || context.identity.kind === 'anonymous') {
        throw unauthenticated('reserveStock needs a signed-in caller');
      }
      const { reservation, stock } = await mapRestErrors(() => context.inventory.reserve(args.productId, args.quantity));
      // The answer carries the new level: prime it so `product { stock }` in this request needs no GET.
      context.loaders.stockByProductId.clear(stock.productId).prime(stock.productId, stock);
      return reservation;
    },
  },
};
