/**
 * Background work paced from the foreground: a read right after an acknowledged write
 * sees it while flushes and compactions run around it, and the back-pressure counters
 * move when L0 or frozen memtables pile up.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Tree } from '../../../engines/ts/tree.js';
import { FaultFileSystem } from '../../../engines/ts/fault-fs.js';
import { checkInvariants, DEFAULT_LEVEL_OPTIONS } from '../../../engines/ts/compaction.js';
import { b, Rng, s } from './helpers.js';

const k = (i: number): Uint8Array => b(String(i).padStart(16, '0'));

describe('reads after writes', () => {
  it('a get right after each acknowledged write sees it (200k writes, tiny memtables, flushes and compactions in between)', () => {
    const levels = { l0CompactionTrigger: 2, l0SlowdownTrigger: 4, l0StopTrigger: 8, baseLevelBytes: 256 * 1024, levelMultiplier: 4, targetFileBytes: 64 * 1024, maxLevels: 5 };
    let installs = 0;
    const t = Tree.open('/db', {
      fs: new FaultFileSystem(),
      durability: 'os',
      memtableBytes: 32 * 1024,
      blockCacheBytes: 256 * 1024,
      ...levels,
      onCompaction: ({ version }) => {
        installs++;
        assert.deepEqual(checkInvariants(version, { ...DEFAULT_LEVEL_OPTIONS, ...levels }), []);
      },
    });
    const rng = new Rng(77);
    const live = new Map<number, number>();
    for (let i = 0; i < 200_000; i++) {
      const key = rng.int(30_000);
      if (i % 10 === 9) {
        t.delete(k(key));
        live.delete(key);
        assert.equal(t.get(k(key)), undefined, `write ${i}: delete of ${key} not seen`);
        assert.equal(t.has(k(key)), false);
      } else {
        t.put(k(key), b(`v${i}`));
        live.set(key, i);
        const got = t.get(k(key));
        if (s(got) !== `v${i}`) assert.fail(`write ${i}: get(${key}) returned ${s(got)} right after put v${i} (stats ${JSON.stringify(t.stats())})`);
      }
    }
    const st = t.stats();
    assert.ok(st.flushes > 100, `flushes ran (${st.flushes})`);
    assert.ok(st.compactions > 20, `compactions ran (${st.compactions})`);
    assert.ok(installs >= st.compactions);
    assert.ok(st.levelFiles.length >= 3, `several levels (${st.levelFiles.join(',')})`);
    // And every key reads its last write at the end.
    for (const [key, i] of live) assert.equal(s(t.get(k(key))), `v${i}`);
    t.close();
  });
});

describe('back-pressure', () => {
  it('slowdowns and stops happen under a write burst with tiny triggers, and bound L0 and frozen memtables', () => {
    const t = Tree.open('/db', {
      fs: new FaultFileSystem(),
      durability: 'none',
      memtableBytes: 8 * 1024,
      maxImmutableMemtables: 2,
      l0CompactionTrigger: 2,
      l0SlowdownTrigger: 3,
      l0StopTrigger: 4,
      baseLevelBytes: 1 << 30, // L1 never compacts further: all the pressure is on L0
      targetFileBytes: 1 << 20,
    });
    const value = new Uint8Array(200).fill(1);
    let maxL0 = 0;
    let maxImms = 0;
    for (let i = 0; i < 20_000; i++) {
      t.put(k(i * 7919 % 20_000), value);
      const st = t.stats();
      maxL0 = Math.max(maxL0, st.levelFiles[0]!);
      maxImms = Math.max(maxImms, st.immutableMemtables);
    }
    const st = t.stats();
    assert.ok(st.slowdowns > 0, `slowdowns counted (${st.slowdowns})`);
    assert.ok(st.stops > 0, `stops counted (${st.stops})`);
    assert.ok(st.stallMs >= 0);
    assert.ok(maxL0 < 4, `L0 stays under its stop trigger after every write (max ${maxL0})`);
    assert.ok(maxImms <= 2, `frozen memtables stay at or under maxImmutableMemtables after every write (max ${maxImms})`);
    t.close();
  });

  it('a frozen memtable stays readable until its table is installed, and settle() finishes all work', async () => {
    const t = Tree.open('/db', { fs: new FaultFileSystem(), durability: 'none', memtableBytes: 64 * 1024, maxImmutableMemtables: 4 });
    const value = new Uint8Array(1000).fill(2);
    let sawFrozen = false;
    for (let i = 0; i < 300; i++) {
      t.put(k(i), value);
      if (t.stats().immutableMemtables > 0) {
        sawFrozen = true;
        for (let j = 0; j <= i; j += 17) assert.ok(t.has(k(j)), `key ${j} readable while a flush is in progress`);
      }
    }
    assert.ok(sawFrozen, 'a flush was in progress at some point');
    await t.settle();
    assert.equal(t.stats().immutableMemtables, 0);
    assert.equal(t.stats().compactionDebt, 0);
    for (let i = 0; i < 300; i++) assert.ok(t.has(k(i)));
    t.close();
  });
});
