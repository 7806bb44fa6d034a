// Resolvers of the orders subgraph (schema: ../schema.graphql).
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { badUserInput, unauthenticated } from '@federation-gateway/subgraph-kit';
import type { SubgraphContext } from '@federation-gateway/subgraph-kit';
import { canReadOrdersOf, orderingUserOf } from './orderAccess.js';
import type { OrderLoaders } from './orderLoaders.js';
import type { OrderStore } from './orderStore.js';
import { validatePlaceOrderInput } from './placeOrderInput.js';
import type { CatalogProduct } from './sampleCatalog.js';
import { orderTotalCents, type OrderItemRecord, type OrderRecord, type OrderStatus } from './sampleOrders.js';

export type OrdersContext = SubgraphContext<{
  store: OrderStore;
  catalog: ReadonlyMap<string, CatalogProduct>;
  loaders: OrderLoaders;
}>;

const MAX_PAGE_SIZE = 100;

/** The order when it exists and the caller may read it; null otherwise (no hint that it exists). */
async function readableOrder(id: string, context: OrdersContext): Promise<OrderRecord | null> {
  const order = await context.loaders.orderById.load(id);
  return order !== null && canReadOrdersOf(context.identity, order.userId) ? order : null;
}

export const ordersResolvers: GraphQLResolverMap<OrdersContext> = {
  Query: {
    order: (_parent: unknown, args: { id: string }, context: OrdersContext) => readableOrder(args.id, context),
  },
  Mutation: {
    placeOrder: async (_parent: unknown, args: { input: unknown }, context: OrdersContext) => {
      const subject = orderingUserOf(context.identity);
      if (!subject) throw unauthenticated('placeOrder needs a signed-in user: the order is placed for the token subject (an API key places none)');
      const input = validatePlaceOrderInput(args.input, context.catalog);
      const items: OrderItemRecord[] = input.items.map((item) => ({
        productId: item.productId,
        quantity: item.quantity,
        unitPriceCents: context.catalog.get(item.productId)!.unitPriceCents[input.currency],
      }));
      const order = await context.store.insert({
        userId: subject,
        status: 'PENDING',
        currency: input.currency,
        items,
        createdAt: new Date().toISOString(),
      });
      context.loaders.orderById.prime(order.id, order);
      return order;
    },
  },
  Order: {
    __resolveReference: (reference: { id: string }, context: OrdersContext) => readableOrder(reference.id, context),
    total: (order: OrderRecord) => ({ amountCents: orderTotalCents(order), currency: order.currency }),
    items: (order: OrderRecord) =>
      order.items.map((item) => ({
        productId: item.productId,
        quantity: item.quantity,
        unitPrice: { amountCents: item.unitPriceCents, currency: order.currency },
      })),
    // A reference only: the users subgraph resolves the rest (batched there by its own DataLoader).
    user: (order: OrderRecord) => ({ __typename: 'User', id: order.userId }),
  },
  OrderItem: {
    // A reference only: the products subgraph resolves the rest (one batched catalog call per request).
    product: (item: { productId: string }) => ({ __typename: 'Product', id: item.productId }),
  },
  User: {
    // Users are owned by the users subgraph; this subgraph only needs the id to contribute `orders`.
    __resolveReference: (reference: { id: string }) => ({ id: reference.id }),
    orders: async (
      user: { id: string },
      args: { first?: number | null; status?: OrderStatus | null },
      context: OrdersContext,
    ) => {
      const first = args.first ?? 20;
      if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
        throw badUserInput(`first must be between 1 and ${MAX_PAGE_SIZE}`, 'first');
      }
      if (!canReadOrdersOf(context.identity, user.id)) return [];
      const orders = await context.loaders.ordersByUserId.load(user.id);
      return (args.status ? orders.filter((order) => order.status === args.status) : orders).slice(0, first);
    },
  },
};
