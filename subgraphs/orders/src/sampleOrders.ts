// Deterministic sample orders `order-1` .. `order-1000` over the sample users `user-1` .. `user-60`
// (the users subgraph's data): every user has at least 10 orders (so `orders(first: 10)` is always a full
// page), the rest are spread at random (seeded).
import { createSeededRandom } from '@federation-gateway/subgraph-kit';
import type { CatalogProduct, Currency } from './sampleCatalog.js';

export type OrderStatus = 'PENDING' | 'PAID' | 'SHIPPED' | 'DELIVERED' | 'CANCELLED';

export interface OrderItemRecord {
  productId: string;
  quantity: number;
  /** Minor units of the order's currency, fixed when the order was placed. */
  unitPriceCents: number;
}

export interface OrderRecord {
  id: string;
  userId: string;
  status: OrderStatus;
  currency: Currency;
  items: OrderItemRecord[];
  /** ISO 8601, UTC. */
  createdAt: string;
}

export const SAMPLE_ORDER_COUNT = 1000;
/** Matches the users subgraph's sample data (SAMPLE_USER_COUNT there). */
export const SAMPLE_ORDER_USER_COUNT = 60;
const GUARANTEED_ORDERS_PER_USER = 10;
const SEED = 0x0bde5;
const FIRST_ORDER_MS = Date.UTC(2024, 1, 1, 0, 0, 0);
/** Orders are spread over ~640 days after the first one. */
const SPREAD_MS = 640 * 24 * 60 * 60 * 1000;
/** Weighted: most sample orders are old enough to be delivered. */
const STATUS_WEIGHTS: readonly OrderStatus[] = ['PENDING', 'PAID', 'SHIPPED', 'DELIVERED', 'DELIVERED', 'DELIVERED', 'DELIVERED', 'CANCELLED'];

/** A user's currency: every 5th user pays in EUR, every 7th (not 5th) in GBP, everyone else in USD. */
export function currencyOfUser(userNumber: number): Currency {
  if (userNumber % 5 === 0) return 'EUR';
  if (userNumber % 7 === 0) return 'GBP';
  return 'USD';
}

export function orderTotalCents(order: Pick<OrderRecord, 'items'>): number {
  return order.items.reduce((sum, item) => sum + item.quantity * item.unitPriceCents, 0);
}

export function generateSampleOrders(catalog: ReadonlyMap<string, CatalogProduct>, count = SAMPLE_ORDER_COUNT): OrderRecord[] {
  const random = createSeededRandom(SEED);
  const productIds = [...catalog.keys()];
  const orders: OrderRecord[] = [];
  for (let index = 1; index <= count; index += 1) {
    const guaranteed = index <= SAMPLE_ORDER_USER_COUNT * GUARANTEED_ORDERS_PER_USER;
    const userNumber = guaranteed ? ((index - 1) % SAMPLE_ORDER_USER_COUNT) + 1 : random.int(1, SAMPLE_ORDER_USER_COUNT);
    const currency = currencyOfUser(userNumber);
    const itemCount = random.int(1, 4);
    const chosen = new Set<string>();
    while (chosen.size < itemCount) chosen.add(random.pick(productIds));
    const items = [...chosen].map((productId) => ({
      productId,
      quantity: random.int(1, 5),
      unitPriceCents: catalog.get(productId)!.unitPriceCents[currency],
    }));
    orders.push({
      id: `order-${index}`,
      userId: `user-${userNumber}`,
      status: random.pick(STATUS_WEIGHTS),
      currency,
      items,
      // Whole minutes, so the ISO strings stay readable.
      createdAt: new Date(FIRST_ORDER_MS + Math.floor((random.next() * SPREAD_MS) / 60_000) * 60_000).toISOString(),
    });
  }
  return orders;
}
