// Every subgraph fetch goes through this datasource (built by ApolloGateway's buildService), so that
// subgraph-facing concerns live in one place: the routing URL override, the signed identity header,
// the request ID, a per-fetch timeout, entity deduplication (entityFanOut.ts), response size caps, and
// errors that never leak subgraph URLs or bodies.
import { RemoteGraphQLDataSource } from '@apollo/gateway';
// Not re-exported from the package root; the package has no exports map, so the deep path is stable.
import { GraphQLDataSourceRequestKind } from '@apollo/gateway/dist/datasources/types.js';
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { Agent } from 'undici';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import type { ForwardedIdentity } from '@federation-gateway/identity';
import type { GatewayContext } from './context.js';
import { gatewayError } from './errors.js';
import { INTERNAL_HEADERS } from './internalHeaders.js';
import { FanOutTooLargeError, fanOutEntities, planRepresentations, type RepresentationPlan } from './entityFanOut.js';
import { createSubgraphFetcher, receivedBodyBytes, SubgraphResponseTooLargeError, SubgraphTimeoutError } from './subgraphFetcher.js';
import { subgraphRefusalOf, type SubgraphRefusal } from './subgraphRefusal.js';
import { parkIdentity, withSignedIdentity, type SubgraphRequestSigner } from './subgraphRequestSigning.js';
import { isQueryOperation, SubgraphUnavailableError, type SubgraphCaller } from './subgraphResilience.js';

export interface SubgraphDataSourceOptions {
  name: string;
  url: string;
  /** Per-fetch deadline in ms; beyond it the field gets GATEWAY_TIMEOUT. */
  timeoutMs: number;
  /** Largest answer of one fetch in bytes (fanned-back copies included); beyond it SUBGRAPH_RESPONSE_TOO_LARGE. */
  maxResponseBytes: number;
  /** Signs `x-gateway-identity` (secret and token lifetime); undefined sends no identity header. */
  identity: Omit<SubgraphRequestSigner, 'audience'> | undefined;
  /** Lower-case client header names copied onto every request to this subgraph. */
  propagateHeaders: readonly string[];
  /** The gateway's keep-alive pool for subgraph connections. */
  connectionPool: Agent;
  /** Retries and circuit breaker of this subgraph (kept across hot reloads). */
  caller: SubgraphCaller;
  /** Called when the subgraph refuses a request with 401/403 (usually the gateway's identity), to log why. */
  onRefused?: (subgraph: string, refusal: SubgraphRefusal) => void;
  /** Told how many representations one fetch did not send (duplicates), for metrics and debug logs. */
  onDeduplicated?(sent: number, received: number): void;
}

export function forwardedIdentityOf(context: GatewayContext | undefined): ForwardedIdentity {
  const auth = context?.auth;
  if (!auth) return { subject: null, scopes: [], roles: [], kind: 'anonymous', tier: 'anonymous' };
  return { subject: auth.subject, scopes: auth.scopes, roles: auth.roles, kind: auth.kind, tier: auth.tier };
}

/** This request's response budget is spent: the fetch is not sent (federation.ts answers RESPONSE_TOO_LARGE). */
class ResponseBudgetExceededError extends Error {
  override name = 'ResponseBudgetExceededError';
}

export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  private readonly subgraphName: string;
  private readonly maxResponseBytes: number;
  private readonly signsIdentity: boolean;
  private readonly propagateHeaders: readonly string[];
  private readonly caller: SubgraphCaller;
  private readonly onRefused: SubgraphDataSourceOptions['onRefused'];
  private readonly onDeduplicated: SubgraphDataSourceOptions['onDeduplicated'];

  constructor(options: SubgraphDataSourceOptions) {
    super({ url: options.url });
    this.subgraphName = options.name;
    this.signsIdentity = options.identity !== undefined;
    this.propagateHeaders = options.propagateHeaders;
    this.caller = options.caller;
    this.onRefused = options.onRefused;
    this.maxResponseBytes = options.maxResponseBytes;
    this.onDeduplicated = options.onDeduplicated;
    // Apollo's default fetcher is make-fetch-happen with no timeout (a known trap); ours has a deadline.
    // Wrapped: only the fetcher sees the exact body bytes the identity token is bound to.
    this.fetcher = withSignedIdentity(
      createSubgraphFetcher({
        timeoutMs: options.timeoutMs,
        maxResponseBytes: options.maxResponseBytes,
        dispatcher: options.connectionPool,
        subgraphName: options.name,
      }),
      options.identity && { ...options.identity, audience: options.name },
    );
  }

  override willSendRequest(options: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const headers = options.request.http!.headers;
    for (const name of INTERNAL_HEADERS) headers.delete(name);
    const context = options.kind === GraphQLDataSourceRequestKind.INCOMING_OPERATION ? options.context : undefined;
    const requestId = context?.requestId;
    for (const name of this.propagateHeaders) {
      const value = context?.req.headers[name];
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    if (requestId) headers.set('x-request-id', requestId);
    // Signed by the fetcher, over the body it sends (subgraphRequestSigning.ts).
    if (this.signsIdentity) parkIdentity(headers, forwardedIdentityOf(context), requestId ?? 'gateway-internal');
  }

  /** Turns transport failures into coded field errors at the path the fetch was for. */
  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    const incoming = options.kind === GraphQLDataSourceRequestKind.INCOMING_OPERATION;
    const budget = incoming ? options.context?.responseBudget : undefined;
    // Only a query may be sent twice: see subgraphResilience.ts.
    const retryable = incoming && isQueryOperation(options.document, options.request.query);
    const plan = incoming ? deduplicateRepresentations(options.request) : undefined;
    if (plan) this.onDeduplicated?.(plan.unique.length, plan.uniqueIndexOf.length);
    try {
      if (budget?.exceeded) throw new ResponseBudgetExceededError(`response budget of ${budget.limitBytes} bytes already spent`);
      const response = await this.caller.call(() => super.process(options), { retryable });
      let bytes = receivedBodyBytes(response.http);
      let result = response;
      if (plan) {
        const fanned = fanOutEntities(response, plan, this.maxResponseBytes - bytes);
        result = fanned.response;
        bytes += fanned.extraBytes;
      }
      // A mutation's answer is never thrown away once received (it may have changed data); the budget then
      // only stops the fetches after it.
      const mutation = incoming && options.incomingRequestContext.operation?.operation === 'mutation';
      if (budget && !budget.charge(bytes) && !mutation) {
        throw new ResponseBudgetExceededError(`${budget.usedBytes} bytes taken from subgraphs, over ${budget.limitBytes}`);
      }
      return result;
    } catch (error) {
      const fetchPath = incoming ? options.pathInIncomingRequest?.filter((segment) => segment !== '@') : undefined;
      // A root fetch has an empty path: the error then belongs to the whole response, not a field.
      const path = fetchPath && fetchPath.length > 0 ? fetchPath : undefined;
      const refusal = subgraphRefusalOf(error, this.subgraphName);
      if (refusal) this.onRefused?.(this.subgraphName, refusal);
      const detail = { serviceName: this.subgraphName, reason: refusal ? `${refusal.status}: ${refusal.reason}` : (error as Error).message };
      const extensions = { serviceName: this.subgraphName, internal: detail };
      if (error instanceof SubgraphUnavailableError) throw gatewayError('SUBGRAPH_UNAVAILABLE', { path, extensions });
      if (error instanceof SubgraphTimeoutError) throw gatewayError('GATEWAY_TIMEOUT', { path, extensions });
      if (error instanceof SubgraphResponseTooLargeError || error instanceof FanOutTooLargeError) {
        throw gatewayError('SUBGRAPH_RESPONSE_TOO_LARGE', { path, extensions });
      }
      // At the field, without an HTTP status: a query's whole answer becomes the request error (federation.ts);
      // a mutation keeps its partial data.
      if (error instanceof ResponseBudgetExceededError) throw gatewayError('RESPONSE_TOO_LARGE', { path, extensions, fieldError: true });
      throw gatewayError('DOWNSTREAM_SERVICE_ERROR', { path, extensions });
    }
  }
}

/**
 * Sends each distinct entity representation once (see entityFanOut.ts): rewrites the fetch's
 * `representations` and returns the plan to fan the answer back with, or undefined when there is nothing
 * to deduplicate (not an `_entities` fetch, or every representation distinct).
 */
function deduplicateRepresentations(request: GraphQLDataSourceProcessOptions<GatewayContext>['request']): RepresentationPlan | undefined {
  const representations: unknown = request.variables?.representations;
  if (!Array.isArray(representations)) return undefined;
  const plan = planRepresentations(representations);
  if (plan) request.variables = { ...request.variables, representations: plan.unique };
  return plan;
}
