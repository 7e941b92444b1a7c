import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkInvariants,
  compactionDebt,
  compactionEdit,
  compareBytes,
  DEFAULT_LEVEL_OPTIONS,
  levelScores,
  levelsOf,
  levelTargets,
  pickCompaction,
  tableSizeLimit,
  validateLevelOptions,
  type CompactionTask,
  type LevelOptions,
} from '../../../engines/ts/compaction.js';
import { applyEdit, decodeEdit, EMPTY_VERSION, encodeEdit, type TableEntry, type VersionEdit, type VersionState } from '../../../engines/ts/manifest.js';
import { b, Rng } from './helpers.js';

/** Small options: L0 triggers at 2 tables, L1 1000 bytes, L2 10000, L3 100000 (last). */
const OPTS: LevelOptions = {
  l0CompactionTrigger: 2,
  l0SlowdownTrigger: 4,
  l0StopTrigger: 8,
  baseLevelBytes: 1000,
  levelMultiplier: 10,
  targetFileBytes: 300,
  maxLevels: 4,
};

let seqCounter = 0;
const tbl = (id: number, level: number, lo: string, hi: string, size = 100, maxSeq = ++seqCounter): TableEntry => ({
  id,
  level,
  size,
  entries: Math.max(1, Math.floor(size / 10)),
  smallest: b(lo),
  largest: b(hi),
  minSeq: maxSeq,
  maxSeq,
});

const versionOf = (...tables: TableEntry[]): VersionState => applyEdit(EMPTY_VERSION, { add: tables, nextFile: 1000 });
const ids = (ts: readonly TableEntry[]): number[] => ts.map((t) => t.id);

describe('compaction policy: levels and scores', () => {
  it('compareBytes is bytewise, shorter prefix first', () => {
    assert.ok(compareBytes(b('a'), b('b')) < 0);
    assert.ok(compareBytes(b('ab'), b('a')) > 0);
    assert.equal(compareBytes(b('abc'), b('abc')), 0);
    assert.ok(compareBytes(new Uint8Array([0x7f]), new Uint8Array([0x80])) < 0, 'unsigned bytes');
  });

  it('levelsOf puts L0 newest first (maxSeq, then id) and deeper levels by smallest key', () => {
    const v = versionOf(
      tbl(1, 0, 'a', 'z', 100, 10),
      tbl(2, 0, 'a', 'z', 100, 30),
      tbl(3, 0, 'a', 'z', 100, 30),
      tbl(4, 0, 'a', 'z', 100, 20),
      tbl(5, 1, 'm', 'n'),
      tbl(6, 1, 'a', 'c'),
      tbl(7, 1, 'x', 'y'),
      tbl(8, 2, 'b', 'b'),
    );
    const levels = levelsOf(v, 4);
    assert.equal(levels.length, 4);
    assert.deepEqual(ids(levels[0]!), [3, 2, 4, 1]);
    assert.deepEqual(ids(levels[1]!), [6, 5, 7]);
    assert.deepEqual(ids(levels[2]!), [8]);
    assert.deepEqual(levels[3], []);
    // A table deeper than maxLevels is not lost (checkInvariants reports it).
    const deep = levelsOf(versionOf(tbl(9, 5, 'a', 'b')), 4);
    assert.equal(deep.length, 6);
    assert.deepEqual(ids(deep[5]!), [9]);
  });

  it('levelScores: L0 by table count, deeper levels by bytes over target', () => {
    const v = versionOf(tbl(1, 0, 'a', 'z'), tbl(2, 0, 'a', 'z'), tbl(3, 0, 'a', 'z'), tbl(4, 1, 'a', 'b', 500), tbl(5, 2, 'a', 'b', 2500));
    assert.deepEqual(levelScores(v, OPTS), [1.5, 0.5, 0.25, 0]);
    assert.deepEqual(levelTargets(v, OPTS), { baseLevel: 1, bytes: [0, 1000, 10000, 100000] });
  });

  it('dynamic targets: the last level sets the sizes above it and L0 goes to the base level', () => {
    const dyn: LevelOptions = { ...OPTS, dynamicLevelBytes: true };
    // Nothing in the last level yet: L0 compacts straight into it.
    assert.equal(levelTargets(EMPTY_VERSION, dyn).baseLevel, 3);
    const v = versionOf(tbl(1, 3, 'a', 'z', 50_000));
    const t = levelTargets(v, dyn);
    // 50000 / 10 = 5000 > base/mult = 100 -> L2; 5000 / 10 = 500 > 100 -> L1.
    assert.deepEqual(t, { baseLevel: 1, bytes: [0, 500, 5000, 50_000] });
    const small = levelTargets(versionOf(tbl(1, 3, 'a', 'z', 5000)), dyn);
    assert.equal(small.baseLevel, 2, '5000 -> L2 target 500 > 100, L1 target 50 is not');
    assert.deepEqual(small.bytes, [0, 0, 500, 5000]);
    const l0 = pickCompaction(versionOf(tbl(1, 3, 'a', 'z', 5000), tbl(2, 0, 'a', 'z'), tbl(3, 0, 'b', 'y')), dyn);
    assert.equal(l0?.outputLevel, 2);
  });

  it('dynamic targets after the data shrank: L0 goes to the shallowest non-empty level, which is drained', () => {
    const dyn: LevelOptions = { ...OPTS, dynamicLevelBytes: true };
    // L3 holds 500: it wants L3 only (target 1000), yet L1 still has data from when it was larger.
    const v = versionOf(tbl(1, 3, 'a', 'z', 500), tbl(2, 1, 'c', 'd', 50), tbl(3, 0, 'a', 'z'), tbl(4, 0, 'b', 'y'));
    const t = levelTargets(v, dyn);
    assert.deepEqual(t.bytes, [0, 0, 0, 1000]);
    assert.equal(t.baseLevel, 1, 'newer L0 data may not go below the older data in L1');
    const scores = levelScores(v, dyn);
    assert.equal(scores[1], 1 + 50 / OPTS.baseLevelBytes, 'a level that should be empty is drained');
    assert.equal(scores[2], 0);
    const task = pickCompaction(v, dyn)!;
    assert.equal(task.level, 1, 'L1 (score 1.05) before L0 (score 1)');
    assert.equal(task.kind, 'move');
    assert.equal(task.outputLevel, 2);
    const after = applyEdit(v, compactionEdit(task, []));
    assert.equal(levelTargets(after, dyn).baseLevel, 2);
    assert.ok(compactionDebt(v, dyn) >= 50);
  });
});

describe('compaction policy: pickCompaction', () => {
  it('nothing to do below every trigger', () => {
    assert.equal(pickCompaction(EMPTY_VERSION, OPTS), undefined);
    assert.equal(pickCompaction(versionOf(tbl(1, 0, 'a', 'z'), tbl(2, 1, 'a', 'c', 900)), OPTS), undefined);
  });

  it('L0 at its trigger: every L0 table plus the overlapping L1 tables, merged into L1', () => {
    const v = versionOf(tbl(1, 0, 'c', 'h', 100, 1), tbl(2, 0, 'f', 'k', 100, 2), tbl(3, 1, 'a', 'b'), tbl(4, 1, 'd', 'e'), tbl(5, 1, 'j', 'm'), tbl(6, 1, 'n', 'p'));
    const task = pickCompaction(v, OPTS);
    assert.ok(task);
    assert.equal(task.kind, 'merge');
    assert.equal(task.level, 0);
    assert.equal(task.outputLevel, 1);
    assert.deepEqual(ids(task.inputs), [2, 1], 'L0 inputs newest first');
    assert.deepEqual(ids(task.overlaps), [4, 5], 'only L1 tables overlapping [c, k]');
    assert.equal(task.bottommost, true, 'nothing below L1');
    assert.equal(task.score, 1);
    assert.equal(task.targetFileBytes, OPTS.targetFileBytes);
  });

  it('bottommost is false when a deeper level overlaps the whole task range (overlaps included)', () => {
    // The L1 overlap [j, m] widens the range to m; an L2 table at [l, l] overlaps only the widened range.
    const base = [tbl(1, 0, 'c', 'h'), tbl(2, 0, 'f', 'k'), tbl(5, 1, 'j', 'm')];
    assert.equal(pickCompaction(versionOf(...base, tbl(7, 2, 'l', 'l')), OPTS)?.bottommost, false);
    assert.equal(pickCompaction(versionOf(...base, tbl(7, 2, 'x', 'y')), OPTS)?.bottommost, true);
    assert.equal(pickCompaction(versionOf(...base, tbl(7, 3, 'a', 'c')), OPTS)?.bottommost, false, 'any deeper level counts');
  });

  it('a lone L0 table that overlaps nothing in L0 or L1 is moved, the oldest first', () => {
    const v = versionOf(tbl(1, 0, 'a', 'b', 100, 1), tbl(2, 0, 'c', 'd', 100, 2), tbl(3, 1, 'x', 'y'));
    const task = pickCompaction(v, OPTS);
    assert.equal(task?.kind, 'move');
    assert.deepEqual(ids(task!.inputs), [1]);
    assert.deepEqual(task!.overlaps, []);
    assert.equal(task!.outputLevel, 1);
    // Overlapping another L0 table: not movable; table 3 (newer, disjoint) is.
    const w = versionOf(tbl(1, 0, 'a', 'f', 100, 1), tbl(2, 0, 'e', 'g', 100, 2), tbl(3, 0, 'p', 'q', 100, 3));
    const t2 = pickCompaction(w, OPTS);
    assert.equal(t2?.kind, 'move');
    assert.deepEqual(ids(t2!.inputs), [3]);
    // Overlapping L1: a merge of all of L0.
    const x = versionOf(tbl(1, 0, 'a', 'b'), tbl(2, 0, 'c', 'd'), tbl(3, 1, 'b', 'c'));
    const t3 = pickCompaction(x, OPTS);
    assert.equal(t3?.kind, 'merge');
    assert.deepEqual(ids(t3!.overlaps), [3]);
  });

  it('an L0 table larger than a level table may be is rewritten, not moved', () => {
    const big = tableSizeLimit(tbl(0, 0, 'a', 'b', 10_000), OPTS) + 1000;
    const v = versionOf(tbl(1, 0, 'a', 'b', big, 1), tbl(2, 0, 'c', 'd', big, 2));
    assert.ok(big > tableSizeLimit(tbl(0, 0, 'a', 'b', big), OPTS));
    const task = pickCompaction(v, OPTS);
    assert.equal(task?.kind, 'merge');
    assert.deepEqual(ids(task!.inputs), [2, 1]);
  });

  it('a level over its target pushes down the table with the smallest overlapping ratio', () => {
    // L1 = 1200 bytes > 1000. Ratios: A [a,c] 300/200 = 1.5, B [e,g] 100/400 = 0.25, C [i,k] 500/600.
    const v = versionOf(
      tbl(1, 1, 'a', 'c', 200),
      tbl(2, 1, 'e', 'g', 400),
      tbl(3, 1, 'i', 'k', 600),
      tbl(10, 2, 'a', 'b', 300),
      tbl(11, 2, 'f', 'f', 100),
      tbl(12, 2, 'h', 'j', 500),
      tbl(13, 3, 'j', 'z', 100),
    );
    const task = pickCompaction(v, OPTS);
    assert.ok(task);
    assert.equal(task.kind, 'merge');
    assert.equal(task.level, 1);
    assert.equal(task.outputLevel, 2);
    assert.deepEqual(ids(task.inputs), [2]);
    assert.deepEqual(ids(task.overlaps), [11]);
    assert.equal(task.bottommost, true, 'L3 [j, z] does not overlap [e, g]');
    assert.ok(Math.abs(task.score - 1.2) < 1e-9);
    // Make B expensive: C is now the cheapest, and L3 overlaps it.
    const w = applyEdit(v, { add: [tbl(14, 2, 'e', 'e', 900)] });
    const t2 = pickCompaction(w, OPTS);
    assert.deepEqual(ids(t2!.inputs), [3]);
    assert.deepEqual(ids(t2!.overlaps), [12]);
    assert.equal(t2!.bottommost, false);
  });

  it('a level table that overlaps nothing below is moved', () => {
    const v = versionOf(tbl(1, 1, 'a', 'c', 600), tbl(2, 1, 'e', 'g', 600), tbl(10, 2, 'a', 'b', 300));
    const task = pickCompaction(v, OPTS);
    assert.equal(task?.kind, 'move');
    assert.deepEqual(ids(task!.inputs), [2]);
    assert.equal(task!.outputLevel, 2);
  });

  it('the highest score wins; the last level is never an input', () => {
    // L0 score 1 (2 tables), L1 score 1.5: L1 first.
    const v = versionOf(tbl(1, 0, 'a', 'z'), tbl(2, 0, 'a', 'z'), tbl(3, 1, 'a', 'c', 1500));
    assert.equal(pickCompaction(v, OPTS)?.level, 1);
    // L0 score 2 beats L1 score 1.5.
    const w = applyEdit(v, { add: [tbl(4, 0, 'a', 'z'), tbl(5, 0, 'a', 'z')] });
    assert.equal(pickCompaction(w, OPTS)?.level, 0);
    // L3 is the last level: even far over its target nothing is picked.
    const x = versionOf(tbl(1, 3, 'a', 'z', 10_000_000));
    assert.ok(levelScores(x, OPTS)[3]! > 1);
    assert.equal(pickCompaction(x, OPTS), undefined);
  });
});

describe('compaction policy: edits, invariants, debt', () => {
  it('compactionEdit removes inputs and overlaps and adds the outputs at the output level', () => {
    const v = versionOf(tbl(1, 0, 'c', 'h'), tbl(2, 0, 'f', 'k'), tbl(4, 1, 'd', 'e'), tbl(6, 1, 'x', 'y'));
    const task = pickCompaction(v, OPTS)!;
    const outs = [tbl(20, 0, 'c', 'f', 250), tbl(21, 0, 'g', 'k', 150)];
    const edit = compactionEdit(task, outs);
    assert.deepEqual([...edit.remove!].sort(), [1, 2, 4]);
    assert.deepEqual(edit.add!.map((t) => [t.id, t.level]), [[20, 1], [21, 1]]);
    const after = applyEdit(v, edit);
    assert.deepEqual([...after.tables.keys()].sort((a, c) => a - c), [6, 20, 21]);
    assert.deepEqual(checkInvariants(after, OPTS), []);
    assert.throws(() => compactionEdit(task, [tbl(4, 1, 'a', 'b')]), RangeError, 'an output may not reuse an input id');
  });

  it('a move edit re-adds the same table one level down', () => {
    const v = versionOf(tbl(1, 1, 'a', 'c', 600), tbl(2, 1, 'e', 'g', 600));
    const task = pickCompaction(v, OPTS)!;
    assert.equal(task.kind, 'move');
    const edit = compactionEdit(task, []);
    const after = applyEdit(v, edit);
    const moved = after.tables.get(task.inputs[0]!.id)!;
    assert.equal(moved.level, 2);
    assert.equal(moved.size, 600);
    assert.equal(after.tables.size, 2);
    assert.throws(() => compactionEdit(task, [tbl(9, 2, 'a', 'b')]), RangeError);
  });

  it('checkInvariants accepts a well-formed version and reports each kind of violation', () => {
    const good = versionOf(tbl(1, 0, 'a', 'z'), tbl(2, 0, 'b', 'y'), tbl(3, 1, 'a', 'c'), tbl(4, 1, 'd', 'f'), tbl(5, 2, 'a', 'z'));
    assert.deepEqual(checkInvariants(good, OPTS), [], 'L0 may overlap; L1 and L2 are disjoint runs');
    const overlap = checkInvariants(applyEdit(good, { add: [tbl(6, 1, 'c', 'd')] }), OPTS);
    assert.equal(overlap.length, 2, 'overlaps both neighbours');
    assert.match(overlap[0]!, /L1: table \d+ .* overlaps table/);
    const touching = checkInvariants(applyEdit(good, { add: [tbl(6, 2, 'z', 'zz')] }), OPTS);
    assert.equal(touching.length, 1, 'sharing a boundary key is an overlap');
    const unsorted = checkInvariants(applyEdit(good, { add: [tbl(6, 1, 'q', 'p')] }), OPTS);
    assert.equal(unsorted.length, 1);
    assert.match(unsorted[0]!, /smallest .* > largest/);
    const oversized = tbl(6, 1, 'g', 'h', 100_000);
    assert.ok(oversized.size > tableSizeLimit(oversized, OPTS));
    const big = checkInvariants(applyEdit(good, { add: [oversized] }), OPTS);
    assert.equal(big.length, 1);
    assert.match(big[0]!, /over the limit/);
    assert.deepEqual(checkInvariants(applyEdit(good, { add: [tbl(6, 1, 'g', 'h', OPTS.targetFileBytes + 20)] }), OPTS), [], 'one entry of slack');
    assert.deepEqual(checkInvariants(applyEdit(good, { add: [tbl(6, 1, 'g', 'g', 100_000)] }), OPTS), [], 'one user key cannot be split');
    assert.deepEqual(checkInvariants(applyEdit(good, { add: [tbl(6, 0, 'g', 'h', 100_000)] }), OPTS), [], 'L0 tables are flushes: no size limit');
    assert.equal(checkInvariants(applyEdit(good, { add: [tbl(6, 4, 'g', 'h')] }), OPTS).length, 1, 'level beyond maxLevels');
    const misfiled: VersionState = { ...good, tables: new Map([...good.tables, [99, tbl(7, 0, 'a', 'b')]]) };
    assert.equal(checkInvariants(misfiled, OPTS).length, 1, 'id differs from its map key');
  });

  it('compactionDebt is 0 when settled and counts L0 plus overlapped L1, then excess times the rewrite ratio', () => {
    assert.equal(compactionDebt(EMPTY_VERSION, OPTS), 0);
    const quiet = versionOf(tbl(1, 0, 'a', 'z'), tbl(3, 1, 'a', 'c', 900));
    assert.equal(compactionDebt(quiet, OPTS), 0);
    // L0 at trigger: 2 x 100 + overlapped L1 (300 of [a,c]; [x,y] 200 outside [b,d]).
    const l0 = versionOf(tbl(1, 0, 'b', 'd'), tbl(2, 0, 'b', 'c'), tbl(3, 1, 'a', 'c', 300), tbl(4, 1, 'x', 'y', 200));
    assert.equal(compactionDebt(l0, OPTS), 200 + 300);
    // L1 at 1500 (excess 500), L2 at 3000: 500 * (1 + 3000/1500) = 1500.
    const l1 = versionOf(tbl(3, 1, 'a', 'c', 1500), tbl(4, 2, 'a', 'c', 3000));
    assert.equal(compactionDebt(l1, OPTS), 1500);
    assert.ok(pickCompaction(l1, OPTS) !== undefined);
  });

  it('replaying the edits (through the manifest encoding) rebuilds the version built live', () => {
    const rng = new Rng(7);
    const opts: LevelOptions = { ...OPTS, targetFileBytes: 400, baseLevelBytes: 800 };
    let live: VersionState = EMPTY_VERSION;
    const log: VersionEdit[] = [];
    const step = (e: VersionEdit): void => {
      live = applyEdit(live, e);
      log.push(e);
      assert.deepEqual(checkInvariants(live, opts), []);
    };
    let id = 1;
    let seq = 0;
    const key = (n: number): string => `k${String(n).padStart(5, '0')}`;
    let merges = 0;
    let moves = 0;
    for (let f = 0; f < 60; f++) {
      const lo = rng.int(900);
      const hi = lo + 1 + rng.int(99);
      seq += 10;
      step({ add: [{ id: id++, level: 0, size: 100, entries: 10, smallest: b(key(lo)), largest: b(key(hi)), minSeq: seq - 9, maxSeq: seq }], nextFile: id, lastSeq: seq });
      for (let task: CompactionTask | undefined; (task = pickCompaction(live, opts)) !== undefined; ) {
        if (task.kind === 'move') {
          moves++;
          step(compactionEdit(task, []));
          continue;
        }
        merges++;
        // Outputs: the union range cut into pieces of at most targetFileBytes.
        const all = [...task.inputs, ...task.overlaps];
        const total = all.reduce((s, t) => s + t.size, 0) * 0.9;
        const los = all.map((t) => Number(new TextDecoder().decode(t.smallest).slice(1)));
        const his = all.map((t) => Number(new TextDecoder().decode(t.largest).slice(1)));
        const a = Math.min(...los);
        const z = Math.max(...his);
        const pieces = Math.min(z - a + 1, Math.max(1, Math.ceil(total / opts.targetFileBytes)));
        const outs: TableEntry[] = [];
        for (let p = 0; p < pieces; p++) {
          const pl = a + Math.floor(((z - a + 1) * p) / pieces);
          const ph = a + Math.floor(((z - a + 1) * (p + 1)) / pieces) - 1;
          outs.push({ id: id++, level: task.outputLevel, size: Math.floor(total / pieces), entries: 9, smallest: b(key(pl)), largest: b(key(ph)), minSeq: 1, maxSeq: seq });
        }
        step({ ...compactionEdit(task, outs), nextFile: id });
      }
    }
    assert.ok(merges > 5 && moves > 0, `${merges} merges, ${moves} moves`);
    assert.ok(levelsOf(live, opts.maxLevels)[2]!.length > 0, 'data reached L2');
    let replay: VersionState = EMPTY_VERSION;
    for (const e of log) replay = applyEdit(replay, decodeEdit(encodeEdit(e)));
    assert.deepEqual(replay, live);
  });

  it('the defaults are consistent; bad options are rejected', () => {
    const d = DEFAULT_LEVEL_OPTIONS;
    validateLevelOptions(d);
    validateLevelOptions(OPTS);
    assert.throws(() => validateLevelOptions({ ...d, maxLevels: 1 }), RangeError);
    assert.throws(() => validateLevelOptions({ ...d, l0SlowdownTrigger: 2 }), RangeError);
    assert.throws(() => validateLevelOptions({ ...d, l0CompactionTrigger: 0 }), RangeError);
    assert.throws(() => validateLevelOptions({ ...d, levelMultiplier: 1 }), RangeError);
    assert.throws(() => validateLevelOptions({ ...d, targetFileBytes: 0 }), RangeError);
    assert.ok(d.l0CompactionTrigger < d.l0SlowdownTrigger && d.l0SlowdownTrigger < d.l0StopTrigger);
    assert.equal(d.levelMultiplier, 10);
    assert.ok(d.targetFileBytes <= d.baseLevelBytes);
  });
});
