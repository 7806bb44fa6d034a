// The shapes of what one `npm run bench` measures, shared by the measuring code and the report.
import type { LoadSummary } from './closedLoopLoad.js';

export interface Scenario {
  name: string;
  query: string;
  /** Load settings of this scenario when they differ from the run's (the deep scenario's 50 connections). */
  load?: Partial<LoadSettings>;
}

export interface LoadSettings {
  /** In-flight requests at any time. */
  concurrency: number;
  /** Unrecorded warm-up per gateway and scenario, in ms. */
  warmupMs: number;
  /** Measured time per gateway and scenario, in ms (split into interleaved slices). */
  durationMs: number;
  /** Slices the measured time is split into, alternating between the gateways. */
  rounds: number;
}

export interface ScenarioResult extends LoadSummary {
  scenario: string;
  /** CPU ms the gateway process spent per answered request during the measured slices. */
  gatewayCpuMsPerRequest: number;
  /** The `data` of one answer before load, compared across gateways. */
  sampleData: unknown;
  sampleBytes: number;
  /** The gateway's VmRSS after each of its measured slices, in MiB (saw-toothed by the young generation's fill). */
  rssMiBAfterSlices: number[];
  /** Peak VmRSS in each 10 s (RSS_WINDOW_MS) of the gateway's own measured load, in MiB: a leak shows as a climb. */
  rssPeakMiBPerWindow: number[];
}

export interface GatewayResult {
  label: string;
  /** Spawn → first 200 answer with data and no errors, in ms, one per startup sample. */
  startupSamplesMs: number[];
  /** CPU ms from spawn to the first successful answer, one per startup sample. */
  startupCpuSamplesMs: number[];
  /** Spawn → the `listening` log line, in ms, one per startup sample. */
  listeningSamplesMs: number[];
  /** VmRSS right after the last startup, in MiB. */
  rssIdleMiB: number;
  /** VmRSS after every scenario ran, in MiB. */
  rssAfterLoadMiB: number;
  scenarios: ScenarioResult[];
}

/** Median of a non-empty list (mean of the middle two for an even count). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The deep scenario: both gateways in front of the four benchmark subgraphs, in one run. */
export interface DeepRun {
  load: LoadSettings;
  /** [ours, stock, ...extra contestants (--also)]. */
  results: ScenarioResult[];
  labels: string[];
  /** Spawn → first successful deep answer, in ms, per gateway (one sample each). */
  startupMs: number[];
  /** Subgraph requests one TestQuery caused, per gateway (counted by the subgraphs process). */
  fetchesPerRequest: number[];
}
