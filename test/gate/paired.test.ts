/**
 * The paired decision on seeded synthetic rounds: its false-alarm rate and power, why
 * pairing matters, the metric it judges, and the work counters.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GateConfigSchema, defaultGateConfig } from '../../src/gate/config.js';
import { decide } from '../../src/gate/decide.js';
import { decidePaired, type PairedInput, type RoundSide } from '../../src/gate/paired.js';
import { pairedScenario, unpaired } from './synthetic.js';

const config = defaultGateConfig();
const seeds = (n: number, from: number): number[] => Array.from({ length: n }, (_, i) => from + i);
const regressed = (d: ReturnType<typeof decidePaired>, workload: string): boolean => d.verdicts.some((v) => v.workload === workload && v.verdict === 'regression');

describe('gate: paired decision on synthetic rounds', () => {
  it('false alarms: at most 1% of gate runs of unchanged code (200 runs × 8 workloads, 12 rounds, runs drifting 30%)', () => {
    let alarms = 0;
    for (const seed of seeds(200, 1)) if (decidePaired(pairedScenario(seed, { rounds: 12, drift: 0.3, noise: 0.05 }), config).outcome === 'regression') alarms++;
    // Bonferroni at alpha 0.01 bounds the family-wise rate at 1%: 2 expected in 200.
    assert.ok(alarms <= 4, `${alarms} of 200 gate runs cried wolf`);
  });

  it('power: a 15% slowdown is caught in at least 95 of 100 runs and 10% in at least 70, with 4% noise a side', () => {
    for (const [slowdown, need] of [[0.15, 95], [0.1, 70]] as const) {
      let caught = 0;
      let elsewhere = 0;
      for (const seed of seeds(100, 300)) {
        const d = decidePaired(pairedScenario(seed, { rounds: 12, drift: 0.3, noise: 0.04, slowdowns: { 'random-reads': slowdown } }), config);
        if (regressed(d, 'random-reads')) caught++;
        elsewhere += d.verdicts.filter((v) => v.workload !== 'random-reads' && v.verdict === 'regression').length;
      }
      assert.ok(caught >= need, `${slowdown * 100}% slower: caught ${caught} of 100`);
      assert.ok(elsewhere <= 2, `${elsewhere} false alarms among the 700 unchanged workloads`);
    }
  });

  it('pairing is what lets it see through drift: the unpaired test on the same runs misses a 15% slowdown', () => {
    let paired = 0;
    let unpairedCaught = 0;
    for (const seed of seeds(50, 700)) {
      const inputs = pairedScenario(seed, { rounds: 12, drift: 0.3, noise: 0.03, slowdowns: { contains: 0.15 } });
      if (regressed(decidePaired(inputs, config), 'contains')) paired++;
      if (decide(unpaired(inputs), config, 'run').verdicts.find((v) => v.workload === 'contains')!.verdict === 'regression') unpairedCaught++;
    }
    assert.ok(paired >= 48, `paired: ${paired} of 50`);
    assert.ok(unpairedCaught <= 10, `unpaired: ${unpairedCaught} of 50`);
  });

  it('does not cry wolf when a neighbour hits one side in a tenth of the rounds (2x slower there)', () => {
    let alarms = 0;
    for (const seed of seeds(100, 900)) if (decidePaired(pairedScenario(seed, { rounds: 12, drift: 0.3, noise: 0.04, hitShare: 0.1, hitSlowdown: 2 }), config).outcome === 'regression') alarms++;
    assert.ok(alarms <= 3, `${alarms} of 100`);
  });

  it('states its samples and eyesight: rounds per workload, an interval, and the slowdown it could see', () => {
    const d = decidePaired(pairedScenario(5, { rounds: 12, drift: 0.3, noise: 0.04 }), config);
    for (const v of d.verdicts) {
      assert.equal(v.baseN, 12);
      assert.ok(v.ci95 !== null && v.ci95[0] < 1 && v.ci95[1] > 1, `${v.workload}: ${v.ci95?.join(' … ')}`);
      assert.ok(v.detectable! >= config.minEffect && v.detectable! < 0.2, `${v.workload}: could see ${v.detectable}`);
    }
    assert.equal(d.unit, 'round');
  });

  it('cannot judge 9 rounds at 8 workloads: 2^-9 does not reach 0.01/8, and it says how many it needs', () => {
    const d = decidePaired(pairedScenario(5, { rounds: 9, drift: 0.1, noise: 0.02, slowdowns: { contains: 0.5 } }), config);
    assert.equal(d.outcome, 'unjudged');
    assert.match(d.verdicts[0]!.reason, /too few rounds \(9; need 10\)/);
    assert.equal(d.verdicts[0]!.detectable, Infinity);
  });

  it('judges CPU time where the config says so and both sides recorded it, wall time otherwise, and says why', () => {
    const cpu = decidePaired(pairedScenario(5, { rounds: 12, drift: 0.1, noise: 0.02, cpu: true }), config);
    assert.equal(cpu.verdicts[0]!.metric, 'cpu');
    const wall = decidePaired(pairedScenario(5, { rounds: 12, drift: 0.1, noise: 0.02 }), config);
    assert.equal(wall.verdicts[0]!.metric, 'wall');
    assert.match(wall.verdicts[0]!.metricReason!, /CPU time was not recorded/);
    const other = decidePaired(pairedScenario(5, { rounds: 12, drift: 0.1, noise: 0.02, cpu: true }).map((p) => ({ ...p, engine: 'rocksdb' })), config);
    assert.equal(other.verdicts[0]!.metric, 'wall');
    assert.match(other.verdicts[0]!.metricReason!, /background threads/);
  });

  it('judges CPU time, not wall time: head preempted (wall 40% slower) but as fast per CPU second passes', () => {
    const inputs = pairedScenario(5, { rounds: 12, drift: 0.1, noise: 0.02, cpu: true }).map((p) => ({
      ...p,
      rounds: p.rounds.map((r) => ({ base: r.base, head: { ...r.head!, opsPerSec: r.head!.opsPerSec.map((x) => x * 0.6) } })),
    }));
    assert.equal(decidePaired(inputs, config).outcome, 'pass');
  });

  it('says "faster" only where the 95% interval of the change excludes none; a one-sided p alone is "no clear difference"', () => {
    const side = (x: number): RoundSide => ({ opsPerSec: [x], cpuOpsPerSec: [null], counters: {}, failure: null });
    const input = (logRatios: number[]): PairedInput => ({ engine: 'ts', workload: 'contains', rounds: logRatios.map((l) => ({ base: side(1e6), head: side(1e6 * Math.exp(l)) })) });
    const alpha = { ...config, alpha: 0.05 };
    // 6 rounds: the one-sided signed-rank p of one small negative round among five faster
    // ones is 2/64 ≤ 0.05, but the 95% interval of 6 rounds runs from the smallest round to
    // the largest, and the smallest is below 0.
    const mixed = decidePaired([input([-0.01, 0.15, 0.16, 0.17, 0.18, 0.2])], alpha).verdicts[0]!;
    assert.ok(mixed.pFaster <= 0.05 && mixed.ratio > 1.05, `p ${mixed.pFaster}, ratio ${mixed.ratio}`);
    assert.ok(mixed.ci95 !== null && mixed.ci95[0] < 1);
    assert.equal(mixed.verdict, 'pass');
    assert.match(mixed.reason, /no clear difference/);
    const clear = decidePaired([input([0.01, 0.15, 0.16, 0.17, 0.18, 0.2])], alpha).verdicts[0]!;
    assert.ok(clear.ci95 !== null && clear.ci95[0] > 1);
    assert.equal(clear.verdict, 'faster');
  });
});

describe('gate: work counters', () => {
  const withCounters = (b: (i: number) => RoundSide['counters'], h: (i: number) => RoundSide['counters']): PairedInput[] =>
    pairedScenario(5, { rounds: 12, drift: 0.1, noise: 0.02 }).map((p, w) => ({
      ...p,
      rounds: p.rounds.map((r, i) => ({ base: { ...r.base!, counters: w === 0 ? b(i) : {} }, head: { ...r.head!, counters: w === 0 ? h(i) : {} } })),
    }));

  it('calls 4% more bytes written per logical byte a regression, though every throughput passed', () => {
    const d = decidePaired(withCounters(() => ({ wcharPerByte: 1.5, files: 6 }), () => ({ wcharPerByte: 1.56, files: 6 })), config);
    assert.equal(d.outcome, 'regression');
    assert.equal(d.exitCode, 1);
    assert.deepEqual(d.counters.map((c) => [c.counter, c.direction, c.rounds]), [['wcharPerByte', 'more', 12]]);
    assert.ok(d.verdicts.every((v) => v.verdict !== 'regression'));
  });

  it('reports fewer files as a change that passes, and ignores a 1% move and overlapping noise', () => {
    const fewer = decidePaired(withCounters(() => ({ files: 10 }), () => ({ files: 8 })), config);
    assert.equal(fewer.outcome, 'pass');
    assert.deepEqual(fewer.counters.map((c) => [c.counter, c.direction]), [['files', 'less']]);
    assert.equal(decidePaired(withCounters(() => ({ writeAmplification: 2 }), () => ({ writeAmplification: 2.02 })), config).counters.length, 0);
    const noisy = decidePaired(withCounters((i) => ({ rcharPerByte: 1 + (i % 3) * 0.05 }), (i) => ({ rcharPerByte: 1.04 + (i % 3) * 0.05 })), config);
    assert.equal(noisy.counters.length, 0, 'the sides overlap: not proven');
  });

  it('honours counterTolerance from the config', () => {
    const loose = GateConfigSchema.parse({ counterTolerance: 0.1 });
    assert.equal(decidePaired(withCounters(() => ({ wcharPerByte: 1.5 }), () => ({ wcharPerByte: 1.56 })), loose).counters.length, 0);
  });
});
