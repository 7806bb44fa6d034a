// The resolvers of the deep benchmark's four subgraphs (accounts, inventory, products, reviews) over
// deepSubgraphData.ts: served by deepSubgraphs.ts, and executed in process by the compiled plan executor's
// differential test (test/unit/gateway/execution/differentialExecution.test.ts).
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { PRODUCTS, REVIEWS, USERS, productsByUpc, reviewsById, usersById, type BenchProduct, type BenchReview } from './deepSubgraphData.js';

/** Shipping in cents: free from 200.00, else 1 cent per 10 g (what @requires(fields: "price weight") feeds). */
function shippingEstimate(product: { price?: number | null; weight?: number | null }): number | null {
  if (product.price == null || product.weight == null) return null;
  return product.price >= 20_000 ? 0 : Math.round(product.weight / 10);
}

const reviewsOfAuthor = (id: string) => REVIEWS.filter((review) => review.authorId === id);
const reviewsOfProduct = (upc: string) => REVIEWS.filter((review) => review.productUpc === upc);

export const DEEP_RESOLVERS: Record<string, GraphQLResolverMap<unknown>> = {
  accounts: {
    Query: {
      me: () => USERS[0],
      user: (_: unknown, args: { id: string }) => usersById.get(args.id) ?? null,
      users: () => USERS,
    },
    User: { __resolveReference: (reference: { id: string }) => usersById.get(reference.id) ?? null },
  },
  products: {
    Query: { topProducts: (_: unknown, args: { first: number }) => PRODUCTS.slice(0, Math.max(0, args.first)) },
    Product: { __resolveReference: (reference: { upc: string }) => productsByUpc.get(reference.upc) ?? null },
  },
  inventory: {
    Product: {
      // price and weight arrive in the representation (@requires), not from this subgraph's data.
      __resolveReference: (reference: { upc: string; price?: number; weight?: number }) => {
        const product = productsByUpc.get(reference.upc);
        return product ? { upc: reference.upc, price: reference.price, weight: reference.weight, inStock: product.inStock } : null;
      },
      shippingEstimate: (product: Partial<BenchProduct>) => shippingEstimate(product),
    },
  },
  reviews: {
    Review: {
      __resolveReference: (reference: { id: string }) => reviewsById.get(reference.id) ?? null,
      product: (review: BenchReview) => ({ upc: review.productUpc }),
      // @provides(fields: "username"): this subgraph answers the author's username itself.
      author: (review: BenchReview) => ({ id: review.authorId, username: usersById.get(review.authorId)?.username ?? null }),
    },
    User: {
      __resolveReference: (reference: { id: string }) => ({ id: reference.id }),
      reviews: (user: { id: string }) => reviewsOfAuthor(user.id),
    },
    Product: {
      __resolveReference: (reference: { upc: string }) => ({ upc: reference.upc }),
      reviews: (product: { upc: string }) => reviewsOfProduct(product.upc),
    },
  },
};
