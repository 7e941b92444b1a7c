/** Synthetic throughput samples for tests of the gate's decision: seeded, so every run sees the same numbers. */
import { Xoshiro128 } from '../../src/keyspace.js';
import type { WorkloadName } from '../../src/scenario.js';
import type { ComparisonInput } from '../../src/gate/decide.js';
import type { PairedInput, RoundSide } from '../../src/gate/paired.js';

/** A normal deviate by Box–Muller from two uniforms of the seeded generator. */
function gaussian(rng: Xoshiro128): number {
  const u1 = (rng.next() + 1) / (2 ** 32 + 1);
  const u2 = rng.next() / 2 ** 32;
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

export interface SideShape {
  /** Relative standard deviation of a sample: 0.05 = 5% noise. */
  readonly noise: number;
  /** Share of samples hit by a neighbour: each such sample is `hitSlowdown` times slower. */
  readonly hitShare?: number;
  readonly hitSlowdown?: number;
}

/** `count` throughput samples around `centre`, with gaussian noise and occasional interference. */
export function samples(rng: Xoshiro128, count: number, centre: number, shape: SideShape): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    let x = centre * Math.max(0.05, 1 + shape.noise * gaussian(rng));
    if (shape.hitShare !== undefined && rng.next() / 2 ** 32 < shape.hitShare) x /= shape.hitSlowdown ?? 2;
    out.push(x);
  }
  return out;
}

/** Each sample as a run of its own: the run's median is the sample. */
export const asRuns = (xs: readonly number[]): number[][] => xs.map((x) => [x]);

/**
 * Runs of `reps` repetitions that share a per-run random effect (`runNoise`, relative sd),
 * as processes on a loaded machine do: their repetitions are alike, runs differ.
 */
export function clusteredRuns(rng: Xoshiro128, runs: number, reps: number, centre: number, runNoise: number, repNoise: number): number[][] {
  const out: number[][] = [];
  for (let r = 0; r < runs; r++) {
    const runCentre = centre * Math.exp(runNoise * gaussian(rng));
    out.push(samples(rng, reps, runCentre, { noise: repNoise }));
  }
  return out;
}

/** The reference document's eight workloads: what the gate judges in CI. */
export const EIGHT: readonly WorkloadName[] = ['sequential-writes', 'sequential-reads', 'random-writes', 'random-reads', 'range-scan', 'prefix-scan', 'deletions', 'contains'];

/**
 * The eight workloads of one engine, base and head alike except that `slowdowns` makes
 * head's median that fraction slower (0.25 = 25% slower) on the workloads it names.
 */
export function scenario(
  seed: number,
  opts: { count: number; shape: SideShape; slowdowns?: Partial<Record<WorkloadName, number>>; engine?: string },
): ComparisonInput[] {
  const rng = new Xoshiro128(seed);
  return EIGHT.map((workload, i) => {
    const centre = 100_000 * (i + 1);
    const slowdown = opts.slowdowns?.[workload] ?? 0;
    return {
      engine: opts.engine ?? 'ts',
      workload,
      base: { runs: asRuns(samples(rng, opts.count, centre, opts.shape)), failures: [] },
      head: { runs: asRuns(samples(rng, opts.count, centre * (1 - slowdown), opts.shape)), failures: [] },
    };
  });
}

/**
 * Paired rounds of the eight workloads, as `gate --base` measures them: in each round a
 * shared factor (`drift`, relative sd, log-normal) moves base and head alike, as a
 * neighbour's load does to two runs side by side; each side adds its own noise. Head is
 * `slowdowns[w]` slower. With `hitShare`, that share of rounds hits head alone `hitSlowdown`
 * times slower (a neighbour that lined up with one side only).
 */
export function pairedScenario(
  seed: number,
  opts: { rounds: number; drift: number; noise: number; slowdowns?: Partial<Record<WorkloadName, number>>; hitShare?: number; hitSlowdown?: number; cpu?: boolean },
): PairedInput[] {
  const rng = new Xoshiro128(seed);
  const side = (x: number): RoundSide => ({ opsPerSec: [x], cpuOpsPerSec: [opts.cpu === true ? x : null], counters: {}, failure: null });
  return EIGHT.map((workload, i) => {
    const centre = 100_000 * (i + 1);
    const slowdown = opts.slowdowns?.[workload] ?? 0;
    const rounds = Array.from({ length: opts.rounds }, () => {
      const shared = centre * Math.exp(opts.drift * gaussian(rng));
      const b = shared * Math.exp(opts.noise * gaussian(rng));
      let h = shared * (1 - slowdown) * Math.exp(opts.noise * gaussian(rng));
      if (opts.hitShare !== undefined && rng.next() / 2 ** 32 < opts.hitShare) h /= opts.hitSlowdown ?? 2;
      return { base: side(b), head: side(h) };
    });
    return { engine: 'ts', workload, rounds };
  });
}

/** The same measurements as unpaired samples: what a test that ignores the pairing sees. */
export function unpaired(inputs: readonly PairedInput[]): ComparisonInput[] {
  return inputs.map((p) => ({
    engine: p.engine,
    workload: p.workload,
    base: { runs: p.rounds.map((r) => [...r.base!.opsPerSec]), failures: [] },
    head: { runs: p.rounds.map((r) => [...r.head!.opsPerSec]), failures: [] },
  }));
}
