// What, besides the operation text, its name and variables, decides a subgraph's answer and so must be part
// of a response-cache key: the supergraph (a hot reload must never serve an answer computed against the old
// schema), the client headers the gateway passes on to subgraphs (propagateHeaders), and for PRIVATE
// answers the caller's identity exactly as subgraphs receive it.
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { GraphQLSchema } from 'graphql';
import type { GatewayConfig } from '../config.js';
import type { GatewayContext } from '../context.js';
import { forwardedIdentityOf } from '../datasource.js';
import type { SupergraphRegistry } from '../supergraph/supergraphRegistry.js';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * The version of the supergraph behind an API schema: the SHA-256 of the SDL handed to @apollo/gateway.
 * Content, not load time: two instances serving the same file share entries, a reload to a new file
 * starts afresh, and reloading identical content keeps them.
 */
export function createSupergraphVersions(registry: SupergraphRegistry): (schema: GraphQLSchema) => string {
  const versions = new WeakMap<GraphQLSchema, string>();
  return (schema) => {
    let version = versions.get(schema);
    if (!version) versions.set(schema, (version = sha256(registry.supergraphFor(schema).sdlForGateway)));
    return version;
  };
}

/**
 * The caller as subgraphs see it (the signed identity's claims: subject, kind, tier, scopes, roles), hashed;
 * null for anonymous callers (their PRIVATE answers are not cached). Scopes and roles are sorted: the same
 * grants in another order are the same caller.
 */
export function callerCacheKey(context: GatewayContext): string | null {
  if (!context.auth) return null;
  const identity = forwardedIdentityOf(context);
  const canonical = Object.entries(identity)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => [name, Array.isArray(value) ? [...(value as string[])].sort() : value]);
  return sha256(JSON.stringify(canonical));
}

/** Every client header any subgraph receives (subgraphDefaults.propagateHeaders and each subgraph's own), sorted. */
export function propagatedHeaderNames(config: Pick<GatewayConfig, 'subgraphDefaults' | 'subgraphs'>): string[] {
  const names = new Set(config.subgraphDefaults.propagateHeaders);
  for (const subgraph of Object.values(config.subgraphs)) for (const name of subgraph.propagateHeaders ?? []) names.add(name);
  return [...names].sort();
}

/** The values of `names` on this request, as the datasource passes them on (repeated headers joined). */
export function headerValues(req: IncomingMessage, names: readonly string[]): Record<string, string | null> {
  const values: Record<string, string | null> = {};
  for (const name of names) {
    const value = req.headers[name];
    values[name] = value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
  }
  return values;
}
