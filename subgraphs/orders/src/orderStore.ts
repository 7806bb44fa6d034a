// The orders data layer: an in-memory table behind an async API shaped like a database client, with
// every call counted so tests can prove that lookups are batched.
import { DataLayerCallCounter } from '@federation-gateway/subgraph-kit';
import type { OrderRecord } from './sampleOrders.js';

export class OrderStore {
  readonly calls = new DataLayerCallCounter();
  private readonly byId = new Map<string, OrderRecord>();
  private readonly byUserId = new Map<string, OrderRecord[]>();
  private lastNumber = 0;

  constructor(orders: readonly OrderRecord[]) {
    for (const order of orders) this.add(order);
  }

  private add(order: OrderRecord): void {
    this.byId.set(order.id, order);
    const list = this.byUserId.get(order.userId) ?? [];
    list.push(order);
    this.byUserId.set(order.userId, list);
    const number = Number(order.id.replace(/^order-/, ''));
    if (Number.isInteger(number)) this.lastNumber = Math.max(this.lastNumber, number);
  }

  /** One lookup for many ids, aligned with `ids` (null where unknown). */
  async findByIds(ids: readonly string[]): Promise<(OrderRecord | null)[]> {
    this.calls.record('orders.findByIds');
    return ids.map((id) => this.byId.get(id) ?? null);
  }

  /** One lookup for many users: each user's orders, newest first, aligned with `userIds`. */
  async findByUserIds(userIds: readonly string[]): Promise<OrderRecord[][]> {
    this.calls.record('orders.findByUserIds');
    return userIds.map((userId) =>
      [...(this.byUserId.get(userId) ?? [])].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id)),
    );
  }

  /** Stores a new order under the next free id `order-N`. */
  async insert(order: Omit<OrderRecord, 'id'>): Promise<OrderRecord> {
    this.calls.record('orders.insert');
    const stored: OrderRecord = { ...order, id: `order-${this.lastNumber + 1}` };
    this.add(stored);
    return stored;
  }
}
