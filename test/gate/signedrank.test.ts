/** The signed-rank test, the Hodges–Lehmann estimate and its interval, against hand-computed values. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { detectableShift, hodgesLehmann, shiftInterval, signedRank, smallestSignedRankP } from '../../src/gate/signedrank.js';

describe('gate: Wilcoxon signed-rank test', () => {
  it('gives 2^-n when every difference is negative, and 1 for the other side', () => {
    const r = signedRank([-0.1, -0.2, -0.3, -0.4, -0.5]);
    assert.equal(r.n, 5);
    assert.equal(r.pLess, 1 / 32);
    assert.equal(r.pGreater, 1);
    assert.equal(smallestSignedRankP(5), 1 / 32);
  });

  it('counts the sign patterns at least as extreme: the smallest of 4 positive gives W+ = 1, p = 2/16', () => {
    // W+ ≤ 1: the empty set and {1}.
    assert.equal(signedRank([0.01, -0.2, -0.3, -0.4]).pLess, 2 / 16);
    // W+ = 3: {}, {1}, {2}, {3}, {1,2} → 5/16.
    assert.equal(signedRank([0.3, -0.1, -0.2, -0.4]).pLess, 5 / 16);
  });

  it('uses midranks for ties and drops zeros', () => {
    // |x| = 1, 1, 2: ranks 1.5, 1.5, 3; W+ = 1.5 (one of the ties). P(W+ ≤ 1.5) = {}, {a}, {b} = 3/8.
    assert.equal(signedRank([1, -1, -2, 0]).pLess, 3 / 8);
    assert.equal(signedRank([1, -1, -2, 0]).n, 3);
    assert.deepEqual(signedRank([0, 0]), { n: 0, pLess: 1, pGreater: 1 });
  });

  it('estimates the centre by Hodges–Lehmann, unmoved by one wild value', () => {
    assert.equal(hodgesLehmann([1, 2, 3]), 2);
    const h = hodgesLehmann([0.1, 0.11, 0.09, 0.1, 0.12, 5]);
    assert.ok(h > 0.09 && h < 0.2, `estimate ${h}`);
  });

  it('has no 95% interval from 5 differences, and an exact one from 6 (the extreme Walsh averages)', () => {
    assert.equal(shiftInterval([1, 2, 3, 4, 5]), null);
    // n = 6: P(W ≤ 0) = 1/64 ≤ 0.025 < P(W ≤ 1) = 2/64, so the bounds are the smallest and largest averages.
    assert.deepEqual(shiftInterval([1, 2, 3, 4, 5, 6]), [1, 6]);
    const ci = shiftInterval(Array.from({ length: 20 }, (_, i) => i))!;
    assert.ok(ci[0] > 3 && ci[0] < 9.5 && ci[1] > 9.5 && ci[1] < 16, `interval ${ci.join(' … ')}`);
  });

  it('knows its eyesight: the shift needed grows with the scatter, and is infinite when n is too small', () => {
    const calm = [0.01, -0.01, 0.02, -0.02, 0, 0.015, -0.015, 0.005, -0.005, 0.01, -0.01, 0.02];
    const wild = calm.map((x) => x * 10);
    const a = detectableShift(calm, 0.00125);
    const b = detectableShift(wild, 0.00125);
    assert.ok(a > 0 && a < 0.05, `calm: ${a}`);
    assert.ok(Math.abs(b / a - 10) < 0.5, `ten times the scatter, ten times the shift: ${b} vs ${a}`);
    assert.equal(detectableShift(calm.slice(0, 9), 0.00125), Infinity);
    // Shifted by what it says, the sample is significant; by 90% of it, not.
    const centred = calm.map((x) => x - hodgesLehmann(calm));
    assert.ok(signedRank(centred.map((x) => x - a)).pLess <= 0.00125);
    assert.ok(signedRank(centred.map((x) => x - 0.9 * a)).pLess > 0.00125);
  });
});
