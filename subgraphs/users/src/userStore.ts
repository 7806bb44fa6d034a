// The users data layer: an in-memory table behind an async API shaped like a database client, with
// every call counted so tests can prove that entity resolution is batched (N users = 1 findByIds).
import { DataLayerCallCounter } from '@federation-gateway/subgraph-kit';
import type { UserRecord } from './sampleUsers.js';

export class UserStore {
  readonly calls = new DataLayerCallCounter();
  private readonly byId: Map<string, UserRecord>;
  private readonly ordered: readonly UserRecord[];

  constructor(users: readonly UserRecord[]) {
    this.ordered = [...users];
    this.byId = new Map(users.map((user) => [user.id, user]));
  }

  /** One lookup for many ids; the result is aligned with `ids` (null where unknown), as DataLoader needs. */
  async findByIds(ids: readonly string[]): Promise<(UserRecord | null)[]> {
    this.calls.record('users.findByIds');
    return ids.map((id) => this.byId.get(id) ?? null);
  }

  /**
   * Up to `first` users in id order after the user `afterId` (exclusive), or null when `afterId` is unknown.
   * Reads one row past the page to tell whether a next page exists.
   */
  async listAfter(afterId: string | null, first: number): Promise<{ users: UserRecord[]; hasNextPage: boolean } | null> {
    this.calls.record('users.listAfter');
    const afterIndex = afterId === null ? -1 : this.ordered.findIndex((user) => user.id === afterId);
    if (afterId !== null && afterIndex < 0) return null;
    const start = afterIndex + 1;
    const page = this.ordered.slice(start, start + first + 1);
    return { users: page.slice(0, first), hasNextPage: page.length > first };
  }
}
