import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Xoshiro128 } from '../src/keyspace.js';
import { MIN_INDEPENDENT, median, quantileSorted, ratioOfMedians, summarize, t975 } from '../src/stats.js';

/** A standard normal draw (Box–Muller) from the seeded generator. */
function normal(rng: Xoshiro128): number {
  const u = (rng.below(0x7fffffff) + 1) / 0x80000000;
  const v = rng.below(0x7fffffff) / 0x7fffffff;
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * One simulated run: `processes` processes of `reps` samples; each process has its own level
 * (log-normal around `truth`, sd `between`) and its samples scatter around it (sd `within`),
 * the shape of throughput samples on a shared machine.
 */
function simulate(rng: Xoshiro128, truth: number, processes: number, reps: number, between: number, within: number): { xs: number[]; groups: number[] } {
  const xs: number[] = [];
  const groups: number[] = [];
  for (let p = 0; p < processes; p++) {
    const level = Math.log(truth) + between * normal(rng);
    for (let r = 0; r < reps; r++) {
      xs.push(Math.exp(level + within * normal(rng)));
      groups.push(p);
    }
  }
  return { xs, groups };
}

describe('stats', () => {
  it('median and quantiles', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.ok(Number.isNaN(median([])));
    assert.equal(quantileSorted([10, 20, 30, 40, 50], 0.5), 30);
    assert.equal(quantileSorted([10, 20], 0.25), 12.5);
    assert.equal(quantileSorted([0, 100], 0.999), 99.9);
  });
  it('t quantiles match the table and approach the normal', () => {
    assert.equal(t975(1), 12.706);
    assert.equal(t975(4), 2.776);
    assert.ok(Math.abs(t975(60) - 2.0) < 0.003);
    assert.ok(Math.abs(t975(1000) - 1.962) < 0.003);
    assert.ok(t975(2.5) < t975(2) && t975(2.5) > t975(3));
  });
  it('summarize gives min, max, median and an interval that brackets the figure', () => {
    const s = summarize([100, 110, 90, 105, 95]);
    assert.equal(s.median, 100);
    assert.equal(s.min, 90);
    assert.equal(s.max, 110);
    assert.equal(s.mean, 100);
    assert.equal(s.independentSamples, 5);
    assert.ok(s.ci95 !== null && s.ci95[0] < 100 && s.ci95[1] > 100);
  });
  it('samples of one process are one independent sample: no interval, however many', () => {
    const s = summarize([100, 110, 90, 105, 95, 101, 99], [0, 0, 0, 0, 0, 0, 0]);
    assert.equal(s.independentSamples, 1);
    assert.equal(s.ci95, null);
    assert.equal(s.n, 7);
  });
  it(`fewer than ${MIN_INDEPENDENT} independent samples give no interval, never a zero-width one`, () => {
    assert.equal(summarize([7]).ci95, null);
    assert.equal(summarize([7, 8]).ci95, null);
    assert.equal(summarize([1, 2, 3, 4], [0, 0, 1, 1]).ci95, null);
    assert.notEqual(summarize([1, 2, 3, 4, 5, 6], [0, 0, 1, 1, 2, 2]).ci95, null);
  });
  it('a ratio of equal samples is 1 with an interval around 1', () => {
    const r = ratioOfMedians([100, 101, 99, 100, 102], [100, 101, 99, 100, 102]);
    assert.equal(r.ratio, 1);
    assert.ok(r.ci95 !== null && r.ci95[0] < 1 && r.ci95[1] > 1);
  });
  it('a clear 2x difference gives an interval that excludes 1', () => {
    const r = ratioOfMedians([200, 202, 198, 201, 199], [100, 101, 99, 100, 102]);
    assert.ok(Math.abs(r.ratio - 2) < 0.05);
    assert.ok(r.ci95 !== null && r.ci95[0] > 1.9 && r.ci95[1] < 2.1);
  });
  it('paired processes cancel drift that hits both sides of a pair', () => {
    // Process p of each side ran side by side; the machine's speed moved 2x between pairs.
    const speed = [1, 2, 1.5, 0.8];
    const a = speed.map((s) => 110 * s);
    const b = speed.map((s) => 100 * s * (1 + (s - 1.3) * 0.001));
    const g = [0, 1, 2, 3];
    const paired = ratioOfMedians(a, b, g, g);
    assert.ok(paired.ci95 !== null && paired.ci95[0] > 1.05 && paired.ci95[1] < 1.15, `${paired.ci95}`);
    const unpaired = ratioOfMedians(a, b);
    assert.ok(unpaired.ci95 !== null && unpaired.ci95[0] < 1, 'unpaired, the drift hides the 10%');
  });
  it('a run-to-run drift widens a figure\'s interval in quadrature, and an unpaired ratio\'s by both sides\' drift, never a paired one', () => {
    const xs = [100, 104, 98, 110, 95, 101];
    const groups = [0, 0, 1, 1, 2, 2];
    const plain = summarize(xs, groups).ci95!;
    assert.deepEqual(summarize(xs, groups, 0).ci95, plain);
    const wide = summarize(xs, groups, 0.05).ci95!;
    const half = (ci: readonly [number, number]): number => Math.log(ci[1] / ci[0]) / 2;
    // The centre stays; the half-width is √(h² + (1.96 · 0.05)²).
    assert.ok(Math.abs(Math.log(wide[0] * wide[1]) - Math.log(plain[0] * plain[1])) < 1e-12);
    assert.ok(Math.abs(half(wide) - Math.hypot(half(plain), 1.959964 * 0.05)) < 1e-9, `${half(wide)}`);
    const b = [90, 93, 91, 97, 88, 92];
    const paired = ratioOfMedians(xs, b, groups, groups);
    assert.deepEqual(ratioOfMedians(xs, b, groups, groups, { a: 0.05, b: 0.05 }).ci95, paired.ci95, 'paired sides share their drift');
    const unpairedGroups = groups.map((g) => g + 100);
    const apart = ratioOfMedians(xs, b, groups, unpairedGroups).ci95!;
    const withDrift = ratioOfMedians(xs, b, groups, unpairedGroups, { a: 0.03, b: 0.04 }).ci95!;
    assert.ok(Math.abs(half(withDrift) - Math.hypot(half(apart), 1.959964 * 0.05)) < 1e-9, `${half(withDrift)}`);
    // Too few processes stay without an interval, drift or not: it does not replace them.
    assert.equal(summarize([1, 2, 3], [0, 0, 1], 0.05).ci95, null);
  });

  it('empty samples give NaN, not a number', () => {
    assert.ok(Number.isNaN(ratioOfMedians([], [1]).ratio));
    assert.equal(ratioOfMedians([], [1]).ci95, null);
  });

  // Coverage on synthetic data: 1000 seeded experiments each; the interval must contain the
  // truth 93–97% of the time (the binomial spread of 1000 trials at 95% is about ±1.4%).
  const EXPERIMENTS = 1000;
  for (const [processes, reps] of [
    [3, 5],
    [5, 5],
    [10, 3],
  ] as const)
    it(`the figure's interval covers the truth 93–97% of the time (${processes} processes × ${reps} samples)`, () => {
      const rng = new Xoshiro128(1234 + processes);
      let covered = 0;
      for (let e = 0; e < EXPERIMENTS; e++) {
        const { xs, groups } = simulate(rng, 50_000, processes, reps, 0.1, 0.05);
        const ci = summarize(xs, groups).ci95!;
        if (ci[0] <= 50_000 && 50_000 <= ci[1]) covered++;
      }
      assert.ok(covered >= 930 && covered <= 970, `covered ${covered} of ${EXPERIMENTS}`);
    });
  for (const paired of [true, false])
    it(`the ratio's interval covers the true ratio 93–97% of the time (${paired ? 'paired' : 'unpaired'}, 5 processes a side)`, () => {
      const rng = new Xoshiro128(paired ? 77 : 78);
      let covered = 0;
      for (let e = 0; e < EXPERIMENTS; e++) {
        const a = simulate(rng, 120, 5, 5, 0.1, 0.05);
        const b = simulate(rng, 100, 5, 5, 0.15, 0.05);
        const r = paired ? ratioOfMedians(a.xs, b.xs, a.groups, b.groups) : ratioOfMedians(a.xs, b.xs, a.groups, b.groups.map((g) => g + 100));
        const ci = r.ci95!;
        if (ci[0] <= 1.2 && 1.2 <= ci[1]) covered++;
      }
      assert.ok(covered >= 930 && covered <= 970, `covered ${covered} of ${EXPERIMENTS}`);
    });
  it('the old way, a bootstrap of one process\'s samples, is what the groups prevent: its interval would under-cover', () => {
    // Treating 15 samples of 3 processes as independent narrows the interval far below the
    // spread between processes; counted by process it covers as stated.
    const rng = new Xoshiro128(9);
    let asIndependent = 0;
    let byProcess = 0;
    for (let e = 0; e < 300; e++) {
      const { xs, groups } = simulate(rng, 1000, 3, 5, 0.1, 0.02);
      const wrong = summarize(xs).ci95!;
      const right = summarize(xs, groups).ci95!;
      if (wrong[0] <= 1000 && 1000 <= wrong[1]) asIndependent++;
      if (right[0] <= 1000 && 1000 <= right[1]) byProcess++;
    }
    assert.ok(asIndependent < 0.75 * 300, `as independent: ${asIndependent} of 300`);
    assert.ok(byProcess > 0.9 * 300, `by process: ${byProcess} of 300`);
  });
});
