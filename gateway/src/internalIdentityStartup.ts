// Startup check of the identity the gateway signs for subgraphs (config `internalIdentity`). Without a
// secret the gateway sends no `x-gateway-identity` at all: subgraphs built on the kit then refuse every
// request, and a subgraph that does not check would trust nobody's identity or, worse, a client's. That is
// never what production wants by accident, so there it is refused unless configured on purpose.
import { MIN_SECRET_LENGTH } from '@federation-gateway/identity';
import { ConfigError, type GatewayConfig } from './config.js';

export interface InternalIdentityNotice {
  /** Stable `event` of the startup log line. */
  event: 'internal_identity_disabled' | 'internal_identity_missing';
  message: string;
}

/**
 * Throws a ConfigError (exit 2) in production when no secret is set and sending no identity was not
 * chosen explicitly. Otherwise returns the warning to log at startup when subgraphs get no identity.
 */
export function checkInternalIdentity(identity: GatewayConfig['internalIdentity'], env: NodeJS.ProcessEnv = process.env): InternalIdentityNotice | undefined {
  if (identity.secret !== undefined) return undefined;
  if (!identity.enabled) {
    return {
      event: 'internal_identity_disabled',
      message: 'internalIdentity.enabled is false: subgraphs get no x-gateway-identity, so they cannot tell who the caller is (subgraphs on the kit refuse such requests)',
    };
  }
  if (env.NODE_ENV === 'production') {
    throw new ConfigError(
      `invalid config: internalIdentity.secret: required with NODE_ENV=production (set INTERNAL_IDENTITY_SECRET, at least ${MIN_SECRET_LENGTH} characters, the same value your subgraphs verify with), or set internalIdentity.enabled: false to send subgraphs no identity on purpose`,
    );
  }
  return {
    event: 'internal_identity_missing',
    message: 'no INTERNAL_IDENTITY_SECRET: subgraphs get no x-gateway-identity (subgraphs on the kit refuse such requests); with NODE_ENV=production the gateway refuses to start like this',
  };
}
