// `--workers 2` without an admin listener (/metrics on the API port still sums every worker, through the
// primary), then a crash loop: with a supergraph file no new worker can start from, a SIGKILLed worker's
// replacements die at startup, and after 5 deaths within 60 s the primary drains the survivor and exits 1.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeFixture, startSlowSubgraph } from '../../support/fixtureSupergraph.js';
import { GATEWAY_ENTRY, repoRoot, startProcess, stopAll, type RunningProcess } from '../../support/processes.js';
import { sampleValue, scrape } from '../../support/prometheus.js';
import { isProcessAlive as isAlive, postOnFreshConnection, servingPids, workersTestDir, WORKERS_STARTUP_TIMEOUT_MS as STARTUP_TIMEOUT_MS } from '../../support/freshConnection.js';

const v1Sdl = readFileSync(join(repoRoot, 'test/fixtures/slow-subgraph/schema.graphql'), 'utf8').replace(/^.*\n\s*added: String!\n/m, '');

describe('gateway --workers 2 without an admin listener, then in a crash loop', () => {
  let subgraph: RunningProcess;
  let gateway: RunningProcess;
  let graphqlUrl: string;
  let supergraphPath: string;

  before(async () => {
    subgraph = await startSlowSubgraph();
    const dir = workersTestDir();
    supergraphPath = join(dir, 'supergraph.graphql');
    writeFileSync(supergraphPath, composeFixture([{ name: 'slow', url: `${subgraph.url}/graphql`, sdl: v1Sdl }]));
    // The flag this time; no admin listener (outside production it is off unless configured).
    writeFileSync(join(dir, 'gateway.yaml'), 'supergraph:\n  pollIntervalMs: 100\nrateLimits:\n  enabled: false\n');
    gateway = await startProcess({
      name: 'gateway',
      entry: GATEWAY_ENTRY,
      args: ['--supergraph', supergraphPath, '--port', '0', '--workers', '2', '--config', join(dir, 'gateway.yaml')],
      readyTimeoutMs: STARTUP_TIMEOUT_MS,
      // Each process reports what it loaded when it exits (the primary: checked at the end).
      env: { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${join(repoRoot, 'test/fixtures/loadOrderProbe.cjs')}`.trim() },
    });
    graphqlUrl = `${gateway.url}/graphql`;
  }, { timeout: STARTUP_TIMEOUT_MS + 30_000 });
  after(async () => stopAll([gateway, subgraph]), { timeout: 60_000 });

  test('/metrics on the API port (no admin listener) is still the sum over the workers', { timeout: 30_000 }, async () => {
    const from = gateway.logRecords().length;
    for (let i = 0; i < 4; i += 1) assert.equal((await postOnFreshConnection(graphqlUrl, '{ ping }')).status, 200);
    assert.equal((await servingPids(gateway, from, 4)).size, 2);
    const samples = await scrape(`${gateway.url}/metrics`);
    assert.equal(sampleValue(samples, 'gateway_http_requests_total', { route: '/graphql', method: 'POST', status: '200' }), 4);
  });

  test('replacements that cannot start: after 5 deaths within 60 s the primary stops the rest and exits 1', { timeout: 120_000 }, async () => {
    const listening = await gateway.waitForLog((r) => r.msg === 'listening');
    const [victim, survivor] = (listening.workerPids as number[]).map(Number) as [number, number];
    // Both workers keep serving the last good supergraph; a new worker cannot start from this file.
    const rejected = new Set<number>();
    const bothRejected = gateway.waitForNextLog((r) => r.event === 'supergraph_reload_failed' && rejected.add(Number(r.pid)).size === 2, 30_000);
    writeFileSync(supergraphPath, 'type Query { this is not a supergraph');
    await bothRejected;
    process.kill(victim, 'SIGKILL');
    const { code } = await gateway.exited;
    assert.equal(code, 1);
    const deaths = gateway.logRecords().filter((r) => r.event === 'worker_died');
    assert.equal(deaths.length, 5, JSON.stringify(deaths));
    assert.equal(deaths[0]!.workerPid, victim);
    assert.equal(gateway.logRecords().filter((r) => r.event === 'worker_crash_loop').length, 1);
    assert.match(gateway.stderrText(), /workers keep dying \(5 deaths within 60 s/);
    // The survivor was drained and stopped, not left behind.
    assert.ok(gateway.logRecords().some((r) => r.event === 'worker_stopped' && r.workerPid === survivor));
    assert.equal(isAlive(survivor), false);
    // The primary serves no GraphQL: it never loaded graphql or @apollo/* (gatewayProcess.ts, beforeApolloLoads.ts).
    const probes = gateway.stdoutLines().filter((text) => text.startsWith('{"loadOrderProbe"')).map((text) => (JSON.parse(text) as { loadOrderProbe: Record<string, number> }).loadOrderProbe);
    const primary = probes.find((probe) => probe.pid === gateway.child.pid);
    assert.ok(primary, `the primary's probe reported (${probes.length} reports)`);
    assert.deepEqual({ graphqlAt: primary.graphqlAt, gatewayAt: primary.gatewayAt, federationInternalsAt: primary.federationInternalsAt }, { graphqlAt: -1, gatewayAt: -1, federationInternalsAt: -1 });
  });
});
