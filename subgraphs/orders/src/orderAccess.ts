// Row-level rule of the orders subgraph. A signed-in user (kind "user") reads their own orders; any caller
// whose scopes carry `orders:read:all` (support staff, back-office API keys) reads every order; nobody else
// reads any. The caller's kind matters: an API key's subject is its consumer name, which is not a user id
// even when it is spelled like one (a consumer named "user-7" is not user-7).
import type { ForwardedIdentity } from '@federation-gateway/subgraph-kit';

export const READ_ALL_ORDERS_SCOPE = 'orders:read:all';

export function canReadOrdersOf(identity: ForwardedIdentity | null, ownerUserId: string): boolean {
  if (identity === null) return false;
  if (identity.scopes.includes(READ_ALL_ORDERS_SCOPE)) return true;
  return identity.kind === 'user' && identity.subject !== null && identity.subject === ownerUserId;
}

/** The user an order is placed for: the signed-in user; an API key or anonymous caller places none. */
export function orderingUserOf(identity: ForwardedIdentity | null): string | undefined {
  return identity?.kind === 'user' && identity.subject ? identity.subject : undefined;
}
