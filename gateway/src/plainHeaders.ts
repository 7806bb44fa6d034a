// The headers of one subgraph request or answer, as RemoteGraphQLDataSource's hooks expect them
// (`willSendRequest` reads and sets `request.http.headers`; `respond` reads the answer's `cache-control`),
// kept in a plain Map of lower-case names. Upstream builds a node-fetch `Headers` (and our fetcher a WHATWG
// one for the answer): both validate and normalise on every call, which showed in the profile of the deep
// bench scenario (bench/RESULTS.md) at 16 fetches per request. Names are compared case-insensitively, as HTTP
// says; values are kept as given (the callers set valid values: ours, or the client's own).
import type { FetcherHeaders } from '@apollo/utils.fetcher';

export class PlainHeaders implements FetcherHeaders {
  private readonly map = new Map<string, string>();

  /** Copies `init`: pairs (e.g. another Headers), or a raw record as node:http and undici give them. */
  constructor(init?: Iterable<[string, string]> | Record<string, string | string[] | undefined>) {
    if (!init) return;
    if (Symbol.iterator in init) {
      for (const [name, value] of init as Iterable<[string, string]>) this.append(name, value);
      return;
    }
    for (const name of Object.keys(init)) {
      const value = (init as Record<string, string | string[] | undefined>)[name];
      if (value !== undefined) this.map.set(name.toLowerCase(), Array.isArray(value) ? value.join(', ') : value);
    }
  }

  append(name: string, value: string): void {
    const key = name.toLowerCase();
    const previous = this.map.get(key);
    this.map.set(key, previous === undefined ? value : `${previous}, ${value}`);
  }

  delete(name: string): void {
    this.map.delete(name.toLowerCase());
  }

  get(name: string): string | null {
    return this.map.get(name.toLowerCase()) ?? null;
  }

  has(name: string): boolean {
    return this.map.has(name.toLowerCase());
  }

  set(name: string, value: string): void {
    this.map.set(name.toLowerCase(), value);
  }

  entries(): IterableIterator<[string, string]> {
    return this.map.entries();
  }

  keys(): IterableIterator<string> {
    return this.map.keys();
  }

  values(): IterableIterator<string> {
    return this.map.values();
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.map.entries();
  }

  /** A plain object of the headers, as undici's `request` takes them. */
  toRecord(): Record<string, string> {
    return Object.fromEntries(this.map);
  }
}
