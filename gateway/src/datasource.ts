// Every subgraph fetch goes through this datasource (built by ApolloGateway's buildService), so that
// subgraph-facing concerns live in one place: the routing URL override, the signed identity header,
// the request ID, a per-fetch timeout, and errors that never leak subgraph URLs or bodies.
import { RemoteGraphQLDataSource } from '@apollo/gateway';
// Not re-exported from the package root; the package has no exports map, so the deep path is stable.
import { GraphQLDataSourceRequestKind } from '@apollo/gateway/dist/datasources/types.js';
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { Agent } from 'undici';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { GATEWAY_IDENTITY_HEADER, signGatewayIdentity, type ForwardedIdentity } from '@federation-gateway/identity';
import type { GatewayContext } from './context.js';
import { gatewayError } from './errors.js';
import { createSubgraphFetcher, SubgraphTimeoutError } from './subgraphFetcher.js';
import { subgraphRefusalOf, type SubgraphRefusal } from './subgraphRefusal.js';
import { isQueryOperation, SubgraphUnavailableError, type SubgraphCaller } from './subgraphResilience.js';

/**
 * Headers a client must never be able to set on a subgraph request: subgraphs trust only the
 * signed identity the gateway computes from verified credentials.
 */
export const INTERNAL_HEADERS = ['x-gateway-identity', 'x-user-id', 'x-user-scopes', 'x-user-roles', 'x-gateway-signature'] as const;

export interface SubgraphDataSourceOptions {
  name: string;
  url: string;
  /** Per-fetch deadline in ms; beyond it the field gets GATEWAY_TIMEOUT. */
  timeoutMs: number;
  /** Shared secret for `x-gateway-identity`; undefined sends no identity header. */
  identitySecret: string | undefined;
  /** Lower-case client header names copied onto every request to this subgraph. */
  propagateHeaders: readonly string[];
  /** The gateway's keep-alive pool for subgraph connections. */
  connectionPool: Agent;
  /** Retries and circuit breaker of this subgraph (kept across hot reloads). */
  caller: SubgraphCaller;
  /** Called when the subgraph refuses a request with 401/403 (usually the gateway's identity), to log why. */
  onRefused?: (subgraph: string, refusal: SubgraphRefusal) => void;
}

export function forwardedIdentityOf(context: GatewayContext | undefined): ForwardedIdentity {
  const auth = context?.auth;
  if (!auth) return { subject: null, scopes: [], roles: [], kind: 'anonymous', tier: 'anonymous' };
  return { subject: auth.subject, scopes: auth.scopes, roles: auth.roles, kind: auth.kind, tier: auth.tier };
}

export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  private readonly subgraphName: string;
  private readonly identitySecret: string | undefined;
  private readonly propagateHeaders: readonly string[];
  private readonly caller: SubgraphCaller;
  private readonly onRefused: SubgraphDataSourceOptions['onRefused'];

  constructor(options: SubgraphDataSourceOptions) {
    super({ url: options.url });
    this.subgraphName = options.name;
    this.identitySecret = options.identitySecret;
    this.propagateHeaders = options.propagateHeaders;
    this.caller = options.caller;
    this.onRefused = options.onRefused;
    // Apollo's default fetcher is make-fetch-happen with no timeout (a known trap); ours has a deadline.
    this.fetcher = createSubgraphFetcher({ timeoutMs: options.timeoutMs, dispatcher: options.connectionPool, subgraphName: options.name });
  }

  override async willSendRequest(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<void> {
    const headers = options.request.http!.headers;
    for (const name of INTERNAL_HEADERS) headers.delete(name);
    const context = options.kind === GraphQLDataSourceRequestKind.INCOMING_OPERATION ? options.context : undefined;
    const requestId = context?.requestId;
    for (const name of this.propagateHeaders) {
      const value = context?.req.headers[name];
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    if (requestId) headers.set('x-request-id', requestId);
    if (this.identitySecret) {
      headers.set(
        GATEWAY_IDENTITY_HEADER,
        await signGatewayIdentity({
          secret: this.identitySecret,
          audience: this.subgraphName,
          identity: forwardedIdentityOf(context),
          requestId: requestId ?? 'gateway-internal',
        }),
      );
    }
  }

  /** Turns transport failures into coded field errors at the path the fetch was for. */
  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    // Only a query may be sent twice: see subgraphResilience.ts.
    const retryable = options.kind === GraphQLDataSourceRequestKind.INCOMING_OPERATION && isQueryOperation(options.document, options.request.query);
    try {
      return await this.caller.call(() => super.process(options), { retryable });
    } catch (error) {
      const fetchPath =
        options.kind === GraphQLDataSourceRequestKind.INCOMING_OPERATION
          ? options.pathInIncomingRequest?.filter((segment) => segment !== '@')
          : undefined;
      // A root fetch has an empty path: the error then belongs to the whole response, not a field.
      const path = fetchPath && fetchPath.length > 0 ? fetchPath : undefined;
      const refusal = subgraphRefusalOf(error, this.subgraphName);
      if (refusal) this.onRefused?.(this.subgraphName, refusal);
      const detail = { serviceName: this.subgraphName, reason: refusal ? `${refusal.status}: ${refusal.reason}` : (error as Error).message };
      if (error instanceof SubgraphUnavailableError) {
        throw gatewayError('SUBGRAPH_UNAVAILABLE', { path, extensions: { serviceName: this.subgraphName, internal: detail } });
      }
      if (error instanceof SubgraphTimeoutError) {
        throw gatewayError('GATEWAY_TIMEOUT', { path, extensions: { serviceName: this.subgraphName, internal: detail } });
      }
      throw gatewayError('DOWNSTREAM_SERVICE_ERROR', { path, extensions: { serviceName: this.subgraphName, internal: detail } });
    }
  }
}
