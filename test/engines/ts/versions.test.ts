/**
 * Versions and snapshots: registered snapshots, pinned table sets (an obsolete table's
 * file outlives the scans that use it, and no longer), and orphan tables deleted on open.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Tree } from '../../../engines/ts/tree.js';
import { FaultFileSystem } from '../../../engines/ts/fault-fs.js';
import { TableBuilder } from '../../../engines/ts/table.js';
import { KIND_PUT } from '../../../engines/ts/coding.js';
import { b, s } from './helpers.js';

const k = (i: number): Uint8Array => b(String(i).padStart(16, '0'));
const ssts = (fs: FaultFileSystem): string[] => fs.list('/db').filter((n) => n.endsWith('.sst')).sort();

describe('snapshots', () => {
  it('are registered until released; liveSnapshots is ascending and distinct', () => {
    const t = Tree.open('/db', { fs: new FaultFileSystem(), durability: 'none' });
    t.put(b('a'), b('1'));
    const s1 = t.snapshot();
    const s1b = t.snapshot();
    t.put(b('a'), b('2'));
    const s2 = t.snapshot();
    t.put(b('a'), b('3'));
    assert.deepEqual(t.liveSnapshots(), [s1.seq, s2.seq]);
    assert.ok(s1.seq < s2.seq);
    assert.equal(s(t.get(b('a'), s1)), '1');
    assert.equal(s(t.get(b('a'), s2)), '2');
    assert.equal(s(t.get(b('a'), s1.seq)), '1', 'a raw sequence number still reads');
    s1.release();
    assert.deepEqual(t.liveSnapshots(), [s1.seq, s2.seq], 'a second snapshot at the same sequence keeps it live');
    s1.release();
    assert.deepEqual(t.liveSnapshots(), [s1.seq, s2.seq], 'release is idempotent');
    s1b[Symbol.dispose]();
    assert.deepEqual(t.liveSnapshots(), [s2.seq]);
    assert.throws(() => t.get(b('a'), s1), /released/);
    t.close();
    assert.deepEqual(t.liveSnapshots(), [], 'close releases every snapshot');
  });

  it('sequence numbers keep increasing across reopen, and a reopened snapshot reads the recovered state', () => {
    const fs = new FaultFileSystem();
    const t = Tree.open('/db', { fs, durability: 'os' });
    for (let i = 0; i < 10; i++) t.put(k(i), b(`v${i}`));
    const before = t.snapshot().seq;
    t.close();
    const t2 = Tree.open('/db', { fs, durability: 'os' });
    const snap = t2.snapshot();
    assert.ok(snap.seq >= before);
    t2.put(k(0), b('new'));
    assert.ok(t2.snapshot().seq > snap.seq);
    assert.equal(s(t2.get(k(0), snap)), 'v0');
    t2.close();
  });

  it('range() without a snapshot reads one consistent state while writes and compactions happen between steps', () => {
    const fs = new FaultFileSystem();
    const t = Tree.open('/db', { fs, durability: 'none', memtableBytes: 2048, deferFlush: false, autoCompaction: false });
    for (let i = 0; i < 1000; i++) t.put(k(i), b(`a${i}`));
    const it = t.range();
    const got: string[] = [];
    for (let n = 0; n < 300; n++) got.push(s(it.next().value![1])!);
    for (let i = 0; i < 1000; i++) t.put(k(i), b(`b${i}`));
    t.compactAll();
    for (const [, v] of it) got.push(s(v)!);
    assert.equal(got.length, 1000);
    assert.ok(got.every((v, i) => v === `a${i}`), 'every value is from before the iterator started');
    assert.deepEqual(t.liveSnapshots(), [], 'the iterator released its snapshot when it finished');
    t.close();
  });
});

describe('pinned table sets', () => {
  it('an obsolete table is deleted only after the scan that pinned it ends', () => {
    const fs = new FaultFileSystem();
    const t = Tree.open('/db', { fs, durability: 'none', memtableBytes: 2048, deferFlush: false, autoCompaction: false });
    for (let i = 0; i < 600; i++) t.put(k(i), b(`v${i}`));
    t.flush();
    const inputs = ssts(fs);
    assert.ok(inputs.length >= 3, `several tables (${inputs.length})`);
    let seen = 0;
    let during: string[] = [];
    t.scan({}, (key, v) => {
      if (seen === 0) {
        t.compactAll(); // installs a new version while this scan reads the old one
        during = ssts(fs);
      }
      assert.equal(s(v), `v${seen}`);
      assert.equal(s(key), s(k(seen)));
      seen++;
    });
    assert.equal(seen, 600);
    for (const f of inputs) assert.ok(during.includes(f), `${f} stays while the scan pins it`);
    const after = ssts(fs);
    assert.equal(after.length, 1, 'only the compacted table remains once the scan ends');
    assert.ok(!inputs.includes(after[0]!));
    assert.equal(t.stats().obsoleteTablesDeleted, inputs.length);
    for (let i = 0; i < 600; i++) assert.equal(s(t.get(k(i))), `v${i}`);
    t.close();
  });
});

describe('recovery', () => {
  it('deletes table files the manifest does not name before anything reads', () => {
    const fs = new FaultFileSystem();
    const t = Tree.open('/db', { fs, durability: 'os', memtableBytes: 2048, deferFlush: false });
    for (let i = 0; i < 200; i++) t.put(k(i), b(`v${i}`));
    t.delete(k(7));
    t.close();
    const live = ssts(fs);
    // Orphans as a crashed flush or compaction leaves them: complete tables (one above every
    // live number, one below) the manifest never named, holding a ghost key and an old value
    // for a deleted key; and a torn one.
    const orphan = (id: number, entries: Array<[string, string]>): void => {
      const builder = new TableBuilder(fs, `/db/${String(id).padStart(6, '0')}.sst`, id);
      for (const [key, value] of entries) {
        const kb = b(key);
        const vb = b(value);
        builder.add(kb, 0, kb.length, 1_000_000, KIND_PUT, vb, 0, vb.length);
      }
      builder.finish();
    };
    orphan(900, [['ghost', 'boo'], [s(k(7))!, 'resurrected']]);
    orphan(0, [['ghost0', 'boo']]);
    const torn = fs.create('/db/000901.sst');
    torn.append(b('half a table'), 0, 12);
    torn.close();
    const t2 = Tree.open('/db', { fs, durability: 'os' });
    const now = ssts(fs);
    for (const f of ['000900.sst', '000000.sst', '000901.sst']) assert.ok(!now.includes(f), `orphan ${f} deleted`);
    for (const f of live) assert.ok(now.includes(f), `live ${f} kept`);
    assert.equal(t2.get(b('ghost')), undefined);
    assert.equal(t2.get(b('ghost0')), undefined);
    assert.equal(t2.get(k(7)), undefined, 'the deleted key stays deleted');
    assert.equal(s(t2.get(k(8))), 'v8');
    t2.put(b('after'), b('x'));
    t2.flush();
    t2.close();
    const t3 = Tree.open('/db', { fs, durability: 'os' });
    assert.equal(s(t3.get(b('after'))), 'x');
    assert.equal(t3.get(b('ghost')), undefined);
    t3.close();
  });
});
