// The caller's identity, signed into each subgraph request and bound to the exact body bytes sent
// (`bodySha256` in @federation-gateway/identity): a recorded `x-gateway-identity` header is worthless with
// any other query, variables or operation name, and expires seconds later.
//
// `signSubgraphRequest` is all a fetch path needs when it holds the caller and the body in one place.
// RemoteGraphQLDataSource does not: its willSendRequest (where the caller is known) runs before it
// serializes the body, and only its fetcher sees the bytes. So on that path willSendRequest parks the
// caller on the request's headers (`parkIdentity`) and the fetcher, wrapped by `withSignedIdentity`, signs
// over the body it is about to send and replaces the parked header with the token. A request that reached a
// subgraph without going through the wrapped fetcher would carry no token, and the subgraph refuses it.
import { GATEWAY_IDENTITY_HEADER, signGatewayIdentity, type ForwardedIdentity } from '@federation-gateway/identity';
import type { Fetcher, FetcherRequestInit } from '@apollo/utils.fetcher';

/**
 * Internal: the not-yet-signed caller between willSendRequest and the fetcher. Listed in the internal
 * headers (a client can never set it, config can never propagate it) and always removed before sending.
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

/** willSendRequest's half: who the request is for, kept on its headers until the body exists. */
export function parkIdentity(headers: { set(name: string, value: string): void }, identity: ForwardedIdentity, requestId: string): void {
  // base64url: a subject may hold characters a header value cannot.
  headers.set(PARKED_IDENTITY_HEADER, Buffer.from(JSON.stringify([requestId, identity])).toString('base64url'));
}

function unparkIdentity(value: string): { identity: ForwardedIdentity; requestId: string } {
  const [requestId, identity] = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as [string, ForwardedIdentity];
  return { identity, requestId };
}

/**
 * The fetcher's half: signs the parked caller over the body being sent. With no signer (identity not
 * configured) the parked header, if any, is only removed.
 */
export function withSignedIdentity(fetcher: Fetcher, signer: SubgraphRequestSigner | undefined): Fetcher {
  return async (url: string, init: FetcherRequestInit = {}) => {
    const headers = { ...init.headers };
    const parked = headers[PARKED_IDENTITY_HEADER];
    delete headers[PARKED_IDENTITY_HEADER];
    delete headers[GATEWAY_IDENTITY_HEADER];
    if (signer && parked !== undefined) {
      headers[GATEWAY_IDENTITY_HEADER] = await signSubgraphRequest(signer, unparkIdentity(parked), init.body ?? '');
    }
    return fetcher(url, { ...init, headers });
  };
}
