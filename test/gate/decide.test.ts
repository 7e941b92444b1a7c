/** The gate's decision on synthetic sample sets: no change, noise, real slowdowns, and what it cannot judge. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GateConfigSchema, defaultGateConfig } from '../../src/gate/config.js';
import { decide, judgeOne, type ComparisonInput } from '../../src/gate/decide.js';
import { Xoshiro128 } from '../../src/keyspace.js';
import { EIGHT, asRuns, clusteredRuns, scenario } from './synthetic.js';

const config = defaultGateConfig();
const SEEDS = Array.from({ length: 20 }, (_, i) => 1000 + i);
const verdictOf = (d: ReturnType<typeof decide>, workload: string): string => d.verdicts.find((v) => v.workload === workload)!.verdict;

describe('gate: decision on synthetic samples', () => {
  it('passes when nothing changed, for every one of 20 seeds (15 samples a side, 5% noise)', () => {
    for (const seed of SEEDS) {
      const d = decide(scenario(seed, { count: 15, shape: { noise: 0.05 } }), config);
      assert.equal(d.outcome, 'pass', `seed ${seed}: ${JSON.stringify(d.verdicts.filter((v) => v.verdict !== 'pass'))}`);
      assert.equal(d.exitCode, 0);
      assert.equal(d.verdicts.length, 8);
    }
  });

  it('rarely cries wolf on a noisy machine with nothing changed: 15% noise, a quarter of the samples 2x slower, on both sides', () => {
    // Under these assumptions (independent samples) the family-wise false-alarm rate is at most alpha = 1%.
    let alarms = 0;
    const seeds = Array.from({ length: 100 }, (_, i) => 5000 + i);
    for (const seed of seeds) {
      const d = decide(scenario(seed, { count: 15, shape: { noise: 0.15, hitShare: 0.25, hitSlowdown: 2 } }), config);
      if (d.outcome === 'regression') alarms++;
    }
    assert.ok(alarms <= 2, `${alarms} false alarms in ${seeds.length} gate runs`);
  });

  it('passes a 5% slowdown: significant with little noise, but below the 10% minimum effect', () => {
    for (const seed of SEEDS.slice(0, 10)) {
      const d = decide(scenario(seed, { count: 15, shape: { noise: 0.01 }, slowdowns: { 'random-reads': 0.05 } }), config);
      assert.equal(d.outcome, 'pass', `seed ${seed}`);
      const v = d.verdicts.find((x) => x.workload === 'random-reads')!;
      assert.ok(v.pSlower <= d.alphaPerTest, `seed ${seed}: the 5% slowdown is significant (p ${v.pSlower})`);
      assert.match(v.reason, /below the 10\.0% minimum effect/);
    }
  });

  it('catches a 25% slowdown on one workload with 5% noise, and only that workload', () => {
    for (const seed of SEEDS) {
      const d = decide(scenario(seed, { count: 15, shape: { noise: 0.05 }, slowdowns: { 'random-writes': 0.25 } }), config);
      assert.equal(d.outcome, 'regression', `seed ${seed}`);
      assert.equal(d.exitCode, 1);
      assert.deepEqual(
        d.verdicts.filter((v) => v.verdict === 'regression').map((v) => v.workload),
        ['random-writes'],
        `seed ${seed}`,
      );
      const v = d.verdicts.find((x) => x.workload === 'random-writes')!;
      assert.ok(v.ratio > 0.65 && v.ratio < 0.85, `ratio ${v.ratio}`);
      assert.ok(v.ci95 !== null && v.ci95[1] < 1, `the interval excludes no change: ${v.ci95?.join(' … ')}`);
    }
  });

  it('does not call a large but unproven slowdown a regression: 2 v 2 samples are too few to judge', () => {
    const d = decide(scenario(5, { count: 2, shape: { noise: 0.05 }, slowdowns: { contains: 0.5 } }), config);
    assert.equal(d.outcome, 'unjudged');
    assert.equal(d.exitCode, 2);
    assert.match(d.verdicts[0]!.reason, /too few runs \(2 base, 2 head; need 6 each\)/);
  });

  it('asks for more samples when the significance level cannot be reached: 5 v 5 cannot reach 0.01/8', () => {
    // 5 v 5 reaches p = 1/252 at best, above 0.01 / 8, even though 5 >= minSamples.
    const d = decide(scenario(6, { count: 5, shape: { noise: 0.05 }, slowdowns: { contains: 0.5 } }), config);
    assert.equal(d.outcome, 'unjudged');
    assert.match(d.verdicts[0]!.reason, /need 6 each/);
    // One workload alone may use all of alpha: 5 v 5 (1/252 < 0.01) is enough to judge it.
    const one = decide(scenario(6, { count: 5, shape: { noise: 0.05 }, slowdowns: { 'sequential-writes': 0.5 } }).slice(0, 1), config);
    assert.equal(one.outcome, 'regression');
  });

  it('shares alpha among the comparisons (Bonferroni)', () => {
    const d = decide(scenario(7, { count: 15, shape: { noise: 0.05 } }), config);
    assert.equal(d.alphaPerTest, 0.01 / 8);
    const two = decide([...scenario(7, { count: 15, shape: { noise: 0.05 } }), ...scenario(8, { count: 15, shape: { noise: 0.05 }, engine: 'memory' })], config);
    assert.equal(two.alphaPerTest, 0.01 / 16);
  });

  it('reports a faster workload as faster, and passes', () => {
    const d = decide(scenario(9, { count: 15, shape: { noise: 0.05 }, slowdowns: { 'range-scan': -0.3 } }), config);
    assert.equal(d.outcome, 'pass');
    assert.equal(verdictOf(d, 'range-scan'), 'faster');
  });

  it('honours a per-workload minimum effect: 15% slower passes where the override is 20%, fails elsewhere', () => {
    const custom = GateConfigSchema.parse({ workloads: { 'prefix-scan': { minEffect: 0.2 } } });
    const d = decide(scenario(10, { count: 15, shape: { noise: 0.02 }, slowdowns: { 'prefix-scan': 0.15, deletions: 0.15 } }), custom);
    assert.equal(verdictOf(d, 'prefix-scan'), 'pass');
    assert.equal(verdictOf(d, 'deletions'), 'regression');
    assert.equal(d.verdicts.find((v) => v.workload === 'prefix-scan')!.minEffect, 0.2);
  });

  it('cannot judge a workload that failed verification on either side, or is missing on one side', () => {
    const inputs = scenario(11, { count: 15, shape: { noise: 0.05 } });
    const failedHead: ComparisonInput = { ...inputs[0]!, head: { runs: [], failures: ['key 0000000000000042: wrong value'] } };
    const missingBase: ComparisonInput = { ...inputs[1]!, base: undefined };
    const missingHead: ComparisonInput = { ...inputs[2]!, head: undefined };
    const d = decide([failedHead, missingBase, missingHead, ...inputs.slice(3)], config);
    assert.equal(d.outcome, 'unjudged');
    assert.equal(d.exitCode, 2);
    assert.match(d.verdicts[0]!.reason, /verification failed \(head: key 0000000000000042: wrong value\)/);
    assert.equal(d.verdicts[1]!.reason, 'missing in base');
    assert.equal(d.verdicts[2]!.reason, 'missing in head');
    assert.ok(d.verdicts.slice(3).every((v) => v.verdict === 'pass'));
  });

  it('reports a regression (exit 1) even when another workload could not be judged', () => {
    const inputs = scenario(12, { count: 15, shape: { noise: 0.05 }, slowdowns: { contains: 0.3 } });
    const d = decide([{ ...inputs[0]!, base: undefined }, ...inputs.slice(1)], config);
    assert.equal(d.outcome, 'regression');
    assert.equal(d.exitCode, 1);
  });

  it('takes one sample per run: repetitions of one process are not independent, and pooling them cries wolf', () => {
    // Seven runs a side of three repetitions; each run has its own speed (30% sd, as on a
    // loaded machine), repetitions within a run differ by 3%. Nothing changed.
    let byRun = 0;
    let byRepetition = 0;
    for (let seed = 0; seed < 100; seed++) {
      const rng = new Xoshiro128(7000 + seed);
      const inputs = EIGHT.map((workload) => ({
        engine: 'ts',
        workload,
        base: { runs: clusteredRuns(rng, 7, 3, 1e6, 0.3, 0.03), failures: [] },
        head: { runs: clusteredRuns(rng, 7, 3, 1e6, 0.3, 0.03), failures: [] },
      }));
      if (decide(inputs, config, 'run').outcome === 'regression') byRun++;
      if (decide(inputs, config, 'repetition').outcome === 'regression') byRepetition++;
    }
    assert.ok(byRun <= 2, `${byRun} false alarms in 100 gate runs with one sample per run`);
    assert.ok(byRepetition >= 5, `pooling repetitions should be overconfident here, yet gave only ${byRepetition} false alarms`);
  });

  it('catches a 2x slowdown from runs that vary 30% among themselves, with seven runs a side', () => {
    for (let seed = 0; seed < 10; seed++) {
      const rng = new Xoshiro128(8000 + seed);
      const input = {
        engine: 'ts',
        workload: 'random-reads' as const,
        base: { runs: clusteredRuns(rng, 7, 3, 1e6, 0.3, 0.03), failures: [] },
        head: { runs: clusteredRuns(rng, 7, 3, 5e5, 0.3, 0.03), failures: [] },
      };
      const d = decide([input], config, 'run');
      assert.equal(d.outcome, 'regression', `seed ${seed}: p ${d.verdicts[0]!.pSlower}`);
      assert.equal(d.verdicts[0]!.baseN, 7);
    }
  });

  it('cannot judge nothing', () => {
    const d = decide([], config);
    assert.equal(d.outcome, 'unjudged');
    assert.equal(d.exitCode, 2);
  });

  it('refuses samples that are not positive throughputs', () => {
    const v = judgeOne({ engine: 'ts', workload: 'contains', base: { runs: asRuns([1, 2, 3, 4, 5]), failures: [] }, head: { runs: asRuns([1, 2, 3, 4, NaN]), failures: [] } }, config, 0.05);
    assert.equal(v.verdict, 'unjudged');
  });
});
