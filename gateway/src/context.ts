// The per-request context every plugin and the datasource share; built once per request.
import type { IncomingMessage } from 'node:http';
import type { AuthIdentity } from './auth/authIdentity.js';
import type { ResponseBudget } from './responseBudget.js';
import type { RequestPolicyState } from './policy/requestPolicyState.js';
import type { RequestTrace } from './tracing/requestTrace.js';

/** A caller whose credentials the gateway verified (JWT or API key). */
export type { AuthIdentity };

/** Fields plugins add to the request's single access-log line (written by the HTTP layer). */
export interface RequestLogFields {
  operationName?: string | null;
  operationType?: string;
  errorCodes: string[];
  /** Demand control: the operation's estimated cost, and its actual cost once executed. */
  cost?: { estimated?: number; actual?: number };
  /** Response cache: whether the answer came from the cache (absent: no lookup, e.g. a mutation). */
  responseCache?: 'hit' | 'miss';
  /** Trusted documents: sent by id, listed text, unknown text (run, mode log-unknown) or refused. */
  trustedDocument?: 'id' | 'listed' | 'unknown' | 'refused';
}

export interface GatewayContext {
  requestId: string;
  /** The client's address as the gateway trusts it (see trusted proxies). */
  clientIp: string;
  /** null for anonymous callers. */
  auth: AuthIdentity | null;
  /** The raw Node request, for plugins that need headers beyond Apollo's HeaderMap. */
  req: IncomingMessage;
  /** Annotations for this request's access-log line. */
  requestLog: RequestLogFields;
  /** Bytes this operation may still take from subgraphs (server.maxResponseBytes). */
  responseBudget: ResponseBudget;
  /** Set by the policy pipeline (gateway/src/policy/policyPipeline.ts) once it admitted the operation. */
  policy?: RequestPolicyState;
  /** This request's spans, when tracing is on (gateway/src/tracing/). */
  trace?: RequestTrace;
}

/** Resolves a request's credentials; throws a GraphQLError (UNAUTHENTICATED, 401) on bad ones. */
export type Authenticate = (req: IncomingMessage) => Promise<AuthIdentity | null>;

export const anonymous: Authenticate = async () => null;
