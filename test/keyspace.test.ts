import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  Stream,
  Xoshiro128,
  containsQueries,
  deriveSeed,
  digitsNeeded,
  key,
  mix32,
  mulHi32,
  permutation,
  prefixScanGroups,
  rangeScanStarts,
  value,
  writeValue,
} from '../src/keyspace.js';
import { projectRoot } from '../src/paths.js';

interface Vectors {
  mix32: Array<{ input: number; output: number }>;
  deriveSeed: Array<{ seed: number; stream: number; output: number }>;
  xoshiro128: { seed: number; first8: number[] };
  below: { seed: number; n: number; first8: number[] };
  keys: Array<{ i: number; keySize: number; key: string }>;
  values: Array<{ seed: number; i: number; valueSize: number; hex: string }>;
  valuesShort: Array<{ seed: number; i: number; valueSize: number; hex: string }>;
  valuesVersioned: Array<{ seed: number; i: number; version: number; valueSize: number; hex: string }>;
  permutation: { n: number; streamSeed: number; order: number[] };
  randomWritesFirst10: { n: number; seed: number; order: number[] };
  randomReadsFirst10: { n: number; seed: number; order: number[] };
  rangeScanStarts: { n: number; scanLength: number; seed: number; count: number; first10: number[] };
  prefixScanGroups: { n: number; keySize: number; prefixLength: number; seed: number; groupSize: number; count: number; first10: number[] };
  containsQueries: { n: number; missRatio: number; seed: number; present: number; order: number[] };
}
const vectors = JSON.parse(readFileSync(join(projectRoot(), 'test/vectors/keyspace.json'), 'utf8')) as Vectors;
const hex = (u: Uint8Array): string => Buffer.from(u).toString('hex');

describe('keyspace matches the committed vectors', () => {
  it('mix32 and deriveSeed', () => {
    for (const v of vectors.mix32) assert.equal(mix32(v.input), v.output);
    for (const v of vectors.deriveSeed) assert.equal(deriveSeed(v.seed, v.stream), v.output);
  });
  it('xoshiro128** and below()', () => {
    const rng = new Xoshiro128(vectors.xoshiro128.seed);
    assert.deepEqual(vectors.xoshiro128.first8.map(() => rng.next()), vectors.xoshiro128.first8);
    // The reference C implementation of xoshiro128** gives these first outputs for seed 42.
    assert.deepEqual(vectors.xoshiro128.first8.slice(0, 3), [2837322924, 544945897, 479756282]);
    const r = new Xoshiro128(vectors.below.seed);
    assert.deepEqual(vectors.below.first8.map(() => r.below(vectors.below.n)), vectors.below.first8);
  });
  it('keys and values', () => {
    for (const v of vectors.keys) assert.equal(Buffer.from(key(v.i, v.keySize)).toString('latin1'), v.key);
    for (const v of [...vectors.values, ...vectors.valuesShort]) assert.equal(hex(value(v.seed, v.i, v.valueSize)), v.hex);
  });
  it('versioned values (the mixed workloads\' updates)', () => {
    assert.ok(vectors.valuesVersioned.length >= 4);
    for (const v of vectors.valuesVersioned) {
      assert.equal(hex(value(v.seed, v.i, v.valueSize, v.version)), v.hex);
      assert.notEqual(v.hex, hex(value(v.seed, v.i, v.valueSize)), 'a version differs from the value it replaces');
    }
  });
  it('orders', () => {
    assert.deepEqual([...permutation(vectors.permutation.n, vectors.permutation.streamSeed)], vectors.permutation.order);
    const w = vectors.randomWritesFirst10;
    assert.deepEqual([...permutation(w.n, deriveSeed(w.seed, Stream.randomWrites)).subarray(0, 10)], w.order);
    const r = vectors.randomReadsFirst10;
    assert.deepEqual([...permutation(r.n, deriveSeed(r.seed, Stream.randomReads)).subarray(0, 10)], r.order);
    const rs = vectors.rangeScanStarts;
    const starts = rangeScanStarts(rs.n, rs.scanLength, deriveSeed(rs.seed, Stream.rangeScan));
    assert.equal(starts.length, rs.count);
    assert.deepEqual([...starts.subarray(0, 10)], rs.first10);
    const ps = vectors.prefixScanGroups;
    const groups = prefixScanGroups(ps.n, ps.keySize, ps.prefixLength, deriveSeed(ps.seed, Stream.prefixScan));
    assert.equal(groups.groupSize, ps.groupSize);
    assert.equal(groups.groups.length, ps.count);
    assert.deepEqual([...groups.groups.subarray(0, 10)], ps.first10);
    const cq = vectors.containsQueries;
    const q = containsQueries(cq.n, cq.missRatio, deriveSeed(cq.seed, Stream.contains));
    assert.equal(q.present, cq.present);
    assert.deepEqual([...q.order], cq.order);
  });
});

describe('keyspace properties', () => {
  it('keys are zero-padded decimals whose byte order is numeric order', () => {
    assert.equal(Buffer.from(key(42, 16)).toString('latin1'), '0000000000000042');
    assert.ok(Buffer.compare(Buffer.from(key(9, 16)), Buffer.from(key(10, 16))) < 0);
    assert.equal(digitsNeeded(99_999), 5);
    assert.equal(digitsNeeded(100_000), 6);
    assert.equal(digitsNeeded(0), 1);
  });
  it('values differ per index and per seed, and are reproducible', () => {
    assert.notEqual(hex(value(42, 1, 100)), hex(value(42, 2, 100)));
    assert.notEqual(hex(value(42, 1, 100)), hex(value(43, 1, 100)));
    assert.equal(hex(value(42, 1, 100)), hex(value(42, 1, 100)));
    assert.equal(hex(value(42, 1, 100)).slice(0, 14), hex(value(42, 1, 7)), 'a shorter value is a prefix of a longer one');
  });
  it('permutations contain every index once', () => {
    for (const n of [1, 2, 7, 1000]) {
      const p = permutation(n, 99);
      assert.deepEqual([...p].sort((a, b) => a - b), Array.from({ length: n }, (_, i) => i));
    }
  });
  it('below(n) stays in range and mulHi32 is exact for large products', () => {
    const rng = new Xoshiro128(1);
    for (let k = 0; k < 10_000; k++) {
      const x = rng.below(3);
      assert.ok(x >= 0 && x < 3);
    }
    assert.equal(mulHi32(0xffffffff, 0xffffffff), 0xfffffffe);
    assert.equal(mulHi32(0x80000000, 10_000_000), 5_000_000);
  });
  it('range scans stay inside the keyspace; prefix groups cover at least N entries', () => {
    for (const s of rangeScanStarts(10_500, 1000, 5)) assert.ok(s + 1000 <= 10_500);
    const { groups, groupSize } = prefixScanGroups(10_500, 16, 13, 5);
    let entries = 0;
    for (const g of groups) {
      assert.ok(g < Math.ceil(10_500 / groupSize));
      entries += Math.min(10_500, (g + 1) * groupSize) - g * groupSize;
    }
    assert.ok(entries >= 10_500);
  });
  it('contains queries ask for the right share of absent keys', () => {
    const { order, present } = containsQueries(1000, 0.3, 8);
    assert.equal(present, 700);
    const absent = [...order].filter((q) => q >= 1000);
    assert.equal(absent.length, 300);
    assert.ok(absent.every((q) => q < 1300));
    assert.equal(new Set(order).size, 1000);
  });
});

describe('writeValue against the generator it inlines', () => {
  it('writes the Xoshiro128 words of its seed, little-endian, the last one cut, at any offset and size', () => {
    const valueSeed = deriveSeed(42, Stream.values);
    const out = new Uint8Array(140);
    for (let i = 0; i < 200; i++)
      for (const size of [0, 1, 2, 3, 4, 5, 7, 8, 15, 16, 99, 100, 101, 128]) {
        const version = i % 3;
        let seed = (valueSeed ^ mix32(i)) >>> 0;
        if (version !== 0) seed = (seed ^ mix32((version + 0x9e3779b9) >>> 0)) >>> 0;
        const rng = new Xoshiro128(mix32(seed));
        const want = new Uint8Array(size);
        for (let p = 0; p < size; p += 4) {
          const word = rng.next();
          for (let b = 0; b < 4 && p + b < size; b++) want[p + b] = (word >>> (8 * b)) & 0xff;
        }
        out.fill(0xee);
        writeValue(valueSeed, i, size, out, 5, version);
        assert.deepEqual(out.subarray(5, 5 + size), want, `value ${i}, ${size} bytes, version ${version}`);
        assert.equal(out[4], 0xee, 'nothing written before the offset');
        assert.equal(out[5 + size], 0xee, 'nothing written past the value');
      }
  });
});
