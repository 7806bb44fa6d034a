// Query-string validation with zod: unknown or repeated parameters are a 400 (a typo such as `?categroy=`
// must not silently return the unfiltered list), and the message names the offending parameter.
import type { z } from 'zod';
import { HttpError } from './jsonHttp.js';

export function parseQuery<Schema extends z.ZodType>(url: URL, schema: Schema): z.infer<Schema> {
  const raw: Record<string, string> = {};
  for (const [name, value] of url.searchParams) {
    if (name in raw) throw new HttpError(400, { error: 'invalid_query', reason: `query parameter "${name}" is repeated` });
    raw[name] = value;
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new HttpError(400, {
      error: 'invalid_query',
      reason: parsed.error.issues
        .map((issue) => {
          const unknownKeys = issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : '';
          if (unknownKeys) return `unknown query parameter(s): ${unknownKeys}`;
          return `${issue.path.join('.') || 'query'}: ${issue.message}`;
        })
        .join('; '),
    });
  }
  return parsed.data;
}

/** 'a,b,,c' → ['a','b','c'] without duplicates, in first-seen order. */
export function commaList(value: string): string[] {
  return [...new Set(value.split(',').map((part) => part.trim()).filter(Boolean))];
}
