import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Bloom, BloomBuilder } from '../../../engines/ts/bloom.js';
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
});
