// Limits a subgraph applies to every operation itself, so that a caller who reaches it without the gateway
// (a leaked identity token, an internal service, `--insecure-allow-unsigned`) cannot send what the gateway
// would refuse. graphql-armor counts (as in the gateway's plugins/operationLimits.ts); the defaults sit above
// the gateway's, because the gateway's own subgraph fetches must always pass: an entity fetch adds
// `_entities` and a type condition around the client's selection, and the planner adds key fields.
// The cost is graphql-armor's with unit weights: field selections with fragments expanded, times literal
// `first`/`last` page sizes. It stops fragment bombs and huge literal pages; it knows no variables, which
// the gateway's demand control (estimated from variables and @listSize) covers before any fetch is sent.
// The guards that apply them (graphql-armor, Apollo Server plugins) are in subgraphOperationGuards.ts: this
// module is part of the kit's public API, and its declarations stay free of @apollo/server's types, which
// every program compiling against the kit would otherwise parse (~100 declaration files).

export interface SubgraphOperationLimits {
  /** Deepest selection nesting, introspection included. @default 20 (the gateway allows 15 by default) */
  maxDepth: number;
  /** Aliases per operation. @default 100 (gateway: 50) */
  maxAliases: number;
  /** Directives per operation. @default 100 (gateway: 50) */
  maxDirectives: number;
  /** Lexical tokens per document (bounds parser work). @default 20000 (gateway: 5000; fetches add key fields) */
  maxTokens: number;
  /**
   * Field selections, fragments expanded, times literal first/last page sizes (graphql-armor's cost with unit
   * weights). @default 50000 (what the gateway admits by default, ≤ 2,000 expanded fields at an estimated
   * cost ≤ 1,000 objects, stays far below it)
   */
  maxCost: number;
}

export const DEFAULT_SUBGRAPH_OPERATION_LIMITS: Readonly<SubgraphOperationLimits> = Object.freeze({
  maxDepth: 20,
  maxAliases: 100,
  maxDirectives: 100,
  maxTokens: 20_000,
  maxCost: 50_000,
});
