import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { median, quantileSorted, ratioOfMedians, summarize } from '../src/stats.js';

describe('stats', () => {
  it('median and quantiles', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.ok(Number.isNaN(median([])));
    assert.equal(quantileSorted([10, 20, 30, 40, 50], 0.5), 30);
    assert.equal(quantileSorted([10, 20], 0.25), 12.5);
    assert.equal(quantileSorted([0, 100], 0.999), 99.9);
  });
  it('summarize gives min, max, median and a CI that brackets the median', () => {
    const s = summarize([100, 110, 90, 105, 95]);
    assert.equal(s.median, 100);
    assert.equal(s.min, 90);
    assert.equal(s.max, 110);
    assert.equal(s.mean, 100);
    assert.ok(s.ci95[0] <= 100 && s.ci95[1] >= 100);
    assert.ok(s.ci95[0] >= 90 && s.ci95[1] <= 110);
    assert.deepEqual(summarize([7]).ci95, [7, 7]);
  });
  it('summarize is deterministic', () => {
    assert.deepEqual(summarize([1, 5, 2, 8, 3, 9]), summarize([1, 5, 2, 8, 3, 9]));
  });
  it('a ratio of equal samples is 1 with a CI around 1', () => {
    const r = ratioOfMedians([100, 101, 99, 100, 102], [100, 101, 99, 100, 102]);
    assert.equal(r.ratio, 1);
    assert.ok(r.ci95[0] < 1 && r.ci95[1] > 1);
  });
  it('a clear 2x difference gives a CI that excludes 1', () => {
    const r = ratioOfMedians([200, 202, 198, 201, 199], [100, 101, 99, 100, 102]);
    assert.ok(Math.abs(r.ratio - 2) < 0.05);
    assert.ok(r.ci95[0] > 1.8 && r.ci95[1] < 2.2);
  });
  it('empty samples give NaN, not a number', () => {
    assert.ok(Number.isNaN(ratioOfMedians([], [1]).ratio));
  });
});
