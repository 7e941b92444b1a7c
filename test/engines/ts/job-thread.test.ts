/**
 * Flushes and compactions on the job thread (engines/ts/job-thread.ts): the tree on the
 * real file system, checked against a Map; a damaged input seen by the thread; close
 * while jobs run; the option's checks; the memtable image the thread flushes.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tree } from '../../../engines/ts/tree.js';
import { FaultFileSystem } from '../../../engines/ts/fault-fs.js';
import { checkInvariants, DEFAULT_LEVEL_OPTIONS } from '../../../engines/ts/compaction.js';
import { InvalidOptionError, TableCorruptionError } from '../../../engines/ts/errors.js';
import { Memtable } from '../../../engines/ts/memtable.js';
import { KIND_DELETE, KIND_PUT } from '../../../engines/ts/coding.js';
import { b, Rng, s, sortedEntries, tempDir } from './helpers.js';

const k = (i: number): Uint8Array => b(String(i).padStart(16, '0'));
const levels = { l0CompactionTrigger: 2, l0SlowdownTrigger: 4, l0StopTrigger: 8, baseLevelBytes: 256 * 1024, levelMultiplier: 4, targetFileBytes: 64 * 1024, maxLevels: 5 };

function scanAll(t: Tree): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  t.scan({}, (key, value) => {
    out.push([s(key)!, s(value)!]);
  });
  return out;
}

describe('job thread', () => {
  it('writes, deletes, reads and scans match a Map while flushes and compactions run on the thread; a reopen finds the same', async () => {
    const { dir, cleanup } = tempDir('thread-model');
    try {
      let t = Tree.open(dir, {
        durability: 'os',
        memtableBytes: 32 * 1024,
        blockCacheBytes: 256 * 1024,
        ...levels,
        onCompaction: ({ version }) => assert.deepEqual(checkInvariants(version, { ...DEFAULT_LEVEL_OPTIONS, ...levels }), []),
      });
      const model = new Map<string, string>();
      const rng = new Rng(2026);
      const snaps: Array<{ snap: ReturnType<Tree['snapshot']>; seen: Map<string, string> }> = [];
      for (let i = 0; i < 60_000; i++) {
        const key = s(k(rng.int(8_000)))!;
        if (rng.int(10) === 0) {
          t.delete(b(key));
          model.delete(key);
          assert.equal(t.get(b(key)), undefined, `op ${i}: delete of ${key} not seen`);
        } else {
          const v = `v${i}`;
          t.put(b(key), b(v));
          model.set(key, v);
          if (s(t.get(b(key))) !== v) assert.fail(`op ${i}: get(${key}) is ${s(t.get(b(key)))} right after put ${v}`);
        }
        if (i % 15_000 === 7_000) snaps.push({ snap: t.snapshot(), seen: new Map(model) });
        if (i % 20_000 === 19_999) assert.deepEqual(scanAll(t), sortedEntries(model), `scan after op ${i}`);
      }
      // Snapshots taken while jobs ran on the thread still read what they saw.
      for (const { snap, seen } of snaps) {
        for (let j = 0; j < 8_000; j += 97) assert.equal(s(t.get(k(j), snap)), seen.get(s(k(j))!), `snapshot ${snap.seq}, key ${j}`);
        snap.release();
      }
      await t.settle();
      const st = t.stats();
      assert.ok(st.jobsOnThread > 20, `jobs ran on the thread (${st.jobsOnThread})`);
      assert.ok(st.compactions > 5, `compactions ran (${st.compactions})`);
      assert.ok(st.levelFiles.length >= 3, `several levels (${st.levelFiles.join(',')})`);
      assert.deepEqual(scanAll(t), sortedEntries(model));
      t.close();
      t = Tree.open(dir, { durability: 'os', ...levels });
      assert.deepEqual(scanAll(t), sortedEntries(model), 'after reopen');
      t.close();
    } finally {
      cleanup();
    }
  });

  it('every write is read back after a close in the middle of jobs on the thread, and no table file is left that the store does not name', () => {
    const { dir, cleanup } = tempDir('thread-close');
    try {
      const value = new Uint8Array(100).fill(7);
      let t = Tree.open(dir, { durability: 'os', memtableBytes: 64 * 1024, ...levels });
      for (let i = 0; i < 30_000; i++) t.put(k(i * 7_919 % 30_000), value);
      const busy = t.stats();
      assert.ok(busy.jobsOnThread > 0, 'jobs ran on the thread before the close');
      t.close(); // abandons the running compaction on the thread
      const named = new Set<string>();
      t = Tree.open(dir, { durability: 'os', ...levels, autoCompaction: false });
      for (const e of t.currentVersion().tables.values()) named.add(e.id.toString());
      for (let i = 0; i < 30_000; i++) assert.ok(t.has(k(i)), `key ${i} after reopen`);
      t.close();
      // What the reopen left: only tables the manifest names (an abandoned job's outputs are gone).
      const tables = readdirSync(dir).filter((f) => f.endsWith('.sst'));
      assert.ok(tables.length > 0);
      for (const f of tables) assert.ok(named.has(String(Number(f.replace(/\D/g, '')))), `${f} is named by the manifest`);
    } finally {
      cleanup();
    }
  });

  it('a table damaged on disk fails the compaction on the thread: the tree reports a TableCorruptionError naming the file, and the files stay', () => {
    const { dir, cleanup } = tempDir('thread-corrupt');
    try {
      // Compaction starts once L0 has 4 tables; each flush of 16 KiB makes one.
      const t = Tree.open(dir, { durability: 'os', memtableBytes: 16 * 1024, l0CompactionTrigger: 4, blockCacheBytes: 0 });
      const value = new Uint8Array(100).fill(3);
      // Keys from one small range: every table overlaps the others, so the compaction reads them (no move).
      let i = 0;
      while (t.stats().levelFiles[0]! < 2) t.put(k(i++ % 1_000), value);
      // Damage the footer's magic number of the first table: the thread opens its inputs from their files.
      const first = readdirSync(dir).filter((f) => f.endsWith('.sst')).sort()[0]!;
      const path = join(dir, first);
      const bytes = readFileSync(path);
      bytes[bytes.length - 1]! ^= 0xff;
      writeFileSync(path, bytes);
      let failure: unknown;
      try {
        for (let j = 0; j < 20_000; j++) t.put(k(i++ % 1_000), value);
      } catch (err) {
        failure = err;
      }
      assert.ok(failure instanceof TableCorruptionError, `a TableCorruptionError (${String(failure)})`);
      assert.match((failure as Error).message, new RegExp(first.replace('.', '\\.')));
      assert.throws(() => t.put(k(0), value), 'the tree stays failed');
      t.close();
      assert.ok(readdirSync(dir).includes(first), 'the damaged table is not deleted');
    } finally {
      cleanup();
    }
  });

  it('backgroundThread runs jobs on the caller thread when false, and cannot be combined with an fs', () => {
    const { dir, cleanup } = tempDir('thread-off');
    try {
      const t = Tree.open(dir, { durability: 'os', memtableBytes: 16 * 1024, backgroundThread: false });
      for (let i = 0; i < 5_000; i++) t.put(k(i), new Uint8Array(100));
      const st = t.stats();
      assert.ok(st.flushes > 5, `flushes ran (${st.flushes})`);
      assert.equal(st.jobsOnThread, 0);
      t.close();
    } finally {
      cleanup();
    }
    assert.throws(() => Tree.open('/db', { fs: new FaultFileSystem(), backgroundThread: true }), (err: unknown) => err instanceof InvalidOptionError && err.option === 'backgroundThread');
    assert.throws(() => Tree.open('/db', { fs: new FaultFileSystem(), backgroundThread: 'yes' as unknown as boolean }), InvalidOptionError);
  });
});

describe('memtable image', () => {
  it('a memtable rebuilt from its shared image iterates the same entries, in the same order', () => {
    const m = new Memtable(1024, 16, undefined, true);
    const rng = new Rng(5);
    for (let seq = 1; seq <= 3_000; seq++) {
      const key = k(rng.int(500));
      if (rng.int(5) === 0) m.add(key, seq, KIND_DELETE, undefined);
      else m.add(key, seq, KIND_PUT, b(`value-${seq}`));
    }
    const img = m.image();
    assert.ok(img.arena.buffer instanceof SharedArrayBuffer && img.nodes.buffer instanceof SharedArrayBuffer, 'in shared memory (the arrays grew)');
    const copy = Memtable.fromImage(structuredClone(img));
    const walk = (mem: Memtable): string[] => {
      const out: string[] = [];
      const it = mem.iterator();
      for (it.seekFirst(); it.valid(); it.next()) out.push(`${s(it.keyBuf.subarray(it.keyOff, it.keyOff + it.keyLen))}@${it.seq}:${it.kind}:${it.kind === KIND_PUT ? s(it.valBuf.subarray(it.valOff, it.valOff + it.valLen)) : ''}`);
      return out;
    };
    const expected = walk(m);
    assert.equal(expected.length, 3_000);
    assert.deepEqual(walk(copy), expected);
    assert.throws(() => new Memtable(1024, 16).image(), /not in shared memory/);
  });
});
