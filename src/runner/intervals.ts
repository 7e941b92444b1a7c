/** The per-second series of a latency pass (the `intervals` of a result). */
import type { WorkloadResult } from '../results.js';
import { quantileSorted } from '../stats.js';

/**
 * Calls completed and their p99 per second of the latency pass (chunk preparation
 * excluded); a second in which no call completed (a stall) appears with 0 calls. Each
 * second records how long it lasted: 1,000 ms, except the last, which ends with the pass,
 * so a reader can scale its calls to a rate rather than draw a dip that is not there.
 */
export function intervalSeries(lat: Float64Array, completedAt: Float64Array): NonNullable<WorkloadResult['intervals']> {
  let end = 0;
  for (let c = 0; c < completedAt.length; c++) if (completedAt[c]! > end) end = completedAt[c]!;
  const seconds = completedAt.length === 0 ? 0 : Math.floor(end / 1000) + 1;
  const buckets: number[][] = Array.from({ length: seconds }, () => []);
  for (let c = 0; c < lat.length; c++) buckets[Math.floor(completedAt[c]! / 1000)]!.push(lat[c]!);
  return buckets.map((b, second) => ({
    second,
    calls: b.length,
    p99Ns: b.length === 0 ? 0 : quantileSorted(Float64Array.from(b).sort(), 0.99) * 1e6,
    ms: second === seconds - 1 ? Math.max(end - second * 1000, Number.MIN_VALUE) : 1000,
  }));
}
