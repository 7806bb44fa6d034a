// The one list of headers a client can never pass through the gateway to a subgraph. config.ts refuses
// them in `propagateHeaders`, and the datasource deletes them from every subgraph request before it sets
// its own, so the two can never drift apart again.
import { GATEWAY_IDENTITY_HEADER } from '@federation-gateway/identity';
import { PARKED_IDENTITY_HEADER } from './subgraphRequestSigning.js';

/**
 * Headers subgraphs trust because only the gateway sets them: the signed identity and the request ID
 * (set by the datasource), plus identity headers of common older setups (x-user-id, …) that a subgraph
 * might still read: a client-sent value of any of them would be a forged identity.
 */
export const INTERNAL_HEADERS = [
  GATEWAY_IDENTITY_HEADER,
  // The caller between willSendRequest and the fetcher that signs it (subgraphRequestSigning.ts).
  PARKED_IDENTITY_HEADER,
  'x-request-id',
  'x-user-id',
  'x-user-scopes',
  'x-user-roles',
  'x-gateway-signature',
  // W3C trace context: the gateway sends its own (its fetch span as the parent) when tracing is on, and never
  // the client's: an untrusted client's context must not reach subgraph traces (see tracing/tracingConfig.ts).
  'traceparent',
  'tracestate',
] as const;

/** Hop-by-hop and framing headers of the client's own connection: meaningless on the subgraph connection. */
export const CONNECTION_HEADERS = [
  'host',
  'connection',
  'keep-alive',
  'content-length',
  'content-type',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'proxy-authorization',
] as const;

/** Header names (lower case) that `propagateHeaders` may not list. */
export const NON_PROPAGATABLE_HEADERS: ReadonlySet<string> = new Set<string>([...INTERNAL_HEADERS, ...CONNECTION_HEADERS]);
