// The inventory service's state: units on hand per product and the reservations held against them.
// In memory, seeded deterministically at start, so a restart resets stock (a sample service, not a WMS).
export interface StockLevel {
  product_id: string;
  /** Units that can still be reserved. */
  available: number;
  /** Units held by reservations. */
  reserved: number;
  warehouse: string;
  /** ISO 8601, UTC: the last change. */
  updated_at: string;
}

export interface Reservation {
  id: string;
  product_id: string;
  quantity: number;
  status: 'held';
  created_at: string;
}

export type ReserveResult =
  | { kind: 'reserved'; reservation: Reservation; stock: StockLevel }
  | { kind: 'unknown_product' }
  | { kind: 'insufficient'; available: number };

/** The catalog's product ids are prod-1 … prod-240; the inventory tracks the same range. The services
 *  share no code or database, as two real teams' services would not. */
export const TRACKED_PRODUCT_COUNT = 240;
const WAREHOUSES = ['ams-1', 'fra-2', 'iad-1'] as const;
/** Stock was last counted at 2026-01-01T00:00:00Z. */
const STOCKTAKE_AT = new Date(Date.UTC(2026, 0, 1)).toISOString();

function seedLevel(n: number): StockLevel {
  return {
    product_id: `prod-${n}`,
    // 0 … 40 units; every 41st product (prod-41, prod-82, …) is sold out.
    available: (n * 53) % 41,
    reserved: 0,
    warehouse: WAREHOUSES[n % WAREHOUSES.length]!,
    updated_at: STOCKTAKE_AT,
  };
}

export class StockLedger {
  private readonly levels = new Map<string, StockLevel>();
  private readonly reservations = new Map<string, Reservation>();
  private nextReservation = 1;

  constructor(productCount = TRACKED_PRODUCT_COUNT, private readonly now: () => Date = () => new Date()) {
    for (let n = 1; n <= productCount; n += 1) {
      const level = seedLevel(n);
      this.levels.set(level.product_id, level);
    }
  }

  level(productId: string): StockLevel | undefined {
    const level = this.levels.get(productId);
    return level && { ...level };
  }

  reservation(id: string): Reservation | undefined {
    const reservation = this.reservations.get(id);
    return reservation && { ...reservation };
  }

  /** Check and decrement in one synchronous step: no await in between, so concurrent requests cannot oversell. */
  reserve(productId: string, quantity: number): ReserveResult {
    const level = this.levels.get(productId);
    if (!level) return { kind: 'unknown_product' };
    if (level.available < quantity) return { kind: 'insufficient', available: level.available };
    const at = this.now().toISOString();
    level.available -= quantity;
    level.reserved += quantity;
    level.updated_at = at;
    const reservation: Reservation = { id: `res-${this.nextReservation++}`, product_id: productId, quantity, status: 'held', created_at: at };
    this.reservations.set(reservation.id, reservation);
    return { kind: 'reserved', reservation: { ...reservation }, stock: { ...level } };
  }
}
