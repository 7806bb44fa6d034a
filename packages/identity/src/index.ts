// @federation-gateway/identity: the contract between the gateway and its subgraphs. The gateway signs
// who the caller is into one header; a subgraph verifies it and trusts nothing else.
export {
  signGatewayIdentity,
  verifyGatewayIdentity,
  GatewayIdentityError,
  GATEWAY_IDENTITY_HEADER,
  GATEWAY_IDENTITY_ISSUER,
  DEFAULT_MAX_AGE_SECONDS,
  MIN_SECRET_LENGTH,
  type ForwardedIdentity,
  type SignGatewayIdentityOptions,
  type VerifyGatewayIdentityOptions,
  type VerifiedGatewayIdentity,
} from './gatewayIdentity.js';
