// The inventory REST API as the inventory subgraph sees it: its calls, the shapes it promises (zod), and the
// snake_case → camelCase mapping.
import { z } from 'zod';
import { RestServiceDataSource } from '@federation-gateway/rest-kit';

const stockLevel = z.object({ product_id: z.string(), available: z.number().int(), reserved: z.number().int() });
const stockBatch = z.object({ stock: z.array(stockLevel), not_found: z.array(z.string()) });
const reservation = z.object({
  id: z.string(),
  product_id: z.string(),
  quantity: z.number().int(),
  created_at: z.string(),
  stock: stockLevel,
});

export interface StockLevel {
  productId: string;
  available: number;
  reserved: number;
}

/** The GraphQL Reservation (schema.graphql) minus `product`, which resolves from `productId`. */
export interface Reservation {
  id: string;
  productId: string;
  quantity: number;
  remainingStock: number;
  createdAt: string;
}

/** The inventory service's batch limit (services/inventory/src/routes.ts MAX_BATCH_IDS). */
export const INVENTORY_MAX_BATCH_IDS = 100;

export class InventoryDataSource extends RestServiceDataSource {
  /** `GET /stock?product_ids=…` (at most INVENTORY_MAX_BATCH_IDS ids): untracked ids come back in `notFound`. */
  async getStock(productIds: readonly string[]): Promise<{ levels: StockLevel[]; notFound: string[] }> {
    const body = await this.getValidated('stock', stockBatch, { product_ids: productIds.join(',') });
    return {
      levels: body.stock.map((level) => ({ productId: level.product_id, available: level.available, reserved: level.reserved })),
      notFound: body.not_found,
    };
  }

  /**
   * `POST /reservations`. Not idempotent: each call holds more units, so it is sent exactly once; a failure
   * (including a timeout, after which the reservation may exist) goes back to the caller, never retried here.
   */
  async reserve(productId: string, quantity: number): Promise<{ reservation: Reservation; stock: StockLevel }> {
    const body = await this.postValidated('reservations', reservation, { product_id: productId, quantity });
    return {
      reservation: {
        id: body.id,
        productId: body.product_id,
        quantity: body.quantity,
        remainingStock: body.stock.available,
        createdAt: body.created_at,
      },
      stock: { productId: body.stock.product_id, available: body.stock.available, reserved: body.stock.reserved },
    };
  }
}
