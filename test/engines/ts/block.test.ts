import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BlockBuilder, BlockHit, BlockIterator, blockGet } from '../../../engines/ts/block.js';
import { compareRegions, MAX_SEQ } from '../../../engines/ts/coding.js';
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

const cur = (it: BlockIterator): string => `${s(it.keyBuf.subarray(it.keyOff, it.keyOff + it.keyLen))}@${it.seq}=${s(it.valBuf.subarray(it.valOff, it.valOff + it.valLen))}`;

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

/** Keys that share prefixes of every length with their neighbours, include prefixes of each other, and hold 0x00 and 0xff. */
function irregularKeys(count: number, seed: number): Uint8Array[] {
  let x = seed;
  const rnd = (n: number): number => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return (x >>> 8) % n;
  };
  const alphabet = [0x00, 0x01, 0x61, 0x62, 0x7f, 0xfe, 0xff];
  const seen = new Map<string, Uint8Array>();
  while (seen.size < count) {
    const k = Uint8Array.from({ length: 1 + rnd(7) }, () => alphabet[rnd(alphabet.length)]!);
    seen.set([...k].join(','), k);
  }
  return [...seen.values()].sort((p, q) => compareRegions(p, 0, p.length, q, 0, q.length));
}

describe('block seek against a sorted-array model', () => {
  for (const interval of [1, 2, 5, 16]) {
    it(`lands on the first entry >= (key, seq) for every probe (restart interval ${interval})`, () => {
      const keys = irregularKeys(300, 7 + interval);
      // Entries in internal order: each key has one to three versions, newest first.
      const entries: Array<{ key: Uint8Array; seq: number }> = [];
      keys.forEach((key, i) => {
        for (let v = 0; v <= i % 3; v++) entries.push({ key, seq: 100 - 10 * v });
      });
      const bb = new BlockBuilder(interval);
      const none = new Uint8Array(0);
      for (const e of entries) bb.add(e.key, 0, e.key.length, e.seq, 1, none, 0, 0);
      const it = new BlockIterator();
      it.reset(bb.finish().slice());
      const probes = [...keys, ...irregularKeys(300, 99 + interval)];
      for (const probe of probes)
        for (const seq of [MAX_SEQ, 95, 85, 75, 0]) {
          const want = entries.findIndex((e) => {
            const c = compareRegions(e.key, 0, e.key.length, probe, 0, probe.length);
            return c > 0 || (c === 0 && e.seq <= seq);
          });
          it.seek(probe, 0, probe.length, seq);
          if (want < 0) {
            assert.equal(it.valid(), false, `seek([${[...probe]}], ${seq}) is past the end`);
            continue;
          }
          assert.ok(it.valid(), `seek([${[...probe]}], ${seq}) finds an entry`);
          assert.deepEqual([...it.keyBuf.subarray(it.keyOff, it.keyOff + it.keyLen)], [...entries[want]!.key], `seek([${[...probe]}], ${seq})`);
          assert.equal(it.seq, entries[want]!.seq);
        }
    });
  }
});

describe('blockGet against a sorted-array model', () => {
  for (const interval of [1, 2, 5, 16]) {
    it(`finds the newest version at or below seq, with its kind and value, or nothing (restart interval ${interval})`, () => {
      const keys = irregularKeys(300, 11 + interval);
      // Each key has one to three versions, newest first; every fourth version is a tombstone.
      const entries: Array<{ key: Uint8Array; seq: number; kind: number; value: Uint8Array }> = [];
      keys.forEach((key, i) => {
        for (let v = 0; v <= i % 3; v++) {
          const kind = (i + v) % 4 === 0 ? 0 : 1;
          entries.push({ key, seq: 100 - 10 * v, kind, value: kind === 0 ? new Uint8Array(0) : Uint8Array.from({ length: 1 + ((i * 7 + v) % 150) }, (_, j) => (i + j) & 0xff) });
        }
      });
      const bb = new BlockBuilder(interval);
      for (const e of entries) bb.add(e.key, 0, e.key.length, e.seq, e.kind, e.value, 0, e.value.length);
      const block = bb.finish().slice();
      const hit = new BlockHit();
      const probes = [...keys, ...irregularKeys(300, 199 + interval)];
      let found = 0;
      for (const probe of probes)
        for (const seq of [MAX_SEQ, 95, 85, 75, 0]) {
          const first = entries.find((e) => {
            const c = compareRegions(e.key, 0, e.key.length, probe, 0, probe.length);
            return c > 0 || (c === 0 && e.seq <= seq);
          });
          const want = first !== undefined && compareRegions(first.key, 0, first.key.length, probe, 0, probe.length) === 0 ? first : undefined;
          // The probe sits at an offset inside a larger array, as keys do in callers.
          const padded = new Uint8Array(probe.length + 3);
          padded.set(probe, 2);
          const got = blockGet(block, padded, 2, probe.length, seq, hit);
          const what = `blockGet([${[...probe]}], ${seq})`;
          assert.equal(got, want !== undefined, what);
          if (want === undefined) continue;
          found++;
          assert.equal(hit.kind, want.kind, what);
          assert.deepEqual([...block.subarray(hit.valOff, hit.valOff + hit.valLen)], [...want.value], what);
        }
      assert.ok(found > 300, `the probes found ${found} entries`);
    });
  }

  it('an empty block holds nothing', () => {
    const k = new Uint8Array([1]);
    assert.equal(blockGet(new BlockBuilder().finish().slice(), k, 0, 1, MAX_SEQ, new BlockHit()), false);
    assert.equal(blockGet(new Uint8Array(0), k, 0, 1, MAX_SEQ, new BlockHit()), false);
  });
});

describe('block keys rebuilt from shared prefixes', () => {
  it('round-trips keys longer than the scratch buffer, forward and backward, at restart intervals 1 and 4', () => {
    // 40 keys of 60 to 300 bytes sharing long prefixes: the rebuilt key outgrows the iterator's scratch.
    const keys = Array.from({ length: 40 }, (_, i) => 'p'.repeat(60 + (i % 5) * 60) + String(i).padStart(3, '0')).sort();
    const entries = keys.map((k, i): [string, number, string] => [k, 10 + i, `v${i}`]);
    for (const interval of [1, 4]) {
      const it = new BlockIterator();
      it.reset(build(entries, interval));
      const fwd: string[] = [];
      for (it.seekFirst(); it.valid(); it.next()) fwd.push(s(it.keyBuf.subarray(it.keyOff, it.keyOff + it.keyLen))!);
      assert.deepEqual(fwd, keys, `forward, interval ${interval}`);
      const back: string[] = [];
      for (it.seekLast(); it.valid(); it.prev()) back.push(s(it.keyBuf.subarray(it.keyOff, it.keyOff + it.keyLen))!);
      assert.deepEqual(back, [...keys].reverse(), `backward, interval ${interval}`);
    }
  });
});
