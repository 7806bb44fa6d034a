// The README's query end to end: users → orders → products (catalog REST service) → stock (inventory
// REST service), through the real gateway, checked against the sample data and the services' own
// answers, with the REST request counts that prove batching across the whole hop.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { findProduct } from '../../../services/catalog/src/productCatalog.js';
import { generateSampleCatalog } from '../../../subgraphs/orders/src/sampleCatalog.js';
import { generateSampleOrders } from '../../../subgraphs/orders/src/sampleOrders.js';
import { postGraphQL } from '../../support/http.js';
import { startSampleGraph, type SampleGraph } from '../../support/sampleGraph.js';

const orders = generateSampleOrders(generateSampleCatalog());

async function stats(url: string): Promise<Record<string, number>> {
  return ((await (await fetch(`${url}/_stats`)).json()) as { requests: Record<string, number> }).requests;
}

describe('four-hop query: users → orders → products → stock', () => {
  let graph: SampleGraph;
  before(async () => {
    graph = await startSampleGraph({ subgraphs: ['users', 'orders', 'products', 'inventory'] });
  }, { timeout: 60_000 });
  after(async () => graph?.stop(), { timeout: 60_000 });

  test('returns the sample data, with one catalog and one inventory request for the whole query', { timeout: 30_000 }, async () => {
    // The gateway process (the bundled gateway/dist/main.js) runs its plans through the compiled executor.
    assert.equal((await graph.gateway.waitForLog((record) => record.event === 'plan_execution')).mode, 'compiled');
    const token = await graph.tokenFor('user-1', ['orders:read:all']);
    const catalog = graph.services.catalog!;
    const inventory = graph.services.inventory!;
    await fetch(`${catalog.url}/_stats`, { method: 'DELETE' });
    await fetch(`${inventory.url}/_stats`, { method: 'DELETE' });

    const response = await postGraphQL(
      graph.graphqlUrl,
      { query: '{ users(first: 3) { id orders(first: 5) { id items { productId quantity product { id name price { amountCents currency } stock } } } } }' },
      { authorization: `Bearer ${token}` },
    );
    assert.equal(response.status, 200);
    assert.equal(response.body.errors, undefined, JSON.stringify(response.body.errors));
    const users = response.body.data!.users as {
      id: string;
      orders: { id: string; items: { productId: string; quantity: number; product: { id: string; name: string; price: { amountCents: number; currency: string }; stock: number } }[] }[];
    }[];
    const items = users.flatMap((u) => u.orders.flatMap((o) => o.items.map((item) => ({ order: o.id, ...item }))));
    assert.ok(items.length >= 15, `items: ${items.length}`);

    const productIds = [...new Set(items.map((i) => i.productId))];
    const stockAnswer = (await (await fetch(`${inventory.url}/stock?product_ids=${productIds.join(',')}`)).json()) as {
      stock: { product_id: string; available: number }[];
    };
    for (const item of items) {
      const sampleOrder = orders.find((o) => o.id === item.order)!;
      assert.ok(sampleOrder.items.some((i) => i.productId === item.productId && i.quantity === item.quantity), `${item.order} has ${item.productId}`);
      const catalogProduct = findProduct(item.productId)!;
      assert.equal(item.product.id, item.productId);
      assert.equal(item.product.name, catalogProduct.name);
      assert.equal(item.product.price.amountCents, catalogProduct.price_cents);
      assert.equal(item.product.price.currency, catalogProduct.currency);
      const level = stockAnswer.stock.find((s) => s.product_id === item.productId);
      assert.ok(level, `inventory knows ${item.productId}`);
      assert.equal(item.product.stock, level.available);
    }

    // Captured before the ground-truth /stock call above would count: read catalog now, inventory minus that call.
    const catalogRequests = await stats(catalog.url);
    const inventoryRequests = await stats(inventory.url);
    assert.deepEqual(catalogRequests, { 'GET /products': 1 }, JSON.stringify(catalogRequests));
    assert.equal(inventoryRequests['GET /stock'], 2, `one from the gateway's query + one ground-truth read: ${JSON.stringify(inventoryRequests)}`);
  });
});
