// The verified caller, built once per request and placed in the context as `auth` (null = anonymous).
export interface AuthIdentity {
  /** JWT `sub`, or the API-key consumer name. */
  subject: string;
  scopes: string[];
  roles: string[];
  /** Every verified JWT claim (empty for API keys): for plugins that need more than the above. */
  claims: Record<string, unknown>;
  kind: 'user' | 'apiKey';
  /** Rate-limit tier: the token's tier claim, 'authenticated' by default, or the consumer's tier. */
  tier: string;
}

/** Default tier of a token that carries no tier claim. */
export const DEFAULT_USER_TIER = 'authenticated';

/** OAuth 2 `scope` (space-separated string, RFC 8693 §4.2) or a `scopes` array: both are common. */
export function scopesFromClaims(claims: Record<string, unknown>): string[] {
  const found = new Set<string>();
  for (const value of [claims.scope, claims.scopes, claims.scp]) {
    for (const scope of stringList(value)) found.add(scope);
  }
  return [...found];
}

/** A claim that is an array of strings or a space-separated string; anything else counts as empty. */
export function stringList(value: unknown): string[] {
  if (typeof value === 'string') return value.split(' ').filter((s) => s.length > 0);
  if (Array.isArray(value)) return value.filter((s): s is string => typeof s === 'string' && s.length > 0);
  return [];
}
