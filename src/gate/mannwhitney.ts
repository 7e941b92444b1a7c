/**
 * The one-sided Mann–Whitney U test: does sample `a` tend to be smaller than sample `b`?
 *
 * It compares ranks, not values, so one wild repetition (a GC pause, a neighbour's
 * compile) moves it no more than any other slow repetition: what a noisy machine needs.
 * Small samples without ties get the exact null distribution; larger samples, or
 * samples with ties, the normal approximation with tie and continuity corrections.
 */

export interface MannWhitney {
  /** Pairs (x from a, y from b) with x < y, ties counting one half. */
  readonly u: number;
  /** P(U ≥ u) when a and b come from one distribution: small means a tends to be smaller. */
  readonly p: number;
  readonly method: 'exact' | 'normal';
}

/** Above this many pairs the exact distribution costs more than it is worth. */
const EXACT_MAX_PAIRS = 2500;

export function mannWhitneyLess(a: readonly number[], b: readonly number[]): MannWhitney {
  const n = a.length;
  const m = b.length;
  if (n === 0 || m === 0) return { u: NaN, p: NaN, method: 'exact' };
  let u = 0;
  let ties = false;
  for (const x of a)
    for (const y of b) {
      if (x < y) u += 1;
      else if (x === y) {
        u += 0.5;
        ties = true;
      }
    }
  if (!ties && n * m <= EXACT_MAX_PAIRS) return { u, p: exactUpperTail(n, m, u), method: 'exact' };
  return { u, p: normalUpperTail(a, b, u), method: 'normal' };
}

/**
 * P(U ≥ u) under the null hypothesis for sizes n and m, without ties: the share of the
 * C(n+m, n) equally likely orderings of the n a's and m b's whose U is at least u.
 */
function exactUpperTail(n: number, m: number, u: number): number {
  // f[i][j][k]: interleavings of i a's and j b's whose U (pairs with a < b) is k. The
  // largest element is either a b, above all i a's (k gains i), or an a, below no b.
  const maxK = n * m;
  let prev: Float64Array[] = [];
  for (let j = 0; j <= m; j++) {
    const row = new Float64Array(maxK + 1);
    row[0] = 1; // zero a's: U = 0 whatever the b's
    prev.push(row);
  }
  for (let i = 1; i <= n; i++) {
    const cur: Float64Array[] = [];
    for (let j = 0; j <= m; j++) {
      const row = new Float64Array(maxK + 1);
      const fromA = prev[j]!;
      for (let k = 0; k <= maxK; k++) row[k] = fromA[k]!;
      if (j > 0) {
        const fromB = cur[j - 1]!;
        for (let k = i; k <= maxK; k++) row[k] = row[k]! + fromB[k - i]!;
      }
      cur.push(row);
    }
    prev = cur;
  }
  const dist = prev[m]!;
  let total = 0;
  let tail = 0;
  const threshold = Math.ceil(u - 1e-9);
  for (let k = 0; k <= maxK; k++) {
    total += dist[k]!;
    if (k >= threshold) tail += dist[k]!;
  }
  return tail / total;
}

function normalUpperTail(a: readonly number[], b: readonly number[], u: number): number {
  const n = a.length;
  const m = b.length;
  const all = [...a, ...b].sort((x, y) => x - y);
  let tieTerm = 0;
  for (let i = 0; i < all.length; ) {
    let j = i + 1;
    while (j < all.length && all[j] === all[i]) j++;
    const t = j - i;
    tieTerm += t * t * t - t;
    i = j;
  }
  const total = n + m;
  const mean = (n * m) / 2;
  const variance = (n * m / 12) * (total + 1 - tieTerm / (total * (total - 1)));
  if (variance <= 0) return 1; // every value equal: no evidence either way
  const z = (u - mean - 0.5) / Math.sqrt(variance);
  return 1 - normalCdf(z);
}

/** Φ(z), from the complementary error function (Numerical Recipes' erfc, |error| < 1.2e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * x);
  const erfc =
    t *
    Math.exp(
      -x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return z >= 0 ? 1 - erfc / 2 : erfc / 2;
}

/** The smallest one-sided p-value samples of these sizes can reach: 1 / C(n+m, n). */
export function smallestAttainableP(n: number, m: number): number {
  let c = 1;
  for (let i = 1; i <= n; i++) c = (c * (m + i)) / i;
  return 1 / c;
}
