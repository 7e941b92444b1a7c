/**
 * The gate's paired decision (`--base`): base and head ran side by side in each round,
 * so each round gives one log ratio ln(head / base) per workload, and the rounds are the
 * independent samples. A workload regresses when a one-sided Wilcoxon signed-rank test
 * on those ratios is significant at alpha shared (Bonferroni) among every workload
 * judged, AND the Hodges–Lehmann estimate of the slowdown is at least minEffect.
 *
 * The throughput judged is per CPU second where the engine works in the calling thread
 * (the config's `metric` table) and both sides recorded CPU time, else per wall second.
 * Work counters (bytes written and read per logical byte, write amplification, files and
 * levels after settle) are judged apart: noise barely moves them, so a change of a few
 * percent that separates the two sides completely is a real change of behaviour.
 */
import { median } from '../stats.js';
import type { WorkloadName } from '../scenario.js';
import { minEffectFor, metricFor, type GateConfig, type Metric } from './config.js';
import { EXIT_CODES, fasterVerdict, type GateDecision, type Outcome, type WorkloadVerdict } from './decide.js';
import { detectableShift, hodgesLehmann, shiftInterval, signedRank, smallestSignedRankP } from './signedrank.js';

/** One side's measurement of one workload in one round (one process). */
export interface RoundSide {
  /** Throughput per wall second of each timed repetition. */
  readonly opsPerSec: readonly number[];
  /** Throughput per CPU second of each repetition; null where CPU time was not recorded. */
  readonly cpuOpsPerSec: readonly (number | null)[];
  /** Work counters of the round, by name (see COUNTERS); absent when not recorded. */
  readonly counters: Readonly<Partial<Record<CounterName, number>>>;
  /** Why verification failed, or null. */
  readonly failure: string | null;
}

export interface PairedInput {
  readonly engine: string;
  readonly workload: WorkloadName;
  /** One entry per round, in order; undefined where that side has no result for it. */
  readonly rounds: readonly { readonly base: RoundSide | undefined; readonly head: RoundSide | undefined }[];
}

/** Work counters, each a cost: more is worse. */
export const COUNTERS = ['wcharPerByte', 'rcharPerByte', 'syscwPerByte', 'syscrPerByte', 'writeAmplification', 'files', 'levels'] as const;
export type CounterName = (typeof COUNTERS)[number];

export const COUNTER_LABELS: Readonly<Record<CounterName, string>> = {
  wcharPerByte: 'bytes written (wchar) per logical byte',
  rcharPerByte: 'bytes read (rchar) per logical byte',
  syscwPerByte: 'write calls (syscw) per logical KiB',
  syscrPerByte: 'read calls (syscr) per logical KiB',
  writeAmplification: 'write amplification',
  files: 'files after settle',
  levels: 'levels after settle',
};

/** Below this on both sides a counter is taken as nothing happening (e.g. no I/O at all). */
const COUNTER_FLOOR: Readonly<Record<CounterName, number>> = {
  wcharPerByte: 1e-3,
  rcharPerByte: 1e-3,
  syscwPerByte: 1e-3,
  syscrPerByte: 1e-3,
  writeAmplification: 1e-3,
  files: 0.5,
  levels: 0.5,
};

export interface CounterVerdict {
  readonly engine: string;
  readonly workload: WorkloadName;
  readonly counter: CounterName;
  readonly baseMedian: number;
  readonly headMedian: number;
  /** headMedian / baseMedian − 1. */
  readonly change: number;
  /** `more`: head costs more (a regression); `less`: head costs less (reported, passes). */
  readonly direction: 'more' | 'less';
  /** Rounds per side the verdict rests on. */
  readonly rounds: number;
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

function valueOf(side: RoundSide, metric: Metric): number {
  if (metric === 'cpu') return median(side.cpuOpsPerSec.map((x) => x ?? NaN));
  return median(side.opsPerSec);
}

const hasCpu = (side: RoundSide): boolean => side.cpuOpsPerSec.length > 0 && side.cpuOpsPerSec.every((x) => x !== null && Number.isFinite(x) && x > 0);

interface Judged {
  readonly verdict: WorkloadVerdict;
  readonly counters: CounterVerdict[];
}

function judgeCounters(input: PairedInput, pairs: readonly { base: RoundSide; head: RoundSide }[], config: GateConfig): CounterVerdict[] {
  const out: CounterVerdict[] = [];
  for (const counter of COUNTERS) {
    const b = pairs.map((p) => p.base.counters[counter]).filter((x): x is number => x !== undefined && Number.isFinite(x));
    const h = pairs.map((p) => p.head.counters[counter]).filter((x): x is number => x !== undefined && Number.isFinite(x));
    if (b.length < config.minSamples || h.length < config.minSamples) continue;
    const bm = median(b);
    const hm = median(h);
    if (bm < COUNTER_FLOOR[counter] && hm < COUNTER_FLOOR[counter]) continue;
    const change = bm > 0 ? hm / bm - 1 : Infinity;
    if (Math.abs(change) < config.counterTolerance) continue;
    // Complete separation of the two sides: under no change, its chance is 2 / C(2n, n).
    const more = Math.min(...h) > Math.max(...b);
    const less = Math.max(...h) < Math.min(...b);
    if (!more && !less) continue;
    out.push({ engine: input.engine, workload: input.workload, counter, baseMedian: bm, headMedian: hm, change, direction: more ? 'more' : 'less', rounds: Math.min(b.length, h.length) });
  }
  return out;
}

function emptyVerdict(input: PairedInput, minEffect: number, metric: Metric, reason: string): WorkloadVerdict {
  return {
    engine: input.engine,
    workload: input.workload,
    verdict: 'unjudged',
    reason,
    baseN: 0,
    headN: 0,
    baseMedian: NaN,
    headMedian: NaN,
    ratio: NaN,
    ci95: null,
    pSlower: NaN,
    pFaster: NaN,
    minEffect,
    baseSamples: [],
    headSamples: [],
    metric,
    metricReason: '',
    detectable: NaN,
  };
}

export function judgePaired(input: PairedInput, config: GateConfig, alphaPerTest: number): Judged {
  const minEffect = minEffectFor(config, input.workload);
  const wanted = metricFor(config, input.engine);
  const missing = input.rounds.filter((r) => r.base === undefined || r.head === undefined).length;
  if (input.rounds.every((r) => r.base === undefined)) return { verdict: emptyVerdict(input, minEffect, wanted, 'missing in base'), counters: [] };
  if (input.rounds.every((r) => r.head === undefined)) return { verdict: emptyVerdict(input, minEffect, wanted, 'missing in head'), counters: [] };
  const pairs = input.rounds.filter((r): r is { base: RoundSide; head: RoundSide } => r.base !== undefined && r.head !== undefined);
  const failed = pairs.flatMap((p) => [p.base.failure && `base: ${p.base.failure}`, p.head.failure && `head: ${p.head.failure}`]).filter((x): x is string => typeof x === 'string' && x !== '');
  if (failed.length > 0)
    return { verdict: emptyVerdict(input, minEffect, wanted, `verification failed (${failed[0]}${failed.length > 1 ? `; and ${failed.length - 1} more` : ''})`), counters: [] };
  let metric = wanted;
  let metricReason = wanted === 'cpu' ? 'CPU time: the engine works in the calling thread' : 'wall time: the engine works in background threads or another process';
  if (metric === 'cpu' && !pairs.every((p) => hasCpu(p.base) && hasCpu(p.head))) {
    metric = 'wall';
    metricReason = 'wall time: CPU time was not recorded by both builds';
  }
  const b = pairs.map((p) => valueOf(p.base, metric));
  const h = pairs.map((p) => valueOf(p.head, metric));
  if ([...b, ...h].some((x) => !(Number.isFinite(x) && x > 0)))
    return { verdict: emptyVerdict(input, minEffect, metric, 'a throughput sample is not a positive number'), counters: [] };
  const logRatios = pairs.map((_, i) => Math.log(h[i]! / b[i]!));
  const n = logRatios.length;
  const common = {
    engine: input.engine,
    workload: input.workload,
    baseN: n,
    headN: n,
    baseMedian: median(b),
    headMedian: median(h),
    minEffect,
    baseSamples: b,
    headSamples: h,
    metric,
    metricReason,
  };
  const counters = judgeCounters(input, pairs, config);
  const lost = missing > 0 ? ` (${missing} round${missing > 1 ? 's' : ''} without both sides)` : '';
  if (n < config.minSamples || smallestSignedRankP(n) > alphaPerTest) {
    let need = config.minSamples;
    while (smallestSignedRankP(need) > alphaPerTest) need++;
    return {
      verdict: { ...common, verdict: 'unjudged', reason: `too few rounds (${n}${lost}; need ${need})`, ratio: Math.exp(hodgesLehmann(logRatios)), ci95: null, pSlower: NaN, pFaster: NaN, detectable: Infinity },
      counters,
    };
  }
  const test = signedRank(logRatios);
  const ratio = Math.exp(hodgesLehmann(logRatios));
  const interval = shiftInterval(logRatios);
  const ci95: [number, number] | null = interval === null ? null : [Math.exp(interval[0]), Math.exp(interval[1])];
  const shift = detectableShift(logRatios, alphaPerTest);
  const detectable = Math.max(minEffect, 1 - Math.exp(-shift));
  const full = { ...common, ratio, ci95, pSlower: test.pLess, pFaster: test.pGreater, detectable };
  const change = ratio - 1;
  let verdict: WorkloadVerdict;
  if (test.pLess <= alphaPerTest && ratio <= 1 - minEffect)
    verdict = { ...full, verdict: 'regression', reason: `${pct(-change)} slower, at least ${pct(minEffect)} and significant${lost}` };
  else if (test.pGreater <= alphaPerTest && ratio >= 1 + minEffect) verdict = { ...full, ...fasterVerdict(change, ci95, lost) };
  else if (change < 0 && test.pLess <= alphaPerTest) verdict = { ...full, verdict: 'pass', reason: `${pct(-change)} slower: significant but below the ${pct(minEffect)} minimum effect${lost}` };
  else if (change <= -minEffect) verdict = { ...full, verdict: 'pass', reason: `${pct(-change)} slower, but not significant (p = ${test.pLess.toPrecision(2)} > ${alphaPerTest.toPrecision(2)}): noise${lost}` };
  else verdict = { ...full, verdict: 'pass', reason: `no slowdown beyond noise${lost}` };
  return { verdict, counters };
}

export function decidePaired(inputs: readonly PairedInput[], config: GateConfig): GateDecision {
  const alphaPerTest = config.alpha / Math.max(1, inputs.length);
  const judged = inputs.map((input) => judgePaired(input, config, alphaPerTest));
  const verdicts = judged.map((j) => j.verdict);
  const counters = judged.flatMap((j) => j.counters);
  let outcome: Outcome = 'pass';
  if (verdicts.some((v) => v.verdict === 'regression') || counters.some((c) => c.direction === 'more')) outcome = 'regression';
  else if (verdicts.length === 0 || verdicts.some((v) => v.verdict === 'unjudged')) outcome = 'unjudged';
  return { outcome, unit: 'round', exitCode: EXIT_CODES[outcome], alpha: config.alpha, alphaPerTest, verdicts, counters };
}
