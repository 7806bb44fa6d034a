// Reads an HTTP request body with a size cap, so one oversized request cannot exhaust a subgraph's memory.
import type { IncomingMessage } from 'node:http';

export class RequestBodyTooLargeError extends Error {
  override readonly name = 'RequestBodyTooLargeError';
}

/**
 * Resolves with the body's bytes, exactly as received (the gateway's identity token is signed over them);
 * rejects with RequestBodyTooLargeError past `maxBytes`.
 */
export async function readRequestBody(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw new RequestBodyTooLargeError(`body over ${maxBytes} bytes`);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxBytes) throw new RequestBodyTooLargeError(`body over ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}
