// Per-request DataLoader in front of the catalog: every product lookup in one GraphQL request (entity
// references from the gateway, `Query.product`, aliases) is collected in one tick and sent as ONE
// `GET /products?ids=…` (chunks of 100, the catalog's batch limit). Created in createContext, so a batch
// and its cache never serve another caller.
import DataLoader from 'dataloader';
import { notFound } from '../../kit/src/subgraphErrors.js';
import { graphQLErrorFromRest } from '../../rest-kit/src/restErrorMapping.js';
import { CATALOG_MAX_BATCH_IDS, type CatalogDataSource, type Product } from './catalogDataSource.js';

export interface ProductLoaders {
  /** Resolves to the product, or rejects with NOT_FOUND / the mapped REST failure for that id. */
  productById: DataLoader<string, Product>;
}

/** The catalog's id syntax: an id that cannot exist is not found, without failing the batch it is in (400). */
const PRODUCT_ID_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

function productNotFound(id: string) {
  return notFound(`no product with id ${id}`);
}

export function createProductLoaders(catalog: CatalogDataSource): ProductLoaders {
  const loadBatch = async (ids: readonly string[]): Promise<(Product | Error)[]> => {
    const wellFormed = ids.filter((id) => PRODUCT_ID_PATTERN.test(id));
    if (wellFormed.length === 0) return ids.map(productNotFound);
    try {
      const { products } = await catalog.getProducts(wellFormed);
      const byId = new Map(products.map((product) => [product.id, product]));
      return ids.map((id) => byId.get(id) ?? productNotFound(id));
    } catch (error) {
      // The whole batch failed (5xx, timeout, refused, garbage): each lookup gets the error at its own path.
      const mapped = graphQLErrorFromRest(error);
      return ids.map(() => (mapped instanceof Error ? mapped : new Error(String(mapped))));
    }
  };
  return { productById: new DataLoader(loadBatch, { maxBatchSize: CATALOG_MAX_BATCH_IDS }) };
}
