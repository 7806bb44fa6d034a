// The sample REST services as plain HTTP APIs: status codes, validation, ETag/304, request counts and
// fault injection, against the real processes.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { serviceEntry, startProcess, stopAll, type RunningProcess } from '../../support/processes.js';

let catalog: RunningProcess | undefined;
let inventory: RunningProcess | undefined;

async function getJson(url: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, { headers });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, body: text ? (JSON.parse(text) as any) : null };
}

async function postJson(url: string, body: unknown, contentType = 'application/json') {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as any) : null };
}

before(async () => {
  [catalog, inventory] = await Promise.all([
    startProcess({ name: 'catalog', entry: serviceEntry('catalog'), args: ['--port', '0'], env: { FAULT_INJECTION: '1' } }),
    startProcess({ name: 'inventory-service', entry: serviceEntry('inventory'), args: ['--port', '0'] }),
  ]);
}, { timeout: 60_000 });

after(async () => {
  await stopAll([catalog, inventory]);
}, { timeout: 60_000 });

describe('catalog service', () => {
  test('GET /products/:id returns snake_case JSON with Cache-Control and ETag, 304 on If-None-Match', { timeout: 30_000 }, async () => {
    const first = await getJson(`${catalog!.url}/products/prod-7`);
    assert.equal(first.status, 200);
    assert.equal(first.body.id, 'prod-7');
    assert.equal(typeof first.body.price_cents, 'number');
    assert.ok(Number.isInteger(first.body.price_cents));
    assert.equal(first.body.currency, 'USD');
    assert.match(first.body.created_at, /^\d{4}-\d{2}-\d{2}T/);
    assert.match(first.headers.get('cache-control') ?? '', /max-age=\d+/);
    const etag = first.headers.get('etag');
    assert.ok(etag);
    const revalidated = await fetch(`${catalog!.url}/products/prod-7`, { headers: { 'if-none-match': etag } });
    assert.equal(revalidated.status, 304);
    assert.equal(await revalidated.text(), '');
    const other = await fetch(`${catalog!.url}/products/prod-7`, { headers: { 'if-none-match': '"stale"' } });
    assert.equal(other.status, 200);
    await other.arrayBuffer();
  });

  test('unknown product → 404, malformed id → 400, wrong method → 405 with Allow, unknown route → 404', { timeout: 30_000 }, async () => {
    const missing = await getJson(`${catalog!.url}/products/prod-99999`);
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error, 'product_not_found');
    assert.equal(missing.headers.get('cache-control'), 'no-store');
    assert.equal((await getJson(`${catalog!.url}/products/${encodeURIComponent('bad id!')}`)).status, 400);
    const post = await postJson(`${catalog!.url}/products/prod-1`, {});
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, HEAD');
    assert.equal((await getJson(`${catalog!.url}/nope`)).status, 404);
  });

  test('batch lookup reports unknown ids instead of failing, in request order', { timeout: 30_000 }, async () => {
    const batch = await getJson(`${catalog!.url}/products?ids=prod-3,prod-404000,prod-1,prod-3`);
    assert.equal(batch.status, 200);
    assert.deepEqual(batch.body.products.map((p: { id: string }) => p.id), ['prod-3', 'prod-1']);
    assert.deepEqual(batch.body.not_found, ['prod-404000']);
    const tooMany = Array.from({ length: 101 }, (_, i) => `prod-${i + 1}`).join(',');
    assert.equal((await getJson(`${catalog!.url}/products?ids=${tooMany}`)).status, 400);
    assert.equal((await getJson(`${catalog!.url}/products?ids=prod-1&category=books`)).status, 400);
  });

  test('category pages walk every product of the category exactly once via cursors', { timeout: 30_000 }, async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page += 1) {
      const query: string = `category=kitchen&limit=7${cursor ? `&cursor=${cursor}` : ''}`;
      const response = await getJson(`${catalog!.url}/products?${query}`);
      assert.equal(response.status, 200);
      for (const product of response.body.products) {
        assert.equal(product.category, 'kitchen');
        seen.push(product.id);
      }
      cursor = response.body.next_cursor;
      if (!cursor) break;
    }
    assert.equal(cursor, null);
    assert.equal(seen.length, 30);
    assert.equal(new Set(seen).size, 30);
    const all = await getJson(`${catalog!.url}/products?limit=100`);
    assert.equal(all.body.total_count, 240);
  });

  test('query validation: unknown parameter, bad limit, bad category, forged cursor → 400 naming the problem', { timeout: 30_000 }, async () => {
    for (const query of ['categroy=books', 'limit=0', 'limit=101', 'limit=abc', 'category=cars', 'cursor=bm9wZQ']) {
      const response = await getJson(`${catalog!.url}/products?${query}`);
      assert.equal(response.status, 400, query);
      assert.equal(typeof response.body.reason, 'string');
    }
  });

  test('GET /_stats counts requests by route; fault injection makes the next matching response fail', { timeout: 30_000 }, async () => {
    await fetch(`${catalog!.url}/_stats`, { method: 'DELETE' });
    await getJson(`${catalog!.url}/products/prod-1`);
    await getJson(`${catalog!.url}/products?ids=prod-1,prod-2`);
    const fault = await postJson(`${catalog!.url}/_faults`, { kind: 'status', status: 503, route: 'GET /products/:id' });
    assert.equal(fault.status, 201);
    assert.equal((await getJson(`${catalog!.url}/products/prod-2`)).status, 503);
    assert.equal((await getJson(`${catalog!.url}/products/prod-2`)).status, 200, 'a fault applies once by default');
    await postJson(`${catalog!.url}/_faults`, { kind: 'garbage', urlIncludes: 'prod-5' });
    const garbage = await fetch(`${catalog!.url}/products/prod-5`);
    assert.equal(garbage.status, 200);
    assert.match(garbage.headers.get('content-type') ?? '', /text\/html/);
    const garbageText = await garbage.text();
    assert.throws(() => JSON.parse(garbageText));
    const stats = await getJson(`${catalog!.url}/_stats`);
    assert.deepEqual(stats.body.requests, { 'GET /products': 1, 'GET /products/:id': 4 });
    assert.equal(stats.body.total, 5);
    assert.equal((await postJson(`${catalog!.url}/_faults`, { kind: 'explode' })).status, 400);
  });
});

describe('inventory service', () => {
  test('GET /stock returns levels per product with ETag; unknown ids reported', { timeout: 30_000 }, async () => {
    const response = await getJson(`${inventory!.url}/stock?product_ids=prod-1,prod-41,prod-nope`);
    assert.equal(response.status, 200);
    assert.deepEqual(response.body.stock.map((s: { product_id: string }) => s.product_id), ['prod-1', 'prod-41']);
    assert.equal(response.body.stock[1].available, 0, 'every 41st product is sold out');
    assert.deepEqual(response.body.not_found, ['prod-nope']);
    assert.equal(response.headers.get('cache-control'), 'no-cache');
    const etag = response.headers.get('etag')!;
    const again = await fetch(`${inventory!.url}/stock?product_ids=prod-1,prod-41,prod-nope`, { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304);
    assert.equal((await getJson(`${inventory!.url}/stock`)).status, 400);
  });

  test('POST /reservations: 201 decrements stock (and changes the ETag), 409 when short, 400/404/415 on bad input', { timeout: 30_000 }, async () => {
    const before = await getJson(`${inventory!.url}/stock?product_ids=prod-2`);
    const available: number = before.body.stock[0].available;
    assert.ok(available >= 2, `seed stock of prod-2 is ${available}`);
    const created = await postJson(`${inventory!.url}/reservations`, { product_id: 'prod-2', quantity: 2 });
    assert.equal(created.status, 201);
    assert.match(created.body.id, /^res-\d+$/);
    assert.equal(created.headers.get('location'), `/reservations/${created.body.id}`);
    assert.equal(created.body.stock.available, available - 2);
    const after = await fetch(`${inventory!.url}/stock?product_ids=prod-2`, { headers: { 'if-none-match': before.headers.get('etag')! } });
    assert.equal(after.status, 200, 'the old ETag no longer matches');
    assert.equal(((await after.json()) as any).stock[0].available, available - 2);
    assert.equal((await getJson(`${inventory!.url}/reservations/${created.body.id}`)).body.quantity, 2);

    const short = await postJson(`${inventory!.url}/reservations`, { product_id: 'prod-2', quantity: available });
    assert.equal(short.status, 409);
    assert.equal(short.body.error, 'insufficient_stock');
    assert.equal(short.body.available, available - 2);
    assert.match(short.body.reason, /available/);

    const invalid = await postJson(`${inventory!.url}/reservations`, { product_id: 'prod-2', quantity: 0 });
    assert.equal(invalid.status, 400);
    assert.equal(invalid.body.field, 'quantity');
    assert.equal((await postJson(`${inventory!.url}/reservations`, { product_id: 'prod-2', quantity: 1, extra: true })).status, 400);
    assert.equal((await postJson(`${inventory!.url}/reservations`, '{"product_id":')).status, 400);
    assert.equal((await postJson(`${inventory!.url}/reservations`, 'x=1', 'application/x-www-form-urlencoded')).status, 415);
    assert.equal((await postJson(`${inventory!.url}/reservations`, { product_id: 'prod-99999', quantity: 1 })).status, 404);
  });

  test('fault injection is off unless FAULT_INJECTION=1', { timeout: 30_000 }, async () => {
    assert.equal((await postJson(`${inventory!.url}/_faults`, { kind: 'status' })).status, 404);
  });
});

test('SIGTERM: the in-flight request finishes, new connections are refused, exit 0', { timeout: 30_000 }, async () => {
  assert.equal(await inventory!.stop(), 0);
  await postJson(`${catalog!.url}/_faults`, { kind: 'delay', delayMs: 800, route: 'GET /products/:id' });
  const inFlight = fetch(`${catalog!.url}/products/prod-1`);
  await catalog!.waitForLog((r) => r.msg === 'fault injected', 5_000);
  // A connection opened and never used (undici opens one after a request it aborted): closeIdleConnections()
  // does not reach it, so it held the exit up until the client dropped it or the 10 s grace ran out.
  const unused = connect(catalog!.port, '127.0.0.1');
  const unusedClosed = new Promise<void>((resolveClosed) => unused.once('close', () => resolveClosed()));
  await new Promise<void>((resolveConnected, rejectConnect) => unused.once('connect', resolveConnected).once('error', rejectConnect));
  catalog!.child.kill('SIGTERM');
  await catalog!.waitForLog((r) => r.msg === 'shutting down', 5_000);
  await assert.rejects(fetch(`${catalog!.url}/products/prod-2`));
  const response = await inFlight;
  assert.equal(response.status, 200);
  assert.equal(((await response.json()) as { id: string }).id, 'prod-1');
  const answeredAt = Date.now();
  assert.deepEqual(await catalog!.exited, { code: 0, signal: null });
  // Not held up by the now idle keep-alive connection (its timeout is 5 s) nor by the unused one.
  assert.ok(Date.now() - answeredAt < 2_000, `exited ${Date.now() - answeredAt} ms after the last response`);
  await unusedClosed;
  assert.equal(catalog!.logRecords().filter((r) => /grace period/.test(String(r.msg))).length, 0, 'closed once drained, not by the grace timer');
});
