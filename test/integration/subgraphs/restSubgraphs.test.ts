// The products and inventory subgraphs over the REAL catalog and inventory REST services (separate processes,
// fault injection on): batching proven by the services' own request counts, snake_case → camelCase, and every
// REST failure mode mapped to the specified error at the right path with the rest of the data resolved.
import { test, describe, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { serviceEntry, startProcess, stopAll, subgraphEntry, type RunningProcess } from '../../support/processes.js';
import { errorCodes, type GraphQLResponse } from '../../support/http.js';
import { postAsGateway } from '../../support/subgraphRequests.js';

const SECRET = 'rest-subgraphs-test-secret-0123456789abcdef';
/**
 * The subgraphs' REST budget: far above a warm call, so a loaded machine does not trip it. A cold
 * subgraph's first batched GET on a loaded CI box once took over 1.5 s (the budget was 4 s since): the
 * `before` hook now makes each subgraph's first REST call, outside any assertion, so the budget only has to
 * cover warm calls. Measured through the subgraphs (2026-12-02, one core kept busy, 3 runs): first calls
 * 258-311 ms, every later one 11-146 ms. The two timeout tests wait this long each, at the same time: the
 * products and inventory suites below run side by side (each on its own subgraph and REST service).
 */
const TIMEOUT_MS = 2_000;
/** An injected delay no test waits out: the subgraph must give up at TIMEOUT_MS. */
const STALL_MS = 10_000;

let catalog: RunningProcess | undefined;
let inventoryService: RunningProcess | undefined;
let products: RunningProcess | undefined;
let inventory: RunningProcess | undefined;

const USER_1 = { subject: 'user-1', scopes: [], roles: [], kind: 'user', tier: 'free' } as const;
const ANONYMOUS = { subject: null, scopes: [], roles: [], kind: 'anonymous', tier: 'anonymous' } as const;

async function query(
  subgraph: RunningProcess,
  audience: string,
  body: { query: string; variables?: Record<string, unknown> },
  identity: typeof USER_1 | typeof ANONYMOUS = USER_1,
): Promise<GraphQLResponse> {
  const response = await postAsGateway(`${subgraph.url}/graphql`, body, {
    secret: SECRET,
    audience,
    requestId: `rest-subgraphs-${Date.now()}`,
    identity: { ...identity, scopes: [], roles: [] },
  });
  assert.equal(response.status, 200, JSON.stringify(response.body));
  return response;
}

const ENTITIES = 'query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Product { id %FIELDS% } } }';
function entities(ids: string[], fields: string) {
  return {
    query: ENTITIES.replace('%FIELDS%', fields),
    variables: { representations: ids.map((id) => ({ __typename: 'Product', id })) },
  };
}

async function stats(service: RunningProcess): Promise<Record<string, number>> {
  return ((await (await fetch(`${service.url}/_stats`)).json()) as { requests: Record<string, number> }).requests;
}

async function injectFault(service: RunningProcess, fault: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${service.url}/_faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(fault) });
  assert.equal(response.status, 201);
}

function errorAt(response: GraphQLResponse, path: (string | number)[]) {
  const error = response.body.errors?.find((e) => JSON.stringify(e.path) === JSON.stringify(path));
  assert.ok(error, `no error at ${JSON.stringify(path)}: ${JSON.stringify(response.body.errors)}`);
  return error;
}

before(async () => {
  [catalog, inventoryService] = await Promise.all([
    startProcess({ name: 'catalog', entry: serviceEntry('catalog'), args: ['--port', '0'], env: { FAULT_INJECTION: '1' } }),
    startProcess({ name: 'inventory-service', entry: serviceEntry('inventory'), args: ['--port', '0'], env: { FAULT_INJECTION: '1' } }),
  ]);
  [products, inventory] = await Promise.all([
    // One via env, one via flags: both configuration paths are exercised.
    startProcess({
      name: 'products',
      entry: subgraphEntry('products'),
      args: ['--port', '0'],
      env: { INTERNAL_IDENTITY_SECRET: SECRET, CATALOG_URL: catalog.url, CATALOG_TIMEOUT_MS: String(TIMEOUT_MS) },
    }),
    startProcess({
      name: 'inventory',
      entry: subgraphEntry('inventory'),
      args: ['--port', '0', '--inventory-url', inventoryService.url, '--inventory-timeout-ms', String(TIMEOUT_MS)],
      env: { INTERNAL_IDENTITY_SECRET: SECRET },
    }),
  ]);
  // Each subgraph's first REST call (first connection, first run of the fetch and mapping code) is made
  // here, so that no test's call pays for the cold start under TIMEOUT_MS. Its answer is not asserted on.
  await Promise.all([query(products, 'products', entities(['prod-1'], 'name')), query(inventory, 'inventory', entities(['prod-1'], 'stock'))]);
}, { timeout: 60_000 });

after(async () => {
  await stopAll([products, inventory, catalog, inventoryService]);
}, { timeout: 60_000 });

/** Clears a REST service's request counts and faults before each test of the suite that uses it. */
async function resetService(service: RunningProcess | undefined): Promise<void> {
  if (service?.child.exitCode !== null) return;
  await fetch(`${service.url}/_stats`, { method: 'DELETE' });
  await fetch(`${service.url}/_faults`, { method: 'DELETE' });
}

// The two suites share nothing (products → catalog, inventory → inventory service; each resets and counts
// only its own service), so they run at the same time and their REST timeout waits overlap. Inside each,
// tests run one after the other (a suite's concurrency is inherited unless set).
describe('the REST subgraphs, side by side', { concurrency: true }, () => {
  describe('products subgraph over the catalog service', { concurrency: false }, () => {
    beforeEach(() => resetService(catalog), { timeout: 60_000 });

    test('60 entity lookups (with repeats and an unknown id) cost ONE GET /products?ids=…; fields map to camelCase', { timeout: 30_000 }, async () => {
      const ids = Array.from({ length: 60 }, (_, i) => `prod-${(i % 50) + 1}`);
      ids[17] = 'prod-404404';
      const response = await query(products!, 'products', entities(ids, 'name category price { amountCents currency } weightGrams createdAt'));
      assert.deepEqual(await stats(catalog!), { 'GET /products': 1 });
      // The only error is the unknown id's: checked first, so a failed batch shows its cause, not a null.
      assert.deepEqual(errorCodes(response), ['NOT_FOUND'], JSON.stringify(response.body.errors));
      const rest = (await (await fetch(`${catalog!.url}/products/prod-23`)).json()) as Record<string, unknown>;
      const found = (response.body.data!._entities as Record<string, any>[])[22]!;
      assert.deepEqual(found, {
        id: 'prod-23',
        name: rest.name,
        category: rest.category,
        price: { amountCents: rest.price_cents, currency: rest.currency },
        weightGrams: rest.weight_grams,
        createdAt: rest.created_at,
      });
      assert.equal((response.body.data!._entities as unknown[])[17], null);
      errorAt(response, ['_entities', 17]);
    });

    test('Query.product aliases share the batch; identical lookups are deduplicated; unknown id → null + NOT_FOUND', { timeout: 30_000 }, async () => {
      const response = await query(products!, 'products', {
        query: '{ a: product(id: "prod-1") { name } b: product(id: "prod-2") { name } again: product(id: "prod-1") { id } missing: product(id: "prod-99999") { name } }',
      });
      assert.deepEqual(await stats(catalog!), { 'GET /products': 1 });
      const data = response.body.data as Record<string, any>;
      assert.equal(typeof data.a.name, 'string');
      assert.equal(data.again.id, 'prod-1');
      assert.equal(data.missing, null);
      assert.equal(errorAt(response, ['missing']).extensions?.code, 'NOT_FOUND');
      assert.equal(response.body.errors!.length, 1);
    });

    test('identical GETs in one request are sent once (RESTDataSource deduplication)', { timeout: 30_000 }, async () => {
      const response = await query(products!, 'products', {
        query: '{ a: products(category: "toys", first: 3) { nodes { id } } b: products(category: "toys", first: 3) { totalCount } c: products(category: "books", first: 3) { totalCount } }',
      });
      const data = response.body.data as Record<string, any>;
      assert.equal(data.a.nodes.length, 3);
      assert.equal(data.b.totalCount, 30);
      assert.deepEqual(await stats(catalog!), { 'GET /products': 2 }, 'toys once, books once');
    });

    test('Query.products pages through a category; bad arguments → BAD_USER_INPUT naming the field', { timeout: 30_000 }, async () => {
      const seen: string[] = [];
      let after: string | null = null;
      for (let page = 0; page < 5; page += 1) {
        const response: GraphQLResponse = await query(products!, 'products', {
          query: 'query($after: String) { products(category: "garden", first: 8, after: $after) { nodes { id category } endCursor hasNextPage totalCount } }',
          variables: { after },
        });
        const connection = (response.body.data as Record<string, any>).products;
        assert.equal(connection.totalCount, 30);
        for (const node of connection.nodes) {
          assert.equal(node.category, 'garden');
          seen.push(node.id);
        }
        after = connection.endCursor;
        if (!connection.hasNextPage) break;
      }
      assert.equal(new Set(seen).size, 30);

      const badFirst = await query(products!, 'products', { query: '{ products(first: 0) { totalCount } }' });
      assert.equal(errorAt(badFirst, ['products']).extensions?.field, 'first');
      // A category the catalog rejects (REST 400) comes back as BAD_USER_INPUT with the service's reason.
      const badCategory = await query(products!, 'products', { query: '{ products(category: "cars") { totalCount } }' });
      const error = errorAt(badCategory, ['products']);
      assert.equal(error.extensions?.code, 'BAD_USER_INPUT');
      assert.match(String(error.extensions?.reason), /category/);
    });

    test('catalog 500 → DOWNSTREAM_SERVICE_ERROR at the product path while the rest resolves', { timeout: 30_000 }, async () => {
      await injectFault(catalog!, { kind: 'status', status: 500, route: 'GET /products', urlIncludes: 'ids=' });
      const response = await query(products!, 'products', { query: '{ page: products(first: 2) { nodes { id } } one: product(id: "prod-7") { name } }' });
      const data = response.body.data as Record<string, any>;
      assert.deepEqual(data.page.nodes.map((n: { id: string }) => n.id), ['prod-1', 'prod-2']);
      assert.equal(data.one, null);
      const error = errorAt(response, ['one']);
      assert.equal(error.extensions?.code, 'DOWNSTREAM_SERVICE_ERROR');
      assert.equal(error.extensions?.failure, 'status_500');
      assert.doesNotMatch(JSON.stringify(response.body), new RegExp(catalog!.url), 'no service URL reaches the client');
    });

    test('catalog slower than the timeout → DOWNSTREAM_SERVICE_ERROR (timeout) without waiting for it', { timeout: 30_000 }, async () => {
      await injectFault(catalog!, { kind: 'delay', delayMs: STALL_MS, urlIncludes: 'ids=' });
      // The catalog logs a request when its connection closes; `aborted` means the client hung up first.
      const abandoned = catalog!.waitForNextLog((r) => r.msg === 'request' && String(r.url).includes('ids=') && r.aborted === true, 15_000);
      const response = await query(products!, 'products', { query: '{ page: products(first: 1) { totalCount } one: product(id: "prod-8") { name } }' });
      // The subgraph gave up on the stalled call (it did not wait the STALL_MS out).
      await abandoned;
      assert.equal((response.body.data as Record<string, any>).page.totalCount, 240);
      assert.equal(errorAt(response, ['one']).extensions?.failure, 'timeout');
      assert.deepEqual(errorCodes(response), ['DOWNSTREAM_SERVICE_ERROR']);
    });

    test('a non-JSON body (HTML, or broken JSON labelled JSON) or a dropped connection → DOWNSTREAM_SERVICE_ERROR', { timeout: 30_000 }, async () => {
      await injectFault(catalog!, { kind: 'garbage', urlIncludes: 'prod-9' });
      const html = await query(products!, 'products', entities(['prod-9'], 'name'));
      assert.deepEqual(html.body.data, { _entities: [null] });
      assert.equal(errorAt(html, ['_entities', 0]).extensions?.failure, 'malformed_body');
      await injectFault(catalog!, { kind: 'garbage', urlIncludes: 'prod-10', contentType: 'application/json' });
      const broken = await query(products!, 'products', entities(['prod-10'], 'name'));
      assert.equal(errorAt(broken, ['_entities', 0]).extensions?.code, 'DOWNSTREAM_SERVICE_ERROR');
      // The connection dropped mid-request (no answer at all).
      await injectFault(catalog!, { kind: 'reset', urlIncludes: 'prod-11' });
      const reset = await query(products!, 'products', entities(['prod-11'], 'name'));
      assert.equal(errorAt(reset, ['_entities', 0]).extensions?.code, 'DOWNSTREAM_SERVICE_ERROR');
      assert.equal(errorAt(reset, ['_entities', 0]).extensions?.failure, 'unreachable');
    });
  });

  describe('inventory subgraph over the inventory service', { concurrency: false }, () => {
    beforeEach(() => resetService(inventoryService), { timeout: 60_000 });

    test('stock of 50 products costs ONE GET /stock; values match the service; untracked id → NOT_FOUND at its stock', { timeout: 30_000 }, async () => {
      const ids = Array.from({ length: 50 }, (_, i) => `prod-${i + 101}`);
      ids[3] = 'prod-777777';
      const response = await query(inventory!, 'inventory', entities(ids, 'stock'));
      assert.deepEqual(await stats(inventoryService!), { 'GET /stock': 1 });
      const rest = (await (await fetch(`${inventoryService!.url}/stock?product_ids=prod-101,prod-123`)).json()) as { stock: { available: number }[] };
      const rows = response.body.data!._entities as { id: string; stock: number | null }[];
      assert.deepEqual(rows[0], { id: 'prod-101', stock: rest.stock[0]!.available });
      assert.deepEqual(rows[22], { id: 'prod-123', stock: rest.stock[1]!.available });
      assert.deepEqual(rows[3], { id: 'prod-777777', stock: null });
      assert.equal(errorAt(response, ['_entities', 3, 'stock']).extensions?.code, 'NOT_FOUND');
    });

    test('inventory 500 → DOWNSTREAM_SERVICE_ERROR at each stock path while the entities resolve', { timeout: 30_000 }, async () => {
      await injectFault(inventoryService!, { kind: 'status', status: 503, route: 'GET /stock' });
      const response = await query(inventory!, 'inventory', entities(['prod-1', 'prod-2'], 'stock'));
      assert.deepEqual(response.body.data, { _entities: [{ id: 'prod-1', stock: null }, { id: 'prod-2', stock: null }] });
      assert.equal(errorAt(response, ['_entities', 1, 'stock']).extensions?.failure, 'status_503');
      assert.deepEqual(errorCodes(response), ['DOWNSTREAM_SERVICE_ERROR', 'DOWNSTREAM_SERVICE_ERROR']);
    });

    const RESERVE = 'mutation($productId: ID!, $quantity: Int!) { reserveStock(productId: $productId, quantity: $quantity) { id quantity remainingStock product { id stock } } }';

    test('reserveStock: success, then 409 → CONFLICT with the reason, 400 → BAD_USER_INPUT, 404 → NOT_FOUND, anonymous → UNAUTHENTICATED', { timeout: 30_000 }, async () => {
      const [level] = ((await (await fetch(`${inventoryService!.url}/stock?product_ids=prod-4`)).json()) as { stock: { available: number }[] }).stock;
      const available = level!.available;
      assert.ok(available >= 1);
      await fetch(`${inventoryService!.url}/_stats`, { method: 'DELETE' });
      const ok = await query(inventory!, 'inventory', { query: RESERVE, variables: { productId: 'prod-4', quantity: 1 } });
      const reservation = (ok.body.data as Record<string, any>).reserveStock;
      assert.match(reservation.id, /^res-\d+$/);
      assert.equal(reservation.remainingStock, available - 1);
      assert.deepEqual(reservation.product, { id: 'prod-4', stock: available - 1 });
      assert.deepEqual(await stats(inventoryService!), { 'POST /reservations': 1 }, 'the new level came with the answer: no GET');

      const conflict = await query(inventory!, 'inventory', { query: RESERVE, variables: { productId: 'prod-4', quantity: available } });
      assert.deepEqual(conflict.body.data, { reserveStock: null });
      const conflictError = errorAt(conflict, ['reserveStock']);
      assert.equal(conflictError.extensions?.code, 'CONFLICT');
      assert.match(String(conflictError.extensions?.reason), /available/);

      const invalid = await query(inventory!, 'inventory', { query: RESERVE, variables: { productId: 'prod-4', quantity: 0 } });
      const invalidError = errorAt(invalid, ['reserveStock']);
      assert.equal(invalidError.extensions?.code, 'BAD_USER_INPUT');
      assert.equal(invalidError.extensions?.field, 'quantity');

      const unknown = await query(inventory!, 'inventory', { query: RESERVE, variables: { productId: 'prod-99999', quantity: 1 } });
      assert.equal(errorAt(unknown, ['reserveStock']).extensions?.code, 'NOT_FOUND');

      await fetch(`${inventoryService!.url}/_stats`, { method: 'DELETE' });
      const anonymous = await query(inventory!, 'inventory', { query: RESERVE, variables: { productId: 'prod-4', quantity: 1 } }, ANONYMOUS);
      assert.equal(errorAt(anonymous, ['reserveStock']).extensions?.code, 'UNAUTHENTICATED');
      assert.deepEqual(await stats(inventoryService!), {}, 'no reservation attempted for an anonymous caller');
    });

    test('reserveStock is never retried: a 500 or a timeout costs exactly one POST', { timeout: 30_000 }, async () => {
      await injectFault(inventoryService!, { kind: 'status', status: 500, route: 'POST /reservations' });
      const failed = await query(inventory!, 'inventory', { query: RESERVE, variables: { productId: 'prod-5', quantity: 1 } });
      assert.equal(errorAt(failed, ['reserveStock']).extensions?.code, 'DOWNSTREAM_SERVICE_ERROR');
      assert.deepEqual(await stats(inventoryService!), { 'POST /reservations': 1 });

      await injectFault(inventoryService!, { kind: 'delay', delayMs: STALL_MS, route: 'POST /reservations' });
      // The service logs each request when its connection closes: the slow POST's line is the event to wait for.
      const slowPostDone = inventoryService!.waitForNextLog((r) => r.msg === 'request' && r.route === 'POST /reservations', 15_000);
      const slow = await query(inventory!, 'inventory', { query: RESERVE, variables: { productId: 'prod-5', quantity: 1 } });
      assert.equal(errorAt(slow, ['reserveStock']).extensions?.failure, 'timeout');
      // Once the subgraph has hung up on the slow POST, count: still one more POST, not two.
      await slowPostDone;
      assert.deepEqual(await stats(inventoryService!), { 'POST /reservations': 2 });
    });
  });
});

test('catalog down (connection refused) → DOWNSTREAM_SERVICE_ERROR (unreachable); other subgraphs unaffected', { timeout: 30_000 }, async () => {
  await catalog!.stop();
  const response = await query(products!, 'products', { query: '{ product(id: "prod-1") { name } }' });
  assert.deepEqual(response.body.data, { product: null });
  const error = errorAt(response, ['product']);
  assert.equal(error.extensions?.code, 'DOWNSTREAM_SERVICE_ERROR');
  assert.equal(error.extensions?.failure, 'unreachable');
  const stock = await query(inventory!, 'inventory', entities(['prod-1'], 'stock'));
  assert.equal(typeof (stock.body.data!._entities as { stock: number }[])[0]!.stock, 'number');
});
