import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateSampleUsers } from '../../../subgraphs/users/src/sampleUsers.js';
import { generateSampleCatalog } from '../../../subgraphs/orders/src/sampleCatalog.js';
import { generateSampleOrders, orderTotalCents } from '../../../subgraphs/orders/src/sampleOrders.js';

describe('sample data', () => {
  test('users are deterministic, at least 50, with ids user-1..user-N', { timeout: 10_000 }, () => {
    const users = generateSampleUsers();
    assert.deepEqual(generateSampleUsers(), users);
    assert.ok(users.length >= 50);
    users.forEach((user, index) => {
      assert.equal(user.id, `user-${index + 1}`);
      assert.match(user.name, /^\S+ .+$/);
      if (user.email !== null) assert.match(user.email, /^[a-z.]+\d+@example\.com$/);
      assert.equal(new Date(user.createdAt).toISOString(), user.createdAt);
    });
    assert.equal(new Set(users.map((u) => u.email).filter(Boolean)).size, users.filter((u) => u.email).length, 'emails are unique');
  });

  test('orders are deterministic, at least 500, spread over every sample user, with integer money', { timeout: 10_000 }, () => {
    const catalog = generateSampleCatalog();
    const orders = generateSampleOrders(catalog);
    assert.deepEqual(generateSampleOrders(catalog), orders);
    assert.ok(orders.length >= 500);
    const userIds = new Set(generateSampleUsers().map((u) => u.id));
    const owners = new Set(orders.map((o) => o.userId));
    assert.deepEqual([...owners].sort(), [...userIds].sort(), 'every user has orders and every owner is a user');
    // Gateway tests ask `users(first: 10) { orders(first: 10) }` and expect 100 orders.
    for (const userId of userIds) assert.ok(orders.filter((o) => o.userId === userId).length >= 10, `${userId} has at least 10 orders`);
    for (const order of orders) {
      assert.ok(order.items.length >= 1);
      assert.ok(Number.isInteger(orderTotalCents(order)) && orderTotalCents(order) > 0);
      for (const item of order.items) assert.equal(item.unitPriceCents, catalog.get(item.productId)!.unitPriceCents[order.currency]);
    }
  });
});
