// The bytes one operation may take from its subgraphs, all fetches together (server.maxResponseBytes).
// One per request, on the context (built in server.ts). Each subgraph answer is charged as the gateway
// holds it: the bytes read plus every fanned-back entity copy (entityFanOut.ts), since that is what the
// response is built from. Past the limit the remaining fetches are not sent, and the executor answers the
// whole request with RESPONSE_TOO_LARGE (federation.ts) instead of a huge or arbitrarily truncated one.
export class ResponseBudget {
  private used = 0;
  private over = false;

  constructor(readonly limitBytes: number) {}

  /** Adds `bytes`; false once the total is over the limit (and from then on). */
  charge(bytes: number): boolean {
    this.used += bytes;
    if (this.used > this.limitBytes) this.over = true;
    return !this.over;
  }

  get usedBytes(): number {
    return this.used;
  }

  get exceeded(): boolean {
    return this.over;
  }
}
