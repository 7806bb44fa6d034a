// Turns the measurements into markdown: the tables printed by `npm run bench` and bench/RESULTS.md.
// The interpretation is computed from the numbers of this run, so a re-run never leaves stale prose.
import { median, type GatewayResult, type LoadSettings, type Scenario } from './benchResults.js';
import type { AnalysisCostRow } from './policyAnalysisCost.js';
import type { IdentityCostRow } from './identityCost.js';

export interface RunContext {
  date: string;
  nproc: number;
  cpuModel: string;
  nodeVersion: string;
  commit: string;
  /** `git status --porcelain` of gateway/, subgraphs/, bench/ was not empty. */
  dirtyTree: boolean;
  /** 1-minute load average before and after the run (2 cores: above ~2 the CPUs were oversubscribed). */
  loadBefore: number;
  loadAfter: number;
  totalSeconds: number;
  load: LoadSettings;
  scenarios: Scenario[];
  /** For the cross-service scenario: users and orders in one answer (the same for both gateways). */
  crossCounts: { users: number; orders: number };
  /** The in-process policy-analysis measurement (bench/policyAnalysisCost.ts). */
  analysis: AnalysisCostRow[];
  /** The in-process identity signing/verification measurement (bench/identityCost.ts). */
  identity: IdentityCostRow[];
}

const fixed = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

export function markdownTables(results: GatewayResult[]): string {
  const perGateway = [
    '| Gateway | Startup: spawn to first successful query, median (ms) | Startup samples (ms) | Spawn to "listening" line, median (ms) | RSS idle (MiB) | RSS after load (MiB) |',
    '|---|---:|---:|---:|---:|---:|',
    ...results.map(
      (r) =>
        `| ${r.label} | ${fixed(median(r.startupSamplesMs), 0)} | ${r.startupSamplesMs.map((ms) => fixed(ms, 0)).join(', ')} | ` +
        `${fixed(median(r.listeningSamplesMs), 0)} | ${fixed(r.rssIdleMiB)} | ${fixed(r.rssAfterLoadMiB)} |`,
    ),
  ];
  const perScenario = [
    '| Scenario | Gateway | Throughput (req/s) | p50 (ms) | p95 (ms) | p99 (ms) | Gateway CPU per request (ms) | Requests | Errors | Answer size (bytes) |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const scenarioNames = results[0]?.scenarios.map((s) => s.scenario) ?? [];
  for (const name of scenarioNames) {
    for (const r of results) {
      const s = r.scenarios.find((x) => x.scenario === name);
      if (!s) continue;
      perScenario.push(
        `| ${name} | ${r.label} | ${fixed(s.requestsPerSecond, 0)} | ${fixed(s.p50Ms)} | ${fixed(s.p95Ms)} | ${fixed(s.p99Ms)} | ${fixed(s.gatewayCpuMsPerRequest, 2)} | ${s.requests} | ${s.errors} | ${s.sampleBytes} |`,
      );
    }
  }
  return `${perGateway.join('\n')}\n\n${perScenario.join('\n')}\n`;
}

/** The policy pipeline's own CPU per request, per operation (bench/policyAnalysisCost.ts). */
export function analysisTable(rows: AnalysisCostRow[]): string {
  return [
    '| Operation | Fields (merged) | Estimated cost | Before execution, repeat (CPU µs) | Before execution, first seen (CPU µs) | After execution: read-back (CPU µs) | For scale: graphql-js validate, first seen (CPU µs) |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.name} | ${r.fields} | ${r.estimatedCost} | ${fixed(r.repeatMicros)} | ${fixed(r.firstSeenMicros)} | ${fixed(r.readBackMicros)} | ${fixed(r.validateMicros)} |`),
  ].join('\n');
}

/** Signing (gateway) and verification (subgraph) of the forwarded identity, per body size (bench/identityCost.ts). */
export function identityTable(rows: IdentityCostRow[]): string {
  return [
    '| Subgraph request body | Bytes | Gateway: park + sign over the body, per fetch (CPU µs) | Subgraph: verify incl. body digest, per request (CPU µs) | Of which SHA-256 of the body (CPU µs) |',
    '|---|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.name} | ${r.bodyBytes} | ${fixed(r.signMicros)} | ${fixed(r.verifyMicros)} | ${fixed(r.digestMicros)} |`),
  ].join('\n');
}

const percentChange = (ours: number, stock: number) => `${ours >= stock ? '+' : ''}${(((ours - stock) / stock) * 100).toFixed(0)} %`;

function interpretation(ours: GatewayResult, stock: GatewayResult, context: RunContext): string[] {
  const lines: string[] = [];
  for (const o of ours.scenarios) {
    const s = stock.scenarios.find((x) => x.scenario === o.scenario);
    if (!s) continue;
    lines.push(
      `- **${o.scenario}**: ours serves ${fixed(o.requestsPerSecond, 0)} req/s vs ${fixed(s.requestsPerSecond, 0)} for stock ` +
        `(${percentChange(o.requestsPerSecond, s.requestsPerSecond)}), p50 ${fixed(o.p50Ms)} vs ${fixed(s.p50Ms)} ms, p99 ${fixed(o.p99Ms)} vs ${fixed(s.p99Ms)} ms; ` +
        `the gateway process spends ${fixed(o.gatewayCpuMsPerRequest, 2)} vs ${fixed(s.gatewayCpuMsPerRequest, 2)} CPU ms per request ` +
        `(${percentChange(o.gatewayCpuMsPerRequest, s.gatewayCpuMsPerRequest)}).`,
    );
  }
  lines.push(
    `- **Startup** (median of ${ours.startupSamplesMs.length}): ${fixed(median(ours.startupSamplesMs), 0)} ms (ours) vs ${fixed(median(stock.startupSamplesMs), 0)} ms (stock) from spawn to the first successful query. ` +
      `**Memory**: ${fixed(ours.rssAfterLoadMiB)} vs ${fixed(stock.rssAfterLoadMiB)} MiB RSS after load.`,
  );
  lines.push(
    `- What the difference buys: per request ours verifies the client JWT, analyzes the operation once (policy pipeline), enforces ` +
      `@authenticated/@requiresScopes, estimates and measures its cost, charges and reconciles the Query.users rate limit, records Prometheus metrics, writes one JSON access-log line and puts a deadline on every subgraph fetch; ` +
      `stock does none of that. Both sign the forwarded identity once per subgraph fetch.`,
  );
  const noisy = Math.max(context.loadBefore, context.loadAfter) > context.nproc * 0.75;
  lines.push(
    `- Noise: 1-minute load average ${fixed(context.loadBefore, 2)} before and ${fixed(context.loadAfter, 2)} after the run on ${context.nproc} CPUs` +
      (noisy
        ? ', i.e. other work (other engineers\' test runs) competed for the CPUs: treat throughput and latency as rough (±20 % or worse between runs) and give more weight to CPU per request, which other load moves much less.'
        : '.') +
      ' The load generator, both subgraphs and the gateway share the same cores, so absolute numbers are far below what a dedicated gateway host would show; the ratio between the two gateways is the meaningful part.',
  );
  return lines;
}

export function resultsMarkdown(results: GatewayResult[], context: RunContext): string {
  const ours = results.find((r) => r.label === 'ours');
  const stock = results.find((r) => r.label !== 'ours');
  const { load } = context;
  return [
    '# Benchmark results',
    '',
    `Recorded by \`npm run bench\` (bench/run.ts); re-running overwrites this file.`,
    '',
    `- Date: ${context.date}`,
    `- Machine: ${context.nproc} CPUs (${context.cpuModel}), Node ${context.nodeVersion}, Linux`,
    `- Code: commit ${context.commit}${context.dirtyTree ? ' plus uncommitted changes in the work tree (several engineers work in it at once)' : ''}`,
    `- Command: \`npm run bench\` (total ${fixed(context.totalSeconds, 0)} s)`,
    `- Load: closed loop, ${load.concurrency} concurrent keep-alive connections on 127.0.0.1, ${load.warmupMs / 1000} s warm-up (not recorded) then ${load.durationMs / 1000} s measured per scenario and gateway, in ${load.rounds} slices alternating between the gateways; POST with a JSON body`,
    '',
    '## Scenarios',
    '',
    ...context.scenarios.map((s) => `- **${s.name}**: \`${s.query}\``),
    '',
    `Both gateways return byte-identical \`data\` for each scenario (checked before load); the cross-service answer holds ${context.crossCounts.users} users and ${context.crossCounts.orders} orders.`,
    '',
    '## Results',
    '',
    markdownTables(results),
    '## Interpretation',
    '',
    ...(ours && stock ? interpretation(ours, stock, context) : []),
    '',
    '## Policy analysis cost per request',
    '',
    'The policy pipeline\'s own work, measured in process (bench/policyAnalysisCost.ts) on the committed supergraph, before the load scenarios: ' +
      'before execution, the operation analysis (coerced variables, @skip/@include, merged fields, estimated calls), the authorization decision (and rewrite, ' +
      'with the rewritten operation analyzed again) and the cost estimate; after execution, the read-back of the response (actual cost, calls to give back). ' +
      '"Repeat" is the same document object again, as Apollo Server\'s document store hands it to every request with the same query text (the analysis comes ' +
      'from its cache; variables are coerced every time); "first seen" is a document never analyzed before. CPU time of the measuring process (user + system, garbage collection included), so other work on the machine does not inflate it; median of 9 batches of 60 ms each after a warm-up (first seen: 9 batches of 300 fresh documents); ' +
      'the read-back runs on a response shaped like the estimate (lists capped at 20 items). The last column is graphql-js `validate()` of the same first-seen documents, which Apollo Server runs on every new document anyway: the scale the first-seen analysis compares to. Command: `npm run bench` (or `npm run bench -- --analysis-only` to print this table alone).',
    '',
    analysisTable(context.analysis),
    '',
    '## Identity signing and verification',
    '',
    'What binding the forwarded identity to each subgraph request costs (bench/identityCost.ts, in process, before the load scenarios): on the gateway, per subgraph fetch, ' +
      'parking the caller in willSendRequest and signing an HS256 token over the SHA-256 of the exact body in the fetcher (gateway/src/subgraphRequestSigning.ts); on the subgraph, per request, ' +
      'the kit\'s verifyGatewayIdentity (jose HS256 verification, claims, and the SHA-256 of the body received). CPU time of the measuring process, median of 9 batches of 60 ms after a warm-up, one call at a time. ' +
      'Command: `npm run bench` (or `npm run bench -- --identity-only` to print this table alone).',
    '',
    identityTable(context.identity),
    '',
    '## Setup and fairness',
    '',
    '- One pair of real users + orders subgraph processes (`node subgraphs/<name>/dist/main.js --port 0`, compiled, `INTERNAL_IDENTITY_SECRET` set, `NODE_ENV=production`) serves both gateways.',
    '- **Ours**: `node gateway/dist/main.js --supergraph supergraph.graphql --port 0 --config <tmp>/gateway.yaml` (compiled JS, as production runs it), `NODE_ENV=production`, default log level (info: one access-log line per request, written to a file). Config: routing URLs overridden, `auth.jwt` with an HS256 secret, and `rateLimits.fields."Query.users".max` raised to 10^9 so the 30/min limit of the schema rejects nothing while still being counted. Every request carries `Authorization: Bearer <HS256 JWT>` for `sub: user-1`, `scope: orders:read:all`.',
    '- **Stock**: `@apollo/gateway` 2.14.4 + `@apollo/server` 5 `startStandaloneServer` (bench/stockGateway.ts, transpiled to plain JS in bench/dist so neither gateway pays for on-the-fly compilation), with the supergraph SDL and the same URL overrides through `buildService`. The subgraphs refuse unsigned calls, and with `--insecure-allow-unsigned` they see every caller as anonymous (identity null), so `User.orders` is empty: the cross-service query would do less work and return 0 orders instead of 50. So the stock baseline instead forwards the same identity our gateway derives from the token (`sub: user-1`, `scopes: [orders:read:all]`, `kind: user`, `tier: authenticated`), signed per subgraph fetch with the same kit function. The only other change: stock refuses to load a supergraph that links `authenticated`/`requiresScopes` `for: SECURITY` (UNSUPPORTED_LINKED_FEATURE), so it gets a copy without `for: SECURITY`, and then ignores those directives (none of the benchmark queries touches a protected field). Both changes are what any stock deployment of this graph needs. It keeps the stock fetcher (make-fetch-happen, no timeout); ours uses undici.request on a keep-alive pool with a per-fetch deadline (gateway/src/subgraphFetcher.ts).',
    '- Both gateways run side by side (the idle one only waits; ours also polls its supergraph file every 500 ms) and the measured time is cut into slices that alternate ours, stock, stock, ours, ...: background load from other work on the box comes and goes, and alternating spreads it over both instead of handing one a quiet block. Startup samples alternate too; each startup gateway is stopped before the next spawn, except the last of each, which serves the load.',
    '- Latency is measured by the client (send to last byte) and includes the subgraphs and the client\'s own CPU time; CPU per request is the gateway process\'s user+system time from /proc/<pid>/stat over the measured run, divided by the requests answered. RSS is VmRSS from /proc/<pid>/status right after startup and after both scenarios.',
    '',
  ].join('\n');
}
