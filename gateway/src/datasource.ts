// Every subgraph fetch goes through this datasource (built by ApolloGateway's buildService), so that
// subgraph-facing concerns live in one place: the routing URL override, the signed identity header,
// the request ID, a per-fetch timeout, entity deduplication (entityFanOut.ts), response size caps, and
// errors that never leak subgraph URLs or bodies.
//
// `process()` is RemoteGraphQLDataSource's, made lean: the same hooks in the same order (`willSendRequest`
// on `request.http.headers`, `errorFromResponse` for a non-2xx answer, `respond` for `didReceiveResponse`
// and the subgraph's cache-control hint), without the objects upstream builds per fetch for the Fetcher
// interface (node-fetch Headers and an unused Request, a WHATWG Headers and a Response-like object for the
// answer, the body parsed behind two promises). Every subgraph call passes through `exchange()`: the one
// place to wrap a fetch (spans, per-subgraph metrics). What it bought is in bench/RESULTS.md ("Profile and levers").
import { RemoteGraphQLDataSource } from '@apollo/gateway';
// Not re-exported from the package root; the package has no exports map, so the deep path is stable.
import { GraphQLDataSourceRequestKind } from '@apollo/gateway/dist/datasources/types.js';
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { Agent } from 'undici';
import type { GatewayGraphQLRequest, GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { GATEWAY_IDENTITY_HEADER, type ForwardedIdentity } from '@federation-gateway/identity';
import type { GatewayContext } from './context.js';
import { gatewayError, type ErrorCode } from './errors.js';
import { INTERNAL_HEADERS } from './internalHeaders.js';
import { FanOutTooLargeError, fanOutEntities, planRepresentations, type RepresentationPlan } from './entityFanOut.js';
import { PlainHeaders } from './plainHeaders.js';
import { asFetcherResponse, postToSubgraph, SubgraphResponseTooLargeError, SubgraphTimeoutError, type SubgraphExchangeOptions } from './subgraphFetcher.js';
import { subgraphRefusalOf, type SubgraphRefusal } from './subgraphRefusal.js';
import { signSubgraphRequest, type SubgraphRequestSigner } from './subgraphRequestSigning.js';
import { isQueryOperation, statusOf, SubgraphUnavailableError, type SubgraphCaller } from './subgraphResilience.js';
import type { SubgraphFetchTrace } from './tracing/requestTrace.js';

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
  /** Told of every fetch for a client operation once it is answered or failed (retries included), for metrics. */
  onFetched?(report: SubgraphFetchReport): void;
}

export interface SubgraphFetchReport {
  /** From the first attempt until the answer was read (or the fetch failed), in seconds. */
  durationSeconds: number;
  /** The gateway's code for a failed fetch (no answer); undefined when the subgraph answered. */
  failureCode?: ErrorCode;
  /** The GraphQL errors of the subgraph's answer. */
  errors?: readonly { extensions?: Record<string, unknown> }[];
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
  private readonly signer: SubgraphRequestSigner | undefined;
  private readonly propagateHeaders: readonly string[];
  private readonly caller: SubgraphCaller;
  private readonly onRefused: SubgraphDataSourceOptions['onRefused'];
  private readonly onDeduplicated: SubgraphDataSourceOptions['onDeduplicated'];
  private readonly exchangeOptions: SubgraphExchangeOptions;
  private readonly onFetched: SubgraphDataSourceOptions['onFetched'];

  constructor(options: SubgraphDataSourceOptions) {
    super({ url: options.url });
    this.subgraphName = options.name;
    this.signer = options.identity && { ...options.identity, audience: options.name };
    this.propagateHeaders = options.propagateHeaders;
    this.caller = options.caller;
    this.onRefused = options.onRefused;
    this.maxResponseBytes = options.maxResponseBytes;
    this.onDeduplicated = options.onDeduplicated;
    this.onFetched = options.onFetched;
    // Apollo's default fetcher (make-fetch-happen, no timeout: a known trap) is never used: process()
    // exchanges through postToSubgraph, with a deadline and a size cap.
    this.exchangeOptions = {
      timeoutMs: options.timeoutMs,
      maxResponseBytes: options.maxResponseBytes,
      dispatcher: options.connectionPool,
      subgraphName: options.name,
    };
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
    // The identity is signed in process(), over the body it sends (subgraphRequestSigning.ts).
  }

  /**
   * One subgraph fetch: headers through `willSendRequest`, the body serialized once, sent (under the breaker,
   * retried for queries only), parsed once, returned through upstream's `respond`; transport failures become
   * coded field errors at the path the fetch was for.
   */
  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    const incoming = options.kind === GraphQLDataSourceRequestKind.INCOMING_OPERATION;
    const budget = incoming ? options.context?.responseBudget : undefined;
    // Only a query may be sent twice: see subgraphResilience.ts.
    const retryable = incoming && isQueryOperation(options.document, options.request.query);
    const plan = incoming ? deduplicateRepresentations(options.request) : undefined;
    if (plan) this.onDeduplicated?.(plan.unique.length, plan.uniqueIndexOf.length);
    try {
      if (budget?.exceeded) throw new ResponseBudgetExceededError(`response budget of ${budget.limitBytes} bytes already spent`);
      const { request } = options;
      const headers = new PlainHeaders(request.http?.headers);
      headers.set('content-type', 'application/json');
      request.http = { method: 'POST', url: this.url, headers };
      await this.willSendRequest(options);
      if (!request.query) throw new Error('Missing query');
      // The same body upstream sends: the request without `http`, `query` first.
      const body = JSON.stringify({ query: request.query, variables: request.variables, operationName: request.operationName, extensions: request.extensions });
      const url = request.http.url;
      const context = incoming ? options.context : undefined;
      // Its span's traceparent, set after willSendRequest removed any client-sent one (internalHeaders.ts).
      const fetchTrace = context?.trace?.startSubgraphFetch(this.subgraphName, url, this.caller.circuitState());
      if (fetchTrace) for (const [name, value] of Object.entries(fetchTrace.headers)) headers.set(name, value);
      if (this.signer) {
        const caller = { identity: forwardedIdentityOf(context), requestId: context?.requestId ?? 'gateway-internal' };
        headers.set(GATEWAY_IDENTITY_HEADER, await signSubgraphRequest(this.signer, caller, body));
      }
      const outgoing = { headers: headers.toRecord(), body };
      const callOptions = fetchTrace ? { retryable, onRetry: (attempt: number, failure: unknown) => fetchTrace.retrying(attempt, retryReasonOf(failure)) } : { retryable };
      const send = () => this.caller.call(() => this.exchange(url, outgoing), callOptions);
      const { response, bytes: receivedBytes } = await this.fetchReported(fetchTrace ? () => traced(fetchTrace, send) : send, incoming);
      const responded = await this.respondUpstream(options, response);
      let bytes = receivedBytes;
      let result = responded;
      if (plan) {
        const fanned = fanOutEntities(responded, plan, this.maxResponseBytes - bytes);
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
      const code = gatewayCodeOf(error);
      // At the field, without an HTTP status: a query's whole answer becomes the request error (federation.ts);
      // a mutation keeps its partial data.
      throw gatewayError(code, { path, extensions, ...(code === 'RESPONSE_TOO_LARGE' ? { fieldError: true } : {}) });
    }
  }

  /** Runs one fetch (with its retries) and reports its duration and outcome, for a client operation's fetch only. */
  private async fetchReported<T extends { response: GatewayGraphQLResponse }>(fetch: () => Promise<T>, incoming: boolean): Promise<T> {
    if (!incoming || !this.onFetched) return fetch();
    const startedAt = performance.now();
    const durationSeconds = () => (performance.now() - startedAt) / 1000;
    let answer: T;
    try {
      answer = await fetch();
    } catch (error) {
      this.onFetched({ durationSeconds: durationSeconds(), failureCode: gatewayCodeOf(error) });
      throw error;
    }
    this.onFetched({ durationSeconds: durationSeconds(), errors: answer.response.errors });
    return answer;
  }

  /**
   * One HTTP exchange with the subgraph and the parse of its answer, as upstream's `sendRequest` does it: a
   * non-2xx answer becomes `errorFromResponse`'s GraphQLError (`extensions.response` with the status, read by
   * the breaker, the retry rule and subgraphRefusal.ts); a JSON content type is parsed; anything else must
   * still be an object. Runs once per attempt, inside the caller (breaker and retries).
   */
  private async exchange(url: string, outgoing: { headers: Record<string, string>; body: string }): Promise<{ response: GatewayGraphQLResponse; bytes: number }> {
    const answer = await postToSubgraph(url, outgoing, this.exchangeOptions);
    if (answer.status < 200 || answer.status >= 300) throw await this.errorFromResponse(asFetcherResponse(url, answer));
    const contentType = answer.headers.get('content-type');
    const json = contentType !== null && (contentType.startsWith('application/json') || contentType.startsWith('application/graphql-response+json'));
    const parsed: unknown = json ? JSON.parse(answer.text) : answer.text;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`Expected JSON response body, but received: ${String(parsed)}`);
    const response = parsed as GatewayGraphQLResponse & { http?: unknown };
    // Upstream spreads the body into a new object with `http`; the parsed object is ours, so it is set in place.
    response.http = { headers: answer.headers, status: answer.status };
    return { response, bytes: answer.bytes };
  }

  /** Upstream's `respond`: `didReceiveResponse`, then the subgraph's cache-control hint on the operation's policy. */
  private respondUpstream(options: GraphQLDataSourceProcessOptions<GatewayContext>, response: GatewayGraphQLResponse): Promise<GatewayGraphQLResponse> {
    const incoming = options.kind === GraphQLDataSourceRequestKind.INCOMING_OPERATION;
    const policy = incoming ? options.incomingRequestContext.overallCachePolicy : undefined;
    const overallCachePolicy = this.honorSubgraphCacheControlHeader && policy && 'restrict' in policy ? policy : null;
    // `respond` is private in the typings but part of the class at runtime (pinned @apollo/gateway 2.14.4);
    // test/unit/gateway/datasourceLeanProcess.test.ts fails if it ever disappears or stops applying the hint.
    const upstream = this as unknown as { respond(args: UpstreamRespondArgs): Promise<GatewayGraphQLResponse> };
    return upstream.respond({
      response,
      request: options.request,
      context: options.context,
      overallCachePolicy,
      pathInIncomingRequest: incoming ? options.pathInIncomingRequest : undefined,
    });
  }
}

/** Ends the fetch's span with what the subgraph answered, or why the fetch failed. */
async function traced<T extends { response: GatewayGraphQLResponse }>(fetchTrace: SubgraphFetchTrace, fetch: () => Promise<T>): Promise<T> {
  let answer: T;
  try {
    answer = await fetch();
  } catch (error) {
    fetchTrace.end({ status: statusOf(error), errorCode: gatewayCodeOf(error) });
    throw error;
  }
  fetchTrace.end({ status: answer.response.http?.status, graphqlErrors: answer.response.errors?.length });
  return answer;
}

/** Why an attempt failed, for the retry's span event: the subgraph's status or the network error's code. */
function retryReasonOf(failure: unknown): string {
  const status = statusOf(failure);
  if (status !== undefined) return `HTTP ${status}`;
  const code = (failure as { code?: unknown; cause?: { code?: unknown } })?.code ?? (failure as { cause?: { code?: unknown } })?.cause?.code;
  return typeof code === 'string' ? code : (failure as Error)?.name ?? 'error';
}

/** The gateway's code for a fetch that failed (the datasource answers its fields with it). */
function gatewayCodeOf(error: unknown): ErrorCode {
  if (error instanceof SubgraphUnavailableError) return 'SUBGRAPH_UNAVAILABLE';
  if (error instanceof SubgraphTimeoutError) return 'GATEWAY_TIMEOUT';
  if (error instanceof SubgraphResponseTooLargeError || error instanceof FanOutTooLargeError) return 'SUBGRAPH_RESPONSE_TOO_LARGE';
  if (error instanceof ResponseBudgetExceededError) return 'RESPONSE_TOO_LARGE';
  return 'DOWNSTREAM_SERVICE_ERROR';
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

interface UpstreamRespondArgs {
  response: GatewayGraphQLResponse;
  request: GatewayGraphQLRequest;
  context: GatewayContext | Record<string, unknown>;
  overallCachePolicy: unknown;
  pathInIncomingRequest: unknown;
}
