// One scenario against every gateway, interleaved: after a warm-up per gateway, the measured time is
// cut into slices that alternate between the gateways (A B, B A, A B, ...). The box is shared with
// other engineers' test runs, whose load comes and goes; back-to-back blocks would hand one gateway a
// quiet minute and the other a busy one, while alternating slices spread that noise over both.
import { runClosedLoopLoad, summarizeLoad, type LoadSlice } from './closedLoopLoad.js';
import { postGraphQLOnce, successfulData, type StartedGateway } from './gatewayStartup.js';
import { processTreeCpuTimeMs, processTreeResidentSetMiB } from './processStats.js';
import type { LoadSettings, Scenario, ScenarioResult } from './benchResults.js';

/** Length of one window of the RSS series, in ms of a gateway's own measured load. */
export const RSS_WINDOW_MS = 10_000;
/** How often RSS is read while a gateway is loaded, in ms (a /proc read: negligible next to the load). */
const RSS_SAMPLE_MS = 250;

export async function measureScenarioInterleaved(options: {
  gateways: StartedGateway[];
  scenario: Scenario;
  load: LoadSettings;
  log: (line: string) => void;
}): Promise<ScenarioResult[]> {
  const { gateways, scenario } = options;
  const load: LoadSettings = { ...options.load, ...scenario.load };
  const body = JSON.stringify({ query: scenario.query });
  const loadFor = (gateway: StartedGateway, durationMs: number) =>
    runClosedLoopLoad({ url: gateway.graphqlUrl, body, headers: gateway.spec.requestHeaders, concurrency: load.concurrency, durationMs });

  const samples: { data: unknown; dataJson: string; bytes: number }[] = [];
  for (const gateway of gateways) {
    const { status, text } = await postGraphQLOnce(gateway.graphqlUrl, scenario.query, gateway.spec.requestHeaders());
    if (status !== 200) throw new Error(`${gateway.spec.label} / ${scenario.name}: HTTP ${status}: ${text.slice(0, 300)}`);
    const data = successfulData(text);
    samples.push({ data, dataJson: JSON.stringify(data), bytes: Buffer.byteLength(text) });
  }
  // Throughput means nothing if the gateways do different work: their answers must be the same data,
  // byte for byte once serialized (so the same values, keys and key order).
  for (const [index, sample] of samples.entries()) {
    if (sample.dataJson !== samples[0]!.dataJson) {
      throw new Error(
        `${scenario.name}: ${gateways[index]!.spec.label} and ${gateways[0]!.spec.label} answer different data, so the comparison is void:\n` +
          `${samples[0]!.dataJson.slice(0, 400)}\n${sample.dataJson.slice(0, 400)}`,
      );
    }
  }
  // The warm-up lets V8 optimise the hot paths (gateway and subgraphs) before anything is recorded.
  for (const gateway of gateways) await loadFor(gateway, load.warmupMs);

  const slices: LoadSlice[][] = gateways.map(() => []);
  const cpuMs = gateways.map(() => 0);
  const rssMiB: number[][] = gateways.map(() => []);
  // Peak VmRSS in each RSS_WINDOW_MS of a gateway's own measured load, sampled every RSS_SAMPLE_MS while
  // it is loaded: a reading after a slice catches the young generation at a random fill level (V8 empties
  // it at each scavenge), so the series of after-slice readings saws up and down by up to the semi-space
  // size; the peak per window is what the process really holds, and a leak shows as a rising peak.
  const rssPeakPerWindow: number[][] = gateways.map(() => []);
  const measuredMs = gateways.map(() => 0);
  const sliceMs = load.durationMs / load.rounds;
  const lastWindow = Math.max(0, Math.ceil(load.durationMs / RSS_WINDOW_MS) - 1);
  for (let round = 0; round < load.rounds; round += 1) {
    const order = gateways.map((_, index) => index);
    if (round % 2 === 1) order.reverse();
    for (const index of order) {
      const gateway = gateways[index]!;
      // The process tree: a --workers gateway's work is in its workers (a single process: itself alone).
      const cpuBeforeMs = processTreeCpuTimeMs(gateway.process.pid);
      const sliceStartedAt = performance.now();
      const peaks = rssPeakPerWindow[index]!;
      const sampleRss = () => {
        // A slice runs a little past its nominal length (it waits for in-flight requests): that belongs to the last window.
        const window = Math.min(Math.floor((measuredMs[index]! + performance.now() - sliceStartedAt) / RSS_WINDOW_MS), lastWindow);
        peaks[window] = Math.max(peaks[window] ?? 0, processTreeResidentSetMiB(gateway.process.pid));
      };
      const sampler = setInterval(sampleRss, RSS_SAMPLE_MS);
      try {
        slices[index]!.push(await loadFor(gateway, sliceMs));
      } finally {
        clearInterval(sampler);
      }
      sampleRss();
      measuredMs[index]! += sliceMs;
      cpuMs[index]! += processTreeCpuTimeMs(gateway.process.pid) - cpuBeforeMs;
      rssMiB[index]!.push(processTreeResidentSetMiB(gateway.process.pid));
    }
  }

  return gateways.map((gateway, index) => {
    const summary = summarizeLoad(slices[index]!);
    options.log(
      `${gateway.spec.label} / ${scenario.name}: ${summary.requestsPerSecond.toFixed(0)} req/s, p50 ${summary.p50Ms.toFixed(1)} ms, ` +
        `p99 ${summary.p99Ms.toFixed(1)} ms, ${summary.errors} errors${summary.firstError ? ` (first: ${summary.firstError})` : ''}`,
    );
    return {
      ...summary,
      scenario: scenario.name,
      gatewayCpuMsPerRequest: cpuMs[index]! / Math.max(1, summary.requests),
      sampleData: samples[index]!.data,
      sampleBytes: samples[index]!.bytes,
      rssMiBAfterSlices: rssMiB[index]!,
      rssPeakMiBPerWindow: Array.from(rssPeakPerWindow[index]!, (peak) => peak ?? Number.NaN),
    };
  });
}
