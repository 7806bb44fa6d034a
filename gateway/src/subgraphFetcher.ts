// The HTTP client for subgraph fetches: undici's `request` over one keep-alive pool per gateway.
// Node's built-in fetch is undici too, but its WHATWG layer (Request/Response objects, web streams)
// measured ~11 % of the gateway's CPU under load; `request` skips it. It implements exactly the
// Fetcher interface RemoteGraphQLDataSource needs, with a whole-fetch deadline.
import { STATUS_CODES } from 'node:http';
import { Agent, request, type Dispatcher } from 'undici';
import type { Fetcher, FetcherRequestInit, FetcherResponse } from '@apollo/utils.fetcher';

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

/** The fetcher's responses also say how many body bytes were read (for the per-request budget). */
export interface SubgraphFetcherResponse extends FetcherResponse {
  readonly bodyBytes: number;
}

/** Body bytes of a response this fetcher produced (0 for any other object). */
export function receivedBodyBytes(response: unknown): number {
  const bytes = (response as Partial<SubgraphFetcherResponse> | undefined)?.bodyBytes;
  return typeof bytes === 'number' ? bytes : 0;
}

function toHeaders(raw: Record<string, string | string[] | undefined>): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else headers.set(name, value);
  }
  return headers;
}

function bufferedResponse(url: string, status: number, headers: Headers, body: string, bodyBytes: number): SubgraphFetcherResponse {
  const response: SubgraphFetcherResponse = {
    bodyBytes,
    bodyUsed: false,
    url,
    redirected: false,
    status,
    ok: status >= 200 && status < 300,
    statusText: STATUS_CODES[status] ?? '',
    headers,
    text: async () => body,
    json: async () => JSON.parse(body) as unknown,
    arrayBuffer: async () => {
      const bytes = Buffer.from(body);
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    },
    clone: () => bufferedResponse(url, status, headers, body, bodyBytes),
  };
  return response;
}

export interface SubgraphFetcherOptions {
  /** Whole-fetch deadline (connect, send, headers and body), in ms. */
  timeoutMs: number;
  /** Largest body read, in bytes; see SubgraphResponseTooLargeError. */
  maxResponseBytes: number;
  /** The connection pool shared by every subgraph of one gateway. */
  dispatcher: Agent;
  /** For the timeout message. */
  subgraphName: string;
}

export function createSubgraphFetcher(options: SubgraphFetcherOptions): Fetcher {
  return async (url: string, init: FetcherRequestInit = {}) => {
    const signal = AbortSignal.timeout(options.timeoutMs);
    try {
      const response = await request(url, {
        method: (init.method ?? 'POST') as 'POST',
        headers: init.headers,
        body: init.body,
        dispatcher: options.dispatcher,
        signal,
      });
      const body = await readBody(response, options);
      return bufferedResponse(url, response.statusCode, toHeaders(response.headers), body.toString('utf8'), body.length);
    } catch (error) {
      if (signal.aborted) throw new SubgraphTimeoutError(`${options.subgraphName} timed out after ${options.timeoutMs} ms`);
      throw error;
    }
  };
}

/** The whole body, or SubgraphResponseTooLargeError as soon as it is known to be over the limit. */
async function readBody(response: Dispatcher.ResponseData, options: SubgraphFetcherOptions): Promise<Buffer> {
  const limit = options.maxResponseBytes;
  const tooLarge = (bytes: string) => {
    // Destroying the body closes the connection: the rest is never read. undici then emits an AbortError
    // on the body, which must have a listener (else an uncaught exception takes the process down).
    response.body.on('error', () => {});
    response.body.destroy();
    return new SubgraphResponseTooLargeError(`${options.subgraphName} answered ${bytes} bytes, over maxResponseBytes ${limit}`);
  };
  const declared = Number(response.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(String(declared));
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooLarge(`more than ${size}`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

/** One keep-alive pool per gateway instance, closed on shutdown. */
export function createSubgraphConnectionPool(): Agent {
  // 4 s keep-alive: below the 5 s idle timeout of Node servers (the kit's too), so the pool never
  // reuses a socket the subgraph is about to close.
  return new Agent({ keepAliveTimeout: 4_000, keepAliveMaxTimeout: 4_000 });
}
