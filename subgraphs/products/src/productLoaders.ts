// Per-request DataLoader in front of the catalog: every product lookup in one GraphQL request (entity
// references from the gateway, `Query.product`, aliases) is sent as ONE `GET /products?ids=…` (chunks of
// 100, the catalog's batch limit). See rest-kit/restBatchLoader.ts.
import type DataLoader from 'dataloader';
import { notFound } from '@federation-gateway/subgraph-kit';
import { createRestBatchLoader } from '@federation-gateway/rest-kit';
import { CATALOG_MAX_BATCH_IDS, type CatalogDataSource, type Product } from './catalogDataSource.js';

export interface ProductLoaders {
  /** Resolves to the product, or rejects with NOT_FOUND / the mapped REST failure for that id. */
  productById: DataLoader<string, Product>;
}

export function createProductLoaders(catalog: CatalogDataSource): ProductLoaders {
  return {
    productById: createRestBatchLoader({
      fetchBatch: async (ids) => (await catalog.getProducts(ids)).products,
      idOf: (product) => product.id,
      notFound: (id) => notFound(`no product with id ${id}`),
      idPattern: /^[A-Za-z0-9_.-]{1,64}$/,
      maxBatchSize: CATALOG_MAX_BATCH_IDS,
    }),
  };
}
