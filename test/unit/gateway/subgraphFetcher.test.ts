// The subgraph fetcher's cap on bytes read, against a real HTTP server: refused by Content-Length before
// reading, or as soon as a streamed (chunked) body passes the limit; and such a failure never opens the breaker.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { Agent } from 'undici';
import { createSubgraphConnectionPool, postToSubgraph, SubgraphResponseTooLargeError } from '../../../gateway/src/subgraphFetcher.js';
import { createSubgraphCaller, resilienceConfigSchema } from '../../../gateway/src/subgraphResilience.js';
import { listenOnLoopback, closeServer } from '../../support/loopbackServer.js';

describe('subgraph fetcher: maxResponseBytes', () => {
  let server: Server;
  let url: string;
  const pool = new Agent();
  let streamedChunks = 0;

  before(async () => {
    server = createServer((req, res) => {
      const size = Number(new URL(req.url!, 'http://x').searchParams.get('bytes'));
      if (req.url!.startsWith('/declared')) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': size });
        res.end(JSON.stringify({ data: { s: 'x'.repeat(size - 16) } }));
        return;
      }
      // Chunked, no Content-Length: 1 KiB every tick until `bytes` or until the client goes away.
      res.writeHead(200, { 'content-type': 'application/json' });
      let sent = 0;
      const pump = () => {
        if (res.destroyed) return;
        if (sent >= size) return void res.end();
        streamedChunks += 1;
        sent += 1024;
        res.write('x'.repeat(1024));
        setImmediate(pump);
      };
      pump();
    });
    url = await listenOnLoopback(server);
  }, { timeout: 30_000 });
  after(async () => {
    await pool.close();
    await closeServer(server);
  }, { timeout: 30_000 });

  const fetch = (path: string) =>
    postToSubgraph(`${url}${path}`, { headers: {}, body: '{}' }, { timeoutMs: 5_000, maxResponseBytes: 4_096, dispatcher: pool, subgraphName: 'big' });

  test('an answer at the limit is read whole and reports its size', { timeout: 10_000 }, async () => {
    const answer = await fetch('/declared?bytes=4096');
    assert.equal(answer.text.length, 4_096);
    assert.equal(answer.bytes, 4_096);
  });

  test('a declared Content-Length over the limit is refused without reading the body', { timeout: 10_000 }, async () => {
    await assert.rejects(fetch('/declared?bytes=4097'), SubgraphResponseTooLargeError);
  });

  test('a streamed body stops being read (and the connection is dropped) once over the limit', { timeout: 10_000 }, async () => {
    streamedChunks = 0;
    await assert.rejects(fetch('/stream?bytes=10000000'), SubgraphResponseTooLargeError);
    // The server notices the closed socket within a few chunks of the 5th KiB, far from 10 MB (~9,800 chunks).
    assert.ok(streamedChunks < 1_000, `server kept streaming: ${streamedChunks} chunks`);
  });

  test('too-large answers never open the circuit breaker (the query asked for them, the subgraph is fine)', { timeout: 10_000 }, async () => {
    const states: string[] = [];
    const caller = createSubgraphCaller(resilienceConfigSchema.parse({ circuitBreaker: { volumeThreshold: 2 } }), { onStateChange: (s) => states.push(s) });
    for (let attempt = 0; attempt < 5; attempt += 1) {
      await assert.rejects(caller.call(() => fetch('/declared?bytes=9000'), { retryable: true }), SubgraphResponseTooLargeError);
    }
    assert.deepEqual(states, []);
    const ok = await caller.call(() => fetch('/declared?bytes=100'), { retryable: true });
    assert.equal(ok.status, 200);
  });
});

// subgraphFetcher.ts requires undici's Agent and request API from their own files (undici's entry point
// loads far more at startup): the exchange must stay what undici's `request(url, { dispatcher })` sends.
describe('subgraph fetcher: the request sent', () => {
  let server: Server;
  let url: string;
  const received: { method?: string; url?: string; contentType?: string; body: string }[] = [];
  const pool = createSubgraphConnectionPool();

  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        received.push({ method: req.method, url: req.url, contentType: req.headers['content-type'], body });
        res.writeHead(200, { 'content-type': 'application/json', 'x-answer': 'yes' });
        res.end('{"data":{"ok":true}}');
      });
    });
    url = await listenOnLoopback(server);
  }, { timeout: 30_000 });
  after(async () => {
    await pool.close();
    await closeServer(server);
  }, { timeout: 30_000 });

  test('POSTs headers and body to the URL path and query through the gateway pool, and reads the answer', { timeout: 10_000 }, async () => {
    const answer = await postToSubgraph(
      `${url}/graphql?tenant=a%20b`,
      { headers: { 'content-type': 'application/json' }, body: '{"query":"{ ok }"}' },
      { timeoutMs: 5_000, maxResponseBytes: 4_096, dispatcher: pool, subgraphName: 'echo' },
    );
    assert.deepEqual(received.at(-1), { method: 'POST', url: '/graphql?tenant=a%20b', contentType: 'application/json', body: '{"query":"{ ok }"}' });
    assert.equal(answer.status, 200);
    assert.equal(answer.text, '{"data":{"ok":true}}');
    assert.equal(answer.headers.get('x-answer'), 'yes');
  });

  test('a URL that is not http(s) is refused before anything is sent', { timeout: 10_000 }, async () => {
    const before = received.length;
    await assert.rejects(
      postToSubgraph('ftp://127.0.0.1/graphql', { headers: {}, body: '{}' }, { timeoutMs: 5_000, maxResponseBytes: 4_096, dispatcher: pool, subgraphName: 'ftp' }),
      TypeError,
    );
    assert.equal(received.length, before);
  });
});
