// When a subgraph refuses a request outright (HTTP 401/403 before any GraphQL runs), the usual cause
// is the gateway's identity: a different INTERNAL_IDENTITY_SECRET, or a subgraph whose name in code is
// not its name in rover.yaml / the supergraph (the token's audience). Clients only ever see
// DOWNSTREAM_SERVICE_ERROR; the operator needs the subgraph's own reason, and what to check.

export interface SubgraphRefusal {
  status: number;
  /** The subgraph's message (the kit says e.g. `gateway identity token is for "orders", this subgraph is "order"`). */
  reason: string;
  /** What to check, for the log line. */
  hint: string;
}

interface ResponseDetail {
  status?: unknown;
  body?: unknown;
}

/** The first GraphQL error message of a refusal body, or the body itself when it is short text. */
function messageOf(body: unknown): string | undefined {
  if (typeof body === 'string') return body.trim().slice(0, 300) || undefined;
  const errors = (body as { errors?: { message?: unknown }[] } | null)?.errors;
  const message = Array.isArray(errors) ? errors[0]?.message : undefined;
  return typeof message === 'string' ? message.slice(0, 300) : undefined;
}

/** Recognises a 401/403 answer from RemoteGraphQLDataSource's error (its `extensions.response`). */
export function subgraphRefusalOf(error: unknown, subgraphName: string): SubgraphRefusal | undefined {
  const response = (error as { extensions?: { response?: ResponseDetail } } | null)?.extensions?.response;
  if (!response || (response.status !== 401 && response.status !== 403)) return undefined;
  const status = response.status;
  return {
    status,
    reason: messageOf(response.body) ?? `HTTP ${status} without a message`,
    hint:
      `the subgraph "${subgraphName}" refused the gateway's identity: check that it runs with the gateway's INTERNAL_IDENTITY_SECRET ` +
      `and that its name in code is "${subgraphName}", as in rover.yaml and the supergraph (the token's audience)`,
  };
}
