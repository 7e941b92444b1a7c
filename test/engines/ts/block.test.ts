import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BlockBuilder, BlockIterator } from '../../../engines/ts/block.js';
import { MAX_SEQ } from '../../../engines/ts/coding.js';
import { b, s } from './helpers.js';

function build(entries: Array<[string, number, string]>, interval: number): Uint8Array {
  const bb = new BlockBuilder(interval);
  for (const [k, seq, v] of entries) {
    const kb = b(k);
    const vb = b(v);
    bb.add(kb, 0, kb.length, seq, v === '' ? 0 : 1, vb, 0, vb.length);
  }
  return bb.finish().slice();
}

const cur = (it: BlockIterator): string => `${s(it.keyBuf.subarray(0, it.keyLen))}@${it.seq}=${s(it.valBuf.subarray(it.valOff, it.valOff + it.valLen))}`;

describe('block', () => {
  const entries: Array<[string, number, string]> = [];
  for (let i = 0; i < 100; i++) {
    entries.push([`key${String(i).padStart(3, '0')}`, 1000 + i, `v${i}`]);
    if (i % 10 === 0) entries.push([`key${String(i).padStart(3, '0')}`, 500, '']); // an older tombstone
  }
  const want = entries.map(([k, q, v]) => `${k}@${q}=${v}`);

  for (const interval of [1, 3, 16]) {
    it(`round-trips entries forward and backward (restart interval ${interval})`, () => {
      const it = new BlockIterator();
      it.reset(build(entries, interval));
      const fwd: string[] = [];
      for (it.seekFirst(); it.valid(); it.next()) fwd.push(cur(it));
      assert.deepEqual(fwd, want);
      const back: string[] = [];
      for (it.seekLast(); it.valid(); it.prev()) back.push(cur(it));
      assert.deepEqual(back, [...want].reverse());
    });

    it(`seeks to the first entry >= (key, seq) (restart interval ${interval})`, () => {
      const it = new BlockIterator();
      it.reset(build(entries, interval));
      const k = b('key010');
      it.seek(k, 0, k.length, MAX_SEQ);
      assert.equal(cur(it), 'key010@1010=v10');
      it.seek(k, 0, k.length, 600);
      assert.equal(cur(it), 'key010@500=', 'a snapshot below the newest version lands on the older one');
      const between = b('key0105');
      it.seek(between, 0, between.length, MAX_SEQ);
      assert.equal(cur(it), 'key011@1011=v11');
      const past = b('zzz');
      it.seek(past, 0, past.length, MAX_SEQ);
      assert.equal(it.valid(), false);
      it.seekBefore(k, 0, k.length);
      assert.equal(cur(it), 'key009@1009=v9');
      const first = b('key000');
      it.seekBefore(first, 0, first.length);
      assert.equal(it.valid(), false);
    });
  }

  it('an empty block has no entries', () => {
    const it = new BlockIterator();
    it.reset(new BlockBuilder().finish().slice());
    it.seekFirst();
    assert.equal(it.valid(), false);
  });
});
