/**
 * Summaries of repetition samples. Confidence intervals are percentile bootstraps with a
 * fixed seed, so the same samples always give the same interval: with few repetitions a
 * t-interval assumes a normality that benchmark timings rarely have.
 */
import { Xoshiro128 } from './keyspace.js';

export interface Summary {
  readonly n: number;
  readonly median: number;
  readonly mean: number;
  readonly min: number;
  readonly max: number;
  readonly stddev: number;
  /** 95% bootstrap confidence interval of the median. */
  readonly ci95: [number, number];
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** The q-quantile (0..1) of sorted values, by linear interpolation between closest ranks. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const pos = (n - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  return a + (b - a) * (pos - lo);
}

const BOOTSTRAP_RESAMPLES = 2000;
const BOOTSTRAP_SEED = 0x5eed;

function resampleMedian(xs: readonly number[], rng: Xoshiro128, scratch: number[]): number {
  for (let i = 0; i < xs.length; i++) scratch[i] = xs[rng.below(xs.length)]!;
  return median(scratch);
}

export function summarize(xs: readonly number[]): Summary {
  const n = xs.length;
  if (n === 0) return { n, median: NaN, mean: NaN, min: NaN, max: NaN, stddev: NaN, ci95: [NaN, NaN] };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1) : 0;
  const rng = new Xoshiro128(BOOTSTRAP_SEED);
  const scratch = new Array<number>(n);
  const medians = new Float64Array(BOOTSTRAP_RESAMPLES);
  for (let r = 0; r < BOOTSTRAP_RESAMPLES; r++) medians[r] = resampleMedian(xs, rng, scratch);
  medians.sort();
  return {
    n,
    median: median(xs),
    mean,
    min: Math.min(...xs),
    max: Math.max(...xs),
    stddev: Math.sqrt(variance),
    ci95: [quantileSorted(medians, 0.025), quantileSorted(medians, 0.975)],
  };
}

export interface Ratio {
  readonly ratio: number;
  /** 95% bootstrap confidence interval of median(a) / median(b), resampling both sides. */
  readonly ci95: [number, number];
}

export function ratioOfMedians(a: readonly number[], b: readonly number[]): Ratio {
  if (a.length === 0 || b.length === 0) return { ratio: NaN, ci95: [NaN, NaN] };
  const rng = new Xoshiro128(BOOTSTRAP_SEED);
  const sa = new Array<number>(a.length);
  const sb = new Array<number>(b.length);
  const ratios = new Float64Array(BOOTSTRAP_RESAMPLES);
  for (let r = 0; r < BOOTSTRAP_RESAMPLES; r++) ratios[r] = resampleMedian(a, rng, sa) / resampleMedian(b, rng, sb);
  ratios.sort();
  return { ratio: median(a) / median(b), ci95: [quantileSorted(ratios, 0.025), quantileSorted(ratios, 0.975)] };
}
