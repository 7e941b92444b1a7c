import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Bloom, BloomBuilder, modU32 } from '../../../engines/ts/bloom.js';
import { hashKey } from '../../../engines/ts/hash.js';
import { b } from './helpers.js';

describe('bloom filter', () => {
  it('has no false negatives and about 1% false positives at 10 bits per key', () => {
    const builder = new BloomBuilder(10);
    for (let i = 0; i < 10000; i++) {
      const k = b(`key${i}`);
      builder.addKey(k, 0, k.length);
    }
    const filter = builder.finish();
    assert.ok(Math.abs(filter.length - 12501) <= 1, `~10 bits per key (${filter.length} bytes)`);
    const bloom = new Bloom(filter);
    for (let i = 0; i < 10000; i++) {
      const k = b(`key${i}`);
      assert.ok(bloom.mayContain(k, 0, k.length), `key${i} must be found`);
    }
    let fp = 0;
    for (let i = 0; i < 10000; i++) {
      const k = b(`other${i}`);
      if (bloom.mayContain(k, 0, k.length)) fp++;
    }
    assert.ok(fp < 250, `false positive rate ${fp / 100}%`);
    assert.ok(fp > 0, 'a filter with no false positives at all is suspicious');
  });

  it('an empty filter rejects everything it can', () => {
    const bloom = new Bloom(new BloomBuilder(10).finish());
    assert.equal(bloom.mayContain(b('x'), 0, 1), false);
  });
  it('modU32 is the exact remainder for every uint32 dividend, including near 2^32 and multiples', () => {
    const divisors = [1, 2, 3, 7, 64, 12504, 2500008, 2 ** 31 - 1, 2 ** 31, 2 ** 31 + 1, 2 ** 32 - 1];
    const dividends = [0, 1, 2 ** 31 - 1, 2 ** 31, 2 ** 31 + 1, 2 ** 32 - 2, 2 ** 32 - 1];
    for (const n of divisors) {
      for (const h of [...dividends, n - 1, n, n + 1, 3 * n - 1, 3 * n].filter((x) => x >= 0 && x < 2 ** 32)) {
        assert.equal(modU32(h, n), h % n, `${h} % ${n}`);
      }
    }
    let x = 12345;
    for (let i = 0; i < 100000; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      const n = (x % 5000000) + 1;
      const h = (Math.imul(x, 2654435761) ^ (x >>> 7)) >>> 0;
      assert.equal(modU32(h, n), h % n);
    }
  });

  it('lays out the bits at h % nbits (the format in FORMAT.md), probe by probe', () => {
    // A reference layout written out independently of BloomBuilder: a filter built by an
    // older version of the code must keep answering the same.
    const keys = Array.from({ length: 3000 }, (_, i) => b(`k${i * 7919}`));
    const builder = new BloomBuilder(10);
    for (const key of keys) builder.addKey(key, 0, key.length);
    const filter = builder.finish();
    const k = Math.round(10 * 0.69);
    const bytes = Math.ceil((keys.length * 10) / 8);
    const expected = new Uint8Array(bytes + 1);
    for (const key of keys) {
      let h = hashKey(key, 0, key.length);
      const delta = ((h >>> 17) | (h << 15)) >>> 0;
      for (let j = 0; j < k; j++) {
        const pos = h % (bytes * 8);
        expected[pos >>> 3]! |= 1 << (pos & 7);
        h = (h + delta) >>> 0;
      }
    }
    expected[bytes] = k;
    assert.deepEqual(filter, expected);
    // And a query probes the same positions: clearing one bit of a key's makes it absent.
    const bloom = new Bloom(filter);
    for (const key of keys) assert.ok(bloom.mayContain(key, 0, key.length));
    const probe = b('k0');
    const h0 = hashKey(probe, 0, probe.length);
    const cleared = filter.slice();
    const pos = h0 % (bytes * 8);
    cleared[pos >>> 3]! &= ~(1 << (pos & 7));
    assert.equal(new Bloom(cleared).mayContain(probe, 0, probe.length), false);
  });
});
