// The caller's identity, signed into each subgraph request and bound to the exact body bytes sent
// (`bodySha256` in @federation-gateway/identity): a recorded `x-gateway-identity` header is worthless with
// any other query, variables or operation name, and expires seconds later.
//
// The datasource's process() (datasource.ts) holds the caller and the serialized body in one place and
// calls `signSubgraphRequest` once per fetch, after willSendRequest and before sending.
import { signGatewayIdentity, type ForwardedIdentity } from '@federation-gateway/identity';

/**
 * Reserved: the name under which an earlier version parked the not-yet-signed caller between
 * willSendRequest and the fetcher. Still listed in the internal headers (a client can never set it, config
 * can never propagate it), so no subgraph ever receives a header of that name.
 */
export const PARKED_IDENTITY_HEADER = 'x-gateway-identity-unsigned';

export interface SubgraphRequestSigner {
  /** Shared HS256 secret (>= 32 chars). */
  secret: string;
  /** The subgraph's name: the token's audience. */
  audience: string;
  /** Token lifetime in seconds (config `internalIdentity.lifetimeSeconds`). */
  lifetimeSeconds: number;
}

/** The `x-gateway-identity` value for one request to one subgraph, bound to `body` (the exact bytes sent). */
export function signSubgraphRequest(
  signer: SubgraphRequestSigner,
  caller: { identity: ForwardedIdentity; requestId: string },
  body: string | Uint8Array,
): Promise<string> {
  return signGatewayIdentity({
    secret: signer.secret,
    audience: signer.audience,
    identity: caller.identity,
    requestId: caller.requestId,
    body,
    expiresInSeconds: signer.lifetimeSeconds,
  });
}
