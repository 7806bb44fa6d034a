// The HTTP edge against hostile or careless clients (issue 12), through a real gateway process:
// - a client trickling its headers is cut by headersTimeoutMs (408) while other clients are served;
// - idle keep-alive lasts keepAliveTimeoutMs (65 s by default, above load balancers' 60 s), configurable;
// - a 10 MB body sent by Node's fetch (no Expect: 100-continue) gets its 413, with or without a length;
//   a client asking for 100-continue gets the 413 instead of the 100 when its declared body is over the limit;
//   a body that never ends is drained only up to oversizeBodyDrainBytes, then the connection is closed;
// - beyond maxConnections a new connection is closed at once, and the open ones are still served.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { request as httpRequest } from 'node:http';
import { SHARED_FIXTURE_GATEWAYS, startFixtureGateway, startSlowSubgraph } from '../../support/fixtureSupergraph.js';
import { postGraphQL } from '../../support/http.js';
import { stopAll, type RunningProcess } from '../../support/processes.js';

const TEN_MB = 10 * 1024 * 1024;

/** Resolves once `socket` is connected. */
function connected(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Everything the server sent on `socket` until it closed the connection. */
function readUntilClosed(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(text));
  });
}

/** One GET over `socket` (already connected, kept open); resolves with the raw response (fixed length or chunked). */
function rawGet(socket: Socket, path: string): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const headEnd = text.indexOf('\r\n\r\n');
      const length = /content-length: (\d+)/i.exec(text)?.[1];
      const complete = length !== undefined ? Buffer.byteLength(text) >= headEnd + 4 + Number(length) : text.endsWith('\r\n0\r\n\r\n');
      if (headEnd >= 0 && complete) {
        socket.off('data', onData);
        resolve(text);
      }
    };
    socket.on('data', onData);
    socket.write(`GET ${path} HTTP/1.1\r\nHost: gateway\r\n\r\n`);
  });
}

/** The Keep-Alive header of a response on a fresh (non-pooled) connection. */
function keepAliveHeader(baseUrl: string): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${baseUrl}/healthz`, { agent: false, headers: { connection: 'keep-alive' } }, (res) => {
      res.resume();
      resolve(res.headers['keep-alive'] as string | undefined);
      res.on('end', () => req.destroy());
    });
    req.on('error', reject);
    req.end();
  });
}

describe('HTTP edge', () => {
  let subgraph: RunningProcess;
  /** Default edge limits, except a 1 s headers timeout so the test runs fast (the development gateway other files share). */
  let gateway: RunningProcess;
  let graphqlUrl: string;
  /** Keep-alive 2 s, a small body limit and drain budget. */
  let tight: RunningProcess;
  /** maxConnections 3, and no other client than the test's sockets (a pooled connection would take a slot). */
  let crowded: RunningProcess;

  before(async () => {
    subgraph = await startSlowSubgraph();
    const subgraphUrl = `${subgraph.url}/graphql`;
    [{ gateway, graphqlUrl }, { gateway: tight }, { gateway: crowded }] = await Promise.all([
      startFixtureGateway({ subgraphUrl, ...SHARED_FIXTURE_GATEWAYS.development, share: true }),
      startFixtureGateway({
        subgraphUrl,
        name: 'gateway-tight',
        config: 'server:\n  keepAliveTimeoutMs: 2000\n  maxBodyBytes: 1024\n  oversizeBodyDrainBytes: 65536\n',
      }),
      startFixtureGateway({ subgraphUrl, name: 'gateway-crowded', config: 'server:\n  maxConnections: 3\n' }),
    ]);
  }, { timeout: 60_000 });
  after(async () => stopAll([gateway, tight, crowded, subgraph]), { timeout: 60_000 });

  test('a client sending its headers a byte at a time gets 408 and is disconnected by headersTimeoutMs; other clients are served meanwhile', { timeout: 30_000 }, async () => {
    const slow = await connected(gateway.port);
    const received = readUntilClosed(slow);
    const startedAt = Date.now();
    slow.write('POST /graphql HTTP/1.1\r\nHost: gateway\r\n');
    const header = 'x-slow: ' + 'a'.repeat(10_000);
    let sent = 0;
    const trickle = setInterval(() => {
      if (!slow.destroyed && sent < header.length) slow.write(header[sent++]!);
    }, 50);
    try {
      let served = 0;
      let cut = false;
      void received.then(() => (cut = true));
      // Other clients, while the slow one holds its connection.
      while (!cut) {
        const response = await postGraphQL(graphqlUrl, { query: '{ ping }' });
        assert.deepEqual(response.body.data, { ping: 'pong' });
        served += 1;
      }
      const text = await received;
      const heldMs = Date.now() - startedAt;
      assert.match(text, /^HTTP\/1\.1 408 /);
      assert.ok(served > 0, 'other clients were served while the slow one was connected');
      // 1 s headers timeout + at most 250 ms between checks; 10 s is the bound the issue asks for (a loaded box is slow).
      assert.ok(heldMs >= 900 && heldMs < 10_000, `held for ${heldMs} ms`);
      assert.ok(sent < header.length, 'cut before it finished its headers');
    } finally {
      clearInterval(trickle);
      slow.destroy();
    }
  });

  test('idle keep-alive: 65 s by default (above load balancers\' 60 s idle timeout), configurable', { timeout: 30_000 }, async () => {
    assert.equal(await keepAliveHeader(gateway.url), 'timeout=65');
    assert.equal(await keepAliveHeader(tight.url), 'timeout=2');
  });

  test('a 10 MB body through Node\'s fetch (no Expect: 100-continue) gets 413 PAYLOAD_TOO_LARGE, with a length or chunked', { timeout: 60_000 }, async () => {
    const body = JSON.stringify({ query: `{ ping } # ${'x'.repeat(TEN_MB)}` });
    const withLength = await fetch(graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    assert.equal(withLength.status, 413);
    assert.equal(((await withLength.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code, 'PAYLOAD_TOO_LARGE');

    const chunk = new Uint8Array(64 * 1024).fill(0x20);
    let chunksLeft = TEN_MB / chunk.length;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (chunksLeft-- > 0) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const chunked = await fetch(graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: stream, duplex: 'half' } as RequestInit);
    assert.equal(chunked.status, 413);
    assert.equal(chunked.headers.get('content-length') !== null, true);
    await chunked.text();

    const ok = await postGraphQL(graphqlUrl, { query: '{ ping }' });
    assert.deepEqual(ok.body.data, { ping: 'pong' });
  });

  test('Expect: 100-continue: a declared body over the limit gets 413 without the 100 (nothing sent); within it, the 100 and an answer', { timeout: 30_000 }, async () => {
    const ask = (bodyBytes: number, body?: string) =>
      new Promise<{ status: number; continued: boolean }>((resolve, reject) => {
        let continued = false;
        const req = httpRequest(graphqlUrl, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': bodyBytes, expect: '100-continue' } }, (res) => {
          res.resume();
          resolve({ status: res.statusCode ?? 0, continued });
        });
        req.on('continue', () => {
          continued = true;
          req.end(body);
        });
        req.on('error', reject);
        req.flushHeaders();
      });
    const over = await ask(TEN_MB);
    assert.deepEqual(over, { status: 413, continued: false });
    const query = JSON.stringify({ query: '{ ping }' });
    assert.deepEqual(await ask(Buffer.byteLength(query), query), { status: 200, continued: true });
  });

  test('a body that never ends is answered 413 and drained only up to oversizeBodyDrainBytes, then the connection is closed', { timeout: 30_000 }, async () => {
    const outcome = await new Promise<{ status: number | undefined; closedWhileSending: boolean; sentBytes: number }>((resolve) => {
      let status: number | undefined;
      let sentBytes = 0;
      let stopped = false;
      const req = httpRequest(`${tight.url}/graphql`, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
        status = res.statusCode;
        res.resume();
      });
      const chunk = Buffer.alloc(16 * 1024, 0x20);
      const pump = () => {
        // Never ends the body: only the server can stop this, or the 16 MiB safety bound of the test.
        while (!stopped && sentBytes < 16 * 1024 * 1024) {
          sentBytes += chunk.length;
          if (!req.write(chunk)) {
            req.once('drain', pump);
            return;
          }
        }
      };
      const finish = () => {
        if (stopped) return;
        stopped = true;
        resolve({ status, closedWhileSending: sentBytes < 16 * 1024 * 1024, sentBytes });
      };
      req.on('error', finish);
      req.on('close', finish);
      pump();
    });
    // The 413 was sent first, but a client still writing when the connection closes may see only the reset:
    // that is the price of the bound, paid only by a client sending more than maxBodyBytes + the drain budget.
    assert.ok(outcome.status === undefined || outcome.status === 413, String(outcome.status));
    assert.ok(outcome.closedWhileSending, `the server closed the connection (client sent ${outcome.sentBytes} bytes)`);
    assert.ok(await tight.waitForLog((r) => r.event === 'request' && r.status === 413), 'the 413 is in the access log');
    const ok = await postGraphQL(`${tight.url}/graphql`, { query: '{ ping }' });
    assert.deepEqual(ok.body.data, { ping: 'pong' });
  });

  test('beyond maxConnections a new connection is closed at once; the open ones are still served', { timeout: 30_000 }, async () => {
    const sockets: Socket[] = [];
    try {
      for (let i = 0; i < 3; i += 1) sockets.push(await connected(crowded.port));
      // The kernel accepts in order, so the first three hold the server's three slots.
      const answer = await rawGet(sockets[0]!, '/healthz');
      assert.match(answer, /^HTTP\/1\.1 200 /);
      const extra = await connected(crowded.port);
      const extraReceived = await readUntilClosed(extra);
      assert.equal(extraReceived, '', 'the fourth connection got nothing but the close');
      await crowded.waitForLog((r) => r.event === 'connections_dropped');
      const metrics = await rawGet(sockets[1]!, '/metrics');
      assert.match(metrics, /^HTTP\/1\.1 200 /);
      assert.match(metrics, /gateway_http_connections_dropped_total [1-9]/);
    } finally {
      for (const socket of sockets) socket.destroy();
    }
  });
});
