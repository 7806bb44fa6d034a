// Per-subgraph fetch metrics: how many fetches, how long, which errors. The subgraph name comes from
// the supergraph (bounded by the operator); an error code from a subgraph's answer is a label only when
// the gateway knows it (its own codes, and the subgraph's `clientErrorCodes`), else OTHER, so a subgraph
// sending a new code per error cannot grow the time series without bound.
import type { SubgraphFetchReport } from './datasource.js';
import { isKnownErrorCode } from './errors.js';
import type { GatewayMetrics } from './metrics.js';

const OTHER_CODE = 'OTHER';

export function recordSubgraphFetch(
  metrics: Pick<GatewayMetrics, 'subgraphFetches' | 'subgraphFetchDuration' | 'subgraphErrors'>,
  subgraph: string,
  clientErrorCodes: ReadonlySet<string>,
  report: SubgraphFetchReport,
): void {
  metrics.subgraphFetchDuration.observe({ subgraph }, report.durationSeconds);
  const codes: string[] = [];
  if (report.failureCode) codes.push(report.failureCode);
  for (const error of report.errors ?? []) {
    const code = error.extensions?.code;
    codes.push(typeof code === 'string' && (isKnownErrorCode(code) || clientErrorCodes.has(code)) ? code : OTHER_CODE);
  }
  metrics.subgraphFetches.inc({ subgraph, outcome: codes.length > 0 ? 'error' : 'ok' });
  for (const code of codes) metrics.subgraphErrors.inc({ subgraph, code });
}
