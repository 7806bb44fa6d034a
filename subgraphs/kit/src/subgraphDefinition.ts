// What a subgraph hands to the kit: its name, its schema file and its resolvers. Everything else
// (HTTP, identity verification, health, logging, shutdown) is the kit's job.
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import type { IncomingHttpHeaders } from 'node:http';
import type { ForwardedIdentity } from '@federation-gateway/identity';

/** The part of every request context the kit provides. */
export interface BaseSubgraphContext {
  /** Who the gateway says the caller is; null when the kit runs with `--insecure-allow-unsigned`. */
  identity: ForwardedIdentity | null;
  /** The gateway's request id (`x-request-id`, else the token's `jti`), or a fresh UUID. */
  requestId: string;
  /**
   * The request's headers as the gateway sent them (client headers arrive only when the gateway's
   * `propagateHeaders` lists them). Never trust them for identity: that is `identity`'s job.
   */
  headers: Readonly<IncomingHttpHeaders>;
  /**
   * Aborted when the gateway gives up on this request (its connection closes before the answer is sent).
   * The kit then stops calling resolvers; pass it to REST calls and long work so they stop too.
   */
  signal: AbortSignal;
}

export type SubgraphContext<TExtra extends object> = BaseSubgraphContext & TExtra;

export interface SubgraphDefinition<TExtra extends object = Record<string, never>> {
  /** The subgraph name as in rover.yaml: the audience of identity tokens and the env port prefix (USERS_PORT). */
  name: string;
  /** Path or file URL of the subgraph's schema.graphql, the single source of its SDL. */
  schemaFile: string | URL;
  resolvers: GraphQLResolverMap<SubgraphContext<TExtra>>;
  /**
   * Called once per request: return fresh per-request state here (DataLoaders), so batching and caching
   * never leak between callers.
   */
  createContext?: (base: BaseSubgraphContext) => TExtra;
  /**
   * Data-layer call counts, served on `GET /debug/data-layer-calls` when the env SUBGRAPH_DEBUG_COUNTERS=1
   * (tests use it to prove batching). Omit when the subgraph has nothing to count.
   */
  debugCounters?: () => Record<string, number>;
}
