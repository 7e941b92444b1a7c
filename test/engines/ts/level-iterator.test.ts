/** LevelIterator: one sorted run over several non-overlapping tables, in both directions. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LevelIterator } from '../../../engines/ts/level-iterator.js';
import { TableBuilder, TableReader } from '../../../engines/ts/table.js';
import { FaultFileSystem } from '../../../engines/ts/fault-fs.js';
import { KIND_PUT } from '../../../engines/ts/coding.js';
import { b, s } from './helpers.js';

const key = (i: number): string => `k${String(i).padStart(5, '0')}`;

/** Tables holding keys [0,10), [10,25), [30,31), [40,60) with two versions of every 7th key. */
function level(fs: FaultFileSystem): Array<{ reader: TableReader; smallest: Uint8Array; largest: Uint8Array }> {
  const ranges: Array<[number, number]> = [[0, 10], [10, 25], [30, 31], [40, 60]];
  return ranges.map(([lo, hi], t) => {
    const path = `/db/${t}.sst`;
    const builder = new TableBuilder(fs, path, t + 1, { blockSize: 64, restartInterval: 2, bloomBitsPerKey: 10 });
    for (let i = lo; i < hi; i++) {
      const kb = b(key(i));
      const versions = i % 7 === 0 ? [200 + i, 100 + i] : [100 + i];
      for (const seq of versions) {
        const vb = b(`v${i}@${seq}`);
        builder.add(kb, 0, kb.length, seq, KIND_PUT, vb, 0, vb.length);
      }
    }
    const meta = builder.finish();
    return { reader: TableReader.open(fs, path, t + 1), smallest: meta.smallest, largest: meta.largest };
  });
}

const entry = (it: LevelIterator): string => `${s(it.keyBuf.subarray(it.keyOff, it.keyOff + it.keyLen))}@${it.seq}`;

describe('LevelIterator', () => {
  const fs = new FaultFileSystem();
  const tables = level(fs);
  const all: string[] = [];
  for (const [lo, hi] of [[0, 10], [10, 25], [30, 31], [40, 60]] as const)
    for (let i = lo; i < hi; i++) for (const seq of i % 7 === 0 ? [200 + i, 100 + i] : [100 + i]) all.push(`${key(i)}@${seq}`);

  it('walks every entry forward and backward across tables', () => {
    const it = new LevelIterator(tables);
    const fwd: string[] = [];
    for (it.seekFirst(); it.valid(); it.next()) fwd.push(entry(it));
    assert.deepEqual(fwd, all);
    const back: string[] = [];
    for (it.seekLast(); it.valid(); it.prev()) back.push(entry(it));
    assert.deepEqual(back, [...all].reverse());
  });

  it('seeks to the first entry >= (key, seq), including into gaps between tables and past the end', () => {
    const it = new LevelIterator(tables);
    const cases: Array<[string, number, string | undefined]> = [
      [key(0), Infinity, `${key(0)}@200`],
      [key(0), 150, `${key(0)}@100`],
      [key(24), Infinity, `${key(24)}@124`],
      [key(24), 50, `${key(30)}@130`], // past the last version of k24: the next table
      [key(26), Infinity, `${key(30)}@130`], // a gap between tables
      [key(35), Infinity, `${key(40)}@140`],
      [key(59), Infinity, `${key(59)}@159`],
      [key(60), Infinity, undefined],
      ['a', Infinity, `${key(0)}@200`],
    ];
    for (const [k, seq, want] of cases) {
      const kb = b(k);
      it.seek(kb, 0, kb.length, seq);
      assert.equal(it.valid() ? entry(it) : undefined, want, `seek(${k}, ${seq})`);
    }
  });

  it('seekBefore lands on the last entry below the key, across gaps and at the start', () => {
    const it = new LevelIterator(tables);
    const cases: Array<[string, string | undefined]> = [
      [key(0), undefined],
      [key(1), `${key(0)}@100`],
      [key(10), `${key(9)}@109`],
      [key(28), `${key(24)}@124`],
      [key(31), `${key(30)}@130`],
      [key(40), `${key(30)}@130`],
      ['z', `${key(59)}@159`],
    ];
    for (const [k, want] of cases) {
      const kb = b(k);
      it.seekBefore(kb, 0, kb.length);
      assert.equal(it.valid() ? entry(it) : undefined, want, `seekBefore(${k})`);
    }
    // And prev() from there keeps walking down through the earlier tables.
    const kb = b(key(41));
    it.seekBefore(kb, 0, kb.length);
    const got: string[] = [];
    for (; it.valid(); it.prev()) got.push(entry(it));
    assert.deepEqual(got, all.filter((e) => e < `${key(41)}`).reverse());
  });

  it('an empty level is never valid', () => {
    const it = new LevelIterator([]);
    it.seekFirst();
    assert.equal(it.valid(), false);
    it.seekLast();
    assert.equal(it.valid(), false);
    const kb = b('x');
    it.seek(kb, 0, 1, Infinity);
    assert.equal(it.valid(), false);
  });
});
