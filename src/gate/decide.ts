/**
 * The gate's decision, per (engine, workload), from the throughput samples of base and
 * head (one per run, see SampleUnit): a regression needs both evidence and size. Evidence is a one-sided Mann–Whitney
 * test at the family-wise level `alpha`, split evenly (Bonferroni) among every workload
 * judged, so that judging eight workloads does not give eight chances to cry wolf. Size
 * is the ratio of medians, head over base, at or below 1 − minEffect. Either alone is
 * not enough: a tiny, real slowdown is not worth a red build, and a large but unproven
 * one is noise on a busy machine.
 *
 * Exit codes: 1 when any workload regressed; otherwise 2 when any could not be judged
 * (a side failed verification, a workload is missing on one side, too few samples);
 * otherwise 0.
 */
import { median, ratioOfMedians } from '../stats.js';
import type { WorkloadName } from '../scenario.js';
import { minEffectFor, type GateConfig } from './config.js';
import { mannWhitneyLess, smallestAttainableP } from './mannwhitney.js';
import type { CounterVerdict } from './paired.js';
import type { Metric } from './config.js';

/** One side's results for one workload of one engine, over all its runs. */
export interface SideSamples {
  /** Throughput of each timed repetition, units per second, grouped by run (one process each). */
  readonly runs: readonly (readonly number[])[];
  /** What went wrong in runs of this side whose verification failed; empty when all verified. */
  readonly failures: readonly string[];
}

/**
 * What one sample of the test is. `run`: the median of one run's repetitions. The
 * repetitions of one process share its JIT state, heap layout and the load of the moment,
 * so they are not independent: treating them as such makes the test overconfident and the
 * gate cry wolf. `repetition`: every repetition, for a stored baseline, which is one run.
 * `round`: one log ratio per round of base and head run side by side (src/gate/paired.ts).
 */
export type SampleUnit = 'run' | 'repetition' | 'round';

export interface ComparisonInput {
  readonly engine: string;
  readonly workload: WorkloadName;
  /** Undefined when the side has no result for this workload. */
  readonly base: SideSamples | undefined;
  readonly head: SideSamples | undefined;
}

export type Verdict = 'pass' | 'faster' | 'regression' | 'unjudged';

export interface WorkloadVerdict {
  readonly engine: string;
  readonly workload: WorkloadName;
  readonly verdict: Verdict;
  /** Why, in a few words a reader of the summary can act on. */
  readonly reason: string;
  readonly baseN: number;
  readonly headN: number;
  readonly baseMedian: number;
  readonly headMedian: number;
  /** median(head) / median(base): below 1 is slower. NaN when unjudged for want of samples. */
  readonly ratio: number;
  /** 95% t-interval of the ratio over independent rounds (ratioOfMedians, src/stats.ts), for the reader. */
  readonly ci95: [number, number] | null;
  /** One-sided Mann–Whitney p-value that head is slower. */
  readonly pSlower: number;
  /** One-sided Mann–Whitney p-value that head is faster. */
  readonly pFaster: number;
  readonly minEffect: number;
  /** The samples judged (run medians, or repetitions), for whoever wants to look again. */
  readonly baseSamples: readonly number[];
  readonly headSamples: readonly number[];
  /** Paired decision only: the throughput judged, why, and the smallest slowdown this run could see. */
  readonly metric?: Metric;
  readonly metricReason?: string;
  readonly detectable?: number;
}

export type Outcome = 'pass' | 'regression' | 'unjudged';

export interface GateDecision {
  readonly outcome: Outcome;
  readonly unit: SampleUnit;
  readonly exitCode: 0 | 1 | 2;
  readonly alpha: number;
  /** The level each single test is held to: alpha over the number of comparisons. */
  readonly alphaPerTest: number;
  readonly verdicts: readonly WorkloadVerdict[];
  /** Work counters that changed (paired decision only). */
  readonly counters: readonly CounterVerdict[];
}

export const EXIT_CODES: Readonly<Record<Outcome, 0 | 1 | 2>> = { pass: 0, regression: 1, unjudged: 2 };

function samplesOf(side: SideSamples | undefined, unit: SampleUnit): number[] {
  if (side === undefined) return [];
  return unit === 'run' ? side.runs.filter((r) => r.length > 0).map((r) => median(r)) : side.runs.flat();
}

function unjudged(input: ComparisonInput, unit: SampleUnit, minEffect: number, reason: string): WorkloadVerdict {
  const b = samplesOf(input.base, unit);
  const h = samplesOf(input.head, unit);
  return {
    engine: input.engine,
    workload: input.workload,
    verdict: 'unjudged',
    reason,
    baseN: b.length,
    headN: h.length,
    baseMedian: median(b),
    headMedian: median(h),
    ratio: b.length > 0 && h.length > 0 ? median(h) / median(b) : NaN,
    ci95: [NaN, NaN],
    pSlower: NaN,
    pFaster: NaN,
    minEffect,
    baseSamples: b,
    headSamples: h,
  };
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

/**
 * A change the one-sided test calls faster, beyond the minimum effect: "faster" only where the
 * 95% interval of the change excludes none too; otherwise a pass with no clear difference.
 */
export function fasterVerdict(change: number, ci95: readonly [number, number] | null, lost: string): { verdict: 'faster' | 'pass'; reason: string } {
  if (ci95 === null || ci95[0] > 1) return { verdict: 'faster', reason: `${pct(change)} faster${lost}` };
  return { verdict: 'pass', reason: `${pct(change)} faster by the test, but the 95% interval of the change includes none: no clear difference${lost}` };
}

export function judgeOne(input: ComparisonInput, config: GateConfig, alphaPerTest: number, unit: SampleUnit = 'run'): WorkloadVerdict {
  const minEffect = minEffectFor(config, input.workload);
  if (input.base === undefined) return unjudged(input, unit, minEffect, 'missing in base');
  if (input.head === undefined) return unjudged(input, unit, minEffect, 'missing in head');
  const failed = [
    ...input.base.failures.map((f) => `base: ${f}`),
    ...input.head.failures.map((f) => `head: ${f}`),
  ];
  if (failed.length > 0) return unjudged(input, unit, minEffect, `verification failed (${failed[0]}${failed.length > 1 ? `; and ${failed.length - 1} more` : ''})`);
  const all = [...input.base.runs.flat(), ...input.head.runs.flat()];
  if (all.some((x) => !(Number.isFinite(x) && x > 0))) return unjudged(input, unit, minEffect, 'a throughput sample is not a positive number');
  const b = samplesOf(input.base, unit);
  const h = samplesOf(input.head, unit);
  const need = Math.max(config.minSamples, smallestSizeFor(alphaPerTest));
  if (b.length < config.minSamples || h.length < config.minSamples || smallestAttainableP(b.length, h.length) > alphaPerTest)
    return unjudged(input, unit, minEffect, `too few ${unit === 'run' ? 'runs' : 'samples'} (${b.length} base, ${h.length} head; need ${need} each)`);

  const slower = mannWhitneyLess(h, b);
  const faster = mannWhitneyLess(b, h);
  const { ratio, ci95 } = ratioOfMedians(h, b);
  const common = {
    engine: input.engine,
    workload: input.workload,
    baseN: b.length,
    headN: h.length,
    baseMedian: median(b),
    headMedian: median(h),
    ratio,
    ci95,
    pSlower: slower.p,
    pFaster: faster.p,
    minEffect,
    baseSamples: b,
    headSamples: h,
  };
  const change = ratio - 1;
  if (slower.p <= alphaPerTest && ratio <= 1 - minEffect)
    return { ...common, verdict: 'regression', reason: `${pct(-change)} slower, at least ${pct(minEffect)} and significant` };
  if (faster.p <= alphaPerTest && ratio >= 1 + minEffect) return { ...common, ...fasterVerdict(change, ci95, '') };
  let reason: string;
  if (change < 0 && slower.p <= alphaPerTest) reason = `${pct(-change)} slower: significant but below the ${pct(minEffect)} minimum effect`;
  else if (change <= -minEffect) reason = `${pct(-change)} slower, but not significant (p = ${slower.p.toPrecision(2)} > ${alphaPerTest.toPrecision(2)}): noise`;
  else reason = 'no slowdown beyond noise';
  return { ...common, verdict: 'pass', reason };
}

/** The smallest equal sample size per side whose best p-value reaches `alphaPerTest`. */
function smallestSizeFor(alphaPerTest: number): number {
  let n = 1;
  while (smallestAttainableP(n, n) > alphaPerTest && n < 1000) n++;
  return n;
}

export function decide(inputs: readonly ComparisonInput[], config: GateConfig, unit: SampleUnit = 'run'): GateDecision {
  const alphaPerTest = config.alpha / Math.max(1, inputs.length);
  const verdicts = inputs.map((input) => judgeOne(input, config, alphaPerTest, unit));
  let outcome: Outcome = 'pass';
  if (verdicts.some((v) => v.verdict === 'regression')) outcome = 'regression';
  else if (verdicts.length === 0 || verdicts.some((v) => v.verdict === 'unjudged')) outcome = 'unjudged';
  return { outcome, unit, exitCode: EXIT_CODES[outcome], alpha: config.alpha, alphaPerTest, verdicts, counters: [] };
}
