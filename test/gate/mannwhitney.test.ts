/** The one-sided Mann–Whitney test against values worked out by hand and known properties. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mannWhitneyLess, normalCdf, smallestAttainableP } from '../../src/gate/mannwhitney.js';
import { Xoshiro128 } from '../../src/keyspace.js';

const uniform = (rng: Xoshiro128): number => rng.next() / 2 ** 32;
const close = (actual: number, expected: number, tolerance: number, what: string): void =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} is not within ${tolerance} of ${expected}`);

describe('gate: Mann–Whitney U', () => {
  it('gives 1/C(n+m, n) when every a is below every b', () => {
    const r = mannWhitneyLess([1, 2, 3], [4, 5, 6]);
    assert.equal(r.u, 9);
    assert.equal(r.method, 'exact');
    close(r.p, 1 / 20, 1e-12, 'p');
    close(mannWhitneyLess([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]).p, 1 / 252, 1e-12, 'p for 5 v 5');
  });

  it('counts the orderings at least as extreme: one inversion in 4 v 4 is 2/70', () => {
    // U = 15 of 16: only the orderings with U = 16 and U = 15 are as extreme.
    const r = mannWhitneyLess([1, 2, 3, 5], [4, 6, 7, 8]);
    assert.equal(r.u, 15);
    close(r.p, 2 / 70, 1e-12, 'p');
  });

  it('gives p = 1 when every a is above every b, and is one-sided', () => {
    assert.equal(mannWhitneyLess([7, 8, 9], [1, 2, 3]).p, 1);
    const less = mannWhitneyLess([1, 2, 3, 5], [4, 6, 7, 8]).p;
    const more = mannWhitneyLess([4, 6, 7, 8], [1, 2, 3, 5]).p;
    assert.ok(less < 0.05 && more > 0.95, `${less} ${more}`);
  });

  it('exact tails sum to one with the opposite test, less the atom at u', () => {
    // P(U ≥ u) + P(U' ≥ nm − u) = 1 + P(U = u) for the swapped test; with U' = nm − u both tails share that atom.
    const rng = new Xoshiro128(7);
    const a = Array.from({ length: 6 }, () => uniform(rng));
    const b = Array.from({ length: 7 }, () => uniform(rng));
    const lo = mannWhitneyLess(a, b);
    const hi = mannWhitneyLess(b, a);
    assert.equal(lo.u + hi.u, 42);
    assert.ok(lo.p + hi.p > 1 && lo.p + hi.p < 1.2, `${lo.p} + ${hi.p}`);
  });

  it('uses the normal approximation with ties, and it agrees with the exact test on a shift', () => {
    const a = [10, 11, 12, 12, 13, 14, 15, 15, 16, 17];
    const b = [14, 15, 16, 16, 17, 18, 19, 20, 20, 21];
    const tied = mannWhitneyLess(a, b);
    assert.equal(tied.method, 'normal');
    const untied = mannWhitneyLess(a.map((x, i) => x + i * 1e-6), b.map((x, i) => x + 0.5e-6 + i * 1e-6));
    assert.equal(untied.method, 'exact');
    assert.ok(tied.p < 0.01 && untied.p < 0.01, `${tied.p} ${untied.p}`);
    close(tied.p, untied.p, 0.01, 'normal vs exact');
  });

  it('switches to the normal approximation for large samples and still separates a 20% shift from none', () => {
    const rng = new Xoshiro128(11);
    const noisy = (centre: number): number[] => Array.from({ length: 60 }, () => centre * (1 + 0.1 * (uniform(rng) - 0.5)));
    const slower = mannWhitneyLess(noisy(0.8), noisy(1));
    assert.equal(slower.method, 'normal');
    assert.ok(slower.p < 1e-10, `p ${slower.p}`);
    const same = mannWhitneyLess(noisy(1), noisy(1));
    assert.ok(same.p > 0.01, `p ${same.p}`);
  });

  it('gives p = 1 when every value is equal: no evidence', () => {
    assert.equal(mannWhitneyLess([5, 5, 5, 5, 5], [5, 5, 5, 5, 5]).p, 1);
  });

  it('knows the best p-value sample sizes can reach', () => {
    close(smallestAttainableP(3, 3), 0.05, 1e-12, '3 v 3');
    close(smallestAttainableP(5, 5), 1 / 252, 1e-12, '5 v 5');
    close(smallestAttainableP(15, 15), 1 / 155117520, 1e-18, '15 v 15');
  });

  it('has a normal CDF accurate to 1e-6', () => {
    close(normalCdf(0), 0.5, 1e-7, 'Φ(0)');
    close(normalCdf(1.959963985), 0.975, 1e-6, 'Φ(1.96)');
    close(normalCdf(-2.326347874), 0.01, 1e-6, 'Φ(−2.33)');
  });
});
