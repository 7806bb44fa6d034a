// The catalog's REST API. Plain JSON, snake_case, no knowledge of GraphQL.
//   GET /products/:id                          one product, 404 when unknown
//   GET /products?ids=a,b,c                    batch (≤ 100 ids): { products, not_found } (unknown ids are data)
//   GET /products?category=&limit=&cursor=     a page: { products, next_cursor, total_count }
import { z } from 'zod';
import { sendCacheableJson } from '@federation-gateway/service-kit';
import { HttpError } from '@federation-gateway/service-kit';
import { commaList, parseQuery } from '@federation-gateway/service-kit';
import type { Route } from '@federation-gateway/service-kit';
import { CATEGORIES, PRODUCTS, findProduct, productIndex } from './productCatalog.js';

/** 60 s: product data changes rarely; caches may serve it for a minute and revalidate with the ETag after. */
const PRODUCT_CACHE_CONTROL = 'public, max-age=60';
/** 100: bounds the work and the URL length of one batch (100 × ~10 chars). */
export const MAX_BATCH_IDS = 100;
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

const productId = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'expected 1-64 characters of A-Z a-z 0-9 _ . -');

const listQuery = z.strictObject({
  ids: z.string().optional(),
  category: z.enum(CATEGORIES).optional(),
  limit: z
    .string()
    .regex(/^\d+$/, 'expected an integer')
    .transform(Number)
    .pipe(z.number().int().min(1).max(MAX_PAGE_SIZE))
    .optional(),
  cursor: z.string().optional(),
});

function encodeCursor(lastIndex: number): string {
  return Buffer.from(`after:${lastIndex}`).toString('base64url');
}

function decodeCursor(cursor: string): number {
  const match = /^after:(\d{1,6})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match || Number(match[1]) >= PRODUCTS.length) {
    throw new HttpError(400, { error: 'invalid_cursor', reason: 'cursor is not one this API returned' });
  }
  return Number(match[1]);
}

export const catalogRoutes: Route[] = [
  {
    method: 'GET',
    pattern: '/products/:id',
    handler: ({ req, res, params }) => {
      const id = productId.safeParse(params.id);
      if (!id.success) throw new HttpError(400, { error: 'invalid_product_id', reason: `product id ${JSON.stringify(params.id)}: ${id.error.issues[0]?.message}` });
      const product = findProduct(id.data);
      if (!product) throw new HttpError(404, { error: 'product_not_found', reason: `no product with id ${id.data}` });
      sendCacheableJson(req, res, product, PRODUCT_CACHE_CONTROL);
    },
  },
  {
    method: 'GET',
    pattern: '/products',
    handler: ({ req, res, url }) => {
      const query = parseQuery(url, listQuery);
      if (query.ids !== undefined) {
        if (query.category !== undefined || query.limit !== undefined || query.cursor !== undefined) {
          throw new HttpError(400, { error: 'invalid_query', reason: 'ids cannot be combined with category, limit or cursor' });
        }
        const ids = commaList(query.ids);
        if (ids.length === 0) throw new HttpError(400, { error: 'invalid_query', reason: 'ids: expected at least one id' });
        if (ids.length > MAX_BATCH_IDS) throw new HttpError(400, { error: 'invalid_query', reason: `ids: at most ${MAX_BATCH_IDS} ids per request, got ${ids.length}` });
        const bad = ids.find((id) => !productId.safeParse(id).success);
        if (bad !== undefined) throw new HttpError(400, { error: 'invalid_product_id', reason: `product id ${JSON.stringify(bad)} is malformed` });
        const products = ids.flatMap((id) => findProduct(id) ?? []);
        const notFound = ids.filter((id) => !findProduct(id));
        sendCacheableJson(req, res, { products, not_found: notFound }, PRODUCT_CACHE_CONTROL);
        return;
      }
      const limit = query.limit ?? DEFAULT_PAGE_SIZE;
      const start = query.cursor === undefined ? 0 : decodeCursor(query.cursor) + 1;
      const matching = query.category === undefined ? PRODUCTS : PRODUCTS.filter((p) => p.category === query.category);
      const remaining = matching.filter((p) => (productIndex(p.id) ?? -1) >= start);
      const page = remaining.slice(0, limit);
      const last = page.at(-1);
      const nextCursor = remaining.length > limit && last ? encodeCursor(productIndex(last.id)!) : null;
      sendCacheableJson(req, res, { products: page, next_cursor: nextCursor, total_count: matching.length }, PRODUCT_CACHE_CONTROL);
    },
  },
];
