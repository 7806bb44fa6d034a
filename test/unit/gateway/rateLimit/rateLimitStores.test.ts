// Both rate-limit stores against the same contract, the Redis one against a REAL redis-server.
// run-tests: own process (the Redis store's 50 ms command deadline runs on this process's event loop; a pause
// of the shared unit process, e.g. collecting its larger heap, could count against it: it failed there under load 15)
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { startRedis, type RunningRedis } from '../../../support/redis.js';
import { MemoryRateLimitStore } from '../../../../gateway/src/rateLimit/memoryRateLimitStore.js';
import { RedisRateLimitStore } from '../../../../gateway/src/rateLimit/redisRateLimitStore.js';
import { RateLimitStoreUnavailableError, type RateLimitStore } from '../../../../gateway/src/rateLimit/rateLimitStore.js';
import { rateLimitConfigSchema } from '../../../../gateway/src/rateLimit/rateLimitConfig.js';

let redis: RunningRedis;
const opened: RateLimitStore[] = [];
let keySeq = 0;
const freshKey = (label: string) => `test:${label}:${process.pid}:${++keySeq}`;

function redisSettings() {
  // The store's settings as the config schema defaults them (commandTimeoutMs 50, maxWaitMs 1000, …).
  const settings = rateLimitConfigSchema.parse({ store: { kind: 'redis', url: redis.url } }).store;
  assert.equal(settings.kind, 'redis');
  return settings;
}

async function redisStore(): Promise<RedisRateLimitStore> {
  const store = new RedisRateLimitStore(redisSettings());
  opened.push(store);
  assert.equal(await store.waitUntilReady(5_000), true, 'Redis store connects');
  return store;
}

before(async () => {
  redis = await startRedis();
}, { timeout: 30_000 });
after(async () => {
  await Promise.all(opened.map((s) => s.close()));
  await redis?.stop();
}, { timeout: 30_000 });

/**
 * Whether `work` settles before a timer of `ms`, started at the same moment, has fired (its callback deferred
 * by one setImmediate, as the store defers its own deadline check). A loaded machine delays this process's
 * event loop for both alike, and Node runs expired timers in the order they fell due: so this compares the
 * store's deadline with another by the order of events, which a descheduled process cannot overrun the way
 * it overruns a wall-clock bound (such a bound failed here when 3 test processes shared 2 cores).
 */
async function settlesBeforeTimer(work: Promise<unknown>, ms: number): Promise<{ first: 'work'; outcome: PromiseSettledResult<unknown> } | { first: 'timer' }> {
  let timer: NodeJS.Timeout | undefined;
  const control = new Promise<{ first: 'timer' }>((resolve) => {
    timer = setTimeout(() => setImmediate(() => resolve({ first: 'timer' })), ms);
  });
  const settled = work.then(
    (value) => ({ first: 'work' as const, outcome: { status: 'fulfilled' as const, value } }),
    (reason: unknown) => ({ first: 'work' as const, outcome: { status: 'rejected' as const, reason } }),
  );
  try {
    return await Promise.race([settled, control]);
  } finally {
    clearTimeout(timer);
  }
}

// MONITOR over a plain socket rather than ioredis's monitor(): with other clients busy on the same server,
// ioredis can receive a monitor line before the reply to its MONITOR ("Command queue state error"); the
// rejected monitor() then leaves its duplicate client reconnecting forever, which kept this test process
// alive after Redis stopped (seen in a run with one core busy). Lines: +<time> [<db> <addr>] "cmd" "arg" ...
async function monitorRedis(url: string, onCommand: (source: string, command: string) => void): Promise<() => void> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  socket.setEncoding('utf8');
  let buffered = '';
  const monitoring = new Promise<void>((resolve, reject) => {
    socket.on('error', reject);
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      for (let end = buffered.indexOf('\r\n'); end >= 0; end = buffered.indexOf('\r\n')) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        if (line === '+OK') resolve();
        const command = /^\+\d+\.\d+ \[\d+ ([^\]]+)\] "([^"]*)"/.exec(line);
        if (command) onCommand(command[1]!, command[2]!);
      }
    });
  });
  socket.write('MONITOR\r\n');
  try {
    await monitoring;
  } catch (error) {
    socket.destroy();
    throw error;
  }
  return () => socket.destroy();
}

async function admittedOutOf(stores: RateLimitStore[], key: string, total: number, max: number): Promise<number> {
  const now = Date.now();
  const outcomes = await Promise.all(
    Array.from({ length: total }, (_, i) => stores[i % stores.length]!.consume([{ key, max, windowMs: 60_000, cost: 1 }], now)),
  );
  return outcomes.filter((o) => o.allowed).length;
}

for (const kind of ['memory', 'redis'] as const) {
  describe(`${kind} store`, () => {
    const make = async (): Promise<RateLimitStore> => {
      if (kind === 'redis') return redisStore();
      const store = new MemoryRateLimitStore();
      opened.push(store);
      return store;
    };

    test('200 concurrent consumes against max 50 admit exactly 50', { timeout: 10_000 }, async () => {
      const store = await make();
      assert.equal(await admittedOutOf([store], freshKey('exact'), 200, 50), 50);
    });

    test('a rejected operation consumes nothing, even for the limits it fit', { timeout: 10_000 }, async () => {
      const store = await make();
      const roomy = freshKey('roomy');
      const tight = freshKey('tight');
      const now = Date.now();
      const first = await store.consume([{ key: roomy, max: 10, windowMs: 60_000, cost: 1 }, { key: tight, max: 1, windowMs: 60_000, cost: 1 }], now);
      assert.equal(first.allowed, true);
      assert.deepEqual(first.results.map((r) => r.remaining), [9, 0]);
      const second = await store.consume([{ key: roomy, max: 10, windowMs: 60_000, cost: 3 }, { key: tight, max: 1, windowMs: 60_000, cost: 1 }], now + 1);
      assert.equal(second.allowed, false);
      assert.equal(second.results[0]!.retryAfterMs, 0, 'the roomy limit is not the reason');
      assert.ok(second.results[1]!.retryAfterMs > 59_000 && second.results[1]!.retryAfterMs <= 60_000);
      // roomy still has 9 left: the rejected operation's cost of 3 was not recorded
      const third = await store.consume([{ key: roomy, max: 10, windowMs: 60_000, cost: 9 }], now + 2);
      assert.equal(third.allowed, true);
      assert.equal(third.results[0]!.remaining, 0);
    });

    test('refund takes back exactly the hits of one admitted operation', { timeout: 10_000 }, async () => {
      const store = await make();
      const key = freshKey('refund');
      const now = Date.now();
      const check = { key, max: 5, windowMs: 60_000, cost: 2 };
      assert.equal((await store.consume([check], now, 'op-kept')).allowed, true);
      assert.equal((await store.consume([check], now, 'op-refunded')).allowed, true);
      await store.refund([check], now, 'op-refunded');
      const after = await store.consume([{ ...check, cost: 3 }], now + 1, 'op-after');
      assert.equal(after.allowed, true, '2 kept + 3 new fit max 5 only if the refund happened');
      assert.equal(after.results[0]!.remaining, 0);
    });

    test('cost counts every hit: 10 hits against max 5 are rejected, 5 fit', { timeout: 10_000 }, async () => {
      const store = await make();
      const key = freshKey('cost');
      const now = Date.now();
      assert.equal((await store.consume([{ key, max: 5, windowMs: 60_000, cost: 10 }], now)).allowed, false);
      assert.equal((await store.consume([{ key, max: 5, windowMs: 60_000, cost: 5 }], now)).allowed, true);
      assert.equal((await store.consume([{ key, max: 5, windowMs: 60_000, cost: 1 }], now)).allowed, false);
    });

    test('the window slides: hits age out one by one ("2s" window)', { timeout: 10_000 }, async () => {
      const store = await make();
      const key = freshKey('slide');
      const t0 = Date.now();
      const check = (cost = 1) => ({ key, max: 2, windowMs: 2_000, cost });
      assert.equal((await store.consume([check()], t0)).allowed, true);
      assert.equal((await store.consume([check()], t0 + 1_000)).allowed, true);
      const rejected = await store.consume([check()], t0 + 1_500);
      assert.equal(rejected.allowed, false);
      assert.equal(rejected.results[0]!.retryAfterMs, 500, 'the hit at t0 leaves the window at t0 + 2000');
      // at t0 + 2000 the first hit has left; the second (t0 + 1000) is still in
      const later = await store.consume([check()], t0 + 2_000);
      assert.equal(later.allowed, true);
      assert.equal(later.results[0]!.remaining, 0);
      assert.equal(later.results[0]!.resetMs, 1_000);
      assert.equal((await store.consume([check()], t0 + 2_500)).allowed, false);
      assert.equal((await store.consume([check()], t0 + 3_000)).allowed, true);
    });
  });
}

describe('redis store across clients and outages', () => {
  test('two separate clients sharing one Redis admit exactly 50 of 200', { timeout: 10_000 }, async () => {
    const a = await redisStore();
    const b = await redisStore();
    assert.equal(await admittedOutOf([a, b], freshKey('shared'), 200, 50), 50);
  });

  test('keys expire with their window', { timeout: 10_000 }, async () => {
    const store = await redisStore();
    const key = freshKey('ttl');
    await store.consume([{ key, max: 5, windowMs: 2_000, cost: 1 }], Date.now());
    const ttl = await store.client.pttl(key);
    assert.ok(ttl > 0 && ttl <= 2_000, `pttl ${ttl}`);
  });

  test('Redis hung (SIGSTOP): consume fails after about commandTimeoutMs of silence; resumed: answers again', { timeout: 10_000 }, async () => {
    const { commandTimeoutMs, maxWaitMs } = redisSettings();
    assert.ok(4 * commandTimeoutMs < maxWaitMs, 'the deadline under test is the silence one, not maxWaitMs');
    const store = await redisStore();
    const key = freshKey('hung');
    assert.equal((await store.consume([{ key, max: 5, windowMs: 60_000, cost: 1 }], Date.now())).allowed, true);
    process.kill(redis.pid, 'SIGSTOP');
    try {
      const started = performance.now();
      // Fails while Redis is still stopped (it cannot answer): by a deadline of the store's own, which falls
      // due before a timer of 4 × commandTimeoutMs started alongside it (so not maxWaitMs, nor ioredis's
      // commandTimeout of maxWaitMs + commandTimeoutMs) and not before commandTimeoutMs has passed.
      const race = await settlesBeforeTimer(store.consume([{ key, max: 5, windowMs: 60_000, cost: 1 }], Date.now()), 4 * commandTimeoutMs);
      const elapsedMs = performance.now() - started;
      assert.equal(race.first, 'work', `still pending when a ${4 * commandTimeoutMs} ms timer started alongside fired (${elapsedMs.toFixed(0)} ms)`);
      assert.ok(race.outcome.status === 'rejected' && race.outcome.reason instanceof RateLimitStoreUnavailableError, `consume: ${race.outcome.status}`);
      // A lower bound only ever holds more easily under load (timer granularity: 1 ms, and libuv's loop time).
      assert.ok(elapsedMs >= commandTimeoutMs - 5, `failed after ${elapsedMs.toFixed(0)} ms, before the ${commandTimeoutMs} ms deadline`);
    } finally {
      process.kill(redis.pid, 'SIGCONT');
    }
    // the call that timed out may still run when Redis resumes; later calls see a consistent count
    const after = await store.consume([{ key, max: 5, windowMs: 60_000, cost: 1 }], Date.now());
    assert.equal(after.allowed, true);
    assert.ok(after.results[0]!.remaining === 2 || after.results[0]!.remaining === 3, `remaining ${after.results[0]!.remaining}`);
  });

  test('Redis stopped: consume throws the typed unavailable error quickly; restarted: it works again', { timeout: 10_000 }, async () => {
    const store = await redisStore();
    const key = freshKey('outage');
    assert.equal((await store.consume([{ key, max: 5, windowMs: 60_000, cost: 1 }], Date.now())).allowed, true);
    await redis.stop();
    const { commandTimeoutMs } = redisSettings();
    for (let i = 0; i < 5; i++) {
      // Quickly: before a timer of 5 × commandTimeoutMs started alongside (the order of events, not a clock: see settlesBeforeTimer).
      const race = await settlesBeforeTimer(store.consume([{ key, max: 5, windowMs: 60_000, cost: 1 }], Date.now()), 5 * commandTimeoutMs);
      assert.equal(race.first, 'work', `consume ${i + 1} still pending when a ${5 * commandTimeoutMs} ms timer started alongside fired`);
      assert.ok(race.outcome.status === 'rejected' && race.outcome.reason instanceof RateLimitStoreUnavailableError, `consume ${i + 1}: ${race.outcome.status}`);
    }
    await redis.restart();
    assert.equal(await store.waitUntilReady(5_000), true, 'reconnects by itself');
    // the restarted Redis is empty and has lost the script: EVALSHA falls back to EVAL
    const after = await store.consume([{ key, max: 5, windowMs: 60_000, cost: 1 }], Date.now());
    assert.equal(after.allowed, true);
    assert.equal(after.results[0]!.remaining, 4);
  });
});

describe('redis store round trips', () => {
  test('one Redis command per operation, however many limits it checks', { timeout: 10_000 }, async () => {
    const store = await redisStore();
    // Warm up: the script is loaded on connect; one consume makes sure it is cached.
    await store.consume([{ key: freshKey('warm'), max: 5, windowMs: 60_000, cost: 1 }], Date.now());
    // MONITOR shows every command any client sends (commands a Lua script runs are tagged "lua"):
    // keep only those from this store's own connection, since earlier tests' clients share the server.
    const localPort = (store.client as unknown as { stream: { localPort: number } }).stream.localPort;
    const fromClients: string[] = [];
    const operations = 10;
    // MONITOR output is asynchronous: resolved when the tenth command from this store has been reported.
    let allCommandsSeen!: () => void;
    const allReported = new Promise<void>((resolveReported) => (allCommandsSeen = resolveReported));
    const stopMonitor = await monitorRedis(redis.url, (source, command) => {
      if (!source.endsWith(`:${localPort}`)) return;
      fromClients.push(command.toLowerCase());
      if (fromClients.length === operations) allCommandsSeen();
    });
    try {
      for (let i = 0; i < operations; i += 1) {
        await store.consume(
          [
            { key: freshKey('a'), max: 5, windowMs: 60_000, cost: 1 },
            { key: freshKey('b'), max: 5, windowMs: 1_000, cost: 2 },
            { key: freshKey('c'), max: 1, windowMs: 10_000, cost: 1 },
          ],
          Date.now(),
        );
      }
      await allReported;
      assert.deepEqual(fromClients, Array.from({ length: operations }, () => 'evalsha'));
    } finally {
      stopMonitor();
    }
  });
});
