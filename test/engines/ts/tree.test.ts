import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Tree, type Snapshot } from '../../../engines/ts/tree.js';
import { FaultFileSystem, FaultInjectionError } from '../../../engines/ts/fault-fs.js';
import { TreeClosedError } from '../../../engines/ts/errors.js';
import { b, s, tempDir } from './helpers.js';

const k = (i: number): Uint8Array => b(String(i).padStart(16, '0'));

describe('tree', () => {
  it('put/get/delete/has and the fjall-style aliases', () => {
    const t = Tree.open('/db', { fs: new FaultFileSystem(), durability: 'none' });
    t.insert(b('a'), b('1'));
    assert.equal(s(t.get(b('a'))), '1');
    assert.equal(t.containsKey(b('a')), true);
    t.remove(b('a'));
    assert.equal(t.has(b('a')), false);
    t.close();
    assert.throws(() => t.get(b('a')), TreeClosedError);
  });

  it('reads through memtable, frozen memtables and tables, newest first', () => {
    const t = Tree.open('/db', { fs: new FaultFileSystem(), durability: 'os', memtableBytes: 4096, maxImmutableMemtables: 2 });
    for (let i = 0; i < 2000; i++) t.put(k(i % 500), b(`v${i}`));
    const st = t.stats();
    assert.ok(st.tables > 0, 'flushes happened');
    assert.ok(st.immutableMemtables <= 2);
    for (let i = 0; i < 500; i++) assert.equal(s(t.get(k(i))), `v${1500 + i}`);
    t.close();
  });

  it('snapshots see the past, across flushes', () => {
    const t = Tree.open('/db', { fs: new FaultFileSystem(), durability: 'none', memtableBytes: 2048, deferFlush: false });
    t.put(b('key'), b('old'));
    const snap = t.snapshot();
    t.put(b('key'), b('new'));
    t.delete(b('gone'));
    for (let i = 0; i < 200; i++) t.put(k(i), b('filler'));
    assert.ok(t.stats().tables > 0);
    assert.equal(s(t.get(b('key'), snap)), 'old');
    assert.equal(s(t.get(b('key'))), 'new');
    const seen: string[] = [];
    t.scan({ prefix: b('key') }, (kk, v) => {
      seen.push(`${s(kk)}=${s(v)}`);
    }, snap);
    assert.deepEqual(seen, ['key=old']);
    t.close();
  });

  it('range and prefix iterators yield copies', () => {
    const t = Tree.open('/db', { fs: new FaultFileSystem(), durability: 'none', memtableBytes: 2048 });
    for (let i = 0; i < 600; i++) t.put(k(i), b(`v${i}`));
    const all = [...t.range()];
    assert.equal(all.length, 600);
    assert.equal(s(all[599]![1]), 'v599', 'entries kept across steps are intact');
    const some = [...t.range({ start: k(100), end: k(400), reverse: true })];
    assert.equal(some.length, 300);
    assert.equal(s(some[0]![0]), s(k(399)));
    const pre = [...t.prefix(b('00000000000001'))];
    assert.equal(pre.length, 100);
    const lim = [...t.range({ limit: 300 })];
    assert.equal(lim.length, 300);
    t.close();
  });

  it('batches are atomic: one WAL record', () => {
    const fs = new FaultFileSystem();
    const t = Tree.open('/db', { fs, durability: 'fsync' });
    t.batch().put(b('x'), b('1')).put(b('y'), b('2')).delete(b('x')).commit();
    fs.crash();
    const again = Tree.open('/db', { fs, durability: 'fsync' });
    assert.equal(again.get(b('x')), undefined);
    assert.equal(s(again.get(b('y'))), '2');
    again.close();
  });

  it('flush is deferred to a task and settle() waits for it', async () => {
    const t = Tree.open('/db', { fs: new FaultFileSystem(), durability: 'none', memtableBytes: 4096, maxImmutableMemtables: 100 });
    for (let i = 0; i < 200; i++) t.put(k(i), new Uint8Array(100));
    assert.ok(t.stats().immutableMemtables > 0, 'frozen memtables wait for the deferred flush');
    await t.settle();
    assert.equal(t.stats().immutableMemtables, 0);
    assert.ok(t.stats().tables > 0);
    t.close();
  });

  it('settle() runs leveled compaction until L0 is under its trigger; snapshots and data survive', async () => {
    const fs = new FaultFileSystem();
    const t = Tree.open('/db', { fs, durability: 'os', memtableBytes: 4096, l0CompactionTrigger: 3, l0SlowdownTrigger: 6, l0StopTrigger: 10, autoCompaction: false });
    const early = (): Snapshot => t.snapshot();
    t.put(k(1), b('first'));
    const snap = early();
    for (let i = 0; i < 600; i++) t.put(k(i % 200), b(`v${i}`));
    t.delete(k(5));
    t.flush();
    assert.ok(t.stats().levelFiles[0]! >= 3, 'L0 piled up while automatic compaction was off');
    t.close();
    const t2 = Tree.open('/db', { fs, durability: 'os', memtableBytes: 4096, l0CompactionTrigger: 3, l0SlowdownTrigger: 6, l0StopTrigger: 10 });
    const snap2 = t2.snapshot();
    await t2.settle();
    const st = t2.stats();
    assert.ok(st.levelFiles[0]! < 3, `L0 under the trigger after settle (${st.levelFiles.join(',')})`);
    assert.ok(st.compactions >= 1);
    assert.ok(st.compactionBytesRead > 0 && st.compactionBytesWritten > 0);
    assert.equal(fs.list('/db').filter((n) => n.endsWith('.sst')).length, st.tables, 'input tables deleted');
    assert.equal(t2.get(k(5)), undefined, 'tombstones still hide');
    for (let i = 6; i < 200; i++) assert.equal(s(t2.get(k(i))), `v${400 + i}`);
    assert.equal(s(t2.get(k(7), snap2)), 'v407');
    assert.equal(snap.released, false);
    fs.crash();
    const again = Tree.open('/db', { fs, durability: 'os' });
    for (let i = 6; i < 200; i++) assert.equal(s(again.get(k(i))), `v${400 + i}`, 'the compacted tables are durable');
    again.close();
  });

  it('a snapshot keeps old versions through compaction; released, they are dropped', async () => {
    const fs = new FaultFileSystem();
    const t = Tree.open('/db', { fs, durability: 'none', memtableBytes: 4096, deferFlush: false });
    t.put(k(1), b('first'));
    const snap = t.snapshot();
    for (let i = 0; i < 600; i++) t.put(k(i % 200), b(`v${i}`));
    t.compactAll();
    assert.equal(s(t.get(k(1), snap)), 'first', 'old versions are kept for snapshots');
    const dropped = t.stats().entriesDropped;
    snap.release();
    t.flush();
    t.compactAll();
    assert.ok(t.stats().entriesDropped > dropped, 'released versions are dropped by the next compaction');
    assert.equal(t.get(k(1), snap.seq), undefined, 'a raw sequence number is not protected: the version it saw is gone');
    assert.equal(s(t.get(k(1))), 'v401');
    t.close();
  });

  it('none mode: a clean close makes everything durable, a kill loses the memtable', () => {
    const fs = new FaultFileSystem();
    const t = Tree.open('/db', { fs, durability: 'none' });
    t.put(b('a'), b('1'));
    t.close();
    fs.crash();
    const t2 = Tree.open('/db', { fs, durability: 'none' });
    assert.equal(s(t2.get(b('a'))), '1');
    t2.put(b('b'), b('2'));
    fs.kill();
    const t3 = Tree.open('/db', { fs, durability: 'none' });
    assert.equal(t3.get(b('b')), undefined);
    assert.equal(s(t3.get(b('a'))), '1');
    t3.close();
  });

  it('an I/O failure on the WAL is thrown and stops further writes', () => {
    const fs = new FaultFileSystem();
    const t = Tree.open('/db', { fs, durability: 'os' });
    fs.failAfterWrites = 0;
    assert.throws(() => t.put(b('a'), b('1')), FaultInjectionError);
    fs.failAfterWrites = Infinity;
    assert.throws(() => t.put(b('b'), b('2')), FaultInjectionError);
    assert.equal(t.get(b('a')), undefined, 'the failed write was not applied');
  });

  it('works on the real file system, and removes obsolete files', () => {
    const { dir, cleanup } = tempDir('tree');
    try {
      const t = Tree.open(dir, { durability: 'fsync', memtableBytes: 8192, deferFlush: false });
      for (let i = 0; i < 300; i++) t.put(k(i), b(`v${i}`));
      t.close();
      const t2 = Tree.open(dir, { durability: 'os' });
      for (let i = 0; i < 300; i++) assert.equal(s(t2.get(k(i))), `v${i}`);
      assert.ok(t2.stats().bytesWritten > 0);
      t2.close();
    } finally {
      cleanup();
    }
  });
});

describe('tree reads through a block cache that reuses its memory', () => {
  // 20,000 keys in tables against a 64 KiB cache: nearly every read misses, evicts a
  // block and reuses its buffer (or reads one entry alone).
  const N = 20_000;
  const val = (i: number): string => `v${i}-${'y'.repeat(100)}`;
  const open = async (): Promise<Tree> => {
    const t = Tree.open('/db', { fs: new FaultFileSystem(), durability: 'none', memtableBytes: 256 * 1024, blockCacheBytes: 64 * 1024 });
    for (let i = 0; i < N; i++) t.put(k(i), b(val(i)));
    await t.flush();
    await t.settle();
    assert.ok(t.stats().tables > 1);
    return t;
  };
  const order = (j: number): number => (j * 7919) % N;

  it('a value get() returned stays intact while later reads reuse the memory it came from', async () => {
    const t = await open();
    const kept: Array<[number, Uint8Array]> = [];
    for (let j = 0; j < 2000; j++) kept.push([order(j), t.get(k(order(j)))!]);
    for (let j = 2000; j < 3 * N; j++) {
      const i = order(j % N);
      assert.equal(s(t.getTransient(k(i))!), val(i));
      assert.ok(t.has(k(i)));
    }
    for (const [i, v] of kept) assert.equal(s(v), val(i), `value of key ${i}`);
    assert.ok(t.stats().blockCacheMisses > N, 'the reads missed the cache');
    t.close();
  });

  it('a scan whose visitor reads other keys between entries still visits every entry intact', async () => {
    const t = await open();
    let next = 0;
    let j = 0;
    const visited = t.scan({}, (key, value) => {
      assert.equal(s(key), s(k(next)));
      assert.equal(s(value), val(next));
      next++;
      for (let r = 0; r < 3; r++, j++) assert.equal(s(t.getTransient(k(order(j)))!), val(order(j)));
    });
    assert.equal(visited, N);
    t.close();
  });
});

describe('tree memtables reuse the memory of the last one flushed', () => {
  const val = (tag: string, i: number): string => `${tag}${i}-${'z'.repeat(60)}`;

  it('a value get() returned from a memtable stays intact after that memtable is flushed and its memory reused', async () => {
    const t = Tree.open('/db', { fs: new FaultFileSystem(), durability: 'os', memtableBytes: 16 * 1024 });
    for (let i = 0; i < 50; i++) t.put(k(i), b(val('a', i)));
    const kept = Array.from({ length: 50 }, (_, i) => t.get(k(i))!);
    // Enough writes of other keys for many memtables to fill, flush and hand their memory on.
    for (let i = 1000; i < 6000; i++) t.put(k(i), b(val('b', i)));
    await t.settle();
    assert.ok(t.stats().tables >= 10, `${t.stats().tables} tables`);
    for (let i = 0; i < 50; i++) assert.equal(s(kept[i]), val('a', i), `value of key ${i}`);
    // And the tree answers every key (no key of a reused memtable leaks into the next).
    for (let i = 0; i < 50; i++) assert.equal(s(t.get(k(i))), val('a', i));
    for (let i = 1000; i < 6000; i += 7) assert.equal(s(t.get(k(i))), val('b', i));
    assert.equal(t.get(k(999)), undefined);
    t.close();
  });

  it('a scan whose visitor writes until flushes finish still reads the memtables it started with', () => {
    const t = Tree.open('/db', { fs: new FaultFileSystem(), durability: 'os', memtableBytes: 16 * 1024, maxImmutableMemtables: 4 });
    // Keys 0..299 spread over the active memtable and frozen ones not yet flushed.
    for (let i = 0; i < 300; i++) t.put(k(i), b(val('a', i)));
    const flushesBefore = t.stats().flushes;
    let next = 0;
    let w = 100_000;
    const visited = t.scan({ end: k(300) }, (key, value) => {
      assert.equal(s(key), s(k(next)));
      assert.equal(s(value), val('a', next));
      next++;
      for (let r = 0; r < 40; r++, w++) t.put(k(w), b(val('w', w)));
    });
    assert.equal(visited, 300);
    assert.ok(t.stats().flushes > flushesBefore + 2, 'flushes finished during the scan');
    for (let i = 0; i < 300; i += 11) assert.equal(s(t.get(k(i))), val('a', i));
    t.close();
  });
});
