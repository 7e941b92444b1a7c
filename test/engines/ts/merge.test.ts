import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Memtable } from '../../../engines/ts/memtable.js';
import { MergeIterator, RegionCopier } from '../../../engines/ts/merge.js';
import { KIND_DELETE, KIND_PUT, MAX_SEQ } from '../../../engines/ts/coding.js';
import { TableBuilder, TableReader } from '../../../engines/ts/table.js';
import { FaultFileSystem } from '../../../engines/ts/fault-fs.js';
import { b, s } from './helpers.js';

function collect(it: MergeIterator, reverse: boolean, from?: string): string[] {
  const out: string[] = [];
  if (reverse) {
    if (from === undefined) it.seekLast();
    else it.seekBefore(b(from));
  } else if (from === undefined) it.seekFirst();
  else it.seek(b(from));
  for (; it.valid(); it.next()) out.push(`${s(it.key)}=${s(it.valBuf.subarray(it.valOff, it.valOff + it.valLen))}`);
  return out;
}

describe('merging iterator', () => {
  // Oldest source: a table; then an older memtable; then the newest memtable.
  const fs = new FaultFileSystem();
  const tb = new TableBuilder(fs, '/t.sst', 1, { blockSize: 64, restartInterval: 2, bloomBitsPerKey: 10 });
  const tableEntries: Array<[string, number, string]> = [['a', 1, 'a1'], ['b', 2, 'b2'], ['c', 3, 'c3'], ['d', 4, 'd4'], ['e', 5, 'e5']];
  for (const [k, q, v] of tableEntries) tb.add(b(k), 0, k.length, q, KIND_PUT, b(v), 0, v.length);
  tb.finish();
  const table = TableReader.open(fs, '/t.sst', 1);
  const older = new Memtable();
  older.add(b('b'), 6, KIND_DELETE, undefined);
  older.add(b('c'), 7, KIND_PUT, b('c7'));
  older.add(b('f'), 8, KIND_PUT, b('f8'));
  const newer = new Memtable();
  newer.add(b('b'), 9, KIND_PUT, b('b9'));
  newer.add(b('d'), 10, KIND_DELETE, undefined);
  newer.add(b('c'), 11, KIND_PUT, b('c11'));
  const make = (snapshot: number): MergeIterator => new MergeIterator([newer.iterator(), older.iterator(), table.iterator()], snapshot);

  it('leaves out a source that knows it is empty, so one table behind an empty memtable is one source', () => {
    const empty = new Memtable();
    const it = new MergeIterator([empty.iterator(), table.iterator()], MAX_SEQ);
    assert.equal(it.sourceCount, 1);
    assert.ok(it.firstSource() !== undefined);
    assert.deepEqual(collect(it, false), ['a=a1', 'b=b2', 'c=c3', 'd=d4', 'e=e5']);
    assert.deepEqual(collect(it, true), ['e=e5', 'd=d4', 'c=c3', 'b=b2', 'a=a1']);
    assert.equal(new MergeIterator([empty.iterator()], MAX_SEQ).sourceCount, 0);
    const none = new MergeIterator([empty.iterator()], MAX_SEQ);
    none.seekFirst();
    assert.equal(none.valid(), false);
    assert.equal(make(MAX_SEQ).sourceCount, 3, 'memtables with entries stay');
  });

  it('newest version wins and tombstones hide keys, in both directions', () => {
    const want = ['a=a1', 'b=b9', 'c=c11', 'e=e5', 'f=f8'];
    assert.deepEqual(collect(make(MAX_SEQ), false), want);
    assert.deepEqual(collect(make(MAX_SEQ), true), [...want].reverse());
  });

  it('a snapshot sees the state as of its sequence number', () => {
    assert.deepEqual(collect(make(5), false), ['a=a1', 'b=b2', 'c=c3', 'd=d4', 'e=e5']);
    assert.deepEqual(collect(make(6), false), ['a=a1', 'c=c3', 'd=d4', 'e=e5']);
    assert.deepEqual(collect(make(8), true), ['f=f8', 'e=e5', 'd=d4', 'c=c7', 'a=a1']);
    assert.deepEqual(collect(make(10), false), ['a=a1', 'b=b9', 'c=c7', 'e=e5', 'f=f8']);
  });

  it('seeks forward and backward from a bound', () => {
    assert.deepEqual(collect(make(MAX_SEQ), false, 'bb'), ['c=c11', 'e=e5', 'f=f8']);
    assert.deepEqual(collect(make(MAX_SEQ), true, 'd'), ['c=c11', 'b=b9', 'a=a1']);
    assert.deepEqual(collect(make(MAX_SEQ), true, 'a'), []);
  });

  it('handles empty sources', () => {
    const it = new MergeIterator([new Memtable().iterator()], MAX_SEQ);
    it.seekFirst();
    assert.equal(it.valid(), false);
    it.seekLast();
    assert.equal(it.valid(), false);
  });
});

describe('RegionCopier', () => {
  it('copies exactly the region, aligned or not, from buffers at any byte offset, reusing one array per length', () => {
    const backing = new Uint8Array(1024);
    for (let i = 0; i < backing.length; i++) backing[i] = (i * 131 + 7) & 255;
    const copier = new RegionCopier();
    const seenByLength = new Map<number, Uint8Array>();
    for (const start of [0, 1, 2, 3, 4, 8]) {
      const src = backing.subarray(start, start + 600);
      for (const off of [0, 1, 2, 3, 4, 5, 16, 101, 400]) {
        for (const len of [0, 1, 3, 4, 5, 16, 17, 100, 101, 103]) {
          const got = copier.copy(src, off, len);
          assert.equal(got.length, len);
          assert.deepEqual([...got], [...src.subarray(off, off + len)], `byteOffset ${start}, off ${off}, len ${len}`);
          const earlier = seenByLength.get(len);
          if (earlier !== undefined && len > 0) assert.equal(got, earlier, 'same length, same array');
          seenByLength.set(len, got);
        }
      }
    }
  });

  it('a later copy of the same length overwrites the array handed out before (callers keep nothing)', () => {
    const copier = new RegionCopier();
    const src = Uint8Array.from({ length: 64 }, (_, i) => i);
    const first = copier.copy(src, 0, 8);
    const second = copier.copy(src, 8, 8);
    assert.equal(first, second);
    assert.deepEqual([...second], [8, 9, 10, 11, 12, 13, 14, 15]);
  });
});
