// Resolvers of the products subgraph (schema: ../schema.graphql). All catalog access goes through the
// per-request loader or data source in the context; REST failures surface as mapped field errors.
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { badUserInput } from '@federation-gateway/subgraph-kit';
import type { SubgraphContext } from '@federation-gateway/subgraph-kit';
import { mapRestErrors } from '@federation-gateway/rest-kit';
import type { CatalogDataSource, Product } from './catalogDataSource.js';
import type { ProductLoaders } from './productLoaders.js';

export type ProductsContext = SubgraphContext<{ catalog: CatalogDataSource; loaders: ProductLoaders }>;

/** The catalog's page limit: 100 keeps one page cheap for the service and for the gateway's cost limits. */
const MAX_PAGE_SIZE = 100;

interface ProductsArgs {
  category?: string | null;
  first?: number | null;
  after?: string | null;
}

export const productsResolvers: GraphQLResolverMap<ProductsContext> = {
  Query: {
    product: (_parent: unknown, args: { id: string }, context: ProductsContext): Promise<Product> =>
      context.loaders.productById.load(args.id),
    products: async (_parent: unknown, args: ProductsArgs, context: ProductsContext) => {
      const first = args.first ?? 20;
      if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
        throw badUserInput(`first must be between 1 and ${MAX_PAGE_SIZE}`, 'first');
      }
      const page = await mapRestErrors(() =>
        context.catalog.listProducts({ category: args.category, limit: first, cursor: args.after }),
      );
      // Prime the loader so entity lookups later in this request cost no second call.
      for (const product of page.products) context.loaders.productById.prime(product.id, product);
      return {
        nodes: page.products,
        endCursor: page.nextCursor,
        hasNextPage: page.nextCursor !== null,
        totalCount: page.totalCount,
      };
    },
  },
  Product: {
    __resolveReference: (reference: { id: string }, context: ProductsContext): Promise<Product> =>
      context.loaders.productById.load(reference.id),
  },
};
