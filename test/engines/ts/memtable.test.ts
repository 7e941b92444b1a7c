import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Memtable } from '../../../engines/ts/memtable.js';
import { KIND_DELETE, KIND_PUT, MAX_SEQ, compareRegions } from '../../../engines/ts/coding.js';
import { b, Rng, s } from './helpers.js';

function valueOf(m: Memtable, key: string, seq = MAX_SEQ): string | undefined | null {
  const n = m.lookup(b(key), seq);
  if (n < 0) return undefined;
  if (m.kindOf(n) === KIND_DELETE) return null;
  return s(m.arena.subarray(m.valueOffset(n), m.valueOffset(n) + m.valueLength(n)));
}

function entries(m: Memtable, reverse = false): string[] {
  const it = m.iterator();
  const out: string[] = [];
  if (reverse) for (it.seekLast(); it.valid(); it.prev()) out.push(`${s(it.keyBuf.subarray(it.keyOff, it.keyOff + it.keyLen))}@${it.seq}`);
  else for (it.seekFirst(); it.valid(); it.next()) out.push(`${s(it.keyBuf.subarray(it.keyOff, it.keyOff + it.keyLen))}@${it.seq}`);
  return out;
}

describe('memtable', () => {
  it('keeps every version and answers lookups at a sequence number', () => {
    const m = new Memtable();
    m.add(b('a'), 1, KIND_PUT, b('one'));
    m.add(b('a'), 2, KIND_PUT, b('two'));
    m.add(b('a'), 3, KIND_DELETE, undefined);
    m.add(b('b'), 4, KIND_PUT, b(''));
    assert.equal(valueOf(m, 'a'), null, 'the newest version is a tombstone');
    assert.equal(valueOf(m, 'a', 2), 'two');
    assert.equal(valueOf(m, 'a', 1), 'one');
    assert.equal(valueOf(m, 'a', 0), undefined, 'nothing at or below seq 0');
    assert.equal(valueOf(m, 'b'), '');
    assert.equal(valueOf(m, 'c'), undefined);
    assert.deepEqual(entries(m), ['a@3', 'a@2', 'a@1', 'b@4'], 'key ascending, seq descending');
    assert.equal(m.maxSeq, 4);
  });

  it('orders keys bytewise across the 16-byte word boundary and for prefixes', () => {
    const m = new Memtable();
    const keys = ['', 'a', 'a\0', 'a\0\0', 'ab', '0123456789abcdef', '0123456789abcdef\0', '0123456789abcdefg', '0123456789abcdeg', '\xff', 'zzzzzzzzzzzzzzzzzzzzzzzz1', 'zzzzzzzzzzzzzzzzzzzzzzzz0'];
    const bytes = keys.map((k) => Uint8Array.from([...k].map((c) => c.charCodeAt(0))));
    bytes.forEach((k, i) => m.add(k, i + 1, KIND_PUT, k));
    const sorted = [...bytes].sort((x, y) => compareRegions(x, 0, x.length, y, 0, y.length));
    const it = m.iterator();
    const got: number[][] = [];
    for (it.seekFirst(); it.valid(); it.next()) got.push([...it.keyBuf.subarray(it.keyOff, it.keyOff + it.keyLen)]);
    assert.deepEqual(got, sorted.map((k) => [...k]));
    for (const k of bytes) assert.ok(m.lookup(k, MAX_SEQ) >= 0);
  });

  it('matches a sorted reference under random inserts, with seeks both ways and iterators created mid-stream', () => {
    const r = new Rng(7);
    const m = new Memtable(64, 4); // tiny initial sizes: exercises every growth path
    const ref: Array<[string, number]> = [];
    const snapshotIters: Array<{ it: ReturnType<Memtable['iterator']>; count: number }> = [];
    for (let seq = 1; seq <= 6000; seq++) {
      const k = `k${r.int(1500)}${'x'.repeat(r.int(20))}`;
      m.add(b(k), seq, KIND_PUT, b(`v${seq}`));
      ref.push([k, seq]);
      if (seq % 1500 === 0) snapshotIters.push({ it: m.iterator(), count: seq });
    }
    const cmp = (x: [string, number], y: [string, number]): number => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : y[1] - x[1]);
    ref.sort(cmp);
    const want = ref.map(([k, q]) => `${k}@${q}`);
    assert.deepEqual(entries(m), want);
    assert.deepEqual(entries(m, true), [...want].reverse());
    for (const { it, count } of snapshotIters) {
      let n = 0;
      for (it.seekFirst(); it.valid(); it.next()) n++;
      assert.equal(n, count, 'an iterator sees the entries present when it was created');
    }
    const it = m.iterator();
    for (let i = 0; i < 200; i++) {
      const probe = `k${r.int(1600)}`;
      it.seek(b(probe), 0, b(probe).length, MAX_SEQ);
      const first = ref.findIndex(([k]) => k >= probe);
      if (first < 0) assert.equal(it.valid(), false);
      else assert.equal(`${s(it.keyBuf.subarray(it.keyOff, it.keyOff + it.keyLen))}@${it.seq}`, want[first]);
      it.seekBefore(b(probe), 0, b(probe).length);
      const before = first < 0 ? ref.length - 1 : first - 1;
      if (before < 0) assert.equal(it.valid(), false);
      else assert.equal(`${s(it.keyBuf.subarray(it.keyOff, it.keyOff + it.keyLen))}@${it.seq}`, want[before]);
    }
  });

  it('copies keys and values: the caller may reuse its buffers', () => {
    const m = new Memtable();
    const k = b('key');
    const v = b('value');
    m.add(k, 1, KIND_PUT, v);
    k.fill(0);
    v.fill(0);
    assert.equal(valueOf(m, 'key'), 'value');
  });

  it('accounts for its memory', () => {
    const m = new Memtable();
    const before = m.approximateBytes;
    for (let i = 0; i < 100; i++) m.add(b(`key${i}`), i + 1, KIND_PUT, new Uint8Array(100));
    assert.ok(m.approximateBytes - before >= 100 * 100);
  });
});
