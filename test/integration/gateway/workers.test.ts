// `--workers N` (node:cluster) through real processes: two workers share one API port (two distinct pids
// answer), /metrics on the primary's admin listener sums every worker, hot reload reaches every worker, a
// per-field rate limit on the Redis store is exact across the workers, a
// SIGKILLed worker is replaced while requests keep succeeding, SIGTERM to the primary drains an in-flight
// request and every process exits 0; and the memory rate-limit store is refused before anything forks.
// (workersCrashLoop.test.ts: without an admin listener, and a crash loop.)
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeFixture, startSlowSubgraph } from '../../support/fixtureSupergraph.js';
import { GATEWAY_ENTRY, repoRoot, startProcess, stopAll, type RunningProcess } from '../../support/processes.js';
import { postGraphQL } from '../../support/http.js';
import { sampleValue, scrape } from '../../support/prometheus.js';
import { startRedis, type RunningRedis } from '../../support/redis.js';
import { isProcessAlive as isAlive, postOnFreshConnection, servingPids, workersTestDir, WORKERS_STARTUP_TIMEOUT_MS } from '../../support/freshConnection.js';

const fullSdl = readFileSync(join(repoRoot, 'test/fixtures/slow-subgraph/schema.graphql'), 'utf8');
// v1 lacks `added`; v2 (the subgraph's full schema) is written during the hot-reload test.
const v1Sdl = fullSdl.replace(/^.*\n\s*added: String!\n/m, '');

/** The per-field limit the Redis store enforces across both workers (per minute, per client). */
const HEADER_LIMIT = 4;

describe('gateway --workers 2', () => {
  let redis: RunningRedis;
  let subgraph: RunningProcess;
  let gateway: RunningProcess;
  let graphqlUrl: string;
  let adminUrl: string;
  let supergraphPath: string;
  /** The serving workers' pids, as the primary's log says (updated when one is replaced). */
  let workerPids: number[];
  /** /graphql requests answered 200 before the metrics test: what its summed counter must say. */
  let graphqlRequests = 0;

  const sendPings = async (count: number): Promise<void> => {
    for (let i = 0; i < count; i += 1) {
      const answer = await postOnFreshConnection(graphqlUrl, '{ ping }');
      graphqlRequests += 1;
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.body.data, { ping: 'pong' });
    }
  };

  before(async () => {
    [redis, subgraph] = await Promise.all([startRedis(), startSlowSubgraph()]);
    const dir = workersTestDir();
    supergraphPath = join(dir, 'supergraph.graphql');
    writeFileSync(supergraphPath, composeFixture([{ name: 'slow', url: `${subgraph.url}/graphql`, sdl: v1Sdl }]));
    // As production runs workers: the Redis rate-limit store (the memory one is refused: last test), the
    // admin listener on, served by the primary.
    writeFileSync(
      join(dir, 'gateway.yaml'),
      'server:\n  workers: 2\nsupergraph:\n  pollIntervalMs: 100\nadmin:\n  enabled: true\n  port: 0\n' +
        `rateLimits:\n  store: { kind: redis, url: "${redis.url}", keyPrefix: "it:workers:" }\n  fields:\n    Query.header: { max: ${HEADER_LIMIT}, window: 1m }\n`,
    );
    gateway = await startProcess({
      name: 'gateway',
      entry: GATEWAY_ENTRY,
      args: ['--supergraph', supergraphPath, '--port', '0', '--config', join(dir, 'gateway.yaml')],
      readyTimeoutMs: WORKERS_STARTUP_TIMEOUT_MS,
    });
    graphqlUrl = `${gateway.url}/graphql`;
    const listening = await gateway.waitForLog((r) => r.msg === 'listening');
    adminUrl = String(listening.adminUrl);
    workerPids = (listening.workerPids as number[]).map(Number);
  }, { timeout: WORKERS_STARTUP_TIMEOUT_MS + 30_000 });
  after(async () => {
    await stopAll([gateway, subgraph]);
    await redis?.stop();
  }, { timeout: 60_000 });

  test('two workers serve one port: requests on fresh connections are answered by two distinct pids', { timeout: 30_000 }, async () => {
    assert.equal(workerPids.length, 2);
    assert.notEqual(workerPids[0], workerPids[1]);
    assert.ok(!workerPids.includes(gateway.pid), 'the workers are not the primary');
    const from = gateway.logRecords().length;
    await sendPings(6);
    assert.deepEqual([...(await servingPids(gateway, from, 6))].sort(), [...workerPids].sort());
  });

  test('/metrics on the admin listener is the sum over the workers', { timeout: 30_000 }, async () => {
    const perWorker = new Map<number, number>();
    for (const record of gateway.logRecords()) {
      if (record.event === 'request' && record.path === '/graphql') perWorker.set(Number(record.pid), (perWorker.get(Number(record.pid)) ?? 0) + 1);
    }
    assert.equal(perWorker.size, 2, 'both workers counted some');
    const samples = await scrape(`${adminUrl}/metrics`);
    const served = sampleValue(samples, 'gateway_http_requests_total', { route: '/graphql', method: 'POST', status: '200' });
    assert.equal(served, graphqlRequests);
    assert.ok([...perWorker.values()].every((count) => count < graphqlRequests), 'no single worker saw them all');
    // Health follows the workers: ready while they serve.
    const ready = await fetch(`${adminUrl}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: 'ready', workers: { serving: 2, expected: 2 } });
  });

  test('a per-field limit on the Redis store is exact across the workers', { timeout: 30_000 }, async () => {
    const from = gateway.logRecords().length;
    const statuses: number[] = [];
    for (let i = 0; i < HEADER_LIMIT + 3; i += 1) {
      statuses.push((await postOnFreshConnection(graphqlUrl, '{ header(name: "x-none") }')).status);
    }
    // A store that stalls past its deadline fails open (200): its warnings say so when this does not hold.
    const storeWarnings = () => JSON.stringify(gateway.logRecords().slice(from).filter((r) => Number(r.level) >= 40));
    assert.deepEqual(statuses, [...Array(HEADER_LIMIT).fill(200), 429, 429, 429], `the gateway's warnings meanwhile: ${storeWarnings()}`);
    assert.equal((await servingPids(gateway, from, HEADER_LIMIT + 3)).size, 2, 'both workers answered, and counted in one place');
  });

  test('hot reload reaches every worker', { timeout: 60_000 }, async () => {
    const reloadedPids = new Set<number>();
    const bothReloaded = gateway.waitForNextLog((r) => r.event === 'supergraph_reloaded' && reloadedPids.add(Number(r.pid)).size === 2, 30_000);
    writeFileSync(supergraphPath, composeFixture([{ name: 'slow', url: `${subgraph.url}/graphql`, sdl: fullSdl }]));
    await bothReloaded;
    assert.deepEqual([...reloadedPids].sort(), [...workerPids].sort());
    const from = gateway.logRecords().length;
    for (let i = 0; i < 4; i += 1) {
      const answer = await postOnFreshConnection(graphqlUrl, '{ added }');
      graphqlRequests += 1;
      assert.deepEqual(answer.body.data, { added: 'new field' });
    }
    assert.equal((await servingPids(gateway, from, 4)).size, 2);
  });

  test('a SIGKILLed worker is replaced (logged with its pid and signal) and requests keep succeeding', { timeout: 60_000 }, async () => {
    const [victim, survivor] = workerPids as [number, number];
    const died = gateway.waitForNextLog((r) => r.event === 'worker_died', 30_000);
    const replaced = gateway.waitForNextLog((r) => r.event === 'worker_ready', 60_000);
    process.kill(victim, 'SIGKILL');
    const death = await died;
    assert.equal(death.workerPid, victim);
    assert.equal(death.signal, 'SIGKILL');
    // While the replacement starts, the survivor serves everything.
    await sendPings(3);
    const replacement = Number((await replaced).workerPid);
    assert.ok(isAlive(replacement));
    assert.ok(![victim, survivor].includes(replacement));
    workerPids = [survivor, replacement];
    const from = gateway.logRecords().length;
    await sendPings(6);
    assert.deepEqual([...(await servingPids(gateway, from, 6))].sort(), [...workerPids].sort());
    assert.equal(gateway.child.exitCode, null);
  });

  test('SIGTERM to the primary: every worker drains (an in-flight request completes), all exit, the primary exits 0', { timeout: 60_000 }, async () => {
    // The subgraph holds the request until the test releases it: released once its worker has begun draining.
    const started = subgraph.waitForNextLog((r) => r.event === 'held_started' && r.key === 'workers-drain');
    const inFlight = postOnFreshConnection(graphqlUrl, '{ held(key: "workers-drain") }');
    await started;
    const draining = gateway.waitForNextLog((r) => r.event === 'shutdown_started' && r.inFlight === 1);
    // The primary alone, as Kubernetes does (not the process group).
    gateway.child.kill('SIGTERM');
    await draining;
    const released = await postGraphQL(`${subgraph.url}/graphql`, { query: 'mutation { release(key: "workers-drain") }' });
    assert.deepEqual(released.body.data, { release: 1 });
    const answer = await inFlight;
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body.data, { held: 'released workers-drain' });
    const { code } = await gateway.exited;
    assert.equal(code, 0);
    const stopped = gateway.logRecords().filter((r) => r.event === 'worker_stopped').map((r) => Number(r.workerPid));
    assert.deepEqual(stopped.sort(), [...workerPids].sort());
    for (const pid of workerPids) assert.equal(isAlive(pid), false, `worker ${pid} exited`);
  });
});

describe('gateway --workers 2: startup refusals', () => {
  test('exits 2 before forking, with one message naming the Redis store', { timeout: 60_000 }, async () => {
    const gateway = await startProcess({
      name: 'gateway',
      entry: GATEWAY_ENTRY,
      args: ['--supergraph', join(repoRoot, 'supergraph.graphql'), '--port', '0', '--workers', '2'],
      waitForReady: false,
    });
    const { code } = await gateway.exited;
    assert.equal(code, 2);
    const stderr = gateway.stderrText().trim();
    assert.equal(stderr.split('\n').length, 1, stderr);
    assert.match(stderr, /rateLimits\.store/);
    assert.match(stderr, /RATE_LIMIT_REDIS_URL/);
    assert.equal(gateway.logRecords().filter((r) => r.worker !== undefined).length, 0, 'no worker started');
  });

  test('a supergraph no worker can load: reported once, by the first worker, and the primary exits with its code', { timeout: 60_000 }, async () => {
    const dir = workersTestDir();
    writeFileSync(join(dir, 'gateway.yaml'), 'rateLimits:\n  enabled: false\n');
    writeFileSync(join(dir, 'supergraph.graphql'), 'type Query { this is not a supergraph');
    const gateway = await startProcess({
      name: 'gateway',
      entry: GATEWAY_ENTRY,
      args: ['--supergraph', join(dir, 'supergraph.graphql'), '--port', '0', '--workers', '2', '--config', join(dir, 'gateway.yaml')],
      waitForReady: false,
    });
    const { code } = await gateway.exited;
    assert.equal(code, 2);
    const stderr = gateway.stderrText().trim();
    assert.equal(stderr.split('\n').filter((line) => line.startsWith('gateway:')).length, 1, stderr);
    const failed = gateway.logRecords().filter((r) => r.event === 'worker_startup_failed');
    assert.equal(failed.length, 1);
    assert.equal(failed[0]!.code, 2);
    assert.equal(gateway.logRecords().filter((r) => r.event === 'worker_ready').length, 0);
  });
});
