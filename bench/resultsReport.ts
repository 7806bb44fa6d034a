// Turns the measurements into markdown: the tables printed by `npm run bench` and bench/RESULTS.md.
// The interpretation is computed from the numbers of this run, so a re-run never leaves stale prose.
import { median, type DeepRun, type GatewayResult, type LoadSettings, type Scenario, type ScenarioResult } from './benchResults.js';
import type { AnalysisCostRow } from './policyAnalysisCost.js';
import type { IdentityCostRow } from './identityCost.js';

/**
 * Everything in bench/RESULTS.md from this heading on is hand-written (the profile, the levers and what
 * each bought) and kept verbatim when a run rewrites the generated part above it.
 */
export const KEPT_SECTION_MARKER = '## Profile and levers (hand-written, kept across runs)';

export interface RunContext {
  date: string;
  nproc: number;
  cpuModel: string;
  nodeVersion: string;
  commit: string;
  /** `git status --porcelain` of gateway/, subgraphs/, bench/ was not empty. */
  dirtyTree: boolean;
  /** 1-minute load average before, between the light and deep parts, and after the run (2 cores: above ~2 the CPUs were oversubscribed). */
  loadBefore: number;
  loadBetween: number;
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
  /** The cached scenario: ours without and with the response cache. */
  cached: CachedResult[];
  cachedScenarios: Scenario[];
}

/** One gateway's results in the cached scenario (reported apart from the reference scenarios). */
export interface CachedResult {
  label: string;
  scenarios: ScenarioResult[];
}

/** The cached scenario's table: ours without and with the response cache. */
export function cachedTable(results: CachedResult[]): string {
  const rows = [
    '| Scenario | Gateway | Throughput (req/s) | p50 (ms) | p95 (ms) | p99 (ms) | Gateway CPU per request (ms) | Requests | Errors |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    for (const s of r.scenarios) {
      rows.push(
        `| ${s.scenario} | ${r.label} | ${fixed(s.requestsPerSecond, 0)} | ${fixed(s.p50Ms)} | ${fixed(s.p95Ms)} | ${fixed(s.p99Ms)} | ${fixed(s.gatewayCpuMsPerRequest, 2)} | ${s.requests} | ${s.errors} |`,
      );
    }
  }
  return `${rows.join('\n')}\n`;
}

const fixed = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}×` : 'n/a');

export function deepTable(deep: DeepRun): string {
  const rows = [
    '| Gateway | Throughput (req/s) | p50 (ms) | p95 (ms) | p99 (ms) | Gateway CPU per request (ms) | Requests | Errors | Answer size (bytes) | Subgraph fetches per request | Startup to first deep answer (ms) | RSS peak per 10 s of load (MiB) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    ...deep.results.map(
      (s, index) =>
        `| ${deep.labels[index]} | ${fixed(s.requestsPerSecond, 0)} | ${fixed(s.p50Ms)} | ${fixed(s.p95Ms)} | ${fixed(s.p99Ms)} | ${fixed(s.gatewayCpuMsPerRequest, 2)} | ` +
        `${s.requests} | ${s.errors} | ${s.sampleBytes} | ${deep.fetchesPerRequest[index]} | ${fixed(deep.startupMs[index]!, 0)} | ${s.rssPeakMiBPerWindow.map((m) => fixed(m, 0)).join(', ')} |`,
    ),
  ];
  const [ours, stock] = deep.results;
  if (ours && stock) {
    rows.push(
      '',
      `**Deep, ours ÷ stock (same run):** throughput ${ratio(ours.requestsPerSecond, stock.requestsPerSecond)} (target ≥ 2.5×), ` +
        `p99 ${ratio(ours.p99Ms, stock.p99Ms)} (target ≤ 0.5×), p50 ${ratio(ours.p50Ms, stock.p50Ms)}, ` +
        `CPU per request ${ratio(ours.gatewayCpuMsPerRequest, stock.gatewayCpuMsPerRequest)}.`,
    );
    deep.results.slice(2).forEach((extra, index) => {
      rows.push(
        '',
        `**${deep.labels[index + 2]} ÷ stock:** throughput ${ratio(extra.requestsPerSecond, stock.requestsPerSecond)}, p99 ${ratio(extra.p99Ms, stock.p99Ms)}, ` +
          `CPU per request ${ratio(extra.gatewayCpuMsPerRequest, stock.gatewayCpuMsPerRequest)}; ours ÷ ${deep.labels[index + 2]}: throughput ` +
          `${ratio(ours.requestsPerSecond, extra.requestsPerSecond)}, CPU per request ${ratio(ours.gatewayCpuMsPerRequest, extra.gatewayCpuMsPerRequest)}.`,
      );
    });
  }
  return `${rows.join('\n')}\n`;
}

export function markdownTables(light: GatewayResult[] | undefined, deep?: DeepRun): string {
  const parts: string[] = [];
  if (light) parts.push(lightTables(light));
  if (deep) parts.push(deepTable(deep));
  return parts.join('\n');
}

function lightTables(results: GatewayResult[]): string {
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
    '| Subgraph request body | Bytes | Gateway: sign over the body, per fetch (CPU µs) | Subgraph: verify incl. body digest, per request (CPU µs) | Of which SHA-256 of the body (CPU µs) |',
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

function deepInterpretation(deep: DeepRun): string[] {
  const [ours, stock] = deep.results;
  if (!ours || !stock) return [];
  const growth = (series: number[]) => {
    // Peak per 10 s of load: a leak climbs window after window; a flat process stays within a few percent.
    const first = series[0] ?? Number.NaN;
    const last = series[series.length - 1] ?? Number.NaN;
    const later = series.slice(1);
    const spread = later.length > 0 ? `, after the first 10 s ${fixed(Math.min(...later), 0)}–${fixed(Math.max(...later), 0)} MiB` : '';
    return `${fixed(first, 0)} → ${fixed(last, 0)} MiB${spread}`;
  };
  return [
    `- **deep**: ours serves ${fixed(ours.requestsPerSecond, 0)} req/s vs ${fixed(stock.requestsPerSecond, 0)} for stock ` +
      `(${ratio(ours.requestsPerSecond, stock.requestsPerSecond)}), p99 ${fixed(ours.p99Ms)} vs ${fixed(stock.p99Ms)} ms (${ratio(ours.p99Ms, stock.p99Ms)}); ` +
      `the gateway process spends ${fixed(ours.gatewayCpuMsPerRequest, 2)} vs ${fixed(stock.gatewayCpuMsPerRequest, 2)} CPU ms per request. ` +
      `Subgraph fetches per request: ${deep.fetchesPerRequest.join(' (ours) vs ')} (stock). ` +
      `RSS peak per 10 s over the ${deep.load.durationMs / 1000} s of load: ours ${growth(ours.rssMiBAfterSlices)}, stock ${growth(stock.rssMiBAfterSlices)}.`,
  ];
}

export function resultsMarkdown(results: GatewayResult[], deep: DeepRun, context: RunContext): string {
  const ours = results.find((r) => r.label === 'ours');
  const stock = results.find((r) => r.label !== 'ours');
  const { load } = context;
  return [
    '# Benchmark results',
    '',
    `Recorded by \`npm run bench\` (bench/run.ts); a run rewrites everything above "${KEPT_SECTION_MARKER.slice(3)}".`,
    '',
    `- Date: ${context.date}`,
    `- Machine: ${context.nproc} CPUs (${context.cpuModel}), Node ${context.nodeVersion}, Linux`,
    `- Code: commit ${context.commit}${context.dirtyTree ? ' plus uncommitted changes in the work tree' : ''}`,
    `- Command: \`npm run bench\` (total ${fixed(context.totalSeconds, 0)} s)`,
    `- Load (light scenarios): closed loop, ${load.concurrency} concurrent keep-alive connections on 127.0.0.1, ${load.warmupMs / 1000} s warm-up (not recorded) then ${load.durationMs / 1000} s measured per scenario and gateway, in ${load.rounds} slices alternating between the gateways; POST with a JSON body`,
    `- Load (deep scenario): closed loop, ${deep.load.concurrency} keep-alive connections, ${deep.load.warmupMs / 1000} s warm-up then ${deep.load.durationMs / 1000} s measured per gateway in ${deep.load.rounds} alternating slices; every request carries a new client JWT`,
    `- Load average (1 min, ${context.nproc} CPUs): ${fixed(context.loadBefore, 2)} before, ${fixed(context.loadBetween, 2)} between the light and deep parts, ${fixed(context.loadAfter, 2)} after`,
    '',
    '## Scenarios',
    '',
    ...context.scenarios.map((s) => `- **${s.name}**: \`${s.query}\``),
    '- **deep**: the public graphql-gateways-benchmark `TestQuery` (bench/deep/deepQuery.ts) over its four-subgraph shape (bench/deep/schemas: accounts, inventory, products, reviews; `@key`, `@requires`, `@provides`, entity lists), our own data (bench/deep/deepSubgraphData.ts).',
    '',
    `Both gateways return byte-identical \`data\` for each scenario (checked before load); the cross-service answer holds ${context.crossCounts.users} users and ${context.crossCounts.orders} orders.`,
    '',
    '## Results',
    '',
    markdownTables(results),
    '### Deep scenario',
    '',
    deepTable(deep),
    '## Interpretation',
    '',
    ...deepInterpretation(deep),
    ...(ours && stock ? interpretation(ours, stock, context) : []),
    '',
    '## Response cache (reported apart)',
    '',
    ...context.cachedScenarios.map((s) => `- **${s.name}**: \`${s.query}\`, the same caller every time`),
    '',
    'Ours without the response cache (the gateway of the light tables above) against ours with `responseCache.enabled: true` (memory store), in interleaved slices like the rest. ' +
      'The sample subgraphs declare the answer PRIVATE with maxAge 10 s (orders), so it is cached for this caller and refilled once every 10 s; every other request is a hit: ' +
      'authenticated, authorized, costed and charged against the rate limit like any request, then answered without calling a subgraph. Stock has no cache: the uncached tables stay the reference.',
    '',
    cachedTable(context.cached),
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
      'signing an HS256 token over the SHA-256 of the exact body, in the datasource\'s process() (gateway/src/subgraphRequestSigning.ts); on the subgraph, per request, ' +
      'the kit\'s verifyGatewayIdentity (jose HS256 verification, claims, and the SHA-256 of the body received). CPU time of the measuring process, median of 9 batches of 60 ms after a warm-up, one call at a time. ' +
      'Command: `npm run bench` (or `npm run bench -- --identity-only` to print this table alone).',
    '',
    identityTable(context.identity),
    '',
    '## Setup and fairness',
    '',
    '- Light scenarios: one pair of real users + orders subgraph processes (`node subgraphs/<name>/dist/main.js --port 0`, compiled, `INTERNAL_IDENTITY_SECRET` set, `NODE_ENV=production`) serves both gateways.',
    '- Deep scenario: one process serves the four benchmark subgraphs (bench/deep/deepSubgraphs.ts, real @apollo/subgraph schemas executed by graphql-js; each distinct request body is executed once and its answer reused, so that the subgraphs take as little as possible of the 2 cores the gateways are measured on, as the public benchmark\'s Rust subgraphs on their own machine do). The supergraph is composed from bench/deep/schemas at every run. The light gateways and subgraphs are stopped first.',
    '- **Ours**: `node gateway/dist/main.js --supergraph FILE --port 0 --config <tmp>/gateway.yaml` (compiled JS, as production runs it), `NODE_ENV=production`, `INTERNAL_IDENTITY_SECRET` set (a signed identity on every subgraph fetch), default log level (info: one access-log line per request, written to a file). Light config: routing URLs overridden, `auth.jwt` with an HS256 secret, and `rateLimits.fields."Query.users".max` raised to 10^9 so the 30/min limit of the schema rejects nothing while still being counted; every request carries `Authorization: Bearer <HS256 JWT>` for `sub: user-1`, `scope: orders:read:all`. Deep config: `auth.jwt` likewise and a `Query.users` limit of 10^9 per minute added by config; every request carries a token never seen before (bench/distinctTokens.ts: unique `jti`, 50 subjects), so the verified-token cache never answers.',
    '- **Stock**: `@apollo/gateway` 2.14.4 + `@apollo/server` 5 `startStandaloneServer` (bench/stockGateway.ts, transpiled to plain JS in bench/dist so neither gateway pays for on-the-fly compilation). Light: the same URL overrides through `buildService`; the sample subgraphs refuse unsigned calls, and with `--insecure-allow-unsigned` they see every caller as anonymous, so `User.orders` would be empty and the cross-service query would do less work: the stock baseline instead forwards the same identity our gateway derives from the token (`sub: user-1`, `scopes: [orders:read:all]`, `kind: user`, `tier: authenticated`), signed per subgraph fetch over the body sent with the same identity-package function; and it gets a supergraph copy without `for: SECURITY` (it refuses to load one that links `authenticated`/`requiresScopes` that way, UNSUPPORTED_LINKED_FEATURE; none of the benchmark queries touches a protected field). Deep: it forwards each request\'s `Authorization` header to the subgraphs. It keeps the stock fetcher (make-fetch-happen, no timeout); ours uses undici on a keep-alive pool with a per-fetch deadline.',
    '- Both gateways run side by side (the idle one only waits; ours also polls its supergraph file every 500 ms) and the measured time is cut into slices that alternate ours, stock, stock, ours, ...: background load from other work on the box comes and goes, and alternating spreads it over both instead of handing one a quiet block. Startup samples follow one unrecorded warm-up spawn of each gateway (the first spawn after a build reads cold files) and alternate too; each startup gateway is stopped before the next spawn, except the last of each, which serves the load.',
    '- Latency is measured by the client (send to last byte) and includes the subgraphs and the client\'s own CPU time; CPU per request is the gateway process\'s user+system time from /proc/<pid>/stat over the measured run, divided by the requests answered. RSS is VmRSS from /proc/<pid>/status right after startup, after the light scenarios, and every 250 ms while a gateway is under deep load (the deep table gives the peak of each 10 s of its load).',
    '',
  ].join('\n');
}
