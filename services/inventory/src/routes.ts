// The inventory service's REST API. Plain JSON, snake_case, no knowledge of GraphQL.
//   GET  /stock?product_ids=a,b,c     stock levels (≤ 100 ids): { stock, not_found } (unknown ids are data)
//   POST /reservations {product_id, quantity}   NOT idempotent: each call holds more units.
//        201 + Location; 400 invalid input; 404 unknown product; 409 {error, reason, available} when short.
//   GET  /reservations/:id
import { z } from 'zod';
import { sendCacheableJson } from '@federation-gateway/service-kit';
import { HttpError, readJsonBody, sendJson } from '@federation-gateway/service-kit';
import { commaList, parseQuery } from '@federation-gateway/service-kit';
import type { Route } from '@federation-gateway/service-kit';
import { StockLedger } from './stockLedger.js';

/** Stock changes with every reservation: caches may keep a copy but must revalidate it (ETag) each time. */
const STOCK_CACHE_CONTROL = 'no-cache';
export const MAX_BATCH_IDS = 100;
/** 1000 units: a sanity bound for one reservation, far above any seeded stock level. */
export const MAX_RESERVATION_QUANTITY = 1_000;

const productId = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'expected 1-64 characters of A-Z a-z 0-9 _ . -');

const stockQuery = z.strictObject({ product_ids: z.string() });

const reservationRequest = z.strictObject({
  product_id: productId,
  quantity: z.number().int().min(1).max(MAX_RESERVATION_QUANTITY),
});

export function createInventoryRoutes(ledger = new StockLedger()): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/stock',
      handler: ({ req, res, url }) => {
        const ids = commaList(parseQuery(url, stockQuery).product_ids);
        if (ids.length === 0) throw new HttpError(400, { error: 'invalid_query', reason: 'product_ids: expected at least one id' });
        if (ids.length > MAX_BATCH_IDS) throw new HttpError(400, { error: 'invalid_query', reason: `product_ids: at most ${MAX_BATCH_IDS} ids per request, got ${ids.length}` });
        const bad = ids.find((id) => !productId.safeParse(id).success);
        if (bad !== undefined) throw new HttpError(400, { error: 'invalid_product_id', reason: `product id ${JSON.stringify(bad)} is malformed` });
        const stock = ids.flatMap((id) => ledger.level(id) ?? []);
        const notFound = ids.filter((id) => !ledger.level(id));
        sendCacheableJson(req, res, { stock, not_found: notFound }, STOCK_CACHE_CONTROL);
      },
    },
    {
      method: 'POST',
      pattern: '/reservations',
      handler: async ({ req, res }) => {
        const parsed = reservationRequest.safeParse(await readJsonBody(req));
        if (!parsed.success) {
          const issue = parsed.error.issues[0]!;
          const field = issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : issue.path.join('.') || 'body';
          throw new HttpError(400, { error: 'invalid_reservation', reason: `${field}: ${issue.message}`, field });
        }
        const { product_id: id, quantity } = parsed.data;
        const result = ledger.reserve(id, quantity);
        switch (result.kind) {
          case 'unknown_product':
            throw new HttpError(404, { error: 'product_not_found', reason: `no stock is tracked for product ${id}` });
          case 'insufficient':
            throw new HttpError(409, {
              error: 'insufficient_stock',
              reason: `only ${result.available} unit(s) of ${id} available, ${quantity} requested`,
              available: result.available,
            });
          case 'reserved':
            sendJson(res, 201, { ...result.reservation, stock: result.stock }, { location: `/reservations/${result.reservation.id}`, 'cache-control': 'no-store' });
        }
      },
    },
    {
      method: 'GET',
      pattern: '/reservations/:id',
      handler: ({ req, res, params }) => {
        const reservation = ledger.reservation(params.id ?? '');
        if (!reservation) throw new HttpError(404, { error: 'reservation_not_found', reason: `no reservation with id ${params.id}` });
        sendCacheableJson(req, res, reservation, 'private, no-cache');
      },
    },
  ];
}
