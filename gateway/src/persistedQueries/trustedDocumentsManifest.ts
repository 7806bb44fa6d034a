// A trusted-documents manifest: the operations a client build may send, by id. Two formats are read:
//   Apollo's persisted-query manifest (what @apollo/generate-persisted-query-manifest writes):
//     {"format":"apollo-persisted-query-manifest","version":1,"operations":[{"id","name","type","body"}]}
//   Relay's (relay-compiler's persistConfig output): {"<id>": "<body>", ...}
// Every body must parse: a manifest with a broken operation is refused as a whole (at startup, or on
// reload, where the previous list stays), so a typo never silently drops an operation.
import { createHash } from 'node:crypto';
import { parse, print, type ParseOptions } from 'graphql';

export class TrustedDocumentsManifestError extends Error {
  override name = 'TrustedDocumentsManifestError';
}

export interface TrustedDocuments {
  /** Operation text by id. */
  readonly byId: ReadonlyMap<string, string>;
  /** Operation text by the SHA-256 (hex) of that exact text: an APQ hash of a listed operation resolves here. */
  readonly byBodyHash: ReadonlyMap<string, string>;
  /** SHA-256 of each operation printed by graphql-js (whitespace, commas and comments normalized). */
  readonly normalizedHashes: ReadonlySet<string>;
  readonly format: 'apollo' | 'relay';
}

export const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The operation as graphql-js prints it, hashed: equal for two texts that differ only in ignored tokens. */
export function normalizedDocumentHash(text: string, parseOptions?: ParseOptions): string {
  return sha256Hex(print(parse(text, { ...parseOptions, noLocation: true })));
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Reads a manifest's JSON text; `source` names it in error messages (a file path). */
export function parseTrustedDocumentsManifest(text: string, source: string): TrustedDocuments {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new TrustedDocumentsManifestError(`trusted-documents manifest ${source} is not valid JSON: ${(error as Error).message}`);
  }
  if (!isObject(json)) throw new TrustedDocumentsManifestError(`trusted-documents manifest ${source} must be a JSON object`);
  const entries: [id: string, body: string][] = [];
  let format: TrustedDocuments['format'];
  if ('format' in json || 'operations' in json) {
    format = 'apollo';
    if (json.format !== 'apollo-persisted-query-manifest' || json.version !== 1 || !Array.isArray(json.operations)) {
      throw new TrustedDocumentsManifestError(
        `trusted-documents manifest ${source}: expected {"format":"apollo-persisted-query-manifest","version":1,"operations":[…]} (Apollo) or {"<id>":"<body>"} (Relay)`,
      );
    }
    json.operations.forEach((operation: unknown, index) => {
      if (!isObject(operation) || typeof operation.id !== 'string' || operation.id === '' || typeof operation.body !== 'string' || operation.body === '') {
        throw new TrustedDocumentsManifestError(`trusted-documents manifest ${source}: operations[${index}] needs a non-empty string "id" and "body"`);
      }
      entries.push([operation.id, operation.body]);
    });
  } else {
    format = 'relay';
    for (const [id, body] of Object.entries(json)) {
      if (typeof body !== 'string' || body === '') throw new TrustedDocumentsManifestError(`trusted-documents manifest ${source}: the value of "${id}" must be the operation's text`);
      entries.push([id, body]);
    }
  }
  const byId = new Map<string, string>();
  const byBodyHash = new Map<string, string>();
  const normalizedHashes = new Set<string>();
  for (const [id, body] of entries) {
    const existing = byId.get(id);
    if (existing !== undefined && existing !== body) throw new TrustedDocumentsManifestError(`trusted-documents manifest ${source}: id "${id}" is listed twice with different operations`);
    let normalized: string;
    try {
      normalized = normalizedDocumentHash(body);
    } catch (error) {
      throw new TrustedDocumentsManifestError(`trusted-documents manifest ${source}: operation "${id}" does not parse: ${(error as Error).message.split('\n')[0]}`);
    }
    byId.set(id, body);
    byBodyHash.set(sha256Hex(body), body);
    normalizedHashes.add(normalized);
  }
  return { byId, byBodyHash, normalizedHashes, format };
}
