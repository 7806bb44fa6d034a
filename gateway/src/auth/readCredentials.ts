// Where credentials come from on a request. Header names are lower-case (node:http normalises them).
import { AuthenticationError } from './authErrors.js';

export type RequestHeaders = Record<string, string | string[] | undefined> | Headers;

/**
 * The `get` test first: the first use of the global `Headers` makes Node load its built-in undici (fetch; ~80
 * CPU-ms, measured 2026-12-02), which the gateway otherwise never loads, and a plain record (node:http's
 * req.headers, every request) has no `get` method. A Headers instance has one, and is still checked as such.
 */
function isHeaders(headers: RequestHeaders): headers is Headers {
  return typeof (headers as Partial<Headers>).get === 'function' && headers instanceof Headers;
}

export function headerValue(headers: RequestHeaders, name: string): string | undefined {
  if (isHeaders(headers)) return headers.get(name) ?? undefined;
  const value = headers[name];
  // Two Authorization headers are ambiguous: which one would a proxy have checked? Refuse. (For node:http
  // requests the HTTP layer already answered 400: Node keeps only the first Authorization header in
  // req.headers, so duplicates are found through req.headersDistinct in duplicateCredentialHeaders.ts.)
  if (Array.isArray(value)) {
    if (value.length > 1) throw new AuthenticationError(`multiple ${name} headers`);
    return value[0];
  }
  return value;
}

/**
 * The bearer token of `Authorization: Bearer <token>` (RFC 6750 §2.1), or undefined when there is
 * no Authorization header. A header with another scheme or no token is an invalid credential.
 */
export function bearerTokenFrom(headers: RequestHeaders): string | undefined {
  const authorization = headerValue(headers, 'authorization');
  if (authorization === undefined) return undefined;
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(authorization);
  if (!match?.[1]) throw new AuthenticationError('expected Authorization: Bearer <token>');
  return match[1];
}

/** The value of cookie `name`, or undefined. */
export function cookieFrom(headers: RequestHeaders, name: string): string | undefined {
  const cookie = headerValue(headers, 'cookie');
  if (!cookie) return undefined;
  for (const part of cookie.split(';')) {
    const separator = part.indexOf('=');
    if (separator < 0) continue;
    if (part.slice(0, separator).trim() === name) {
      const value = part.slice(separator + 1).trim();
      try {
        return decodeURIComponent(value);
      } catch {
        return value;
      }
    }
  }
  return undefined;
}
