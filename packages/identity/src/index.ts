// @federation-gateway/identity: the contract between the gateway and its subgraphs. The gateway signs
// who the caller is into one header, bound to the body of the one request it travels with; a subgraph
// verifies it against the body it received and trusts nothing else.
export {
  signGatewayIdentity,
  bodySha256,
  GatewayIdentityError,
  GATEWAY_IDENTITY_HEADER,
  GATEWAY_IDENTITY_ISSUER,
  BODY_DIGEST_CLAIM,
  DEFAULT_LIFETIME_SECONDS,
  DEFAULT_MAX_AGE_SECONDS,
  MIN_SECRET_LENGTH,
  type ForwardedIdentity,
  type SignGatewayIdentityOptions,
  type VerifyGatewayIdentityOptions,
  type VerifiedGatewayIdentity,
} from './gatewayIdentity.js';
export { createGatewayIdentityVerifier, verifyGatewayIdentity, type GatewayIdentityVerifier } from './verifyGatewayIdentity.js';
