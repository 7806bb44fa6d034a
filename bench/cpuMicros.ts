// CPU-time measurement of small in-process work (the policy analysis, identity signing): CPU time of this
// process (user + system, garbage collection included), not wall time, so other processes on a shared
// machine stretch neither.

/** CPU microseconds (user + system) this process spent since `start` (process.cpuUsage()). */
export function cpuMicrosSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return used.user + used.system;
}

/** Runs `work` in batches of about `batchMs` and returns the median CPU microseconds per call, after a warm-up batch. */
export function medianMicros(batchMs: number, batches: number, work: () => unknown): number {
  // Warm-up: let the JIT settle on this code path first.
  const warmUntil = performance.now() + batchMs;
  while (performance.now() < warmUntil) work();
  const perCall: number[] = [];
  for (let batch = 0; batch < batches; batch++) {
    let calls = 0;
    const started = performance.now();
    const cpuStart = process.cpuUsage();
    while (performance.now() - started < batchMs) {
      for (let i = 0; i < 20; i++) work();
      calls += 20;
    }
    perCall.push(cpuMicrosSince(cpuStart) / calls);
  }
  return middle(perCall);
}

/** medianMicros for asynchronous work: each call is awaited before the next (one request at a time). */
export async function medianMicrosAsync(batchMs: number, batches: number, work: () => Promise<unknown>): Promise<number> {
  const warmUntil = performance.now() + batchMs;
  while (performance.now() < warmUntil) await work();
  const perCall: number[] = [];
  for (let batch = 0; batch < batches; batch++) {
    let calls = 0;
    const started = performance.now();
    const cpuStart = process.cpuUsage();
    while (performance.now() - started < batchMs) {
      for (let i = 0; i < 20; i++) await work();
      calls += 20;
    }
    perCall.push(cpuMicrosSince(cpuStart) / calls);
  }
  return middle(perCall);
}

function middle(values: number[]): number {
  values.sort((a, b) => a - b);
  return values[Math.floor(values.length / 2)]!;
}
