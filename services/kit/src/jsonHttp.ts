// Plain JSON over node:http for the sample REST services: responses, error bodies and request bodies.
// Error bodies have one shape everywhere, `{ error, reason }`: `error` is a stable machine-readable code
// (snake_case, like real REST APIs), `reason` a sentence for humans that clients may pass on.
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface ErrorBody {
  error: string;
  reason: string;
  [detail: string]: unknown;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(payload)),
    ...headers,
  });
  res.end(payload);
}

export function sendError(res: ServerResponse, status: number, body: ErrorBody, headers: Record<string, string> = {}): void {
  // Errors are never cached: a 404 for a product that is created later must not stick.
  sendJson(res, status, body, { 'cache-control': 'no-store', ...headers });
}

/** An error a handler throws to answer with a given status; anything else becomes a 500. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
    readonly headers: Record<string, string> = {},
  ) {
    super(body.reason);
    this.name = 'HttpError';
  }
}

/** 16 KiB: the largest legitimate body here is a reservation of a few dozen bytes. */
export const MAX_BODY_BYTES = 16 * 1024;

/**
 * Reads a JSON request body. 415 unless the content type is JSON, 413 over `maxBytes`, 400 when it does not
 * parse. The caller validates the shape (zod).
 */
export async function readJsonBody(req: IncomingMessage, maxBytes = MAX_BODY_BYTES): Promise<unknown> {
  const contentType = req.headers['content-type'] ?? '';
  if (!/^application\/(?:[\w.+-]+\+)?json\b/i.test(contentType)) {
    throw new HttpError(415, { error: 'unsupported_media_type', reason: 'the request body must be application/json' });
  }
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes) {
    throw new HttpError(413, { error: 'payload_too_large', reason: `the request body exceeds ${maxBytes} bytes` });
  }
  const chunks: Buffer[] = [];
  let received = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    received += chunk.length;
    if (received > maxBytes) {
      throw new HttpError(413, { error: 'payload_too_large', reason: `the request body exceeds ${maxBytes} bytes` });
    }
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, { error: 'malformed_json', reason: 'the request body is not valid JSON' });
  }
}
