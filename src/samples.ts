/**
 * What the per-sample measurements say beside the headline figure: how the interval was
 * made, samples shorter than asked for, samples that were preempted, and workloads where
 * CPU time tells a different story from wall time. Lines for the terminal (80 columns).
 */
import type { ResultsFile, WorkloadResult } from './results.js';
import { MIN_INDEPENDENT, median } from './stats.js';
import { driftNote } from './drift.js';

/** CPU-time throughput differing from wall-time throughput by more than this share is reported. */
const CPU_STORY = 0.15;

/** CPU time against wall time where they tell different stories (off by more than CPU_STORY). */
function cpuNote(r: WorkloadResult): string | undefined {
  const withCpu = r.repetitions.filter((x) => x.cpuMs !== null && x.cpuMs !== undefined && x.cpuMs > 0);
  if (withCpu.length === 0 || withCpu.length !== r.repetitions.length) return undefined;
  const wall = median(withCpu.map((x) => x.ms));
  const cpu = median(withCpu.map((x) => x.cpuMs!));
  const off = 1 - cpu / wall;
  if (Math.abs(off) <= CPU_STORY) return undefined;
  const preempted = r.repetitions.filter((x) => x.preempted === true).length;
  const story = off > 0 ? `CPU ${((1 - off) * 100).toFixed(0)}% of wall` : `CPU ${(cpu / wall).toFixed(1)}× wall (other threads)`;
  return `  ${r.engine} ${r.workload}: ${story}${preempted > 0 ? `; ${preempted}/${r.repetitions.length} samples preempted` : ''}`;
}

export function sampleNotes(file: ResultsFile): string[] {
  const s = file.scenario;
  const verified = file.results.filter((r) => r.status === 'verified' && r.repetitions.length > 0);
  if (verified.length === 0) return [];
  const processes = s.processes ?? 1;
  const lines = [
    processes >= MIN_INDEPENDENT
      ? `Intervals: 95% t over ${processes} independent processes${file.engines.length > 1 ? ' (ratios paired)' : ''}.`
      : `Intervals: ${processes} process${processes === 1 ? '' : 'es'}, too few for a 95% interval: range shown.`,
  ];
  if (processes >= MIN_INDEPENDENT && !file.published) lines.push(driftNote(file.drift, processes));
  // Passes repeat until a sample lasts the minimum, except where a sample is one pass (with a
  // writer thread, whose writes depend on its speed, and from external engines) or holds
  // the most passes on fresh stores (MAX_FRESH_PASSES, src/runner/child.ts).
  const minMs = s.minSampleMs ?? 0;
  const short = verified.filter((r) => median(r.repetitions.map((x) => x.ms)) < minMs);
  if (short.length > 0) {
    const names = [...new Set(short.map((r) => r.workload))].join(', ');
    lines.push(`Samples under ${minMs} ms (one pass each for a writer thread or an external engine, at most 4 on fresh stores; raise -n): ${names}.`);
  }
  // Preemption on a shared machine touches most workloads: one line with the count and the
  // worst, rather than a line each; workloads whose CPU time tells another story get theirs.
  const all = verified.flatMap((r) => r.repetitions);
  const preempted = all.filter((x) => x.preempted === true).length;
  if (preempted > 0) {
    const share = (r: WorkloadResult): number => r.repetitions.filter((x) => x.preempted === true).length / r.repetitions.length;
    const worst = verified.reduce((m, r) => (share(r) > share(m) ? r : m));
    const n = worst.repetitions.filter((x) => x.preempted === true).length;
    lines.push(`Preempted samples (CPU under 90% of wall, involuntary switches): ${preempted} of ${all.length}; most in ${worst.engine} ${worst.workload} (${n}/${worst.repetitions.length}).`);
  }
  const notes = verified.map(cpuNote).filter((x): x is string => x !== undefined);
  if (notes.length > 0) lines.push('CPU time against wall time (median sample), where they differ by more than 15%:', ...notes);
  return lines;
}
