/**
 * Summaries of samples, and intervals that rest only on independent ones.
 *
 * Samples come in groups: the repetitions one child process measured are not independent of
 * each other (they share its JIT state, heap, store and stretch of machine time), so a group
 * counts once, by its median. The 95% interval is Student's t-interval of the mean of the
 * groups' log figures, turned back into the figure's unit (an interval of the geometric mean
 * of the groups' figures). Its coverage is 95% when the log figures of independent groups are
 * roughly normal; test/stats.test.ts measures it on simulated experiments. With fewer than
 * MIN_INDEPENDENT groups, or no spread between them, there is no interval (null): the caller
 * shows the range and says so.
 *
 * A ratio between two sides whose groups are processes run side by side (process p of one
 * engine next to process p of the other) is paired: the t-interval of the mean per-pair log
 * ratio, so drift that hits both sides of a pair cancels. Otherwise (different group indices)
 * it is Welch's interval of the difference of the mean log figures.
 */

export interface Summary {
  /** Samples, all groups together. */
  readonly n: number;
  readonly median: number;
  readonly mean: number;
  readonly min: number;
  readonly max: number;
  readonly stddev: number;
  /** 95% interval of the figure (geometric mean of the groups' medians), or null: too few independent groups. */
  readonly ci95: [number, number] | null;
  /** Independent groups (child processes, gate rounds) the interval rests on. */
  readonly independentSamples: number;
}

/** Fewest independent samples for which an interval is given (below it, the range is shown). */
export const MIN_INDEPENDENT = 3;

/**
 * The calls a latency percentile needs before it says more than the maximum does: the p99
 * of fewer than 100 calls, or the p99.9 of fewer than 1,000, is the slowest call or near it.
 */
export const CALLS_NEEDED = { p50: 2, p99: 100, 'p99.9': 1000, max: 1 } as const;

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

/** Student's t 0.975 quantiles for 1..30 degrees of freedom. */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064,
  2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** The 0.975 quantile of Student's t with `df` degrees of freedom (df may be fractional: Welch). */
export function t975(df: number): number {
  if (!(df >= 1)) return NaN;
  if (df > 30) return 1.96 + 2.4 / df; // within 0.002 of the exact quantile above 30
  const lo = Math.floor(df);
  const a = T975[lo - 1]!;
  const b = T975[Math.min(29, lo)]!;
  return a + (b - a) * (df - lo);
}

/** The arithmetic mean. */
export function meanOf(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}
/** The sample variance (n − 1); 0 for fewer than 2 values. */
export function varianceOf(xs: readonly number[]): number {
  const m = meanOf(xs);
  return xs.length > 1 ? xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1) : 0;
}

/** The median of each group's values, by group index ascending. Without `groups`, each value is its own group. */
export function groupMedians(xs: readonly number[], groups?: readonly number[]): Map<number, number> {
  const byGroup = new Map<number, number[]>();
  xs.forEach((x, i) => {
    const g = groups === undefined ? i : (groups[i] ?? 0);
    const list = byGroup.get(g);
    if (list === undefined) byGroup.set(g, [x]);
    else list.push(x);
  });
  return new Map([...byGroup.entries()].sort((a, b) => a[0] - b[0]).map(([g, v]) => [g, median(v)]));
}

/** The normal distribution's 97.5% quantile: the drift term's, whose spread is taken as known. */
const Z975 = 1.959964;

/**
 * The 95% t-interval of the mean of `logs`, exponentiated; null below MIN_INDEPENDENT or for a
 * non-positive figure. `driftLogSd` (src/drift.ts), a run-to-run spread these samples cannot
 * see, is added in quadrature: half-width √((t·s/√k)² + (z·d)²).
 */
function logInterval(logs: readonly number[], driftLogSd = 0): [number, number] | null {
  if (logs.length < MIN_INDEPENDENT || logs.some((l) => !Number.isFinite(l))) return null;
  // No spread at all is no measured variation, not certainty: never a zero-width interval.
  if (varianceOf(logs) === 0) return null;
  const half = Math.hypot(t975(logs.length - 1) * Math.sqrt(varianceOf(logs) / logs.length), Z975 * driftLogSd);
  const m = meanOf(logs);
  return [Math.exp(m - half), Math.exp(m + half)];
}

/**
 * Summary of samples; `groups[i]` says which independent unit (child process, round) sample i
 * belongs to. Without `groups`, every sample is independent of the others. `driftLogSd`: the
 * machine's run-to-run drift (src/drift.ts), added to the interval; 0 for the run's own.
 */
export function summarize(xs: readonly number[], groups?: readonly number[], driftLogSd = 0): Summary {
  const n = xs.length;
  if (n === 0) return { n, median: NaN, mean: NaN, min: NaN, max: NaN, stddev: NaN, ci95: null, independentSamples: 0 };
  const mean = meanOf(xs);
  const perGroup = [...groupMedians(xs, groups).values()];
  return {
    n,
    median: median(xs),
    mean,
    min: Math.min(...xs),
    max: Math.max(...xs),
    stddev: Math.sqrt(varianceOf(xs)),
    ci95: logInterval(perGroup.map(Math.log), driftLogSd),
    independentSamples: perGroup.length,
  };
}

export interface Ratio {
  /** median(a) / median(b) over all samples. */
  readonly ratio: number;
  /** 95% interval of the ratio of the sides' figures, or null: too few independent samples. */
  readonly ci95: [number, number] | null;
  /** Independent pairs (paired) or the smaller side's independent groups (unpaired). */
  readonly independentSamples: number;
}

/**
 * Added to the group indices of a side that did not run side by side with the other (another
 * run, another point of a sweep): no group of it then shares an index, so ratioOfMedians
 * treats the two sides as unpaired.
 */
export const UNPAIRED = 1_000_000;

/**
 * The ratio of two sides' medians. `groupsA`/`groupsB` as in summarize; when both sides have
 * the same group indices the groups are paired (process p of each side ran side by side).
 * `drift`: each unpaired side's run-to-run drift (src/drift.ts), for sides from different runs.
 */
export function ratioOfMedians(
  a: readonly number[],
  b: readonly number[],
  groupsA?: readonly number[],
  groupsB?: readonly number[],
  drift: { readonly a?: number; readonly b?: number } = {},
): Ratio {
  if (a.length === 0 || b.length === 0) return { ratio: NaN, ci95: null, independentSamples: 0 };
  const ratio = median(a) / median(b);
  const ga = groupMedians(a, groupsA);
  const gb = groupMedians(b, groupsB);
  const paired = groupsA !== undefined && groupsB !== undefined && ga.size === gb.size && [...ga.keys()].every((g) => gb.has(g));
  if (paired) {
    const logs = [...ga.entries()].map(([g, x]) => Math.log(x) - Math.log(gb.get(g)!));
    return { ratio, ci95: logInterval(logs), independentSamples: logs.length };
  }
  const la = [...ga.values()].map(Math.log);
  const lb = [...gb.values()].map(Math.log);
  const independentSamples = Math.min(la.length, lb.length);
  if (independentSamples < MIN_INDEPENDENT || [...la, ...lb].some((l) => !Number.isFinite(l))) return { ratio, ci95: null, independentSamples };
  // Welch: the variance of each side's mean, and Welch–Satterthwaite degrees of freedom.
  const va = varianceOf(la) / la.length;
  const vb = varianceOf(lb) / lb.length;
  if (va + vb === 0) return { ratio, ci95: null, independentSamples };
  const df = (va + vb) ** 2 / (va ** 2 / (la.length - 1) + vb ** 2 / (lb.length - 1));
  const d = meanOf(la) - meanOf(lb);
  // Sides from different runs each carry their run's drift (src/drift.ts); paired sides share it, and it cancels.
  const half = Math.hypot(t975(df) * Math.sqrt(va + vb), Z975 * Math.hypot(drift.a ?? 0, drift.b ?? 0));
  return { ratio, ci95: [Math.exp(d - half), Math.exp(d + half)], independentSamples };
}
