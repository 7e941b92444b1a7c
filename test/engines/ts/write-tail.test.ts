/**
 * The write latency tail: background work is paid in small, frequent pieces. A write
 * that pays for a job does a small step (not a big one every few writes), a table
 * builder hands the file small appends, a memtable's sort never does more than a
 * short run of comparisons in one slice beyond what it was given, and a table's finish,
 * its fsync and its install (directory fsync, manifest record, table open) are each a
 * write's piece of their own.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BackgroundWork } from '../../../engines/ts/background.js';
import { Tree } from '../../../engines/ts/tree.js';
import { Memtable } from '../../../engines/ts/memtable.js';
import { TABLE_APPEND_BYTES, TableBuilder } from '../../../engines/ts/table.js';
import { FaultFileSystem } from '../../../engines/ts/fault-fs.js';
import type { FileSystem, WritableFile } from '../../../engines/ts/fs.js';
import { KIND_PUT } from '../../../engines/ts/coding.js';
import { CountingFileSystem, Rng } from './helpers.js';

function randomKey(rng: Rng, out: Uint8Array): Uint8Array {
  for (let i = 0; i < out.length; i++) out[i] = 48 + rng.int(10);
  return out;
}

describe('write tail', () => {
  it('a table builder hands the file appends of at most TABLE_APPEND_BYTES plus one block before finish', () => {
    const inner = new FaultFileSystem();
    const sizes: number[] = [];
    const fs: FileSystem = Object.assign(Object.create(inner) as FileSystem, {
      create(path: string): WritableFile {
        const f = inner.create(path);
        return {
          get size() {
            return f.size;
          },
          append(data: Uint8Array, offset: number, length: number) {
            sizes.push(length);
            f.append(data, offset, length);
          },
          sync: () => f.sync(),
          close: () => f.close(),
        };
      },
    });
    const blockSize = 4096;
    const tb = new TableBuilder(fs, '/t.sst', 1, { blockSize, restartInterval: 16, bloomBitsPerKey: 10 });
    const value = new Uint8Array(100).fill(7);
    const key = new Uint8Array(16);
    for (let i = 0; i < 20_000; i++) {
      const s = String(i).padStart(16, '0');
      for (let j = 0; j < 16; j++) key[j] = s.charCodeAt(j);
      tb.add(key, 0, 16, i + 1, KIND_PUT, value, 0, 100);
    }
    const before = sizes.length;
    const dataBytes = sizes.reduce((a, x) => a + x, 0);
    tb.finish(false);
    assert.ok(dataBytes > 2_000_000, `${dataBytes} bytes appended before finish`);
    const largest = Math.max(...sizes.slice(0, before));
    assert.ok(largest <= TABLE_APPEND_BYTES + blockSize + 64, `largest append before finish: ${largest} bytes`);
    assert.ok(before >= dataBytes / (TABLE_APPEND_BYTES + blockSize + 64), `${before} appends for ${dataBytes} bytes`);
    assert.ok(TABLE_APPEND_BYTES <= 16 * 1024, `appends of ${TABLE_APPEND_BYTES} bytes`);
  });

  it('a memtable sort slice does about the moves it is given (runs are short)', () => {
    const m = new Memtable(8 << 20, 1 << 16);
    const rng = new Rng(7);
    const key = new Uint8Array(16);
    const value = new Uint8Array(8);
    for (let i = 0; i < 20_000; i++) m.add(randomKey(rng, key), i + 1, KIND_PUT, value);
    const proto = Memtable.prototype as unknown as { cmpNodes(a: number, b: number): number };
    const cmp = proto.cmpNodes;
    let compares = 0;
    proto.cmpNodes = function (this: Memtable, a: number, b: number): number {
      compares++;
      return cmp.call(this, a, b);
    };
    const moves = 100;
    let most = 0;
    let slices = 0;
    try {
      for (;;) {
        compares = 0;
        const done = m.sortSlice(moves);
        slices++;
        most = Math.max(most, compares);
        if (done) break;
      }
    } finally {
      proto.cmpNodes = cmp;
    }
    assert.ok(slices > 100, `${slices} slices`);
    // A 128-id run (~1,000 comparisons) done inside one slice would break this.
    assert.ok(most <= 400, `at most ${most} comparisons in one slice of ${moves} moves`);
    // And the result is sorted.
    const it = m.iterator();
    let prev: Uint8Array | undefined;
    let n = 0;
    for (it.seekFirst(); it.valid(); it.next()) {
      const k = it.keyBuf.slice(it.keyOff, it.keyOff + it.keyLen);
      if (prev !== undefined) assert.ok(Buffer.compare(prev, k) <= 0, 'keys ascend');
      prev = k;
      n++;
    }
    assert.equal(n, 20_000);
  });

  it('while a flush is pending, nearly every write does a step of it (not one write in several)', () => {
    const t = Tree.open('/db', { fs: new FaultFileSystem(), durability: 'none', memtableBytes: 256 * 1024, maxImmutableMemtables: 4 });
    const proto = BackgroundWork.prototype;
    const doWork = proto.doWork;
    let calls = 0;
    proto.doWork = function (this: BackgroundWork, budget: number): void {
      calls++;
      doWork.call(this, budget);
    };
    let pendingWrites = 0;
    let steppedWrites = 0;
    try {
      const rng = new Rng(3);
      const key = new Uint8Array(16);
      const value = new Uint8Array(100).fill(1);
      for (let i = 0; i < 20_000; i++) {
        const pending = t.stats().immutableMemtables > 0;
        calls = 0;
        t.put(randomKey(rng, key), value);
        if (pending) {
          pendingWrites++;
          if (calls > 0) steppedWrites++;
        }
      }
    } finally {
      proto.doWork = doWork;
    }
    t.close();
    assert.ok(pendingWrites > 1000, `${pendingWrites} writes with a flush pending`);
    assert.ok(steppedWrites / pendingWrites >= 0.8, `${steppedWrites} of ${pendingWrites} writes with a flush pending did a step`);
  });

  it('no write pays for more than one fsync: finishing a table and installing it are spread over writes', () => {
    for (const autoCompaction of [false, true]) {
      const fs = new CountingFileSystem(new FaultFileSystem());
      // Tiny levels make compactions (with their output cuts and installs) run most of the time.
      const t = Tree.open('/db', {
        fs,
        durability: 'os',
        memtableBytes: 64 * 1024,
        maxImmutableMemtables: 8,
        autoCompaction,
        baseLevelBytes: 256 * 1024,
        targetFileBytes: 64 * 1024,
        l0StopTrigger: 1000,
        l0SlowdownTrigger: 1000,
      });
      const rng = new Rng(9);
      const key = new Uint8Array(16);
      const value = new Uint8Array(100).fill(7);
      let worst = 0;
      for (let i = 0; i < 30_000; i++) {
        const before = fs.syncs;
        const { moves, stops } = t.stats();
        t.put(randomKey(rng, key), value);
        const after = t.stats();
        assert.equal(after.stops, stops, 'no write waited for the stop thresholds');
        // A move is a manifest record of its own, made where a finished job is installed.
        const excess = fs.syncs - before - (after.moves - moves);
        if (excess > worst) worst = excess;
      }
      const stats = t.stats();
      t.close();
      assert.ok(stats.flushes > 20, `${stats.flushes} flushes`);
      if (autoCompaction) assert.ok(stats.compactions > 3, `${stats.compactions} compactions`);
      assert.ok(worst <= 1, `a write did ${worst} fsyncs (autoCompaction ${autoCompaction})`);
    }
  });
});
