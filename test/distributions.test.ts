import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Zipfian, keyChooser, nextDouble, type DistributionName } from '../src/distributions.js';
import { Xoshiro128 } from '../src/keyspace.js';
import { projectRoot } from '../src/paths.js';

const params = { zipfianConstant: 0.99, hotsetFraction: 0.2, hotOperationFraction: 0.8 };

function histogram(name: DistributionName, count: number, draws: number, seed = 1): Uint32Array {
  const chooser = keyChooser(name, new Xoshiro128(seed), count, params);
  const h = new Uint32Array(count);
  for (let d = 0; d < draws; d++) {
    const k = chooser.next(count);
    assert.ok(k >= 0 && k < count && Number.isInteger(k), `${name} drew ${k}`);
    h[k]!++;
  }
  return h;
}

describe('request distributions', () => {
  it('nextDouble is in [0, 1) and uses 53 bits', () => {
    const rng = new Xoshiro128(3);
    let fractional = 0;
    for (let i = 0; i < 10_000; i++) {
      const u = nextDouble(rng);
      assert.ok(u >= 0 && u < 1);
      if (u * 2 ** 32 !== Math.floor(u * 2 ** 32)) fractional++;
    }
    assert.ok(fractional > 9_000, 'more precision than one 32-bit output');
  });

  it('zipfian ranks follow 1/(r+1)^theta (exactly for ranks 0 and 1, approximately beyond: Gray et al.)', () => {
    const n = 1000;
    const z = new Zipfian(n, 0.99);
    const rng = new Xoshiro128(11);
    const counts = new Uint32Array(n);
    const draws = 200_000;
    for (let d = 0; d < draws; d++) counts[z.rank(nextDouble(rng))]!++;
    let zeta = 0;
    for (let i = 1; i <= n; i++) zeta += 1 / Math.pow(i, 0.99);
    for (const r of [0, 1]) {
      const expected = draws / Math.pow(r + 1, 0.99) / zeta;
      assert.ok(Math.abs(counts[r]! - expected) < 0.05 * expected, `rank ${r}: ${counts[r]} vs ${expected.toFixed(0)}`);
    }
    let top = 0;
    let exactTop = 0;
    for (let r = 0; r < 100; r++) {
      top += counts[r]!;
      exactTop += draws / Math.pow(r + 1, 0.99) / zeta;
    }
    assert.ok(Math.abs(top - exactTop) < 0.1 * exactTop, `top 100 ranks: ${top} vs ${exactTop.toFixed(0)}`);
    assert.ok(counts[0]! > counts[1]! && counts[1]! > counts[5]! && counts[5]! > counts[50]!, 'popularity falls with rank');
  });

  it('a grown zipfian equals one built at the larger size', () => {
    const grown = new Zipfian(500, 0.9);
    grown.grow(2000);
    const direct = new Zipfian(2000, 0.9);
    for (const u of [0.001, 0.2, 0.5, 0.77, 0.999]) assert.equal(grown.rank(u), direct.rank(u));
    assert.throws(() => grown.grow(10), /only grows/);
    assert.throws(() => new Zipfian(10, 1), /between 0 and 1/);
  });

  it('scrambled zipfian spreads its hot records; latest favours the newest; hotspot keeps 80% in 20%', () => {
    const z = histogram('zipfian', 1000, 100_000);
    const hottest = [...z].map((c, k) => [c, k] as const).sort((a, b) => b[0] - a[0]).slice(0, 5).map(([, k]) => k);
    assert.ok(Math.max(...hottest) - Math.min(...hottest) > 50, `hot records are spread: ${hottest}`);
    assert.ok(z[hottest[0]!]! > 100_000 * 0.05, 'the hottest record is very hot');
    const latest = histogram('latest', 1000, 100_000);
    assert.equal(latest.indexOf(Math.max(...latest)), 999);
    assert.ok(latest[999]! > latest[500]! * 50);
    const hot = histogram('hotspot', 1000, 100_000);
    const inHot = hot.subarray(0, 200).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(inHot / 100_000 - 0.8) < 0.02, `hot share ${inHot / 100_000}`);
    const uniform = histogram('uniform', 10, 100_000);
    for (const c of uniform) assert.ok(Math.abs(c - 10_000) < 600);
  });

  it('choosers follow a growing record count', () => {
    for (const name of ['uniform', 'zipfian', 'latest', 'hotspot'] as const) {
      const chooser = keyChooser(name, new Xoshiro128(5), 100, params);
      for (let count = 100; count < 400; count++) {
        const k = chooser.next(count);
        assert.ok(k >= 0 && k < count, `${name}: ${k} of ${count}`);
      }
    }
  });

  it('matches the committed vectors', () => {
    const vectors = JSON.parse(readFileSync(join(projectRoot(), 'test/vectors/distributions.json'), 'utf8')) as {
      count: number;
      seed: number;
      first20: Record<DistributionName, number[]>;
    };
    for (const [name, picks] of Object.entries(vectors.first20)) {
      const chooser = keyChooser(name as DistributionName, new Xoshiro128(vectors.seed), vectors.count, params);
      assert.deepEqual(picks.map(() => chooser.next(vectors.count)), picks, name);
    }
  });
});
