/**
 * End to end: real runs of the built CLI, base and head interleaved, where head's engine
 * does real extra work per `get` (the test-only `slowed` engine). The gate must catch the
 * slowdown on the workload that reads, and stay quiet on those that do not. Also through
 * the CLI: `gate --baseline` with head slowed by the environment.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { join } from 'node:path';
import { pairedComparisons } from '../../src/gate/collect.js';
import { defaultGateConfig } from '../../src/gate/config.js';
import { decidePaired } from '../../src/gate/paired.js';
import { runInterleaved, type Side } from '../../src/gate/runs.js';
import { projectRoot } from '../../src/paths.js';
import { CLI, lsmbench } from '../cli-helpers.js';
import { SLOWED } from './fixtures.js';
import { scratchDir } from '../scratch.js';

const side = (label: 'base' | 'head', spins: number): Side => ({
  label,
  cli: CLI,
  cwd: projectRoot(),
  env: { LSMBENCH_EXTRA_ENGINES: SLOWED, LSMBENCH_SLOWED_SPINS: String(spins), LSMBENCH_SLOWED_OPS: 'get' },
});

// About 18 µs of extra work per get (5,000 rounds of a dependent multiply): ten times a memory get
// or more, so that this test asks whether the pipeline catches a slowdown, not how small a one
// (that is measured by test/gate/measure.js and `gate --calibrate`, docs/gate.md).
const SPINS = 5000;
const RUN_ARGS = ['--engine', 'slowed', '--ops', '5000', '--repetitions', '2', '--workloads', 'random-reads,contains'];

describe('gate end to end: a real slowdown injected into an engine', () => {
  it('catches head doing extra work per get on random-reads, and passes contains, which does no get and did not change', async () => {
    // Two comparisons at alpha 0.01: each needs p ≤ 0.005, which 8 rounds can reach (2^-8).
    const runs = await runInterleaved(side('base', 0), side('head', SPINS), { rounds: 8, argsOf: () => RUN_ARGS, workloads: ['random-reads', 'contains'] });
    assert.equal(runs.base.length, 8);
    assert.equal(runs.head.length, 8);
    const d = decidePaired(pairedComparisons(runs.base, runs.head), defaultGateConfig());
    const by = (w: string) => d.verdicts.find((v) => v.workload === w)!;
    assert.equal(by('random-reads').verdict, 'regression', JSON.stringify(by('random-reads')));
    assert.ok(by('random-reads').ratio < 0.5, `ratio ${by('random-reads').ratio}`);
    assert.equal(by('random-reads').baseN, 8, 'one sample per round');
    assert.equal(d.outcome, 'regression');
    assert.equal(d.exitCode, 1);
    // The no-change case, side by side with the slowdown: a regression verdict here would be a false alarm.
    assert.notEqual(by('contains').verdict, 'regression', JSON.stringify(by('contains')));
  });

  it('through the CLI: gate --baseline catches a head slowed by the environment (exit 1)', async () => {
    const dir = await scratchDir('lsmbench-gate-e2e-');
    const baseline = join(dir, 'baseline.json');
    const env = { LSMBENCH_EXTRA_ENGINES: SLOWED, LSMBENCH_SLOWED_OPS: 'get' };
    const saved = lsmbench(['run', '--engine', 'slowed', '--ops', '5000', '--repetitions', '9', '--workloads', 'random-reads', '--out', baseline], { ...env, LSMBENCH_SLOWED_SPINS: '0' });
    assert.equal(saved.code, 0, saved.stderr);
    const r = lsmbench(['gate', '--baseline', baseline], { ...env, LSMBENCH_SLOWED_SPINS: String(SPINS) });
    assert.equal(r.code, 1, `${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /^lsmbench gate: REGRESSION in 1 of 1 workloads: slowed random-reads −\d+\.\d%/);
    assert.match(r.stderr, /round 1\/1: head [\d.]+ s/);
  });
});
