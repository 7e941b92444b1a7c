/**
 * The Wilcoxon signed-rank test on paired differences, with its exact distribution
 * (midranks for ties, zeros dropped), the Hodges–Lehmann estimate of the shift and its
 * exact confidence interval from the Walsh averages. The gate applies it to per-round
 * log ratios ln(head / base): one value per round, each round an independent sample.
 * It assumes the differences are independent and symmetric about their centre; it
 * assumes nothing about their spread or tails, so one round hit by a neighbour counts
 * as one rank, however far off it is.
 */

/** Doubled midranks of |x| for the non-zero values, and which of them are positive. */
function signedRanks(xs: readonly number[]): { ranks: number[]; positive: boolean[] } {
  const nz = xs.filter((x) => x !== 0);
  const order = nz.map((x, i) => ({ a: Math.abs(x), i })).sort((p, q) => p.a - q.a);
  const ranks = new Array<number>(nz.length).fill(0);
  for (let k = 0; k < order.length; ) {
    let j = k;
    while (j + 1 < order.length && order[j + 1]!.a === order[k]!.a) j++;
    // Ranks k+1 .. j+1 share their mean; doubled it is k+j+2, an integer.
    for (let t = k; t <= j; t++) ranks[order[t]!.i] = k + j + 2;
    k = j + 1;
  }
  return { ranks, positive: nz.map((x) => x > 0) };
}

/** P(W ≤ s) for every doubled sum s, W the sum of a random half-chance subset of `ranks`. */
function nullCdf(ranks: readonly number[]): Float64Array {
  const total = ranks.reduce((s, r) => s + r, 0);
  let p = new Float64Array(total + 1);
  p[0] = 1;
  let reach = 0;
  for (const r of ranks) {
    const next = new Float64Array(total + 1);
    for (let s = 0; s <= reach; s++) {
      const v = p[s]! / 2;
      if (v === 0) continue;
      next[s] = next[s]! + v;
      next[s + r] = next[s + r]! + v;
    }
    reach += r;
    p = next;
  }
  for (let s = 1; s <= total; s++) p[s] = p[s]! + p[s - 1]!;
  return p;
}

export interface SignedRankResult {
  /** Non-zero differences the test used: its independent samples. */
  readonly n: number;
  /** One-sided p that the differences centre below zero. */
  readonly pLess: number;
  /** One-sided p that they centre above zero. */
  readonly pGreater: number;
}

export function signedRank(xs: readonly number[]): SignedRankResult {
  const { ranks, positive } = signedRanks(xs);
  if (ranks.length === 0) return { n: 0, pLess: 1, pGreater: 1 };
  const cdf = nullCdf(ranks);
  const total = cdf.length - 1;
  let wPlus = 0;
  for (let i = 0; i < ranks.length; i++) if (positive[i]) wPlus += ranks[i]!;
  // By symmetry of the null distribution, P(W ≥ w) = P(W ≤ total − w).
  return { n: ranks.length, pLess: Math.min(1, cdf[wPlus]!), pGreater: Math.min(1, cdf[total - wPlus]!) };
}

/** The best one-sided p-value n differences can give: every one of them on the same side. */
export const smallestSignedRankP = (n: number): number => 2 ** -n;

function walshAverages(xs: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < xs.length; i++) for (let j = i; j < xs.length; j++) out.push((xs[i]! + xs[j]!) / 2);
  return out.sort((a, b) => a - b);
}

/** The Hodges–Lehmann estimate of the centre: the median of the Walsh averages. */
export function hodgesLehmann(xs: readonly number[]): number {
  const w = walshAverages(xs);
  if (w.length === 0) return NaN;
  const m = w.length >> 1;
  return w.length % 2 === 1 ? w[m]! : (w[m - 1]! + w[m]!) / 2;
}

/**
 * The exact two-sided `level` confidence interval of the centre (order statistics of the
 * Walsh averages at the signed-rank test's critical value), or null when n is too small
 * for one: at 95%, fewer than 6 differences.
 */
export function shiftInterval(xs: readonly number[], level = 0.95): [number, number] | null {
  const n = xs.length;
  if (n === 0) return null;
  const cdf = nullCdf(Array.from({ length: n }, (_, i) => 2 * (i + 1)));
  const tail = (1 - level) / 2;
  // c: the largest W with P(W ≤ c) ≤ tail, counted in undoubled rank sums.
  let c = -1;
  for (let w = 0; 2 * w < cdf.length && cdf[2 * w]! <= tail; w++) c = w;
  if (c < 0) return null;
  const walsh = walshAverages(xs);
  return [walsh[c]!, walsh[walsh.length - 1 - c]!];
}

/**
 * The smallest downward shift δ ≥ 0 that, added to these differences' own scatter about
 * their centre, the one-sided test would call significant at `alpha`: the eyesight of
 * this sample. Infinity when no shift can be, because n is too small for `alpha`.
 */
export function detectableShift(xs: readonly number[], alpha: number): number {
  if (xs.length === 0 || smallestSignedRankP(xs.length) > alpha) return Infinity;
  const centre = hodgesLehmann(xs);
  const residuals = xs.map((x) => x - centre);
  const significant = (delta: number): boolean => signedRank(residuals.map((e) => e - delta)).pLess <= alpha;
  let hi = 1e-6;
  while (!significant(hi)) {
    hi *= 2;
    if (hi > 50) return Infinity;
  }
  let lo = 0;
  for (let i = 0; i < 40 && hi - lo > 1e-5; i++) {
    const mid = (lo + hi) / 2;
    if (significant(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}
