// Who a limit counts against: the JWT subject, else the API-key consumer, else the client IP; and the
// tier whose config overrides apply ("anonymous", "authenticated", or the API key's tier).

/** The parts of the gateway's verified identity (context `auth`) that rate limiting needs. */
export interface RateLimitAuth {
  readonly subject: string;
  readonly kind: 'user' | 'apiKey';
  readonly tier: string;
}

export interface RateLimitIdentity {
  /** Stable, prefixed by kind so a user id can never collide with an IP or an API-key name. */
  readonly key: string;
  readonly tier: string;
}

export const ANONYMOUS_TIER = 'anonymous';

export function rateLimitIdentity(auth: RateLimitAuth | null | undefined, clientIp: string): RateLimitIdentity {
  if (auth?.kind === 'user') return { key: `user:${auth.subject}`, tier: auth.tier };
  if (auth?.kind === 'apiKey') return { key: `apiKey:${auth.subject}`, tier: auth.tier };
  return { key: `ip:${clientIp}`, tier: ANONYMOUS_TIER };
}
