// The HTTP exchange of one subgraph fetch: undici's `request` over one keep-alive pool per gateway, with a
// whole-fetch deadline and a cap on the bytes read. Node's built-in fetch is undici too, but its WHATWG layer
// (Request/Response objects, web streams) measured ~11 % of the gateway's CPU under load; `request` skips it.
// It answers status, headers, body text and byte count, nothing more: the datasource parses the body once
// (see datasource.ts for why it does not go through RemoteGraphQLDataSource's Fetcher interface).
import { STATUS_CODES } from 'node:http';
import { createRequire } from 'node:module';
import type { Agent, Dispatcher } from 'undici';
import type { FetcherResponse } from '@apollo/utils.fetcher';
import { PlainHeaders } from './plainHeaders.js';

// Only the two parts of undici used here, from their own files: undici's entry point also loads fetch,
// WebSocket, EventSource, its cache interceptors, SQLite cache store and mock agents, and measured ~3× the
// CPU at startup (~250 vs ~80 ms on the loaded 2-core box; bench/RESULTS.md, startup). undici 7 has no
// `exports` map, so these paths are reachable; test/unit/gateway/subgraphFetcher.test.ts pins them to the
// installed version (and the whole suite fetches through them).
const requireUndici = createRequire(import.meta.url);
const AgentClass = requireUndici('undici/lib/dispatcher/agent.js') as typeof Agent;
/** undici's `request` API as a Dispatcher method (the entry point's `request(url, opts)` resolves `opts.dispatcher` and calls this). */
const dispatcherRequest = requireUndici('undici/lib/api/api-request.js') as (this: Dispatcher, options: Dispatcher.RequestOptions) => Promise<Dispatcher.ResponseData>;

/** Thrown when a fetch exceeds its deadline; the datasource maps it to GATEWAY_TIMEOUT. */
export class SubgraphTimeoutError extends Error {
  override name = 'SubgraphTimeoutError';
}

/**
 * Thrown when an answer is larger than `maxResponseBytes` (declared or while reading, which then stops and
 * drops the connection); the datasource maps it to SUBGRAPH_RESPONSE_TOO_LARGE. The query asked for it, the
 * subgraph is not failing: it never counts against the circuit breaker and is never retried.
 */
export class SubgraphResponseTooLargeError extends Error {
  override name = 'SubgraphResponseTooLargeError';
}

/** A subgraph's answer, read whole. */
export interface SubgraphAnswer {
  status: number;
  headers: PlainHeaders;
  /** The body, decoded as UTF-8. */
  text: string;
  /** Body bytes as received (for the per-request response budget). */
  bytes: number;
}

export interface SubgraphExchangeOptions {
  /** Whole-fetch deadline (connect, send, headers and body), in ms. */
  timeoutMs: number;
  /** Largest body read, in bytes; see SubgraphResponseTooLargeError. */
  maxResponseBytes: number;
  /** The connection pool shared by every subgraph of one gateway. */
  dispatcher: Agent;
  /** For error messages. */
  subgraphName: string;
}

/** POSTs `body` to `url` and reads the whole answer (any status). */
export async function postToSubgraph(
  url: string,
  outgoing: { headers: Record<string, string>; body: string },
  options: SubgraphExchangeOptions,
): Promise<SubgraphAnswer> {
  // The deadline: a timer cleared as soon as the answer is read. `AbortSignal.timeout` leaves its timer (and a
  // weak reference to its signal) pending for the whole timeout after the fetch is done: at the deep bench's
  // 16 fetches per request and the 30 s default that is tens of thousands of live timers, old-generation
  // garbage (bench/RESULTS.md, "Fetch deadline and body read").
  const controller = new AbortController();
  const deadline = setTimeout(abortAtDeadline, options.timeoutMs, controller);
  // Like AbortSignal.timeout's timer, it never keeps the process alive on its own (the socket does).
  deadline.unref();
  try {
    const { origin, path } = subgraphTarget(url);
    const response = await dispatcherRequest.call(options.dispatcher, { origin, path, method: 'POST', headers: outgoing.headers, body: outgoing.body, signal: controller.signal });
    const body = await readBody(response, options);
    return { status: response.statusCode, headers: new PlainHeaders(response.headers), text: body.toString('utf8'), bytes: body.length };
  } catch (error) {
    if (controller.signal.aborted) throw new SubgraphTimeoutError(`${options.subgraphName} timed out after ${options.timeoutMs} ms`);
    throw error;
  } finally {
    clearTimeout(deadline);
  }
}

function abortAtDeadline(controller: AbortController): void {
  controller.abort();
}

/**
 * The answer as a Fetcher response, for RemoteGraphQLDataSource's `errorFromResponse` (the path of non-2xx
 * answers only): it reads `url`, `status`, `statusText`, the content type and the body.
 */
export function asFetcherResponse(url: string, answer: SubgraphAnswer): FetcherResponse {
  return {
    bodyUsed: false,
    url,
    redirected: false,
    status: answer.status,
    ok: answer.status >= 200 && answer.status < 300,
    statusText: STATUS_CODES[answer.status] ?? '',
    headers: answer.headers,
    text: async () => answer.text,
    json: async () => JSON.parse(answer.text) as unknown,
    arrayBuffer: async () => {
      const bytes = Buffer.from(answer.text);
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    },
    clone: () => asFetcherResponse(url, answer),
  };
}

/**
 * The whole body, or SubgraphResponseTooLargeError as soon as it is known to be over the limit. Read with
 * stream events, not `for await` (an async iterator allocates a promise and a result object per chunk).
 */
function readBody(response: Dispatcher.ResponseData, options: SubgraphExchangeOptions): Promise<Buffer> {
  const limit = options.maxResponseBytes;
  const body = response.body;
  const tooLarge = (bytes: string) => {
    // Destroying the body closes the connection: the rest is never read. undici then emits an AbortError
    // on the body, which must have a listener (else an uncaught exception takes the process down).
    body.on('error', () => {});
    body.destroy();
    return new SubgraphResponseTooLargeError(`${options.subgraphName} answered ${bytes} bytes, over maxResponseBytes ${limit}`);
  };
  const declared = Number(response.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge(String(declared)));
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    body.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(tooLarge(`more than ${size}`));
        return;
      }
      chunks.push(chunk);
    });
    body.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    body.on('error', reject);
  });
}

/** One keep-alive pool per gateway instance, closed on shutdown. */
export function createSubgraphConnectionPool(): Agent {
  // How long an idle socket is kept: what the subgraph announces (`Keep-Alive: timeout=N`) minus undici's
  // 2 s safety margin, up to 60 s; 4 s when it announces nothing (below the 5 s idle timeout of Node
  // servers, the kit's too). So the pool never reuses a socket the subgraph is about to close, and keeps
  // the ones it promised to keep: with a 4 s cap every pause in traffic longer than that reconnected every
  // socket (the deep bench's subgraphs announce 65 s; connect + close were ~10 % of the gateway's busy time
  // there, and the 60 s cap measured 0.73× CPU per request, bench/RESULTS.md "Compiled plan execution").
  // Node servers announce 5 s by default: for them nothing changes (3 s).
  return new AgentClass({ keepAliveTimeout: 4_000, keepAliveMaxTimeout: 60_000 });
}

/** Parsed subgraph URLs: a handful (one per subgraph, more after reloads), bounded anyway. */
const targets = new Map<string, { origin: string; path: string }>();
const MAX_TARGETS = 256;

/** Origin and path of a subgraph URL, as undici's `request(url)` splits them; parsed once per URL. */
function subgraphTarget(url: string): { origin: string; path: string } {
  let target = targets.get(url);
  if (target) return target;
  const parsed = new URL(url);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new TypeError(`subgraph URL must be http(s): ${url}`);
  target = { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
  if (targets.size >= MAX_TARGETS) targets.clear();
  targets.set(url, target);
  return target;
}
