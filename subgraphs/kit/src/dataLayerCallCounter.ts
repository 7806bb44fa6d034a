// Counts calls into a subgraph's data layer, per operation name. The batching tests read the counts
// (over `GET /debug/data-layer-calls`, see subgraphServer.ts) to prove that N entities cost 1 lookup.
export class DataLayerCallCounter {
  private readonly counts = new Map<string, number>();

  record(operation: string): void {
    this.counts.set(operation, (this.counts.get(operation) ?? 0) + 1);
  }

  /** A copy of the counts so far, e.g. `{ "users.findByIds": 3 }`. */
  snapshot(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }
}
