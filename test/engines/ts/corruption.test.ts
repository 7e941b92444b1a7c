/**
 * Corruption tests: the WAL and the manifest cut at every byte offset and with every
 * byte flipped; recovery never fails with anything but a typed error and otherwise
 * keeps a prefix of the writes. A corrupt SSTable is refused with a TableCorruptionError
 * naming the file and an offset at or before the damaged byte.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Tree, type TreeOptions } from '../../../engines/ts/tree.js';
import { FaultFileSystem } from '../../../engines/ts/fault-fs.js';
import { CorruptionError, ManifestCorruptionError, TableCorruptionError, WalCorruptionError } from '../../../engines/ts/errors.js';
import { readLog } from '../../../engines/ts/log.js';
import { TableBuilder, TableReader } from '../../../engines/ts/table.js';
import { b, s, sortedEntries } from './helpers.js';

const DIR = '/db';

function stateOf(tree: Tree): string {
  const got: Array<[string, string]> = [];
  tree.scan({}, (k, v) => {
    got.push([s(k)!, s(v)!]);
  });
  return JSON.stringify(got);
}

/** Writes `n` operations (puts, deletes, small batches), returning the state after each. */
function writeWorkload(tree: Tree, n: number, onWrite?: (i: number) => void): string[] {
  const model = new Map<string, string>();
  const states = [JSON.stringify(sortedEntries(model))];
  for (let i = 0; i < n; i++) {
    const k = `key${String((i * 5) % 13).padStart(3, '0')}`;
    if (i % 6 === 5) {
      tree.delete(b(k));
      model.delete(k);
    } else if (i % 6 === 3) {
      tree.write([
        { type: 'put', key: b(k), value: b(`batch${i}`) },
        { type: 'put', key: b(`${k}-b`), value: b(`batch${i}`) },
      ]);
      model.set(k, `batch${i}`);
      model.set(`${k}-b`, `batch${i}`);
    } else {
      tree.put(b(k), b(`value${i}`));
      model.set(k, `value${i}`);
    }
    states.push(JSON.stringify(sortedEntries(model)));
    onWrite?.(i);
  }
  return states;
}

function walPath(fs: FaultFileSystem): string {
  const logs = fs.list(DIR).filter((n) => n.endsWith('.log'));
  assert.equal(logs.length, 1, 'one live WAL');
  return `${DIR}/${logs[0]!}`;
}

describe('WAL corruption', () => {
  const options: TreeOptions = { durability: 'os', memtableBytes: 1 << 20 };
  const base = new FaultFileSystem();
  const tree = Tree.open(DIR, { ...options, fs: base });
  const states = writeWorkload(tree, 24);
  base.kill(); // the WAL holds everything; no close
  const path = walPath(base);
  const bytes = base.readAll(path);
  // Record i ends at ends[i]; a cut keeps exactly the records that end at or before it.
  const ends = readLog(bytes, 'strict', () => new Error('unexpected')).records.map((r) => r.offset + 9 + r.payload.length);
  assert.equal(ends.length, 24);

  const recover = (fs: FaultFileSystem, mode: 'strict' | 'truncate'): string => {
    const t = Tree.open(DIR, { ...options, fs, recovery: mode });
    const st = stateOf(t);
    t.close();
    return st;
  };

  it('a cut at every byte offset keeps exactly the complete records', () => {
    for (let cut = 0; cut <= bytes.length; cut++) {
      const fs = base.clone();
      fs.setContents(path, bytes.slice(0, cut));
      const complete = ends.filter((e) => e <= cut).length;
      assert.equal(recover(fs, 'strict'), states[complete], `cut at ${cut}`);
    }
  });

  it('every flipped byte: a typed error naming the WAL and the record, or a prefix', () => {
    let errors = 0;
    for (let off = 0; off < bytes.length; off++) {
      const record = ends.findIndex((e) => e > off); // the record holding the flipped byte
      for (const mode of ['strict', 'truncate'] as const) {
        const fs = base.clone();
        fs.flip(path, off);
        try {
          const st = recover(fs, mode);
          assert.ok(states.slice(0, record + 1).includes(st), `flip at ${off} (${mode}): recovered state must be a prefix before record ${record}`);
          if (mode === 'truncate') assert.equal(st, states[record], `flip at ${off}: truncate mode keeps every record before the damaged one`);
        } catch (err) {
          assert.equal(mode, 'strict', `flip at ${off}: truncate mode must not throw (${String(err)})`);
          assert.ok(err instanceof WalCorruptionError, `flip at ${off}: ${String(err)}`);
          assert.equal(err.file, path);
          assert.equal(err.offset, record === 0 ? 0 : ends[record - 1], 'the error names the damaged record');
          errors++;
        }
      }
    }
    assert.ok(errors > bytes.length / 2, 'most flips are detected as corruption, not mistaken for a torn tail');
  });

  it('a flipped length with valid records after it is damage in the middle, not a torn tail: refused, or skipped and counted', () => {
    for (let record = 0; record < ends.length - 1; record++) {
      const start = record === 0 ? 0 : ends[record - 1]!;
      for (let byte = 4; byte < 8; byte++) {
        const strict = base.clone();
        strict.flip(path, start + byte);
        assert.throws(
          () => Tree.open(DIR, { ...options, fs: strict }),
          (e: Error) => e instanceof WalCorruptionError && e.file === path && e.offset === start && e.message.includes(`${bytes.length - start} bytes from here on would be lost`),
          `length byte ${byte} of record ${record}`,
        );
        assert.deepEqual(strict.readAll(path), (() => { const c = base.clone(); c.flip(path, start + byte); return c.readAll(path); })(), 'a refused open leaves the WAL as it was');
        const lenient = base.clone();
        lenient.flip(path, start + byte);
        const t = Tree.open(DIR, { ...options, fs: lenient, recovery: 'truncate' });
        assert.equal(stateOf(t), states[record], `record ${record}: point-in-time recovery keeps the records before the damage`);
        assert.equal(t.walBytesSkipped, bytes.length - start);
        assert.equal(t.stats().walBytesSkipped, bytes.length - start);
        t.close();
      }
    }
    // A torn tail is still repaired silently, and skips nothing.
    const torn = base.clone();
    torn.setContents(path, bytes.slice(0, ends[ends.length - 1]! - 3));
    const t = Tree.open(DIR, { ...options, fs: torn });
    assert.equal(stateOf(t), states[ends.length - 1]);
    assert.equal(t.walBytesSkipped, 0);
    t.close();
  });
});

describe('manifest corruption', () => {
  // Three flushes leave a manifest of four edits (the snapshot written at open, then one per flush).
  const options: TreeOptions = { durability: 'os', memtableBytes: 1 << 20 };
  const base = new FaultFileSystem();
  const tree = Tree.open(DIR, { ...options, fs: base });
  const flushStates: string[] = [JSON.stringify([])];
  const all = writeWorkload(tree, 30, (i) => {
    if (i % 10 === 9) {
      tree.flush();
      flushStates.push(stateOf(tree));
    }
  });
  assert.equal(flushStates[3], all[30]);
  base.kill();
  const current = new TextDecoder().decode(base.readAll(`${DIR}/CURRENT`)).trim();
  const path = `${DIR}/${current}`;
  const bytes = base.readAll(path);
  const ends = readLog(bytes, 'strict', () => new Error('unexpected')).records.map((r) => r.offset + 9 + r.payload.length);
  assert.equal(ends.length, 4);

  const recover = (fs: FaultFileSystem, mode: 'strict' | 'truncate'): string => {
    const t = Tree.open(DIR, { ...options, fs, recovery: mode });
    const st = stateOf(t);
    t.close();
    return st;
  };

  const tablesOnDisk = (fs: FaultFileSystem): number => [...fs.list(DIR), ...fs.list(`${DIR}/lost`)].filter((n) => n.endsWith('.sst')).length;

  it('a cut at every byte offset: a ManifestCorruptionError naming it, or the full state; no table deleted', () => {
    // A cut inside any record is damage: inside the first, the version is missing; inside a
    // later one, the WAL the complete edits need was removed after the lost edit was synced.
    // Only a cut at the very end leaves the full state.
    for (let cut = 0; cut <= bytes.length; cut++) {
      const fs = base.clone();
      fs.setContents(path, bytes.slice(0, cut));
      const before = tablesOnDisk(fs);
      const beforeFiles = fs.list(DIR).length;
      const complete = ends.filter((e) => e <= cut).length;
      if (complete === ends.length) {
        assert.equal(recover(fs, 'strict'), flushStates[complete - 1], `cut at ${cut}: the full state`);
        continue;
      }
      // A cut exactly at a record boundary reads as a clean end: not yet detected (README).
      if (ends.includes(cut)) continue;
      assert.throws(
        () => recover(fs, 'strict'),
        (err: unknown) => err instanceof ManifestCorruptionError && err.file === path && err.offset <= cut,
        `cut at ${cut}: refused, naming the manifest`,
      );
      assert.equal(tablesOnDisk(fs), before, `cut at ${cut}: a refused open moved or deleted tables`);
      assert.equal(fs.list(DIR).length, beforeFiles, `cut at ${cut}: a refused open changed the directory`);
      // Point-in-time recovery opens the older state the complete edits describe, keeping every table.
      if (complete > 0) {
        assert.equal(recover(fs, 'truncate'), flushStates[complete - 1], `cut at ${cut}: truncate opens the complete edits' state`);
        assert.ok(tablesOnDisk(fs) >= before, `cut at ${cut}: truncate deleted tables`);
      }
    }
  });

  it('every flipped byte: a ManifestCorruptionError naming the file, or the full state (never an older one)', () => {
    let errors = 0;
    for (let off = 0; off < bytes.length; off++) {
      const fs = base.clone();
      fs.flip(path, off);
      try {
        const st = recover(fs, 'strict');
        assert.equal(st, flushStates[3], `flip at ${off}: opened, so with the full state, never an older one`);
      } catch (err) {
        assert.ok(err instanceof ManifestCorruptionError, `flip at ${off}: ${String(err)}`);
        assert.equal(err.file, path);
        assert.ok(err.offset <= off);
        errors++;
      }
    }
    assert.ok(errors > bytes.length / 2);
  });

  it('a corrupt CURRENT is a typed error', () => {
    const fs = base.clone();
    fs.flip(`${DIR}/CURRENT`, 3);
    assert.throws(() => Tree.open(DIR, { ...options, fs }), (err: unknown) => err instanceof ManifestCorruptionError && err.file === `${DIR}/CURRENT`);
  });
});

for (const restartInterval of [4, 1])
describe(`SSTable corruption (restart interval ${restartInterval}${restartInterval === 1 ? ', with a point index' : ''})`, () => {
  const fs = new FaultFileSystem();
  const path = '/t/000001.sst';
  const builder = new TableBuilder(fs, path, 1, { blockSize: 256, restartInterval, bloomBitsPerKey: 10 });
  const keys: string[] = [];
  for (let i = 0; i < 60; i++) keys.push(`key${String(i).padStart(4, '0')}`);
  for (const [i, k] of keys.entries()) {
    const kb = b(k);
    const vb = b(`value-${i}`);
    builder.add(kb, 0, kb.length, 100 - i, 1, vb, 0, vb.length);
  }
  builder.finish();
  const bytes = fs.readAll(path);

  it(`the table ${restartInterval === 1 ? 'has' : 'has no'} point index`, () => {
    assert.equal(TableReader.open(fs, path, 1).hasPointIndex, restartInterval === 1);
  });

  it('every flipped byte is refused with a TableCorruptionError naming the file and offset', () => {
    for (let off = 0; off < bytes.length; off++) {
      const copy = fs.clone();
      copy.flip(path, off);
      assert.throws(
        () => {
          const t = TableReader.open(copy, path, 1);
          const it = t.iterator();
          let n = 0;
          for (it.seekFirst(); it.valid(); it.next()) n++;
          // Reaching here means the flip went unnoticed: a checksum failed to cover that byte.
          assert.fail(`flip at ${off} not detected (${n} entries read)`);
        },
        (err: unknown) => err instanceof TableCorruptionError && err.file === path && err.offset <= off,
        `flip at ${off}`,
      );
    }
  });

  it('a tree refuses a corrupt table at open or on the read that touches it', () => {
    const tfs = new FaultFileSystem();
    const t = Tree.open(DIR, { fs: tfs, durability: 'none' });
    for (let i = 0; i < 200; i++) t.put(b(`k${String(i).padStart(4, '0')}`), b(`v${i}`.repeat(10)));
    t.close();
    const sst = tfs.list(DIR).find((n) => n.endsWith('.sst'))!;
    tfs.flip(`${DIR}/${sst}`, 10); // inside the first data block
    const reopened = Tree.open(DIR, { fs: tfs, durability: 'none' });
    assert.throws(
      () => reopened.get(b('k0000')),
      (err: unknown) => err instanceof TableCorruptionError && err instanceof CorruptionError && err.file === `${DIR}/${sst}` && err.offset === 0 && /data block 0 checksum/.test(err.message),
    );
    const tfs2 = tfs.clone();
    const size = tfs2.readAll(`${DIR}/${sst}`).length;
    tfs2.flip(`${DIR}/${sst}`, size - 1); // the magic number
    assert.throws(() => Tree.open(DIR, { fs: tfs2, durability: 'none' }), (err: unknown) => err instanceof TableCorruptionError && err.offset === size - 8);
  });
});

describe('a store written by an older table format', () => {
  it('is refused at open with an error naming the version, and nothing in the directory changes', () => {
    const tfs = new FaultFileSystem();
    const t = Tree.open(DIR, { fs: tfs, durability: 'none' });
    for (let i = 0; i < 200; i++) t.put(b(`k${String(i).padStart(4, '0')}`), b(`v${i}`.repeat(10)));
    t.close();
    const sst = tfs.list(DIR).find((n) => n.endsWith('.sst'))!;
    const bytes = tfs.readAll(`${DIR}/${sst}`).slice();
    bytes[bytes.length - 16] = 2; // the footer's format version, 16 bytes from the end in every version
    const w = tfs.create(`${DIR}/${sst}`);
    w.append(bytes, 0, bytes.length);
    w.close();
    const before = tfs.list(DIR).map((n) => `${n}:${tfs.readAll(`${DIR}/${n}`).join(',')}`);
    assert.throws(
      () => Tree.open(DIR, { fs: tfs, durability: 'none' }),
      (err: unknown) => err instanceof TableCorruptionError && /table format version 2 was written by an older ts engine; this one reads version 4 only/.test(err.message),
    );
    assert.deepEqual(tfs.list(DIR).map((n) => `${n}:${tfs.readAll(`${DIR}/${n}`).join(',')}`), before, 'no file moved, removed or rewritten');
  });
});
