/**
 * Flushes and compactions as resumable jobs: `step(budget)` consumes about `budget`
 * bytes of input (key + value bytes, at least one entry) and returns, keeping the
 * input iterator and the table being written between calls. The tree runs a slice of
 * a job between foreground operations (README.md, "Compaction: bounded slices").
 *
 * Work per step: each input entry costs one merge-heap step (compaction) or one
 * memtable-run step (flush), one key comparison with the previous entry, a binary
 * search in the snapshot list and, when kept, one TableBuilder.add; data blocks are
 * written as they fill (the builder hands the file TABLE_APPEND_BYTES at a time).
 * Finishing an output file is split from the entries around it: the step that cuts
 * a file (or consumes the last entry) writes its filter, index and footer and
 * returns; when `sync`, each finished file's fsync is then a step of its own, done
 * before the job consumes more input. A flush first sorts the frozen
 * memtable in slices (Memtable.sortSlice): those steps do sort work worth their budget
 * and consume no entry (the one exception to "at least one entry" per step).
 *
 * Garbage collection by snapshot stripes. Live snapshots S are sorted ascending. For
 * one user key, versions arrive newest first. A version's stripe is the number of
 * snapshots below its seq (the index of the smallest s in S with s >= seq; S.length
 * when there is none, the "latest" stripe). Only the newest version of each stripe is
 * kept: a read at any s in S, or at the latest state, sees the newest version at or
 * below it, which is always the newest of some stripe. A kept tombstone is dropped too
 * when the job is bottommost (no deeper table overlaps) and its stripe is 0 (no
 * snapshot below it): every older version of the key is then in stripe 0 and dropped,
 * and no deeper table holds one, so the key reads as absent without it.
 *
 * Jobs only create files. They never touch the manifest, delete inputs or open readers
 * on their outputs; the tree does that once a job is done.
 */
import { KIND_DELETE } from './coding.js';
import { tableFileName } from './file-names.js';
import { joinPath, type FileSystem, type PendingSync, type WritableFile } from './fs.js';
import type { InternalIterator } from './iterator.js';
import type { TableEntry } from './manifest.js';
import type { Memtable } from './memtable.js';
import { RawMergeIterator } from './merge.js';
import { TableBuilder, type TableBlocks, type TableOptions, type TableReader } from './table.js';

export interface JobContext {
  readonly fs: FileSystem;
  readonly dir: string;
  readonly tableOptions: TableOptions;
  /** The tree allocates ids (and records nextFile in the manifest). */
  newFileNumber(): number;
}

export interface Job {
  /**
   * Does about `budgetBytes` of input work (at least one entry, except a step that only
   * finishes or fsyncs an output, or sorts a memtable); true when finished.
   * step(Infinity) runs the job to completion.
   */
  step(budgetBytes: number): boolean;
  readonly done: boolean;
  /** After done: the tables written, finished and synced per durability (fsync mode: file fsync). */
  readonly outputs: readonly TableEntry[];
  /** After done: each output's blocks as written, by table id, for its first open (TableReader.opening). */
  readonly outputBlocks: ReadonlyMap<number, TableBlocks>;
  readonly bytesRead: number;
  readonly bytesWritten: number;
  readonly entriesDropped: number;
  /** Removes any partial output files; safe to call at any point. */
  abandon(): void;
}

/** Re-exported for scripts that name job outputs; file-names.ts owns the names. */
export { tableFileName } from './file-names.js';

/** The sorted input of a job, one entry at a time, in internal order. */
interface EntrySource {
  /** Work before the first entry (a memtable's sort), in slices; true when entries can be read. */
  prepare?(budgetBytes: number): boolean;
  valid(): boolean;
  /** The iterator positioned at the current entry. REQUIRES: valid(). */
  current(): InternalIterator;
  next(): void;
}

/**
 * Memtable sort moves of a flush per budget byte. Measured (scripts/bench-job.ts, 32 MiB
 * memtable of 16-byte random keys and 100-byte values): a sort move costs ~20-30 ns and
 * writing an input byte to the table ~8 ns, so a third of a move per byte keeps a sort
 * slice about as long as a write slice of the same budget.
 */
export const SORT_MOVES_PER_BYTE = 1 / 3;
/**
 * Keys per slice of an output's finish (its bloom filter and point index are filled
 * this many keys a step): 2-4 ms here, eight slices for a 32 MiB table. Few slow
 * steps rather than many short ones: the p99.9 of writes counts how many writes pay
 * one, and 16,384 keys a slice doubled it at N = 3,000,000.
 */
const FINISH_SLICE_KEYS = 32768;
/**
 * The output being written is fdatasynced every this many bytes, a step of its own
 * (when the job syncs): its fsync after the finish then writes back at most this much
 * plus the finish's own writes. Here an fdatasync of 4 MiB took ~3 ms, of 32 MiB 23
 * ms. Every 1 MiB (~1 ms each) made so many slow steps that the p99.9 of writes
 * doubled at N = 3,000,000 (one write in 3,000 paid a sync); few slow steps, each well
 * under 20 ms, keep both the p99.9 and the maximum down.
 */
const SYNC_EVERY_BYTES = 8 << 20;

/**
 * A memtable's entries: first its sort, in slices (Memtable.sortSlice), then its
 * iterator. Making the iterator sorts whatever is left in one go, which for a full
 * memtable is ~100 ms: that is the step this avoids.
 */
class MemtableSource implements EntrySource {
  private it: InternalIterator | undefined;
  constructor(private readonly mem: Memtable) {}
  /** Sorts a slice; true once the iterator is positioned. */
  prepare(budgetBytes: number): boolean {
    if (this.it !== undefined) return true;
    if (!this.mem.sortSlice(Math.max(1, Math.ceil(budgetBytes * SORT_MOVES_PER_BYTE)))) return false;
    this.it = this.mem.iterator();
    this.it.seekFirst();
    return true;
  }
  valid(): boolean {
    return this.it!.valid();
  }
  current(): InternalIterator {
    return this.it!;
  }
  next(): void {
    this.it!.next();
  }
}

/** Sorted, de-duplicated copy of a snapshot list. */
function normalizeSnapshots(snapshots: readonly number[]): Float64Array {
  const sorted = Float64Array.from(snapshots).sort();
  let n = 0;
  for (let i = 0; i < sorted.length; i++) if (n === 0 || sorted[i] !== sorted[n - 1]) sorted[n++] = sorted[i]!;
  return sorted.subarray(0, n);
}

/** The shared state machine of flush and compaction jobs: GC by stripes, output cutting. */
export class MergeJob implements Job {
  private isDone = false;
  private readonly finished: TableEntry[] = [];
  private read = 0;
  private written = 0;
  private dropped = 0;
  private entries = 0;

  private builder: TableBuilder | undefined;
  private builderPath = '';
  /** An output cut from the input and being finished a slice a step (TableBuilder.finishSlice). */
  private finishing: TableBuilder | undefined;
  /**
   * Syncs running on another thread (WritableFile.syncStart): the periodic one of the
   * output being written (or finished), and a finished output's, whose file is closed
   * once it is done. The job is not done while either runs.
   */
  private outputSync: PendingSync | undefined;
  private finalSync: { readonly pending: PendingSync; readonly file: WritableFile } | undefined;
  /** The blocks of each finished output, by table id (outputBlocks). */
  private readonly blocks = new Map<number, TableBlocks>();
  /** Finished outputs not yet fsynced (when `sync`), oldest first. */
  private readonly unsynced: string[] = [];
  /** The last consume() finished an output: the step ends there. */
  private cut = false;
  /** Set once a step threw (further steps rethrow it), or once abandoned (further steps throw). */
  private failure: unknown;
  private abandoned = false;
  /** The source's preparation (a memtable's sort) is complete. */
  private prepared = false;

  private readonly snapshots: Float64Array;
  /** User key of the previous input entry, and whether that key already has an output entry. */
  private curKey = new Uint8Array(64);
  private curKeyLen = -1;
  private curKeyWritten = false;
  /** Stripe of the last kept (or bottommost-dropped) version of curKey; -1 when none yet. */
  private lastStripe = -1;

  constructor(
    private readonly ctx: JobContext,
    private readonly source: EntrySource,
    readonly outputLevel: number,
    private readonly bottommost: boolean,
    private readonly targetFileBytes: number,
    snapshots: readonly number[],
    private readonly sync: boolean,
  ) {
    this.snapshots = normalizeSnapshots(snapshots);
  }

  get done(): boolean {
    return this.isDone;
  }
  get outputs(): readonly TableEntry[] {
    return this.finished;
  }
  get outputBlocks(): ReadonlyMap<number, TableBlocks> {
    return this.blocks;
  }
  /** Input bytes consumed (key + value of every entry, kept or dropped). */
  get bytesRead(): number {
    return this.read;
  }
  /** Bytes of the finished output files. */
  get bytesWritten(): number {
    return this.written;
  }
  get entriesDropped(): number {
    return this.dropped;
  }
  /** Entries consumed from the input, kept or dropped. */
  get entriesRead(): number {
    return this.entries;
  }
  /** An output has been cut from the input and its finish is not complete: steps finish it before consuming more. */
  get finishingOutput(): boolean {
    return this.finishing !== undefined;
  }
  /** Bytes of output so far, the table being written included (its estimated size). */
  get bytesWrittenEstimate(): number {
    return this.written + (this.builder === undefined ? 0 : this.builder.estimatedSize);
  }

  step(budgetBytes: number): boolean {
    if (budgetBytes === Infinity) {
      while (!this.slice(Infinity));
      return true;
    }
    return this.slice(budgetBytes);
  }

  /** One step: entries up to the budget or to an output's finish, or one output's fsync. */
  private slice(budgetBytes: number): boolean {
    if (this.isDone) return true;
    if (this.abandoned) throw new Error('step() on an abandoned job');
    if (this.failure !== undefined) throw this.failure;
    try {
      const source = this.source;
      if (!this.prepared) {
        if (source.prepare !== undefined && !source.prepare(budgetBytes)) return false;
        this.prepared = true;
      }
      // Syncs on another thread: collect the finished ones (wait for them when the
      // budget is unbounded: settle, close).
      if (this.outputSync !== undefined) {
        if (budgetBytes === Infinity) this.outputSync.wait();
        if (this.outputSync.done()) this.outputSync = undefined;
      }
      if (this.finalSync !== undefined) {
        if (budgetBytes === Infinity) this.finalSync.pending.wait();
        if (this.finalSync.pending.done()) {
          this.finalSync.file.close();
          this.finalSync = undefined;
        }
      }
      // Finishing an output, its fsync and the periodic fsync of the output being
      // written are steps of their own, in that order. A finish waits for the periodic
      // sync of its file (its last slice closes the file); the fsyncs run one at a time.
      if (this.finishing !== undefined) {
        if (this.outputSync !== undefined) return false;
        this.finishSlice(budgetBytes === Infinity ? Infinity : FINISH_SLICE_KEYS);
        return this.checkDone();
      }
      if (this.unsynced.length > 0) {
        if (this.finalSync !== undefined) return false;
        this.syncOne();
        return this.checkDone();
      }
      if (this.sync && this.builder !== undefined && this.outputSync === undefined && this.builder.unsyncedBytes >= SYNC_EVERY_BYTES) {
        // On another thread it costs this step nothing; here it is the step.
        this.outputSync = this.builder.syncWrittenStart();
        if (this.outputSync === undefined) return false;
      }
      const limit = this.read + budgetBytes;
      this.cut = false;
      while (source.valid()) {
        this.consume(source.current());
        source.next();
        if (this.read >= limit || this.cut) break;
      }
      // The last output is finished in the next steps.
      if (!source.valid() && !this.cut && this.builder !== undefined) this.finishOutput();
      return this.checkDone();
    } catch (err) {
      this.failure = err;
      throw err;
    }
  }

  /** Done once the input is consumed and every output is finished and (when `sync`) synced. */
  private checkDone(): boolean {
    if (
      this.finishing === undefined &&
      this.unsynced.length === 0 &&
      this.outputSync === undefined &&
      this.finalSync === undefined &&
      this.builder === undefined &&
      !this.source.valid()
    )
      this.isDone = true;
    return this.isDone;
  }

  /** The number of snapshots below `seq`: the version's stripe. */
  private stripeOf(seq: number): number {
    const s = this.snapshots;
    let lo = 0;
    let hi = s.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (s[mid]! < seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private consume(e: InternalIterator): void {
    const keyBuf = e.keyBuf;
    const keyOff = e.keyOff;
    const keyLen = e.keyLen;
    this.read += keyLen + e.valLen;
    this.entries++;
    // Same user key as the previous entry? Compared from the end: keys that share a long prefix differ late.
    let same = keyLen === this.curKeyLen;
    if (same) {
      const ck = this.curKey;
      for (let i = keyLen - 1; i >= 0; i--) {
        if (ck[i] !== keyBuf[keyOff + i]) {
          same = false;
          break;
        }
      }
    }
    if (!same) {
      if (keyLen > this.curKey.length) this.curKey = new Uint8Array(keyLen * 2);
      const ck = this.curKey;
      for (let i = 0; i < keyLen; i++) ck[i] = keyBuf[keyOff + i]!;
      this.curKeyLen = keyLen;
      this.curKeyWritten = false;
      this.lastStripe = -1;
    }
    const stripe = this.snapshots.length === 0 ? 0 : this.stripeOf(e.seq);
    if (stripe === this.lastStripe) {
      // An older version in a stripe whose newest version was already seen.
      this.dropped++;
      return;
    }
    this.lastStripe = stripe;
    if (e.kind === KIND_DELETE && stripe === 0 && this.bottommost) {
      this.dropped++;
      return;
    }
    if (!this.curKeyWritten) {
      // A new user key in the output: the only place a file may be cut.
      if (this.builder !== undefined && this.builder.estimatedSize >= this.targetFileBytes) this.finishOutput();
      if (this.builder === undefined) this.startOutput();
      this.curKeyWritten = true;
    }
    this.builder!.add(keyBuf, keyOff, keyLen, e.seq, e.kind, e.valBuf, e.valOff, e.valLen);
  }

  private startOutput(): void {
    const id = this.ctx.newFileNumber();
    const path = joinPath(this.ctx.dir, tableFileName(id));
    this.builderPath = path;
    this.builder = new TableBuilder(this.ctx.fs, path, id, this.ctx.tableOptions);
  }

  /**
   * Cuts the output being written: its filter, index and footer are written by the next
   * steps (finishSlice), then its fsync (when `sync`) is a step of its own.
   */
  private finishOutput(): void {
    const builder = this.builder;
    if (builder === undefined) return;
    this.builder = undefined;
    this.finishing = builder;
    this.cut = true;
  }

  /** One slice of the cut output's finish; at the last, it joins the finished outputs. */
  private finishSlice(keys: number): void {
    const builder = this.finishing!;
    const meta = builder.finishSlice(keys);
    if (meta === undefined) return;
    this.finishing = undefined;
    this.finished.push({ ...meta, level: this.outputLevel });
    this.blocks.set(meta.id, builder.writtenBlocks);
    this.written += meta.size;
    if (this.sync) this.unsynced.push(builder.path);
  }

  /**
   * Fsyncs the oldest finished output not yet synced (fsync reaches the file's data
   * whichever descriptor asks): on another thread where the file system can, and later
   * steps collect it (finalSync), else here.
   */
  private syncOne(): void {
    const path = this.unsynced[0]!;
    const file = this.ctx.fs.openAppend(path);
    let pending: PendingSync | undefined;
    try {
      pending = file.syncStart?.();
      if (pending === undefined) file.sync();
    } catch (err) {
      file.close();
      throw err;
    }
    if (pending === undefined) file.close();
    else this.finalSync = { pending, file };
    this.unsynced.shift();
  }

  /**
   * Removes the table being written and every finished one, unless the job is done:
   * then its outputs belong to the caller, and nothing is removed. Idempotent.
   */
  abandon(): void {
    if (this.isDone || this.abandoned) return;
    this.abandoned = true;
    const fs = this.ctx.fs;
    // A sync on another thread must end before its file is closed or removed.
    try {
      this.outputSync?.wait();
    } catch {
      // The output is being removed: its sync's failure does not matter.
    }
    this.outputSync = undefined;
    if (this.finalSync !== undefined) {
      try {
        this.finalSync.pending.wait();
      } catch {
        // As above.
      }
      this.finalSync.file.close();
      this.finalSync = undefined;
    }
    if (this.finishing !== undefined) {
      try {
        this.finishing.abandon();
      } finally {
        fs.remove(this.finishing.path);
        this.finishing = undefined;
      }
    }
    if (this.builder !== undefined) {
      try {
        this.builder.abandon();
      } finally {
        this.builder = undefined;
        fs.remove(this.builderPath);
      }
    }
    for (const t of this.finished) fs.remove(joinPath(this.ctx.dir, tableFileName(t.id)));
    this.finished.length = 0;
  }
}

/**
 * Flush of a frozen memtable to ONE L0 table (never split; GC by stripes, tombstones
 * kept). The first steps sort the memtable (SORT_MOVES_PER_BYTE moves per budget byte)
 * and consume no entries. REQUIRES: nothing is added to `mem` once the job exists.
 */
export function flushJob(ctx: JobContext, mem: Memtable, snapshots: readonly number[], sync: boolean): MergeJob {
  return new MergeJob(ctx, new MemtableSource(mem), 0, false, Infinity, snapshots, sync);
}

/**
 * Merge of open input tables into outputLevel tables cut at task.targetFileBytes (by
 * the builder's size estimate), by the GC rule above. Output files are never cut
 * between two versions of the same user key. Input blocks bypass the block cache.
 */
export function compactionJob(
  ctx: JobContext,
  inputs: readonly TableReader[],
  task: { outputLevel: number; bottommost: boolean; targetFileBytes: number },
  snapshots: readonly number[],
  sync: boolean,
): MergeJob {
  const merged = new RawMergeIterator(inputs.map((t) => t.iterator(false)));
  return new MergeJob(ctx, merged, task.outputLevel, task.bottommost, task.targetFileBytes, snapshots, sync);
}
