/**
 * Leveled compaction policy: pure functions over the manifest's VersionState, no I/O.
 *
 * A table's level is its `level` field. L0 holds flushed memtables (ranges may overlap,
 * newest first); every level from 1 up is a sorted run of tables with disjoint key
 * ranges. The policy answers "what should be compacted next" (`pickCompaction`) and
 * "what edit installs the result" (`compactionEdit`); the edit is applied with the
 * manifest's own `applyEdit`, the function recovery folds edits with.
 *
 * - L0 -> base level when L0 holds >= l0CompactionTrigger tables. The task takes every
 *   L0 table plus the base-level tables overlapping their union range, unless one L0
 *   table overlaps no other L0 table and nothing in the base level and is no larger than
 *   a level table may be: then it is a trivial move (edit only).
 * - Ln -> Ln+1 (n >= 1) when the level's bytes reach its target. The input is the one
 *   table with the smallest ratio of overlapping Ln+1 bytes to its own size ("min
 *   overlapping ratio"): the cheapest bytes to push down. A table that overlaps nothing
 *   below is moved, not rewritten.
 * - Targets: dynamic by default (`dynamicLevelBytes`, the idea of RocksDB's
 *   level_compaction_dynamic_level_bytes): the last level's actual size sets the targets
 *   of the levels above it, each levelMultiplier times smaller, and L0 compacts into the
 *   first level whose target exceeds baseLevelBytes / levelMultiplier. That keeps the
 *   obsolete data above the last level near 1/levelMultiplier of it whatever the data
 *   size. Static targets (base, base*mult, ...) are the alternative; COMPACTION.md has the
 *   simulator's comparison.
 *
 * Scores: L0 = tables / l0CompactionTrigger; Ln = bytes / target. The most urgent level
 * (highest score >= 1; ties go to the shallower level) is compacted first. The last level
 * is never an input (it has nowhere to go).
 */
import { compareRegions } from './coding.js';
import type { TableEntry, VersionEdit, VersionState } from './manifest.js';

export interface LevelOptions {
  /** L0 tables that trigger L0 -> base level. */
  readonly l0CompactionTrigger: number;
  /** L0 tables at which the tree slows writes down. */
  readonly l0SlowdownTrigger: number;
  /** L0 tables at which writes wait for compaction. */
  readonly l0StopTrigger: number;
  /** Target size of the first level below L0. */
  readonly baseLevelBytes: number;
  /** Each level's target is this times the one above it. */
  readonly levelMultiplier: number;
  /** Compaction output tables are cut at this size. */
  readonly targetFileBytes: number;
  /** Levels including L0 (7 = L0..L6). */
  readonly maxLevels: number;
  /**
   * Dynamic level targets: the last level's actual size sets the targets of the levels
   * above it (each `levelMultiplier` times smaller) and L0 compacts into the first level
   * whose target exceeds baseLevelBytes / levelMultiplier. Absent or false: static
   * targets (L1 = baseLevelBytes, each level levelMultiplier times the one above).
   * DEFAULT_LEVEL_OPTIONS sets it.
   */
  readonly dynamicLevelBytes?: boolean;
}

/**
 * Defaults for a 32 MiB memtable (a flushed table of 16-byte keys and 100-byte values is
 * ~21 MB). targetFileBytes equals the memtable size, so a flushed table that overlaps
 * nothing can always be moved down unchanged (sequential inserts are never rewritten).
 * COMPACTION.md has the simulator's figures behind each number.
 */
export const DEFAULT_LEVEL_OPTIONS: LevelOptions = {
  l0CompactionTrigger: 4,
  l0SlowdownTrigger: 12,
  l0StopTrigger: 24,
  baseLevelBytes: 256 * 1024 * 1024,
  levelMultiplier: 10,
  targetFileBytes: 32 * 1024 * 1024,
  maxLevels: 7,
  dynamicLevelBytes: true,
};

/** Throws RangeError unless the options make sense (1 <= trigger <= slowdown <= stop, sizes > 0,
 *  multiplier > 1, at least L0 and L1). */
export function validateLevelOptions(opts: LevelOptions): void {
  const int = (v: number): boolean => Number.isSafeInteger(v) && v > 0;
  if (!int(opts.l0CompactionTrigger) || !int(opts.l0SlowdownTrigger) || !int(opts.l0StopTrigger))
    throw new RangeError('L0 triggers must be positive integers');
  if (!(opts.l0CompactionTrigger <= opts.l0SlowdownTrigger && opts.l0SlowdownTrigger <= opts.l0StopTrigger))
    throw new RangeError('L0 triggers must satisfy compaction <= slowdown <= stop');
  if (!(opts.baseLevelBytes > 0) || !(opts.targetFileBytes > 0)) throw new RangeError('level and file sizes must be positive');
  if (!(opts.levelMultiplier > 1)) throw new RangeError('levelMultiplier must exceed 1');
  if (!Number.isSafeInteger(opts.maxLevels) || opts.maxLevels < 2) throw new RangeError('maxLevels must be an integer >= 2');
}

/** Bytewise comparison of two whole keys (coding.ts's region compare). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return compareRegions(a, 0, a.length, b, 0, b.length);
}

/** True when the key ranges [t.smallest, t.largest] and [lo, hi] share a key. */
export function rangesOverlap(t: { readonly smallest: Uint8Array; readonly largest: Uint8Array }, lo: Uint8Array, hi: Uint8Array): boolean {
  return compareBytes(t.smallest, hi) <= 0 && compareBytes(lo, t.largest) <= 0;
}

/** The tables of `tables` whose ranges overlap [lo, hi], in the order given. */
export function overlappingTables(tables: readonly TableEntry[], lo: Uint8Array, hi: Uint8Array): TableEntry[] {
  return tables.filter((t) => rangesOverlap(t, lo, hi));
}

/** Tables per level: [0] = L0 newest first (by maxSeq, then id); [1..] sorted by smallest key (then id).
 *  The array has maxLevels entries, more if some table sits deeper (checkInvariants reports that). */
export function levelsOf(version: VersionState, maxLevels: number): TableEntry[][] {
  let n = maxLevels;
  for (const t of version.tables.values()) if (t.level + 1 > n) n = t.level + 1;
  const levels: TableEntry[][] = Array.from({ length: n }, () => []);
  for (const t of version.tables.values()) levels[t.level]!.push(t);
  levels[0]!.sort((a, b) => b.maxSeq - a.maxSeq || b.id - a.id);
  for (let l = 1; l < n; l++) levels[l]!.sort((a, b) => compareBytes(a.smallest, b.smallest) || a.id - b.id);
  return levels;
}

const sumBytes = (ts: readonly TableEntry[]): number => {
  let s = 0;
  for (const t of ts) s += t.size;
  return s;
};

/** Bytes per level (length maxLevels, or more if a table sits deeper). */
export function levelBytes(version: VersionState, maxLevels: number): number[] {
  return levelsOf(version, maxLevels).map(sumBytes);
}

export interface LevelTargets {
  /**
   * The level L0 compacts into: 1 with static targets; with dynamic targets the first level
   * with a target, or a shallower level if one still holds data (after the data shrank):
   * L0's newer data must never land below older data of the same keys.
   */
  readonly baseLevel: number;
  /** Target bytes per level; [0] is 0, and so are the levels a dynamic layout wants empty. */
  readonly bytes: readonly number[];
}

/** Target bytes of each level below L0, static or dynamic per opts.dynamicLevelBytes. */
export function levelTargets(version: VersionState, opts: LevelOptions): LevelTargets {
  return targetsFor(levelBytes(version, opts.maxLevels), opts);
}

function targetsFor(bytes: readonly number[], opts: LevelOptions): LevelTargets {
  const last = opts.maxLevels - 1;
  const t: number[] = new Array<number>(opts.maxLevels).fill(0);
  if (last < 1) return { baseLevel: 0, bytes: t };
  if (opts.dynamicLevelBytes !== true) {
    for (let l = 1; l <= last; l++) t[l] = opts.baseLevelBytes * opts.levelMultiplier ** (l - 1);
    return { baseLevel: 1, bytes: t };
  }
  t[last] = Math.max(bytes[last] ?? 0, opts.baseLevelBytes);
  let base = last;
  for (let l = last - 1; l >= 1; l--) {
    const v = t[l + 1]! / opts.levelMultiplier;
    if (v <= opts.baseLevelBytes / opts.levelMultiplier) break;
    t[l] = v;
    base = l;
  }
  for (let l = 1; l < base; l++) {
    if ((bytes[l] ?? 0) > 0) {
      base = l;
      break;
    }
  }
  return { baseLevel: base, bytes: t };
}

/** Per-level scores (L0: tables / trigger; Ln: bytes / target). A level a dynamic layout
 *  wants empty (target 0) that holds data scores 1 + bytes / baseLevelBytes: it is drained
 *  down before anything else of lower score. */
export function levelScores(version: VersionState, opts: LevelOptions): number[] {
  const levels = levelsOf(version, opts.maxLevels);
  return scoresFor(levels, levels.map(sumBytes), targetsFor(levels.map(sumBytes), opts), opts);
}

function scoresFor(levels: readonly TableEntry[][], bytes: readonly number[], targets: LevelTargets, opts: LevelOptions): number[] {
  const scores: number[] = [];
  scores.push(levels[0]!.length / Math.max(1, opts.l0CompactionTrigger));
  for (let l = 1; l < opts.maxLevels; l++) {
    const b = bytes[l] ?? 0;
    const t = targets.bytes[l]!;
    if (t === 0) scores.push(b > 0 ? 1 + b / Math.max(1, opts.baseLevelBytes) : 0);
    else scores.push(b / t);
  }
  return scores;
}

export interface CompactionTask {
  readonly kind: 'move' | 'merge';
  readonly level: number;
  readonly outputLevel: number;
  /** From `level` (L0: newest first). */
  readonly inputs: readonly TableEntry[];
  /** From `outputLevel`, sorted by smallest. */
  readonly overlaps: readonly TableEntry[];
  /** Nothing deeper than outputLevel overlaps the task's key range. */
  readonly bottommost: boolean;
  readonly targetFileBytes: number;
  readonly score: number;
}

/**
 * The largest a level table may be: the target, plus one entry (a table is cut after the
 * entry that crosses the target; the table's average entry size stands for it), plus an
 * allowance for what is written after the data (filter, index, footer: 1/8 of the target
 * and 4 KiB). A table holding a single user key is never too large (versions of one key
 * are never split).
 */
export function tableSizeLimit(t: TableEntry, opts: LevelOptions): number {
  if (compareBytes(t.smallest, t.largest) === 0) return Infinity;
  const entry = t.entries > 0 ? Math.ceil(t.size / t.entries) : 0;
  return opts.targetFileBytes + Math.ceil(opts.targetFileBytes / 8) + 4096 + entry;
}

/** The smallest and largest key over a non-empty set of tables. */
export function keyRange(tables: readonly TableEntry[]): { smallest: Uint8Array; largest: Uint8Array } {
  let lo = tables[0]!.smallest;
  let hi = tables[0]!.largest;
  for (const t of tables) {
    if (compareBytes(t.smallest, lo) < 0) lo = t.smallest;
    if (compareBytes(t.largest, hi) > 0) hi = t.largest;
  }
  return { smallest: lo, largest: hi };
}

function isBottommost(levels: readonly TableEntry[][], outputLevel: number, lo: Uint8Array, hi: Uint8Array): boolean {
  for (let l = outputLevel + 1; l < levels.length; l++) for (const t of levels[l]!) if (rangesOverlap(t, lo, hi)) return false;
  return true;
}

/** The most urgent task, or undefined when every level is within its target. */
export function pickCompaction(version: VersionState, opts: LevelOptions): CompactionTask | undefined {
  const levels = levelsOf(version, opts.maxLevels);
  const bytes = levels.map(sumBytes);
  const targets = targetsFor(bytes, opts);
  const scores = scoresFor(levels, bytes, targets, opts);
  let level = -1;
  let best = 1;
  // The last level is never an input; levels deeper than maxLevels (invalid) neither.
  for (let l = 0; l < opts.maxLevels - 1; l++) {
    if (scores[l]! >= best && (level < 0 || scores[l]! > best)) {
      level = l;
      best = scores[l]!;
    }
  }
  if (level < 0) return undefined;
  return level === 0 ? pickL0(levels, targets.baseLevel, best, opts) : pickLevel(levels, level, best, opts);
}

function pickL0(levels: readonly TableEntry[][], outputLevel: number, score: number, opts: LevelOptions): CompactionTask {
  const l0 = levels[0]!;
  const out = levels[outputLevel]!;
  // A trivial move: the oldest L0 table that overlaps no other L0 table and nothing in the output level.
  for (let i = l0.length - 1; i >= 0; i--) {
    const t = l0[i]!;
    if (t.size > tableSizeLimit(t, opts)) continue;
    if (l0.some((o) => o !== t && rangesOverlap(o, t.smallest, t.largest))) continue;
    if (out.some((o) => rangesOverlap(o, t.smallest, t.largest))) continue;
    return {
      kind: 'move',
      level: 0,
      outputLevel,
      inputs: [t],
      overlaps: [],
      bottommost: isBottommost(levels, outputLevel, t.smallest, t.largest),
      targetFileBytes: opts.targetFileBytes,
      score,
    };
  }
  const r = keyRange(l0);
  const overlaps = overlappingTables(out, r.smallest, r.largest);
  const all = keyRange(overlaps.length > 0 ? [...l0, ...overlaps] : l0);
  return {
    kind: 'merge',
    level: 0,
    outputLevel,
    inputs: [...l0],
    overlaps,
    bottommost: isBottommost(levels, outputLevel, all.smallest, all.largest),
    targetFileBytes: opts.targetFileBytes,
    score,
  };
}

function pickLevel(levels: readonly TableEntry[][], level: number, score: number, opts: LevelOptions): CompactionTask {
  const src = levels[level]!;
  const out = levels[level + 1]!;
  // Both runs are sorted and disjoint, so the overlapping output tables of successive
  // inputs form a sliding window.
  let bestIdx = 0;
  let bestRatio = Infinity;
  let lo = 0;
  for (let i = 0; i < src.length; i++) {
    const t = src[i]!;
    while (lo < out.length && compareBytes(out[lo]!.largest, t.smallest) < 0) lo++;
    let overlap = 0;
    for (let j = lo; j < out.length && compareBytes(out[j]!.smallest, t.largest) <= 0; j++) overlap += out[j]!.size;
    const ratio = overlap / Math.max(1, t.size);
    if (ratio < bestRatio) {
      bestRatio = ratio;
      bestIdx = i;
    }
  }
  const t = src[bestIdx]!;
  const overlaps = overlappingTables(out, t.smallest, t.largest);
  const move = overlaps.length === 0 && t.size <= tableSizeLimit(t, opts);
  const r = keyRange([t, ...overlaps]);
  return {
    kind: move ? 'move' : 'merge',
    level,
    outputLevel: level + 1,
    inputs: [t],
    overlaps,
    bottommost: isBottommost(levels, level + 1, r.smallest, r.largest),
    targetFileBytes: opts.targetFileBytes,
    score,
  };
}

/**
 * The edit that installs `outputs` (already written) in place of the task's inputs and
 * overlaps. Outputs are placed at task.outputLevel whatever their `level` field says.
 * For a move, `outputs` must be empty (or the inputs themselves): the edit re-adds the
 * input tables at the output level under their own ids.
 */
export function compactionEdit(task: CompactionTask, outputs: readonly TableEntry[]): VersionEdit {
  const removed = [...task.inputs, ...task.overlaps].map((t) => t.id);
  if (task.kind === 'move') {
    if (outputs.length > 0 && (outputs.length !== task.inputs.length || outputs.some((o, i) => o.id !== task.inputs[i]!.id)))
      throw new RangeError('a move takes no output tables');
    return { remove: removed, add: task.inputs.map((t) => ({ ...t, level: task.outputLevel })) };
  }
  const gone = new Set(removed);
  for (const o of outputs) if (gone.has(o.id)) throw new RangeError(`output table ${o.id} reuses the id of an input`);
  return { remove: removed, add: outputs.map((t) => (t.level === task.outputLevel ? t : { ...t, level: task.outputLevel })) };
}

const hexKey = (k: Uint8Array): string => {
  const h = Buffer.from(k.buffer, k.byteOffset, k.byteLength).toString('hex');
  return h.length > 40 ? `${h.slice(0, 40)}...` : h;
};

/**
 * Violations of: every table well-formed (id matches its map key, level within
 * maxLevels, smallest <= largest, minSeq <= maxSeq); each level >= 1 sorted and
 * non-overlapping (the previous table's largest key below the next one's smallest); every
 * level table within tableSizeLimit (there is no lower bound: the last table of every
 * job's output may be small). Empty array = OK.
 */
export function checkInvariants(version: VersionState, opts: LevelOptions): string[] {
  const out: string[] = [];
  for (const [id, t] of version.tables) {
    if (id !== t.id) out.push(`table ${t.id} is filed under id ${id}`);
    if (!Number.isInteger(t.level) || t.level < 0 || t.level >= opts.maxLevels) out.push(`table ${t.id} is at level ${t.level}, outside 0..${opts.maxLevels - 1}`);
    if (compareBytes(t.smallest, t.largest) > 0) out.push(`table ${t.id} (L${t.level}) has smallest ${hexKey(t.smallest)} > largest ${hexKey(t.largest)}`);
    if (t.entries > 0 && t.minSeq > t.maxSeq) out.push(`table ${t.id} (L${t.level}) has minSeq ${t.minSeq} > maxSeq ${t.maxSeq}`);
  }
  const levels = levelsOf(version, opts.maxLevels);
  for (let l = 1; l < levels.length; l++) {
    const run = levels[l]!;
    for (let i = 0; i < run.length; i++) {
      const t = run[i]!;
      const limit = tableSizeLimit(t, opts);
      if (t.size > limit) out.push(`table ${t.id} (L${l}) is ${t.size} bytes, over the limit ${limit} (target ${opts.targetFileBytes})`);
      if (i > 0) {
        const p = run[i - 1]!;
        if (compareBytes(p.largest, t.smallest) >= 0)
          out.push(`L${l}: table ${p.id} [${hexKey(p.smallest)}, ${hexKey(p.largest)}] overlaps table ${t.id} [${hexKey(t.smallest)}, ${hexKey(t.largest)}]`);
      }
    }
  }
  return out;
}

/**
 * Bytes the policy still has to compact before every score < 1: the L0 tables and the
 * base-level bytes they overlap, if L0 is at its trigger; then, level by level, each
 * level's excess over its target (including what the level above pushes into it) times
 * (1 + the next level's bytes per byte of this level), the rewrite that moving it costs.
 * A RocksDB-style estimate, for back-pressure: 0 when pickCompaction returns undefined.
 */
export function compactionDebt(version: VersionState, opts: LevelOptions): number {
  const levels = levelsOf(version, opts.maxLevels);
  const bytes = levels.map(sumBytes);
  const targets = targetsFor(bytes, opts);
  const scores = scoresFor(levels, bytes, targets, opts);
  const b = bytes.slice(0, opts.maxLevels);
  let debt = 0;
  const base = targets.baseLevel;
  if (scores[0]! >= 1 && levels[0]!.length > 0 && base > 0) {
    const r = keyRange(levels[0]!);
    debt += b[0]! + sumBytes(overlappingTables(levels[base]!, r.smallest, r.largest));
    b[base] = b[base]! + b[0]!;
    b[0] = 0;
  }
  for (let l = 1; l < opts.maxLevels - 1; l++) {
    if (b[l]! === 0) continue;
    // Same rule as the scores: a level compacts at bytes >= target; one with target 0 is drained.
    const target = targets.bytes[l]!;
    if (b[l]! < target) continue;
    const move = target === 0 ? b[l]! : Math.max(b[l]! - target, 1);
    const ratio = b[l]! > 0 ? b[l + 1]! / b[l]! : 0;
    debt += move * (1 + ratio);
    b[l + 1] = b[l + 1]! + move;
    b[l] = b[l]! - move;
  }
  return Math.round(debt);
}
