// Cacheable reads: every 200 on a GET carries `Cache-Control` and a strong `ETag` (a hash of the exact body),
// and a request whose `If-None-Match` names the current ETag gets `304 Not Modified` with no body, so clients
// and HTTP caches (e.g. RESTDataSource's) revalidate instead of downloading again.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export function etagFor(payload: string): string {
  // sha1 is fine here: the ETag only has to change when the body changes, it is not a security boundary.
  return `"${createHash('sha1').update(payload).digest('base64url')}"`;
}

/** RFC 9110 §13.1.2: a list of entity tags or `*`; weak comparison, so `W/"x"` matches `"x"`. */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const strip = (tag: string) => tag.trim().replace(/^W\//, '');
  const wanted = strip(etag);
  return header.split(',').some((tag) => strip(tag) === wanted);
}

export function sendCacheableJson(req: IncomingMessage, res: ServerResponse, body: unknown, cacheControl: string): void {
  const payload = JSON.stringify(body);
  const etag = etagFor(payload);
  const headers = { etag, 'cache-control': cacheControl };
  if (ifNoneMatchHits(req.headers['if-none-match'], etag)) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  res.writeHead(200, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(payload)),
  });
  // HEAD gets the same headers without the body.
  res.end(req.method === 'HEAD' ? undefined : payload);
}
