// Per-request rewritten operations (e.g. with unauthorized fields removed), handed from a plugin to
// the gateway executor. Apollo Server 5 makes requestContext.document/queryHash readonly, and
// @apollo/gateway keys its query-plan cache by queryHash: a rewritten document therefore carries
// its own hash, or a plan made for one caller's scopes would serve another caller.
import { createHash } from 'node:crypto';
import { print, type DocumentNode } from 'graphql';

export interface RewrittenOperation {
  readonly document: DocumentNode;
  /** sha256 of the printed rewritten document: the query-plan cache key. */
  readonly queryHash: string;
}

const rewrites = new WeakMap<object, RewrittenOperation>();

/** Records the document the executor must run for this request (keyed by its context object). */
export function setRewrittenOperation(contextValue: object, document: DocumentNode): RewrittenOperation {
  const rewritten = { document, queryHash: createHash('sha256').update(print(document)).digest('hex') };
  rewrites.set(contextValue, rewritten);
  return rewritten;
}

export function getRewrittenOperation(contextValue: object): RewrittenOperation | undefined {
  return rewrites.get(contextValue);
}
