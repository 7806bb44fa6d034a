// Row-level rule of the orders subgraph: a caller reads their own orders only, unless their identity
// carries the `orders:read:all` scope (support staff, back-office API keys). Anonymous callers read none.
import type { ForwardedIdentity } from '@federation-gateway/subgraph-kit';

export const READ_ALL_ORDERS_SCOPE = 'orders:read:all';

export function canReadOrdersOf(identity: ForwardedIdentity | null, ownerUserId: string): boolean {
  if (identity === null) return false;
  if (identity.scopes.includes(READ_ALL_ORDERS_SCOPE)) return true;
  return identity.subject !== null && identity.subject === ownerUserId;
}
