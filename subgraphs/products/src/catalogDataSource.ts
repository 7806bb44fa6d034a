// The catalog REST API as the products subgraph sees it: its calls, the shape it promises (checked with
// zod, so a broken answer is a DOWNSTREAM_SERVICE_ERROR instead of a wrong field), and the
// snake_case → camelCase mapping into the GraphQL Product.
import { z } from 'zod';
import { RestServiceDataSource } from '@federation-gateway/rest-kit';

const catalogProduct = z.object({
  id: z.string(),
  sku: z.string(),
  name: z.string(),
  description: z.string(),
  category: z.string(),
  brand: z.string(),
  price_cents: z.number().int(),
  currency: z.string(),
  weight_grams: z.number().int(),
  created_at: z.string(),
  updated_at: z.string(),
});

const productBatch = z.object({ products: z.array(catalogProduct), not_found: z.array(z.string()) });
const productPage = z.object({ products: z.array(catalogProduct), next_cursor: z.string().nullable(), total_count: z.number().int() });

/** The GraphQL Product (schema.graphql), as resolvers return it. */
export interface Product {
  id: string;
  sku: string;
  name: string;
  description: string;
  category: string;
  brand: string;
  price: { amountCents: number; currency: string };
  weightGrams: number;
  createdAt: string;
  updatedAt: string;
}

export interface ProductPage {
  products: Product[];
  nextCursor: string | null;
  totalCount: number;
}

function productFromCatalog(raw: z.infer<typeof catalogProduct>): Product {
  return {
    id: raw.id,
    sku: raw.sku,
    name: raw.name,
    description: raw.description,
    category: raw.category,
    brand: raw.brand,
    price: { amountCents: raw.price_cents, currency: raw.currency },
    weightGrams: raw.weight_grams,
    createdAt: raw.created_at,
    updatedAt: raw.updated_at,
  };
}

/** The catalog's batch limit (services/catalog/src/routes.ts MAX_BATCH_IDS). */
export const CATALOG_MAX_BATCH_IDS = 100;

export class CatalogDataSource extends RestServiceDataSource {
  /** `GET /products?ids=…` (at most CATALOG_MAX_BATCH_IDS ids): unknown ids come back in `notFound`. */
  async getProducts(ids: readonly string[]): Promise<{ products: Product[]; notFound: string[] }> {
    const body = await this.getValidated('products', productBatch, { ids: ids.join(',') });
    return { products: body.products.map(productFromCatalog), notFound: body.not_found };
  }

  /** `GET /products?category=&limit=&cursor=`: one page in catalog order. */
  async listProducts(options: { category?: string | null; limit: number; cursor?: string | null }): Promise<ProductPage> {
    const body = await this.getValidated('products', productPage, {
      category: options.category ?? undefined,
      limit: String(options.limit),
      cursor: options.cursor ?? undefined,
    });
    return { products: body.products.map(productFromCatalog), nextCursor: body.next_cursor, totalCount: body.total_count };
  }
}
