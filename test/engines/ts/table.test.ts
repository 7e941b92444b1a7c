import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BlockCache, LOOKUP_ABSENT, LOOKUP_DELETE, LOOKUP_PUT, TableBuilder, TableReader } from '../../../engines/ts/table.js';
import { FaultFileSystem } from '../../../engines/ts/fault-fs.js';
import { KIND_DELETE, KIND_PUT, MAX_SEQ, readU32, writeU32 } from '../../../engines/ts/coding.js';
import { crc32Bytes } from '../../../engines/ts/crc32.js';
import { hashKey } from '../../../engines/ts/hash.js';
import { b, CountingFileSystem, s } from './helpers.js';

const key = (i: number): string => `key${String(i).padStart(5, '0')}`;

function buildTable(fs: FaultFileSystem, path: string, n: number, restartInterval = 16): void {
  const tb = new TableBuilder(fs, path, 1, { blockSize: 4096, restartInterval, bloomBitsPerKey: 10 });
  for (let i = 0; i < n; i++) {
    const k = b(key(i));
    // Every 10th key also has an older tombstone; every 7th key's newest version is a tombstone.
    if (i % 7 === 0) tb.add(k, 0, k.length, 3 * i + 2, KIND_DELETE, new Uint8Array(0), 0, 0);
    const v = b(`value-${i}-${'x'.repeat(90)}`);
    tb.add(k, 0, k.length, 3 * i + 1, KIND_PUT, v, 0, v.length);
    if (i % 10 === 0) tb.add(k, 0, k.length, 3 * i, KIND_DELETE, new Uint8Array(0), 0, 0);
  }
  const meta = tb.finish();
  assert.equal(s(meta.smallest), key(0));
  assert.equal(s(meta.largest), key(n - 1));
}

for (const restartInterval of [16, 1])
describe(`sstable (restart interval ${restartInterval}: ${restartInterval === 1 ? 'point index' : 'bloom filter and index'})`, () => {
  const fs = new FaultFileSystem();
  buildTable(fs, '/t.sst', 5000, restartInterval);

  it(`${restartInterval === 1 ? 'carries' : 'does not carry'} a point index`, () => {
    assert.equal(TableReader.open(fs, '/t.sst', 1).hasPointIndex, restartInterval === 1);
  });

  it('has ~4 KiB data blocks', () => {
    const t = TableReader.open(fs, '/t.sst', 1);
    const size = fs.readAll('/t.sst').length;
    assert.ok(t.blockCount > 100, `${t.blockCount} blocks`);
    assert.ok(size / t.blockCount < 5000 && size / t.blockCount > 3500, `average ${Math.round(size / t.blockCount)} bytes per block`);
  });

  it('a point lookup reads exactly one data block; a filter miss reads none', () => {
    const t = TableReader.open(fs, '/t.sst', 1);
    assert.equal(t.blockReads, 0, 'opening reads footer, index and filter only');
    assert.equal(t.lookup(b(key(1234)), MAX_SEQ), LOOKUP_PUT);
    assert.equal(s(t.valBuf.subarray(t.valOff, t.valOff + t.valLen)), `value-1234-${'x'.repeat(90)}`);
    assert.equal(t.blockReads, 1);
    assert.equal(t.lookup(b(key(3001)), MAX_SEQ), LOOKUP_PUT);
    assert.equal(t.blockReads, 2);
    // Absent keys inside the table's key range: only bloom false positives may read a block.
    const before = t.blockReads;
    for (let i = 0; i < 1000; i++) assert.equal(t.lookup(b(`${key(i * 5)}x`), MAX_SEQ), LOOKUP_ABSENT);
    assert.ok(t.filterNegatives > (restartInterval === 1 ? 995 : 950), `filtered ${t.filterNegatives} of 1000 absent keys`);
    assert.ok(t.blockReads - before <= 1000 - t.filterNegatives, 'a filter negative reads no data block');
  });

  it('answers versions and tombstones at a snapshot', () => {
    const t = TableReader.open(fs, '/t.sst', 1);
    assert.equal(t.lookup(b(key(7)), MAX_SEQ), LOOKUP_DELETE);
    assert.equal(t.lookup(b(key(7)), 3 * 7 + 1), LOOKUP_PUT, 'below the tombstone the put is visible');
    assert.equal(t.lookup(b(key(10)), 30), LOOKUP_DELETE);
    assert.equal(t.lookup(b(key(10)), 29), LOOKUP_ABSENT);
  });

  it('iterates forward and backward, and seeks', () => {
    const t = TableReader.open(fs, '/t.sst', 1, new BlockCache(1 << 20));
    const it = t.iterator();
    let n = 0;
    let last = '';
    for (it.seekFirst(); it.valid(); it.next()) {
      const k = s(it.keyBuf.subarray(it.keyOff, it.keyOff + it.keyLen))!;
      assert.ok(k >= last);
      last = k;
      n++;
    }
    assert.equal(n, t.entries);
    let m = 0;
    for (it.seekLast(); it.valid(); it.prev()) m++;
    assert.equal(m, n);
    const k = b(key(2500));
    it.seek(k, 0, k.length, MAX_SEQ);
    assert.equal(s(it.keyBuf.subarray(it.keyOff, it.keyOff + it.keyLen)), key(2500));
    it.seekBefore(k, 0, k.length);
    assert.equal(s(it.keyBuf.subarray(it.keyOff, it.keyOff + it.keyLen)), key(2499));
    it.seekBefore(b(key(0)), 0, 8);
    assert.equal(it.valid(), false);
  });

  it('each block read from the file has memory of its own, holding exactly the bytes written', () => {
    const t = TableReader.open(fs, '/t.sst', 1);
    const file = fs.readAll('/t.sst');
    const b0 = t.block(0);
    const b1 = t.block(1);
    const again = t.block(0);
    assert.notEqual(b0.buffer, b1.buffer, 'blocks must not share a pooled or scratch buffer');
    assert.notEqual(b0.buffer, again.buffer);
    assert.deepEqual(again, b0);
    // Block 0 starts the file; block 1 follows block 0 and its 4-byte checksum.
    assert.deepEqual(b0, file.subarray(0, b0.length));
    assert.deepEqual(b1, file.subarray(b0.length + 4, b0.length + 4 + b1.length));
    // A value found by a lookup stays intact while later lookups read other blocks (no cache).
    assert.equal(t.lookup(b(key(1)), MAX_SEQ), LOOKUP_PUT);
    const v = t.valBuf.subarray(t.valOff, t.valOff + t.valLen);
    for (let i = 100; i < 5000; i += 97) t.lookup(b(key(i)), MAX_SEQ);
    assert.equal(s(v), `value-1-${'x'.repeat(90)}`);
  });

  it('the block cache serves repeated reads', () => {
    const cache = new BlockCache(1 << 20);
    const t = TableReader.open(fs, '/t.sst', 1, cache);
    t.lookup(b(key(100)), MAX_SEQ);
    t.lookup(b(key(4000)), MAX_SEQ);
    t.lookup(b(key(100)), MAX_SEQ);
    assert.equal(t.blockReads, 2);
    assert.equal(cache.hits, 1);
  });

  it('the block cache stays within its capacity', () => {
    const cache = new BlockCache(10_000);
    const slots = BlockCache.forTable(100);
    for (let i = 0; i < 100; i++) cache.insert(slots, i, new Uint8Array(1000));
    assert.ok(cache.size <= 10_000);
  });

  it('the block cache: an evicted block is a miss for its table again, a referenced one gets a second chance, evictTable frees a table', () => {
    const cache = new BlockCache(3000);
    const a = BlockCache.forTable(4);
    const b = BlockCache.forTable(4);
    const block = (tag: number): Uint8Array => new Uint8Array(1000).fill(tag);
    cache.insert(a, 0, block(1));
    cache.insert(a, 1, block(2));
    cache.insert(b, 0, block(3));
    assert.equal(cache.get(a, 0)![0], 1, 'a hit marks block a0 referenced');
    cache.insert(b, 1, block(4)); // full: a0 gets its second chance, a1 (unreferenced) goes
    assert.equal(cache.get(a, 1), undefined, 'a1 was evicted: its slot is cleared in table a');
    assert.equal(cache.get(a, 0)![0], 1);
    assert.equal(cache.get(b, 0)![0], 3);
    assert.equal(cache.get(b, 1)![0], 4);
    assert.equal(cache.size, 3000);
    cache.insert(b, 1, block(9));
    assert.equal(cache.get(b, 1)![0], 4, 'a cached block is not replaced');
    cache.evictTable(b);
    assert.deepEqual([...b.slots], [-1, -1, -1, -1]);
    assert.deepEqual(b.blocks, [undefined, undefined, undefined, undefined]);
    assert.equal(cache.size, 1000);
    assert.equal(cache.get(a, 0)![0], 1, 'the other table keeps its blocks');
    cache.insert(a, 2, block(5));
    cache.insert(a, 3, block(6));
    assert.deepEqual([cache.get(a, 2)![0], cache.get(a, 3)![0]], [5, 6], 'freed slots are reused');
    assert.equal(cache.size, 3000);
  });
});

describe('sstable block search', () => {
  it('finds the block of every key whether or not it shares the keys\' common prefix', () => {
    const fs = new FaultFileSystem();
    const tb = new TableBuilder(fs, '/p.sst', 1, { blockSize: 256, restartInterval: 4, bloomBitsPerKey: 10 });
    // Keys share a 10-byte prefix, differ in length (some are prefixes of others) and hold 0x00 bytes.
    const keys: string[] = [];
    for (let i = 0; i < 2000; i++) keys.push(`0000000000${String(i).padStart(4, '0')}${i % 3 === 0 ? '\u0000' : ''}${i % 5 === 0 ? 'z' : ''}`);
    keys.sort();
    const value = b('v'.repeat(20));
    for (const k of keys) tb.add(b(k), 0, b(k).length, 7, KIND_PUT, value, 0, value.length);
    tb.finish();
    const t = TableReader.open(fs, '/p.sst', 1, new BlockCache(1 << 20));
    assert.ok(t.blockCount > 50);
    for (const k of keys) assert.equal(t.lookup(b(k), MAX_SEQ), LOOKUP_PUT, k);
    const it = t.iterator();
    const probes = ['', '0', '000000000', '00000000000123', '0000000000012\u0000', '00000000000999z', '1', '0000000000\u0000', '00000000009999', '\u00ff'];
    for (const p of probes) {
      const want = keys.find((k) => k >= p);
      it.seek(b(p), 0, b(p).length, MAX_SEQ);
      if (want === undefined) assert.equal(it.valid(), false, JSON.stringify(p));
      else assert.equal(s(it.keyBuf.subarray(it.keyOff, it.keyOff + it.keyLen)), want, JSON.stringify(p));
    }
  });
});

describe('sstable format version', () => {
  // Every version's footer ends with the format version (u32), the footer's CRC and the magic.
  for (const [version, what] of [
    [1, 'whole-array bloom'],
    [2, 'no point index, 48-byte footer'],
    [3, 'point index without entry checksums'],
  ] as const)
    it(`refuses a version ${version} table (${what}) with an error naming the version, not a wrong answer`, () => {
      const fs = new FaultFileSystem();
      buildTable(fs, '/old.sst', 100);
      const bytes = fs.readAll('/old.sst').slice();
      writeU32(bytes, bytes.length - 16, version);
      const w = fs.create('/old.sst');
      w.append(bytes, 0, bytes.length);
      w.close();
      assert.throws(
        () => TableReader.open(fs, '/old.sst', 1),
        new RegExp(`table format version ${version} was written by an older ts engine; this one reads version 4`),
      );
    });
});

describe('sstable point index', () => {
  const put = (tb: TableBuilder, k: Uint8Array, seq: number, v: Uint8Array): void => tb.add(k, 0, k.length, seq, KIND_PUT, v, 0, v.length);

  it('tells apart keys whose hashes collide', () => {
    // Two different keys with the same 32-bit hash, found by search (birthday bound: ~2^16 keys).
    const seen = new Map<number, string>();
    let pair: [string, string] | undefined;
    for (let i = 0; pair === undefined; i++) {
      const k = `c${i}`;
      const h = hashKey(b(k), 0, b(k).length);
      const other = seen.get(h);
      if (other !== undefined) pair = [other, k];
      else seen.set(h, k);
    }
    const keys = [...pair, 'a', 'zz'].sort();
    const fs = new FaultFileSystem();
    const tb = new TableBuilder(fs, '/c.sst', 1, { blockSize: 4096, restartInterval: 1, bloomBitsPerKey: 10 });
    keys.forEach((k, i) => put(tb, b(k), 10 + i, b(`v-${k}`)));
    tb.finish();
    const t = TableReader.open(fs, '/c.sst', 1);
    assert.ok(t.hasPointIndex);
    for (const k of keys) {
      assert.equal(t.lookup(b(k), MAX_SEQ), LOOKUP_PUT, k);
      assert.equal(s(t.valBuf.subarray(t.valOff, t.valOff + t.valLen)), `v-${k}`);
    }
    assert.equal(t.lookup(b(`${pair[0]}x`), MAX_SEQ), LOOKUP_ABSENT);
  });

  it('is left out when an entry starts beyond 16 bits of its block, and lookups still answer', () => {
    const fs = new FaultFileSystem();
    const tb = new TableBuilder(fs, '/big.sst', 1, { blockSize: 1 << 20, restartInterval: 1, bloomBitsPerKey: 10 });
    const v = new Uint8Array(1000).fill(7);
    for (let i = 0; i < 300; i++) put(tb, b(key(i)), i + 1, v);
    tb.finish();
    const t = TableReader.open(fs, '/big.sst', 1);
    assert.equal(t.hasPointIndex, false);
    assert.equal(t.lookup(b(key(250)), MAX_SEQ), LOOKUP_PUT);
    assert.equal(t.lookup(b(`${key(250)}x`), MAX_SEQ), LOOKUP_ABSENT);
  });

  it('refuses at open a point index naming a block the table does not have', () => {
    const fs = new FaultFileSystem();
    buildTable(fs, '/p.sst', 1000, 1);
    const bytes = fs.readAll('/p.sst').slice();
    const footer = bytes.length - 60;
    const at = readU32(bytes, footer + 24); // u64 offset, below 2^32 here
    const size = readU32(bytes, footer + 32);
    assert.ok(size > 0, 'the table has a point index');
    let slot = 0;
    while (readU32(bytes, at + 12 * slot + 4) === 0xffffffff) slot++; // slots of 3 u32: hash, location, entry CRC
    writeU32(bytes, at + 12 * slot + 4, 60000 * 65536);
    writeU32(bytes, at + size, crc32Bytes(bytes.subarray(at, at + size)));
    const w = fs.create('/p.sst');
    w.append(bytes, 0, bytes.length);
    w.close();
    assert.throws(() => TableReader.open(fs, '/p.sst', 1), /p\.sst is corrupt at offset \d+: point index names block 60000 of \d+/);
  });
});

describe('point lookups once the block cache is full', () => {
  const fs = new FaultFileSystem();
  buildTable(fs, '/f.sst', 5000, 1);
  const value = (i: number): string => `value-${i}-${'x'.repeat(90)}`;

  it('read the one entry they need from the file and answer as a whole-block read does', () => {
    const cache = new BlockCache(1000); // smaller than a block: always full
    const t = TableReader.open(fs, '/f.sst', 1, cache);
    const whole = TableReader.open(fs, '/f.sst', 2); // no cache: whole blocks
    for (let j = 0; j < 5000; j++) {
      const i = (j * 7919) % 5000;
      const k = b(key(i));
      for (const seq of [MAX_SEQ, 3 * i + 1, 3 * i]) {
        const want = whole.lookup(k, seq);
        assert.equal(t.lookup(k, seq), want, `${key(i)} at ${seq}`);
        if (want === LOOKUP_PUT) assert.equal(s(t.valBuf.subarray(t.valOff, t.valOff + t.valLen)), value(i));
      }
      assert.equal(t.lookup(b(`${key(i)}x`), MAX_SEQ), LOOKUP_ABSENT);
    }
    assert.ok(t.entryReads > 0 && t.blockReads > 0, `${t.entryReads} entry reads, ${t.blockReads} block reads`);
  });

  it('a block missed twice in a short while is read whole into the cache', () => {
    const cache = new BlockCache(1000);
    const t = TableReader.open(fs, '/f.sst', 1, cache);
    assert.equal(t.lookup(b(key(1)), MAX_SEQ), LOOKUP_PUT);
    assert.deepEqual([t.entryReads, t.blockReads], [1, 0], 'first miss: the entry alone');
    assert.equal(t.lookup(b(key(2)), MAX_SEQ), LOOKUP_PUT);
    assert.deepEqual([t.entryReads, t.blockReads], [1, 1], 'second miss in the same block: the block');
    assert.equal(t.lookup(b(key(3)), MAX_SEQ), LOOKUP_PUT);
    assert.deepEqual([t.entryReads, t.blockReads], [1, 1], 'then a cache hit');
    assert.equal(s(t.valBuf.subarray(t.valOff, t.valOff + t.valLen)), value(3));
  });

  it('a flipped byte anywhere in the entry read is refused; a flip in the entry beside it is not seen', () => {
    const small = new FaultFileSystem();
    buildTable(small, '/e.sst', 300, 1);
    const bytes = small.readAll('/e.sst').slice();
    // Where key(5)'s and key(6)'s entries start, from the point index (slots of hash, location, CRC).
    const footer = bytes.length - 60;
    const at = readU32(bytes, footer + 24);
    const size = readU32(bytes, footer + 32);
    const locationOf = (k: string): number => {
      const h = hashKey(b(k), 0, b(k).length);
      for (let slot = 0; slot < size / 12; slot++) if (readU32(bytes, at + 12 * slot) === h) return readU32(bytes, at + 12 * slot + 4);
      throw new Error(`${k} not in the point index`);
    };
    const start = locationOf(key(5));
    const end = locationOf(key(6));
    assert.ok(start < end && end < 4096, 'both in block 0, which starts the file');
    for (let p = start; p < end + 8; p++) {
      const flipped = bytes.slice();
      flipped[p]! ^= 0x10;
      const w = small.create('/x.sst');
      w.append(flipped, 0, flipped.length);
      w.close();
      const t = TableReader.open(small, '/x.sst', 1, new BlockCache(1000));
      if (p < end) assert.throws(() => t.lookup(b(key(5)), MAX_SEQ), /x\.sst is corrupt at offset \d+: data block 0: entry at \d+ (checksum mismatch|is malformed)/, `flip at ${p}`);
      else {
        assert.equal(t.lookup(b(key(5)), MAX_SEQ), LOOKUP_PUT, `flip at ${p}, past the entry`);
        assert.equal(s(t.valBuf.subarray(t.valOff, t.valOff + t.valLen)), value(5));
      }
      assert.equal(t.entryReads, 1);
    }
  });
});

describe('sstable finish in slices', () => {
  it('writes the same file as finish() in one piece, and fills filter and point index a slice at a time', () => {
    const build = (fs: FaultFileSystem): TableBuilder => {
      const tb = new TableBuilder(fs, '/s.sst', 1, { blockSize: 4096, restartInterval: 1, bloomBitsPerKey: 10 });
      for (let i = 0; i < 40_000; i++) {
        const k = b(key(i));
        const v = b(`v${i}`);
        tb.add(k, 0, k.length, i + 1, KIND_PUT, v, 0, v.length);
      }
      return tb;
    };
    const whole = new FaultFileSystem();
    const metaWhole = build(whole).finish(false);
    const sliced = new FaultFileSystem();
    const tb = build(sliced);
    let slices = 0;
    let meta;
    while ((meta = tb.finishSlice(1000)) === undefined) slices++;
    // The last block; 40 filter slices of 1,000 keys; its write, 32,000 bytes a slice
    // (1,000 keys' worth); the point index's slots marked empty, 24,000 words a slice;
    // 40 point index slices; its write (12 bytes a slot).
    const filterBytes = Math.ceil((40_000 * 10) / 512) * 64 + 1;
    const pointBytes = 12 * (Math.ceil(40_000 / 0.8) + 1);
    assert.equal(slices, 1 + 40 + Math.ceil(filterBytes / 32_000) + Math.ceil(pointBytes / 4 / 24_000) + 40 + Math.ceil(pointBytes / 32_000));
    assert.deepEqual(meta, metaWhole);
    assert.ok(Buffer.from(sliced.readAll('/s.sst')).equals(Buffer.from(whole.readAll('/s.sst'))));
    const t = TableReader.open(sliced, '/s.sst', 1);
    assert.ok(t.hasPointIndex);
    assert.equal(t.lookup(b(key(39_999)), MAX_SEQ), LOOKUP_PUT);
  });
});

describe('sstable opened from the blocks its builder wrote', () => {
  const fs = new FaultFileSystem();
  const tb = new TableBuilder(fs, '/o.sst', 1, { blockSize: 4096, restartInterval: 1, bloomBitsPerKey: 10 });
  for (let i = 0; i < 100_000; i++) {
    const k = b(key(i));
    const v = b(`v${i}`);
    tb.add(k, 0, k.length, i + 1, KIND_PUT, v, 0, v.length);
  }
  tb.finish();
  const written = tb.writtenBlocks;
  const pointSize = 12 * (Math.ceil(100_000 / 0.8) + 1);

  it('reads nothing and answers as open() does', () => {
    const fs2 = new CountingFileSystem(fs);
    assert.equal(written.point.length, pointSize);
    const t = TableReader.openWritten(fs2, '/o.sst', 1, undefined, written);
    assert.equal(fs2.reads, 0);
    assert.ok(t.hasPointIndex);
    for (const i of [0, 777, 99_999]) {
      assert.equal(t.lookup(b(key(i)), MAX_SEQ), LOOKUP_PUT);
      assert.equal(s(t.valBuf.subarray(t.valOff, t.valOff + t.valLen)), `v${i}`);
    }
    assert.equal(t.lookup(b(`${key(5)}x`), MAX_SEQ), LOOKUP_ABSENT);
    const it = t.iterator();
    let n = 0;
    for (it.seekFirst(); it.valid(); it.next()) n++;
    assert.equal(n, 100_000);
  });

  it('an index decoded elsewhere (the job thread) is used as given, and is what an open from the file decodes', () => {
    const fromFile = TableReader.open(fs, '/o.sst', 1);
    const decoded = fromFile.decodedIndex;
    assert.ok(decoded.blockOffsets.length > 100 && decoded.heads.length === 2 * decoded.blockOffsets.length);
    assert.deepEqual(TableReader.openWritten(fs, '/o.sst', 1, undefined, written).decodedIndex, decoded);
    const t = TableReader.openWritten(fs, '/o.sst', 1, undefined, { ...written, decoded });
    assert.equal(t.decodedIndex.lastKeys, decoded.lastKeys, 'used as given, not decoded again');
    for (const i of [0, 4_321, 99_999]) {
      assert.equal(t.lookup(b(key(i)), MAX_SEQ), LOOKUP_PUT);
      assert.equal(s(t.valBuf.subarray(t.valOff, t.valOff + t.valLen)), `v${i}`);
    }
    // A seek searches the decoded index.
    const it = t.iterator();
    const target = b(key(50_000));
    it.seek(target, 0, target.length, MAX_SEQ);
    assert.ok(it.valid());
    assert.equal(s(it.keyBuf.subarray(it.keyOff, it.keyOff + it.keyLen)), key(50_000));
    fromFile.close();
    t.close();
  });

  it('refuses blocks the footer does not describe (another table\'s), and a file of another size', () => {
    const other = new TableBuilder(fs, '/p.sst', 2, { blockSize: 4096, restartInterval: 1, bloomBitsPerKey: 10 });
    for (let i = 0; i < 10; i++) other.add(b(key(i)), 0, 8, i + 1, KIND_PUT, b('v'), 0, 1);
    other.finish();
    // Another table's blocks with this file's size and footer: the footer does not describe them.
    assert.throws(
      () => TableReader.openWritten(fs, '/o.sst', 1, undefined, { ...other.writtenBlocks, footer: written.footer, fileSize: written.fileSize }),
      /o\.sst is corrupt at offset \d+: footer does not describe the blocks/,
    );
    assert.throws(() => TableReader.openWritten(fs, '/o.sst', 1, undefined, other.writtenBlocks), /o\.sst is corrupt at offset \d+: file of \d+ bytes; \d+ were written/);
  });

  it('open() from the file refuses a flipped byte of the point index', () => {
    const bytes = fs.readAll('/o.sst');
    const footer = bytes.length - 60;
    const at = readU32(bytes, footer + 24);
    assert.equal(readU32(bytes, footer + 32), pointSize);
    for (const p of [at + 5, at + pointSize - 5]) {
      const flipped = bytes.slice();
      flipped[p]! ^= 1;
      fs.setContents('/bad.sst', flipped);
      assert.throws(() => TableReader.open(fs, '/bad.sst', 2), /bad\.sst is corrupt at offset \d+: point index checksum mismatch/);
    }
  });
});

describe('iterators read ahead', () => {
  const inner = new FaultFileSystem();
  buildTable(inner, '/r.sst', 5000);
  const bytes = inner.readAll('/r.sst');
  // buildTable's entries in internal order: per key, the tombstone of seq 3i+2 (every 7th),
  // the value of 3i+1, the tombstone of 3i (every 10th).
  const expected: string[] = [];
  for (let i = 0; i < 5000; i++) {
    if (i % 7 === 0) expected.push(`${key(i)}@${3 * i + 2}:del`);
    expected.push(`${key(i)}@${3 * i + 1}:value-${i}-${'x'.repeat(90)}`);
    if (i % 10 === 0) expected.push(`${key(i)}@${3 * i}:del`);
  }
  const walk = (t: TableReader, fillCache = true): string[] => {
    const out: string[] = [];
    const it = t.iterator(fillCache);
    for (it.seekFirst(); it.valid(); it.next()) {
      const k = s(it.keyBuf.subarray(it.keyOff, it.keyOff + it.keyLen));
      out.push(`${k}@${it.seq}:${it.kind === KIND_DELETE ? 'del' : s(it.valBuf.subarray(it.valOff, it.valOff + it.valLen))}`);
    }
    return out;
  };
  /** Block i's offset in the file: blocks follow each other, each with its 4-byte CRC. */
  const blockOffset = (t: TableReader, i: number): number => {
    let at = 0;
    for (let j = 0; j < i; j++) at += t.block(j).length + 4;
    return at;
  };

  it('a forward walk reads many blocks a pread and yields every entry as written', () => {
    const fs = new CountingFileSystem(inner);
    const t = TableReader.open(fs, '/r.sst', 1);
    assert.ok(t.blockCount > 100, `${t.blockCount} blocks`);
    const opened = fs.reads;
    assert.deepEqual(walk(t), expected);
    const reads = fs.reads - opened;
    // Reads of 8, 16, 32, 64 KiB, then 128 KiB each: about blockCount / 32 + 5, not one a block.
    assert.ok(reads <= Math.ceil(t.blockCount / 32) + 6, `${reads} reads for ${t.blockCount} blocks`);
    assert.equal(t.blockReads, t.blockCount, 'each block counted once as read from the file');
    // A compaction's walk (no cache fill) reads 64 KiB at a time.
    const before = fs.reads;
    assert.deepEqual(walk(t, false), expected);
    const compactionReads = fs.reads - before;
    assert.ok(compactionReads <= Math.ceil(t.blockCount / 16) + 2, `${compactionReads} reads for ${t.blockCount} blocks`);
  });

  it('a seek reads one block, and the walk from it reads ahead again from two blocks', () => {
    const fs = new CountingFileSystem(inner);
    const t = TableReader.open(fs, '/r.sst', 1);
    const it = t.iterator();
    const r0 = fs.reads;
    const at = b(key(2500));
    it.seek(at, 0, at.length, MAX_SEQ);
    assert.equal(fs.reads - r0, 1);
    const seen: string[] = [];
    for (let n = 0; n < 200 && it.valid(); n++, it.next()) seen.push(s(it.keyBuf.subarray(it.keyOff, it.keyOff + it.keyLen))!);
    assert.equal(seen[0], key(2500));
    assert.equal(seen.length, 200);
    // ~26 KiB of entries past the first block: reads of 8 and 16 KiB (and a third).
    assert.ok(fs.reads - r0 <= 4, `${fs.reads - r0} reads`);
  });

  it('a flipped byte in a block read ahead is refused, naming the block; the blocks before it are served', () => {
    const t0 = TableReader.open(inner, '/r.sst', 1);
    const flipped = bytes.slice();
    flipped[blockOffset(t0, 40) + 100]! ^= 0x10;
    inner.setContents('/r-bad.sst', flipped);
    for (const fillCache of [true, false]) {
      const t = TableReader.open(inner, '/r-bad.sst', 2, new BlockCache(fillCache ? 1 << 20 : 0));
      const it = t.iterator(fillCache);
      let n = 0;
      assert.throws(() => {
        for (it.seekFirst(); it.valid(); it.next()) n++;
      }, /r-bad\.sst is corrupt at offset \d+: data block 40 checksum mismatch/);
      // Every entry before the damaged block was served: the next one is block 40's first.
      const it2 = TableReader.open(inner, '/r.sst', 3).iterator();
      it2.seekFirst();
      for (let j = 0; j < n; j++) it2.next();
      assert.ok(it2.valid());
      assert.equal(blockOfEntry(t0, it2), 40);
    }
  });

  it('blocks read ahead go into the cache while it has room; once full, only on a second miss', () => {
    const fs = new CountingFileSystem(inner);
    const big = new BlockCache(4 << 20);
    const t = TableReader.open(fs, '/r.sst', 1, big);
    assert.deepEqual(walk(t), expected);
    const r1 = fs.reads;
    assert.deepEqual(walk(t), expected);
    assert.equal(fs.reads, r1, 'a second walk is served by the cache');
    assert.equal(big.hits, t.blockCount);

    const small = new BlockCache(64 << 10);
    const u = TableReader.open(fs, '/r.sst', 2, small);
    assert.deepEqual(walk(u), expected);
    const afterFirst = small.size;
    assert.ok(afterFirst <= 64 << 10 && afterFirst > 48 << 10, `${afterFirst} bytes cached`);
    // The first walk filled the cache with its first blocks and admitted no full block
    // after: a block near the end is not cached (the table's last block is short
    // enough to fit the room left).
    const seekLast = (): number => {
      const r = fs.reads;
      const k = b(key(4900));
      u.iterator().seek(k, 0, k.length, MAX_SEQ);
      return fs.reads - r;
    };
    assert.equal(seekLast(), 1);
    // A second walk misses each later block a second time, so admits it: the cache ends
    // full of the walk's last blocks.
    assert.deepEqual(walk(u), expected);
    assert.ok(small.size <= 64 << 10);
    assert.equal(seekLast(), 0, 'the block is cached');
  });
});

/** The block the iterator's current entry is in: its offset found in the table's blocks. */
function blockOfEntry(t: TableReader, it: { keyBuf: Uint8Array; keyOff: number; keyLen: number; seq: number }): number {
  const k = it.keyBuf.slice(it.keyOff, it.keyOff + it.keyLen);
  return t.findBlock(k, 0, k.length, it.seq);
}
