// Calls a subgraph directly, as the gateway does: the identity token is signed over exactly the body sent
// (its `bodySha256` claim), so a test cannot reuse one token for another request by accident.
import { signGatewayIdentity, GATEWAY_IDENTITY_HEADER, type ForwardedIdentity } from '@federation-gateway/identity';
import { postGraphQL, type GraphQLResponse } from './http.js';

export interface GatewayCaller {
  secret: string;
  /** The subgraph's name (the token's audience). */
  audience: string;
  identity: ForwardedIdentity;
  /** @default 'test-request' */
  requestId?: string;
}

export type GraphQLRequestBody = { query: string; variables?: Record<string, unknown>; operationName?: string };

/** The `x-gateway-identity` value for `request` as postGraphQL serializes it. */
export function identityHeaderFor(caller: GatewayCaller, request: GraphQLRequestBody): Promise<string> {
  return signGatewayIdentity({
    secret: caller.secret,
    audience: caller.audience,
    identity: caller.identity,
    requestId: caller.requestId ?? 'test-request',
    body: JSON.stringify(request),
  });
}

/** POSTs `request` to `url` with an identity token bound to it (plus any extra `headers`). */
export async function postAsGateway<TData = Record<string, any>>(
  url: string,
  request: GraphQLRequestBody,
  caller: GatewayCaller,
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<TData>> {
  return postGraphQL<TData>(url, request, { [GATEWAY_IDENTITY_HEADER]: await identityHeaderFor(caller, request), ...headers });
}
