import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { binomialAtLeast, coverageCounts, expectedNextInside, studentTWithin, type CopySamples, type CoverageRun } from '../src/interval-coverage.js';
import { t975 } from '../src/stats.js';
import { seededRandom } from './seeded.js';

function normal(rng: () => number): number {
  const u = 1 - rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/**
 * One copy of an engine in one run: `processes` processes with their own log-normal level, `reps` samples each.
 * `runLevel`: the log level the whole run shares (the machine's drift between runs).
 */
function copyOf(rng: () => number, processes: number, reps: number, between: number, within: number, runLevel = 0): CopySamples {
  const values: number[] = [];
  const groups: number[] = [];
  for (let p = 0; p < processes; p++) {
    const level = Math.log(1e6) + runLevel + between * normal(rng);
    for (let r = 0; r < reps; r++) {
      values.push(Math.exp(level + within * normal(rng)));
      groups.push(p);
    }
  }
  return { values, processes: groups };
}

describe('studentTWithin', () => {
  it('matches the closed forms for 1 and 2 degrees of freedom', () => {
    for (const x of [0.1, 1, 3.04, 12.7]) {
      assert.ok(Math.abs(studentTWithin(x, 1) - (2 / Math.PI) * Math.atan(x)) < 1e-6);
      assert.ok(Math.abs(studentTWithin(x, 2) - x / Math.sqrt(2 + x * x)) < 1e-6);
    }
  });

  it('puts 95% inside the 0.975 quantile for every tabled degree of freedom', () => {
    for (let df = 1; df <= 40; df++) assert.ok(Math.abs(studentTWithin(t975(df), df) - 0.95) < 0.002, `df ${df}`);
  });

  it('refuses nonsense', () => {
    assert.ok(Number.isNaN(studentTWithin(1, 0)));
    assert.ok(Number.isNaN(studentTWithin(-1, 3)));
  });
});

describe('expectedNextInside', () => {
  it('is about 0.91 with 3 processes and falls towards 0.83 with many', () => {
    assert.ok(Math.abs(expectedNextInside(3) - 0.907) < 0.002);
    assert.ok(expectedNextInside(5) < expectedNextInside(3));
    assert.ok(expectedNextInside(30) > 0.83 && expectedNextInside(30) < 0.85);
    assert.ok(Number.isNaN(expectedNextInside(2)));
  });
});

describe('binomialAtLeast', () => {
  it('gives the chance that 20 trials reach a target', () => {
    // 0.95^20 + 20·0.95^19·0.05
    assert.ok(Math.abs(binomialAtLeast(19, 20, 0.95) - (0.95 ** 20 + 20 * 0.95 ** 19 * 0.05)) < 1e-12);
    assert.equal(binomialAtLeast(0, 20, 0.3), 1);
    assert.equal(binomialAtLeast(21, 20, 0.9), 0);
    assert.equal(binomialAtLeast(5, 20, 1), 1);
    assert.equal(binomialAtLeast(5, 20, 0), 0);
    let sum = 0;
    for (let k = 0; k <= 20; k++) sum += binomialAtLeast(k, 20, 0.4) - binomialAtLeast(k + 1, 20, 0.4);
    assert.ok(Math.abs(sum - 1) < 1e-12);
  });
});

describe('coverageCounts', () => {
  it('counts each run once and skips failed copies and runs too small for an interval', () => {
    const rng = seededRandom(7);
    const good = (): CopySamples => copyOf(rng, 3, 3, 0.05, 0.02);
    const runs: CoverageRun[] = [
      { first: good(), second: good() },
      { first: good(), second: undefined },
      { first: { values: [1, 2], processes: [0, 1] }, second: { values: [1, 2], processes: [0, 1] } },
      { first: good(), second: good() },
    ];
    const c = coverageCounts(runs);
    assert.equal(c.missing, 2);
    assert.equal(c.ratio.trials, 2);
    // next and compare need only first copies, of a run and of the next: run 1's second
    // copy failed, but its first still counts. Run 2 has too few processes for an
    // interval: it is the next run for "next" (its median is enough), never a ratio side.
    assert.equal(c.next.trials, 2); // (0,1), (1,2)
    assert.equal(c.compare.trials, 1); // (0,1)
  });

  it('finds a copy that is twice as fast outside every interval', () => {
    const rng = seededRandom(11);
    const runs: CoverageRun[] = [];
    for (let r = 0; r < 10; r++) {
      const other = copyOf(rng, 3, 3, 0.03, 0.01);
      const first = r % 2 === 0 ? copyOf(rng, 3, 3, 0.03, 0.01) : { values: other.values.map((v) => v * 2), processes: other.processes };
      runs.push({ first, second: copyOf(rng, 3, 3, 0.03, 0.01) });
    }
    const c = coverageCounts(runs);
    assert.equal(c.ratio.trials, 10);
    // Only the runs whose first copy is at the second's level can hold 1.00 (95% each).
    assert.ok(c.ratio.hits >= 4 && c.ratio.hits <= 5, `ratio ${c.ratio.hits}`);
    assert.equal(c.next.hits, 0); // every next run is at the other level
    assert.equal(c.compare.hits, 0);
  });

  it('covers as exact intervals should when runs differ only as their processes do', () => {
    const rng = seededRandom(2026);
    const runs: CoverageRun[] = [];
    for (let r = 0; r < 3000; r++) runs.push({ first: copyOf(rng, 3, 3, 0.1, 0.03), second: copyOf(rng, 3, 3, 0.1, 0.03) });
    const c = coverageCounts(runs);
    const rate = (x: { hits: number; trials: number }): number => x.hits / x.trials;
    // 3,000 trials: a binomial standard error of 0.4% at 95%, 0.5% at 91%.
    assert.ok(Math.abs(rate(c.ratio) - 0.95) < 0.015, `ratio ${rate(c.ratio)}`);
    // Welch's interval with 3 processes a side errs wide (its degrees of freedom are an
    // approximation): about 97% here, never under 95%.
    assert.ok(rate(c.compare) > 0.935 && rate(c.compare) < 0.985, `compare ${rate(c.compare)}`);
    assert.ok(Math.abs(rate(c.next) - expectedNextInside(3)) < 0.02, `next ${rate(c.next)}`);
  });

  it('with drift between runs, intervals of the run alone miss the next run, and intervals that add the drift do not', () => {
    // Both copies of a run share its level: sd 0.05 from run to run, beyond processes of sd
    // 0.06 (about this machine's shape: docs/intervals.md). Where drift dominates the
    // processes, even exact intervals hold the next run's figure less often (towards 83%:
    // two runs differ by √2 drifts, an interval allows 1.96), so this is no law for any mix.
    const rng = seededRandom(77);
    const plain: CoverageRun[] = [];
    const withDrift: CoverageRun[] = [];
    for (let r = 0; r < 3000; r++) {
      const level = 0.05 * normal(rng);
      const first = copyOf(rng, 3, 3, 0.06, 0.02, level);
      const second = copyOf(rng, 3, 3, 0.06, 0.02, level);
      plain.push({ first, second });
      withDrift.push({ first, second, drift: 0.05 });
    }
    const rate = (x: { hits: number; trials: number }): number => x.hits / x.trials;
    const before = coverageCounts(plain);
    const after = coverageCounts(withDrift);
    assert.ok(rate(before.next) < 0.8, `run alone: next ${rate(before.next)}`);
    assert.ok(rate(before.compare) < 0.9, `run alone: compare ${rate(before.compare)}`);
    assert.ok(rate(after.next) >= 0.9, `with drift: next ${rate(after.next)}`);
    assert.ok(rate(after.compare) >= 0.95, `with drift: compare ${rate(after.compare)}`);
    // The paired ratio of one run needs no drift: the copies share it.
    assert.ok(Math.abs(rate(before.ratio) - 0.95) < 0.015 && rate(after.ratio) === rate(before.ratio), `ratio ${rate(before.ratio)} ${rate(after.ratio)}`);
  });
});
