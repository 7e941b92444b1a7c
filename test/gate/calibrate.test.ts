/** Sizing the injected work of `gate --calibrate` and test/gate/measure.js: the pure parts. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseSpins, rescaleSpins, spinsForLevel } from '../../src/gate/calibrate.js';

describe('calibration: sizing the injected work', () => {
  it('extrapolates spins from the per-spin cost: level / (1 - level) of extra cost', () => {
    // 1% of a get per spin: 15% slower is 0.15/0.85 = 17.6% extra, 18 spins.
    assert.equal(spinsForLevel(new Map([['get', 0.01]]), 0.15), 'get:18');
    assert.equal(spinsForLevel(new Map([['get', 0.01], ['has', 0.02]]), 0.15, new Set(['has'])), 'has:9');
  });

  it('parses a spin setting back into numbers per operation', () => {
    assert.deepEqual([...parseSpins('get:12,has:9')], [['get', 12], ['has', 9]]);
  });

  it('rescales spins whose measured extra cost fell short of the level, once, in proportion', () => {
    // 9 spins gave 4.4% extra where 15% slower needs 17.6%: four times the spins.
    assert.equal(rescaleSpins(new Map([['has', 9]]), new Map([['has', 0.0441]]), 0.15), 'has:36');
    // Overshooting scales down as well.
    assert.equal(rescaleSpins(new Map([['get', 40]]), new Map([['get', 0.3529]]), 0.15), 'get:20');
  });

  it('quadruples spins that noise left at no measurable cost, and keeps those it did not measure', () => {
    assert.equal(rescaleSpins(new Map([['has', 9]]), new Map([['has', -0.02]]), 0.1), 'has:36');
    assert.equal(rescaleSpins(new Map([['get', 7]]), new Map(), 0.1), 'get:7');
  });
});
