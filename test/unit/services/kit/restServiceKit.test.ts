// The pieces the sample REST services share (services/kit/src) and the catalog's sample data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { etagFor, ifNoneMatchHits } from '../../../../services/kit/src/conditionalGet.js';
import { FaultQueue, faultSpecSchema } from '../../../../services/kit/src/faultInjection.js';
import { parseListenOptions } from '../../../../services/kit/src/listenOptions.js';
import { matchRoute, type Route } from '../../../../services/kit/src/routeTable.js';
import { RequestStats } from '../../../../services/kit/src/requestStats.js';
import { CATEGORIES, PRODUCTS, PRODUCT_COUNT } from '../../../../services/catalog/src/productCatalog.js';
import { StockLedger } from '../../../../services/inventory/src/stockLedger.js';

test('If-None-Match: exact, listed, weak and * match; others do not', { timeout: 10_000 }, () => {
  const etag = etagFor('{"a":1}');
  assert.equal(etag, etagFor('{"a":1}'), 'deterministic');
  assert.notEqual(etag, etagFor('{"a":2}'));
  assert.ok(ifNoneMatchHits(etag, etag));
  assert.ok(ifNoneMatchHits(`"other", ${etag}`, etag));
  assert.ok(ifNoneMatchHits(`W/${etag}`, etag));
  assert.ok(ifNoneMatchHits('*', etag));
  assert.ok(!ifNoneMatchHits('"other"', etag));
  assert.ok(!ifNoneMatchHits(undefined, etag));
});

test('routes: params, 405 with the allowed methods (HEAD with GET), 404', { timeout: 10_000 }, () => {
  const handler = () => undefined;
  const routes: Route[] = [
    { method: 'GET', pattern: '/products/:id', handler },
    { method: 'POST', pattern: '/reservations', handler },
  ];
  const found = matchRoute(routes, 'GET', '/products/prod-7');
  assert.equal(found.kind, 'found');
  assert.deepEqual(found.kind === 'found' && found.params, { id: 'prod-7' });
  assert.equal(matchRoute(routes, 'HEAD', '/products/prod-7').kind, 'found');
  const notAllowed = matchRoute(routes, 'DELETE', '/products/prod-7');
  assert.deepEqual(notAllowed.kind === 'method_not_allowed' && notAllowed.allow, ['GET', 'HEAD']);
  assert.equal(matchRoute(routes, 'GET', '/products/a/b').kind, 'not_found');
  assert.equal(matchRoute(routes, 'GET', '/products/%E0%A4%A').kind, 'not_found');
});

test('fault queue: matches by route and URL, applies `times` times, then is gone', { timeout: 10_000 }, () => {
  const queue = new FaultQueue();
  queue.add(faultSpecSchema.parse({ kind: 'status', route: 'GET /stock', urlIncludes: 'prod-2', times: 2 }));
  assert.equal(queue.take('GET /stock', '/stock?product_ids=prod-1'), undefined);
  assert.equal(queue.take('POST /reservations', '/reservations?prod-2'), undefined);
  assert.equal(queue.take('GET /stock', '/stock?product_ids=prod-2')?.status, 500);
  assert.ok(queue.take('GET /stock', '/stock?product_ids=prod-2'));
  assert.equal(queue.take('GET /stock', '/stock?product_ids=prod-2'), undefined);
  assert.throws(() => faultSpecSchema.parse({ kind: 'delay', delayMs: 600_000 }));
  assert.throws(() => faultSpecSchema.parse({ kind: 'status', typo: true }));
});

test('request stats count by route and keep a bounded recent list', { timeout: 10_000 }, () => {
  const stats = new RequestStats();
  for (let i = 0; i < 600; i += 1) stats.record({ method: 'GET', url: `/products/prod-${i}`, route: 'GET /products/:id', status: 200 });
  stats.record({ method: 'POST', url: '/reservations', route: 'POST /reservations', status: 201 });
  const snapshot = stats.snapshot();
  assert.equal(snapshot.total, 601);
  assert.deepEqual(snapshot.requests, { 'GET /products/:id': 600, 'POST /reservations': 1 });
  assert.equal(snapshot.recent.length, 500);
  stats.reset();
  assert.equal(stats.snapshot().total, 0);
});

test('listen options: flag, then the service env var; no default port, never PORT', { timeout: 10_000 }, () => {
  const defaults = { portEnv: 'CATALOG_PORT' };
  assert.throws(() => parseListenOptions([], { PORT: '9999' }, defaults), /no port: pass --port N or set CATALOG_PORT/);
  assert.equal(parseListenOptions([], { CATALOG_PORT: '5000' }, defaults).port, 5000);
  assert.deepEqual(parseListenOptions(['--port', '0', '--host', '::1'], { CATALOG_PORT: '5000' }, defaults), { port: 0, host: '::1' });
  assert.throws(() => parseListenOptions(['--port', '70000'], {}, defaults), /--port/);
  assert.throws(() => parseListenOptions([], { CATALOG_PORT: 'abc' }, defaults), /CATALOG_PORT/);
  assert.throws(() => parseListenOptions(['--prot', '1'], {}, defaults));
});

test('catalog sample data: ≥ 200 deterministic products, unique ids prod-1.., integer cents, every category', { timeout: 10_000 }, () => {
  assert.ok(PRODUCT_COUNT >= 200);
  assert.equal(PRODUCTS.length, PRODUCT_COUNT);
  assert.deepEqual(PRODUCTS.slice(0, 3).map((p) => p.id), ['prod-1', 'prod-2', 'prod-3']);
  assert.equal(new Set(PRODUCTS.map((p) => p.id)).size, PRODUCT_COUNT);
  for (const product of PRODUCTS) {
    assert.ok(Number.isInteger(product.price_cents) && product.price_cents > 0);
    assert.ok(!Number.isNaN(Date.parse(product.created_at)));
  }
  for (const category of CATEGORIES) assert.ok(PRODUCTS.some((p) => p.category === category));
  assert.equal(PRODUCTS[41]!.name, 'Contoso Studio Monitor Arm', 'same data on every start');
});

test('stock ledger: a reservation decrements atomically and never oversells', { timeout: 10_000 }, () => {
  const ledger = new StockLedger(50, () => new Date('2026-02-03T04:05:06Z'));
  const before = ledger.level('prod-2')!.available;
  const result = ledger.reserve('prod-2', before);
  assert.equal(result.kind, 'reserved');
  assert.equal(ledger.level('prod-2')!.available, 0);
  assert.equal(ledger.level('prod-2')!.reserved, before);
  assert.deepEqual(ledger.reserve('prod-2', 1), { kind: 'insufficient', available: 0 });
  assert.deepEqual(ledger.reserve('prod-51', 1), { kind: 'unknown_product' });
});
