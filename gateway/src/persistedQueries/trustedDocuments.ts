// Trusted documents: operations sent by id, and (mode enforce) no operation outside the manifest.
//
// This runs on the HTTP request, before Apollo Server: a refused operation is never parsed, validated,
// authorized, costed or charged, and Apollo Server offers no earlier hook that can refuse (an error
// thrown from requestDidStart or didResolveSource becomes a 500; didResolveOperation runs concurrently
// with the policy pipeline's, which would charge rate limits first). It rewrites an id into the
// operation's text, so everything after it (APQ, parsing, the policy pipeline, the response cache)
// sees an ordinary request.
//
// Ids, as clients send them (both conventions are accepted, by POST body or GET parameter):
//   - `documentId` (GraphQL over HTTP's persisted-documents convention, Relay, Hive, Yoga);
//   - `extensions.persistedQuery.sha256Hash` without `query` (Apollo clients, Apollo Router's convention:
//     the same field APQ uses). An APQ hash that is the SHA-256 of a listed operation's text resolves too.
// An id not in the manifest is looked up as an APQ hash (modes off and log-unknown) or answered
// PERSISTED_QUERY_NOT_FOUND (enforce: APQ then only serves listed operations; an APQ client sends the text
// next, which is checked like any free-form operation).
import type { HTTPGraphQLRequest } from '@apollo/server';
import type { ParseOptions } from 'graphql';
import type { RequestLogFields } from '../context.js';
import type { ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';
import type { GatewayMetrics } from '../metrics.js';
import { openTrustedDocumentsFile, type TrustedDocumentsFile } from './trustedDocumentsFile.js';
import type { TrustedDocumentsConfig } from './trustedDocumentsConfig.js';
import { normalizedDocumentHash, sha256Hex, type TrustedDocuments } from './trustedDocumentsManifest.js';

export type PreparedRequest =
  | { readonly kind: 'run'; readonly request: HTTPGraphQLRequest }
  | { readonly kind: 'refuse'; readonly code: ErrorCode; readonly headers?: Record<string, string> };

export interface TrustedDocumentsGate {
  /** The request to execute (ids replaced by their operation), or the refusal to answer. */
  prepare(request: HTTPGraphQLRequest, scope: { readonly requestId: string; readonly log: RequestLogFields }): PreparedRequest;
  stop(): void;
}

export interface TrustedDocumentsOptions {
  config: TrustedDocumentsConfig;
  logger: Logger;
  metrics: Pick<GatewayMetrics, 'trustedDocuments' | 'trustedDocumentsLoaded' | 'trustedDocumentsReloads'>;
  /** The gateway's parser limits: a free-form text is parsed (to compare it normalized) within them. */
  parseOptions?: ParseOptions;
}

/** Texts whose normalized form was looked up, per manifest: at most this many remembered (then forgotten at once). */
const MAX_REMEMBERED_TEXTS = 10_000;
/** Unknown operations are logged once each per manifest, up to this many (the metric counts every one). */
const MAX_LOGGED_UNKNOWN = 10_000;
/** How much of an unknown operation's text the log line carries, in characters. */
const LOGGED_TEXT_CHARS = 2_000;

/** Apollo Server's own headers on PERSISTED_QUERY_NOT_FOUND: APQ clients and caches rely on them. */
const NOT_FOUND_HEADERS = { 'cache-control': 'private, no-cache, must-revalidate' };

interface RequestFields {
  query: string | undefined;
  documentId: string | undefined;
  /** extensions.persistedQuery.sha256Hash */
  apqHash: string | undefined;
}

export function createTrustedDocuments(options: TrustedDocumentsOptions): TrustedDocumentsGate | undefined {
  const { config, logger, metrics } = options;
  if (config.manifest === undefined) return undefined;
  const file: TrustedDocumentsFile = openTrustedDocumentsFile({
    path: config.manifest,
    watch: config.watch,
    pollIntervalMs: config.pollIntervalMs,
    logger,
    onLoaded: (documents) => metrics.trustedDocumentsLoaded.set(documents.byId.size),
    onReloadResult: (result) => metrics.trustedDocumentsReloads.inc({ result }),
  });
  const normalizedListed = new WeakMap<TrustedDocuments, Map<string, boolean>>();
  const loggedUnknown = new WeakMap<TrustedDocuments, Set<string>>();

  /** Listed as it is, or once whitespace, commas and comments are normalized (a text that does not parse is not listed). */
  const isListed = (documents: TrustedDocuments, text: string, textHash: string): boolean => {
    if (documents.byBodyHash.has(textHash)) return true;
    let remembered = normalizedListed.get(documents);
    if (!remembered) normalizedListed.set(documents, (remembered = new Map()));
    let listed = remembered.get(textHash);
    if (listed === undefined) {
      try {
        listed = documents.normalizedHashes.has(normalizedDocumentHash(text, options.parseOptions));
      } catch {
        listed = false;
      }
      if (remembered.size >= MAX_REMEMBERED_TEXTS) remembered.clear();
      remembered.set(textHash, listed);
    }
    return listed;
  };

  const logUnknown = (documents: TrustedDocuments, text: string, textHash: string, operationName: unknown, requestId: string) => {
    let logged = loggedUnknown.get(documents);
    if (!logged) loggedUnknown.set(documents, (logged = new Set()));
    if (logged.has(textHash) || logged.size >= MAX_LOGGED_UNKNOWN) return;
    logged.add(textHash);
    logger.warn(
      {
        event: 'trusted_document_unknown',
        requestId,
        mode: config.mode,
        operationName: typeof operationName === 'string' ? operationName : undefined,
        queryHash: textHash,
        query: text.length > LOGGED_TEXT_CHARS ? `${text.slice(0, LOGGED_TEXT_CHARS)}…` : text,
      },
      config.mode === 'enforce' ? 'operation refused: not in the trusted-documents manifest' : 'operation not in the trusted-documents manifest',
    );
  };

  return {
    prepare(request, { requestId, log }) {
      const documents = file.current();
      const fields = readRequestFields(request);
      if (fields.query === undefined || fields.query === '') {
        const id = fields.documentId ?? fields.apqHash;
        if (id === undefined) return { kind: 'run', request };
        const text = documents.byId.get(id) ?? documents.byBodyHash.get(id);
        if (text !== undefined) {
          metrics.trustedDocuments.inc({ result: 'by_id' });
          log.trustedDocument = 'id';
          return { kind: 'run', request: withOperationText(request, text) };
        }
        if (config.mode === 'enforce') return { kind: 'refuse', code: 'PERSISTED_QUERY_NOT_FOUND', headers: NOT_FOUND_HEADERS };
        // Not ours: maybe an APQ hash this gateway has stored (Apollo Server answers NOT_FOUND otherwise).
        return { kind: 'run', request: fields.documentId !== undefined ? asApqLookup(request, fields.documentId) : request };
      }
      if (config.mode === 'off') return { kind: 'run', request };
      const textHash = sha256Hex(fields.query);
      if (isListed(documents, fields.query, textHash)) {
        metrics.trustedDocuments.inc({ result: 'listed' });
        log.trustedDocument = 'listed';
        return { kind: 'run', request };
      }
      logUnknown(documents, fields.query, textHash, operationNameOf(request), requestId);
      if (config.mode === 'log-unknown') {
        metrics.trustedDocuments.inc({ result: 'unknown' });
        log.trustedDocument = 'unknown';
        return { kind: 'run', request };
      }
      metrics.trustedDocuments.inc({ result: 'refused' });
      log.trustedDocument = 'refused';
      return { kind: 'refuse', code: 'PERSISTED_QUERY_NOT_IN_LIST' };
    },
    stop: () => file.stop(),
  };
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const stringOrUndefined = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

function apqHashOf(extensions: unknown): string | undefined {
  return isObject(extensions) && isObject(extensions.persistedQuery) ? stringOrUndefined(extensions.persistedQuery.sha256Hash) : undefined;
}

/** A GET's `extensions` parameter as JSON; a malformed one is left for Apollo Server to refuse (400). */
function parseJsonParameter(value: string | null): unknown {
  if (value === null) return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

function readRequestFields(request: HTTPGraphQLRequest): RequestFields {
  if (request.method === 'POST') {
    const body = isObject(request.body) ? request.body : {};
    return { query: stringOrUndefined(body.query), documentId: stringOrUndefined(body.documentId), apqHash: apqHashOf(body.extensions) };
  }
  const params = new URLSearchParams(request.search);
  return {
    query: params.get('query') ?? undefined,
    documentId: params.get('documentId') ?? undefined,
    apqHash: apqHashOf(parseJsonParameter(params.get('extensions'))),
  };
}

function operationNameOf(request: HTTPGraphQLRequest): unknown {
  return request.method === 'POST' ? (isObject(request.body) ? request.body.operationName : undefined) : new URLSearchParams(request.search).get('operationName');
}

/** The request with `text` as its query, and without the id fields (the APQ hash would no longer match). */
function withOperationText(request: HTTPGraphQLRequest, text: string): HTTPGraphQLRequest {
  if (request.method === 'POST') {
    const { documentId: _documentId, extensions, ...body } = request.body as Record<string, unknown>;
    const rest = isObject(extensions) ? withoutPersistedQuery(extensions) : undefined;
    return { ...request, body: { ...body, query: text, ...(rest ? { extensions: rest } : {}) } };
  }
  const params = new URLSearchParams(request.search);
  params.delete('documentId');
  const extensions = parseJsonParameter(params.get('extensions'));
  if (isObject(extensions)) params.set('extensions', JSON.stringify(withoutPersistedQuery(extensions)));
  params.set('query', text);
  return { ...request, search: `?${params.toString()}` };
}

function withoutPersistedQuery(extensions: Record<string, unknown>): Record<string, unknown> {
  const { persistedQuery: _persistedQuery, ...rest } = extensions;
  return rest;
}

/** A `documentId` the manifest does not know, asked of Apollo Server's APQ store as a hash. */
function asApqLookup(request: HTTPGraphQLRequest, id: string): HTTPGraphQLRequest {
  const persistedQuery = { version: 1, sha256Hash: id };
  if (request.method === 'POST') {
    const { documentId: _documentId, ...body } = request.body as Record<string, unknown>;
    return { ...request, body: { ...body, extensions: { ...(isObject(body.extensions) ? body.extensions : {}), persistedQuery } } };
  }
  const params = new URLSearchParams(request.search);
  params.delete('documentId');
  const extensions = parseJsonParameter(params.get('extensions'));
  params.set('extensions', JSON.stringify({ ...(isObject(extensions) ? extensions : {}), persistedQuery }));
  return { ...request, search: `?${params.toString()}` };
}
