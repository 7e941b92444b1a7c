/**
 * Counting the coverage of lsmbench's 95% intervals over repeated runs of the same engine
 * twice (scripts/calibrate-intervals.ts), and what those counts should be if the intervals
 * are exactly what they claim.
 */
import { MIN_INDEPENDENT, ratioOfMedians, summarize, t975, UNPAIRED } from './stats.js';

/** The samples one copy of an engine measured for one workload in one run. */
export interface CopySamples {
  readonly values: readonly number[];
  /** The child process of each sample (0-based). */
  readonly processes: readonly number[];
}

/** One run of `-e X -e X`: the first and second copy, or undefined where a copy failed. */
export interface CoverageRun {
  readonly first: CopySamples | undefined;
  readonly second: CopySamples | undefined;
  /** The run-to-run drift its figures' intervals include (src/drift.ts); absent: none. */
  readonly drift?: number;
}

export interface Count {
  hits: number;
  trials: number;
}

export interface CoverageCounts {
  /** Runs whose paired interval of first / second (as `run` prints it) contains 1.00. */
  readonly ratio: Count;
  /** Consecutive runs where one run's interval of the first copy holds the next run's median. */
  readonly next: Count;
  /** Consecutive runs whose unpaired interval of run r / run r+1 (as `compare` of two results files prints it) contains 1.00. */
  readonly compare: Count;
  /** Runs without a ratio interval: a failed copy, or too few processes. */
  readonly missing: number;
}

const inside = (ci: readonly [number, number], x: number): boolean => ci[0] <= x && x <= ci[1];

export function coverageCounts(runs: readonly CoverageRun[]): CoverageCounts {
  const ratio: Count = { hits: 0, trials: 0 };
  const next: Count = { hits: 0, trials: 0 };
  const compare: Count = { hits: 0, trials: 0 };
  let missing = 0;
  runs.forEach((run, r) => {
    const { first, second } = run;
    const paired = first === undefined || second === undefined ? undefined : ratioOfMedians(first.values, second.values, first.processes, second.processes);
    if (paired?.ci95 == null) missing++;
    else {
      ratio.trials++;
      if (inside(paired.ci95, 1)) ratio.hits++;
    }
    // The other two counts need only the first copy of this run and of the next.
    const following = runs[r + 1]?.first;
    if (first === undefined || following === undefined) return;
    const ci = summarize(first.values, first.processes, run.drift ?? 0).ci95;
    if (ci !== null) {
      next.trials++;
      if (inside(ci, summarize(following.values, following.processes).median)) next.hits++;
    }
    const across = ratioOfMedians(first.values, following.values, first.processes, following.processes.map((p) => p + UNPAIRED), { a: run.drift ?? 0, b: runs[r + 1]!.drift ?? 0 });
    if (across.ci95 !== null) {
      compare.trials++;
      if (inside(across.ci95, 1)) compare.hits++;
    }
  });
  return { ratio, next, compare, missing };
}

/**
 * P(|T| < x) for Student's t with `df` degrees of freedom. With t = √df·tan θ the density
 * is proportional to cos^(df−1) θ on (−π/2, π/2), integrated here by Simpson's rule.
 */
export function studentTWithin(x: number, df: number): number {
  if (!(df >= 1) || !(x >= 0)) return NaN;
  const area = (upper: number): number => {
    const steps = 2000;
    const h = upper / steps;
    let sum = 0;
    for (let i = 0; i <= steps; i++) {
      const w = i === 0 || i === steps ? 1 : i % 2 === 1 ? 4 : 2;
      sum += w * Math.cos(i * h) ** (df - 1);
    }
    return (sum * h) / 3;
  };
  return area(Math.atan(x / Math.sqrt(df))) / area(Math.PI / 2);
}

/**
 * How often one run's 95% interval of a figure (a t-interval over `processes` per-process
 * log figures) holds the next run's figure, when runs differ only as their processes do:
 * the two means differ by σ·√(2/k), the interval's half-width is t·s/√k, so the chance is
 * P(|T_(k−1)| < t_0.975(k−1)/√2). About 0.91 with 3 processes, falling towards 0.83 with
 * many. An interval for the mean is not a prediction interval; drift between runs lowers
 * it further. (The next run's figure here is its geometric mean; lsmbench prints the
 * median of all samples, which behaves alike.)
 */
export function expectedNextInside(processes: number): number {
  if (!(Number.isInteger(processes) && processes >= MIN_INDEPENDENT)) return NaN;
  const df = processes - 1;
  return studentTWithin(t975(df) / Math.SQRT2, df);
}

/** P(X ≥ k) for X ~ Binomial(n, p): the chance a count reaches k when the true rate is p. */
export function binomialAtLeast(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (p <= 0 || p >= 1) return p >= 1 ? 1 : 0;
  let total = 0;
  let term = (1 - p) ** n; // P(X = 0)
  for (let i = 0; i <= n; i++) {
    if (i >= k) total += term;
    term *= ((n - i) / (i + 1)) * (p / (1 - p));
  }
  return Math.min(1, total);
}
