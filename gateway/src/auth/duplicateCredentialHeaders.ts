// Two Authorization (or API-key) headers are ambiguous: a proxy in front may have checked one and the
// gateway would use the other. Node keeps only the first Authorization header in `req.headers` (and joins
// duplicates of a custom header such as x-api-key with ", "), so the check reads `req.headersDistinct`,
// which lists every value. Such a request is a 400 BAD_REQUEST before any credential is looked at.
import type { IncomingMessage } from 'node:http';
import type { AuthConfig } from './authConfig.js';

/** The request headers that carry credentials under this config (lower case). */
export function credentialHeaderNames(auth: AuthConfig | undefined): string[] {
  return ['authorization', ...(auth?.apiKeys ? [auth.apiKeys.header] : [])];
}

/** The first of `names` sent more than once, with how many times; undefined when each came at most once. */
export function duplicatedHeader(req: IncomingMessage, names: readonly string[]): { name: string; count: number } | undefined {
  for (const name of names) {
    const count = req.headersDistinct[name]?.length ?? 0;
    if (count > 1) return { name, count };
  }
  return undefined;
}
