/**
 * The tree: memtable + immutable memtables + SSTables in levels (L0 from flushes, L1 and
 * below from compactions), a WAL per memtable, and a manifest. The public API follows
 * fjall's lsm-tree: put/get/delete/has, batches, range and prefix iteration, snapshots.
 *
 * Reads consult the active memtable, then the immutable ones newest first, then the L0
 * tables newest first, then for each deeper level the one table whose key range holds
 * the key; the first version found (at or below the snapshot) decides.
 *
 * Versions (version-set.ts): the tables of the current version, pinned by scans and
 * jobs, and the manifest. Snapshots are registered (snapshot() returns a Snapshot), so
 * flushes and compactions know which old versions must be kept.
 *
 * Threading (background.ts): everything runs on the caller's thread. A full memtable
 * is frozen and its flush is deferred to a setImmediate task (the "background"), so a
 * burst of writes is not stalled by a flush; if more than `maxImmutableMemtables` pile
 * up (a synchronous loop never yields), the oldest is flushed inline before the write
 * returns, which bounds memory.
 */
import { compareRegions, equalRegions, KIND_DELETE, KIND_PUT, MAX_SEQ } from './coding.js';
import { TreeClosedError } from './errors.js';
import { NodeFileSystem, type FileSystem } from './fs.js';
import type { InternalIterator } from './iterator.js';
import { LevelIterator } from './level-iterator.js';
import type { LogRecoveryMode } from './log.js';
import { checkTreeOptions } from './options.js';
import type { VersionState } from './manifest.js';
import { Memtable, type MemtableMemory } from './memtable.js';
import { MergeIterator, RegionCopier } from './merge.js';
import { BlockCache, DEFAULT_TABLE_OPTIONS, LOOKUP_ABSENT, LOOKUP_DELETE, LOOKUP_PUT, type TableOptions, type TableReader } from './table.js';
import { replayWal, WalWriter, type WriteOp } from './wal.js';
import { JobThread } from './job-thread.js';
import { flushJob, type JobContext } from './job.js';
import { levelSearch, VersionSet, type LiveTable, type TableSet } from './version-set.js';
import { DEFAULT_LEVEL_OPTIONS, validateLevelOptions, type LevelOptions } from './compaction.js';
import { BackgroundWork, type BackgroundHost, type CompactionEvent } from './background.js';
import { Snapshot, SnapshotRegistry } from './snapshot.js';

export { Snapshot } from './snapshot.js';
export type { CompactionEvent } from './background.js';

/** The library's version, reported as the `ts` engine's storeVersion. */
export const VERSION = '0.1.0';

/** What an acknowledged write survives: `none` a clean close, `os` a process kill, `fsync` power loss. */
export type Durability = 'none' | 'os' | 'fsync';

export interface TreeOptions {
  /** Defaults to `os`. */
  readonly durability?: Durability;
  /** The file system to use; defaults to the real one. */
  readonly fs?: FileSystem;
  /** A memtable is frozen and flushed once it accounts for this many bytes. Default 32 MiB. */
  readonly memtableBytes?: number;
  /** Frozen memtables allowed to wait for the deferred flush before a write flushes inline. Default 2. */
  readonly maxImmutableMemtables?: number;
  /** Bytes of verified data blocks kept in memory. Default 128 MiB. */
  readonly blockCacheBytes?: number;
  readonly blockSize?: number;
  /** Entries between restart points in a data block. Default 1: keys stored whole, and each table has a point index (FORMAT.md). */
  readonly restartInterval?: number;
  readonly bloomBitsPerKey?: number;
  /**
   * What recovery does with a complete WAL or manifest record whose checksum fails:
   * `strict` (default) throws WalCorruptionError / ManifestCorruptionError naming the
   * file and offset; `truncate` keeps the records before it and drops the rest.
   * A torn tail (an incomplete last record) is always truncated silently.
   */
  readonly recovery?: LogRecoveryMode;
  /** Defer flushes to a setImmediate task (default true); false flushes inline when a memtable fills. */
  readonly deferFlush?: boolean;
  /**
   * Run the flushes and compactions that writes start on a thread of their own
   * (job-thread.ts), so that writes do none of their work. Default true on the real
   * file system; false, or any `fs` given, runs them on the caller's thread in slices
   * that each write pays for.
   */
  readonly backgroundThread?: boolean;
  /** L0 tables that trigger an L0 -> L1 compaction (default: compaction.ts DEFAULT_LEVEL_OPTIONS, 4). */
  readonly l0CompactionTrigger?: number;
  /** L0 tables at which each write does a larger slice of compaction work (default 12). */
  readonly l0SlowdownTrigger?: number;
  /** L0 tables at which a write runs compaction until L0 is below it again (default 24). */
  readonly l0StopTrigger?: number;
  /** Target bytes of the first level below L0; each deeper level's target is levelMultiplier times larger (default 256 MiB). */
  readonly baseLevelBytes?: number;
  readonly levelMultiplier?: number;
  /** Compaction output tables are cut at this size (default 32 MiB). */
  readonly targetFileBytes?: number;
  /** Levels including L0 (default 7: L0..L6). */
  readonly maxLevels?: number;
  /**
   * Level targets sized from the last level up (RocksDB's level_compaction_dynamic_level_bytes;
   * default true, see COMPACTION.md); false: static targets from baseLevelBytes down.
   */
  readonly dynamicLevelBytes?: boolean;
  /** Let the policy schedule compactions (default true). false: only compactAll() compacts, and L0 never stops writes. */
  readonly autoCompaction?: boolean;
  /** Called after each compaction (move or merge) is installed, with the new version: tests check invariants here. */
  readonly onCompaction?: (event: CompactionEvent) => void;
}

/** A scan: `start` inclusive, `end` exclusive, `prefix` combined with both; `reverse` walks down. */
export interface Range {
  readonly start?: Uint8Array;
  readonly end?: Uint8Array;
  readonly prefix?: Uint8Array;
  readonly limit?: number;
  readonly reverse?: boolean;
}

/** Called per entry; key and value are valid only during the call. Returning false stops the scan. */
export type Visitor = (key: Uint8Array, value: Uint8Array) => boolean | void;

export type BatchOperation =
  | { readonly type: 'put'; readonly key: Uint8Array; readonly value: Uint8Array }
  | { readonly type: 'delete'; readonly key: Uint8Array };

export interface TreeStats {
  readonly bytesWritten: number;
  /** See Tree.walBytesSkipped. */
  readonly walBytesSkipped: number;
  readonly tables: number;
  readonly tableBytes: number;
  /** Tables per level, L0 first. */
  readonly levelFiles: readonly number[];
  /** Table bytes per level, L0 first. */
  readonly levelBytes: readonly number[];
  readonly memtableBytes: number;
  readonly immutableMemtables: number;
  readonly lastSeq: number;
  readonly liveSnapshots: number;
  /** Tables that left the version and whose files were deleted once unpinned. */
  readonly obsoleteTablesDeleted: number;
  /**
   * Time writes spent in forced background work beyond their normal slice (slowdowns
   * and stops), or, with the job thread, held by pacing and waiting for it.
   */
  readonly stallMs: number;
  /** Writes that did a larger slice because frozen memtables or L0 tables piled up; with the job thread, writes that pacing held. */
  readonly slowdowns: number;
  /** Writes that ran background work until back under the stop thresholds. */
  readonly stops: number;
  readonly flushes: number;
  /** Compactions that only moved a table to a deeper level (an edit, no rewrite). */
  readonly moves: number;
  /** Input and output bytes of finished compaction jobs (merges, compactAll included). */
  readonly compactionBytesRead: number;
  readonly compactionBytesWritten: number;
  /** Versions and tombstones compactions dropped. */
  readonly entriesDropped: number;
  /** The policy's estimate of bytes still to compact (0 when every level is within target). */
  readonly compactionDebt: number;
  /** Time in flushes and compactions, on whichever thread they ran. */
  readonly flushMs: number;
  readonly compactions: number;
  readonly compactionMs: number;
  /** Flushes and compactions that ran on the job thread (TreeOptions.backgroundThread). */
  readonly jobsOnThread: number;
  readonly blockCacheHits: number;
  readonly blockCacheMisses: number;
  readonly blockReads: number;
}

function lessThan(a: Uint8Array, b: Uint8Array): boolean {
  return compareRegions(a, 0, a.length, b, 0, b.length) < 0;
}

function startsWithBytes(key: Uint8Array, prefix: Uint8Array): boolean {
  if (key.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (key[i] !== prefix[i]) return false;
  return true;
}

/** The smallest key above every key starting with `prefix`, or undefined if none exists. */
function prefixSuccessor(prefix: Uint8Array): Uint8Array | undefined {
  for (let i = prefix.length - 1; i >= 0; i--) {
    if (prefix[i] !== 0xff) {
      const end = prefix.slice(0, i + 1);
      end[i] = end[i]! + 1;
      return end;
    }
  }
  return undefined;
}

/** A group of writes applied atomically: one WAL record, one sync. */
export class WriteBatch {
  readonly ops: WriteOp[] = [];
  constructor(private readonly tree: Tree) {}
  put(key: Uint8Array, value: Uint8Array): this {
    this.ops.push({ kind: KIND_PUT, key: key.slice(), value: value.slice() });
    return this;
  }
  delete(key: Uint8Array): this {
    this.ops.push({ kind: KIND_DELETE, key: key.slice() });
    return this;
  }
  commit(): void {
    this.tree.writeOps(this.ops);
    this.ops.length = 0;
  }
}

function levelOptionsOf(o: TreeOptions): LevelOptions {
  const d = DEFAULT_LEVEL_OPTIONS;
  const l = {
    ...d,
    l0CompactionTrigger: o.l0CompactionTrigger ?? d.l0CompactionTrigger,
    l0SlowdownTrigger: o.l0SlowdownTrigger ?? d.l0SlowdownTrigger,
    l0StopTrigger: o.l0StopTrigger ?? d.l0StopTrigger,
    baseLevelBytes: o.baseLevelBytes ?? d.baseLevelBytes,
    levelMultiplier: o.levelMultiplier ?? d.levelMultiplier,
    targetFileBytes: o.targetFileBytes ?? d.targetFileBytes,
    maxLevels: o.maxLevels ?? d.maxLevels,
    dynamicLevelBytes: o.dynamicLevelBytes ?? d.dynamicLevelBytes,
  };
  validateLevelOptions(l);
  return l;
}

export class Tree {
  private readonly fs: FileSystem;
  readonly durability: Durability;
  private readonly memtableBytes: number;
  private readonly cache: BlockCache;
  private readonly snapshots = new SnapshotRegistry();
  private mem!: Memtable;
  /** Frozen memtables, newest first (shared with the background work, which flushes the oldest). */
  private readonly imms: Memtable[] = [];
  private readonly versions: VersionSet;
  private readonly work: BackgroundWork;
  /** What flush and compaction jobs write with: jobs allocate file numbers from the version set. */
  private readonly jobs: JobContext;
  private wal: WalWriter | undefined;
  private lastSeq = 0;
  private closed = false;
  private failure: unknown = undefined;
  /** Bytes of WALs closed and of the table recovery wrote (manifests and jobs count their own). */
  private bytesWritten = 0;

  /** Where the last successful lookup found its value. */
  private foundBuf: Uint8Array = new Uint8Array(0);
  private foundOff = 0;
  private foundLen = 0;
  /** The table the last find() took its value from, or null (a memtable). */
  private foundIn: TableReader | null = null;
  private readonly scanValues = new RegionCopier();
  /** Scans running (a visitor may call the tree): a memtable flushed meanwhile is not reused. */
  private scans = 0;
  /** The arrays of the last memtable flushed, for the next memtable (newMemtable). */
  private spareMemory: MemtableMemory | undefined;
  private readonly scanKeys = new RegionCopier();

  private constructor(
    readonly dir: string,
    options: TreeOptions,
  ) {
    checkTreeOptions(options);
    this.fs = options.fs ?? new NodeFileSystem();
    this.durability = options.durability ?? 'os';
    this.memtableBytes = options.memtableBytes ?? 32 * 1024 * 1024;
    const tableOptions: TableOptions = {
      blockSize: options.blockSize ?? DEFAULT_TABLE_OPTIONS.blockSize,
      restartInterval: options.restartInterval ?? DEFAULT_TABLE_OPTIONS.restartInterval,
      bloomBitsPerKey: options.bloomBitsPerKey ?? DEFAULT_TABLE_OPTIONS.bloomBitsPerKey,
    };
    this.cache = new BlockCache(options.blockCacheBytes ?? 128 * 1024 * 1024);
    const versions = new VersionSet(this.fs, dir, this.cache);
    this.versions = versions;
    this.jobs = { fs: this.fs, dir, tableOptions, newFileNumber: () => versions.newFileNumber() };
    const host: BackgroundHost = {
      activeLogNumber: () => this.mem.logNumber,
      lastSeq: () => this.lastSeq,
      closed: () => this.closed,
      stopped: () => this.closed || this.failure !== undefined,
      failed: (err: unknown) => this.failed(err),
      memtableFlushed: (mem: Memtable) => this.memtableFlushed(mem),
    };
    this.work = new BackgroundWork(host, {
      jobs: this.jobs,
      versions,
      snapshots: this.snapshots,
      imms: this.imms,
      levelOptions: levelOptionsOf(options),
      memtableBytes: this.memtableBytes,
      maxImmutable: Math.max(0, options.maxImmutableMemtables ?? 2),
      deferFlush: options.deferFlush ?? true,
      walFiles: this.durability !== 'none',
      autoCompaction: options.autoCompaction ?? true,
      onCompaction: options.onCompaction,
      thread: (options.backgroundThread ?? options.fs === undefined) ? new JobThread(dir, tableOptions) : undefined,
    });
    try {
      this.recover(options.recovery ?? 'strict');
    } catch (err) {
      // Release what recovery opened before it failed.
      this.versions.closeReaders();
      throw err;
    }
  }

  /** Recovers the version set, replays the WAL into a table, and starts a fresh manifest and WAL. */
  private recover(mode: LogRecoveryMode): void {
    this.fs.mkdirp(this.dir);
    const versions = this.versions;
    const { logs, lastSeq: versionSeq } = versions.recover(mode, this.durability !== 'none');

    // Replay the WAL files the version still needs, oldest first.
    let lastSeq = versionSeq;
    const replayed = new Memtable();
    let skipping = false;
    for (const n of logs) {
      // Later logs would leave a gap after a truncated one: they are dropped, and counted.
      if (skipping) {
        this.walBytesSkipped += this.fs.readAll(versions.logPath(n)).length;
        continue;
      }
      const r = replayWal(this.fs, versions.logPath(n), mode, (seq, kind, key, value) => {
        replayed.add(key, seq, kind, value);
      });
      if (r.lastSeq > lastSeq) lastSeq = r.lastSeq;
      this.walBytesSkipped += r.skippedBytes;
      skipping = r.stoppedAtCorruption;
    }
    this.lastSeq = lastSeq;

    // Move what the WAL held into a table, then start a fresh manifest and WAL.
    if (replayed.count > 0) {
      // No snapshot outlives a reopen: only the newest version of each key is kept.
      const job = flushJob(this.jobs, replayed, [], true);
      job.step(Infinity);
      this.bytesWritten += job.bytesWritten;
      versions.addRecovered(job.outputs);
    }
    const logNumber = versions.newFileNumber();
    versions.startManifest(logNumber, lastSeq);

    this.mem = this.newMemtable();
    this.openWal(logNumber);
    this.work.maybeStartCompaction();
  }

  /**
   * Opens (creating if needed) the tree in `dir`, recovering from its manifest and WAL.
   * Throws a CorruptionError subclass naming the file and offset if recovery cannot
   * trust what it finds (see TreeOptions.recovery).
   */
  static open(dir: string, options: TreeOptions = {}): Tree {
    return new Tree(dir, options);
  }

  /** The manifest's view of the current version (levels are each TableEntry's `level`). */
  currentVersion(): VersionState {
    return this.versions.version;
  }

  /**
   * A memtable sized for the flush threshold up front, so filling it rarely copies the
   * arena, the node array or the hash table: room for entries of 16-byte keys and
   * 100-byte values, or for as many entries as the memtable it replaces took. (A
   * memtable of tombstones holds twice as many entries: sized for values alone, each
   * one grew its hash table at about 200,000 keys, a rehash of 10-23 ms inside one
   * delete at N = 10,000,000. Sized for tombstones always, the hash table's 8 MB made
   * point reads at N = 100,000 6-8% slower than its 4 MB.) Large typed arrays come
   * from the OS zeroed and lazily backed, so the unused part costs address space, not
   * memory. The arrays of the last memtable flushed are reused when nothing can still
   * read it.
   */
  private newMemtable(): Memtable {
    const arena = Math.max(4096, this.memtableBytes + 4096);
    const memory = this.spareMemory;
    this.spareMemory = undefined;
    // this.mem is the memtable being replaced (undefined at open).
    const entries = Math.max(64, Math.ceil(this.memtableBytes / 160), (this.mem as Memtable | undefined)?.count ?? 0);
    return new Memtable(arena, entries, memory, this.work.thread !== undefined);
  }

  /**
   * A flushed memtable left the tree: its arrays go to the next memtable unless a scan
   * is running (a scan's visitor may write, and a write may finish the flush of a
   * memtable the scan is reading).
   */
  private memtableFlushed(mem: Memtable): void {
    if (this.scans === 0) this.spareMemory = mem.release();
  }

  private openWal(number: number): void {
    this.mem.logNumber = number;
    if (this.durability === 'none') return;
    this.wal = new WalWriter(this.fs, this.versions.logPath(number), number, this.durability);
    // The new file's directory entry must survive power loss before writes to it are acknowledged.
    if (this.durability === 'fsync') this.fs.syncDir(this.dir);
  }

  /**
   * Records a failure of a write, flush or compaction: from then on writes, flush(),
   * compactAll() and settle() throw it, while reads still answer from what the tree
   * holds. Returns `err`, for `throw this.failed(err)`.
   */
  private failed(err: unknown): unknown {
    this.failure = err;
    return err;
  }

  /** Before a write: the tree is open and no earlier write or flush failed. */
  private check(): void {
    if (this.closed) throw new TreeClosedError(`tree ${this.dir} is closed`);
    if (this.failure !== undefined) throw this.failure;
  }

  /** Before a read: after a failed write the tree still answers reads from what it holds. */
  private checkOpen(): void {
    if (this.closed) throw new TreeClosedError(`tree ${this.dir} is closed`);
  }

  // ---- snapshots ----

  /**
   * Takes a snapshot at the current sequence number: reads at it see every write made
   * so far and none made later, across flushes and compactions, until release(). It
   * is registered in this open tree (close releases it), so it keeps the versions it
   * sees alive: release it when done. Sequence numbers keep increasing across reopen.
   */
  snapshot(): Snapshot {
    this.checkOpen();
    const snap = new Snapshot(this.lastSeq, this.snapshots);
    this.snapshots.add(snap.seq);
    return snap;
  }

  /** Sequence numbers of the live snapshots, ascending and distinct (what flushes and compactions keep versions for). */
  liveSnapshots(): readonly number[] {
    return this.snapshots.list();
  }

  /** The current sequence number: the last write acknowledged. */
  get sequence(): number {
    return this.lastSeq;
  }

  private seqOf(snapshot: Snapshot | number | undefined): number {
    if (snapshot === undefined) return MAX_SEQ;
    if (typeof snapshot === 'number') return snapshot;
    if (snapshot.released) throw new RangeError(`snapshot at sequence ${snapshot.seq} was released`);
    return snapshot.seq;
  }

  // ---- writes ----

  put(key: Uint8Array, value: Uint8Array): void {
    this.writeOne(KIND_PUT, key, value);
  }

  /** Alias of put, in fjall's words. */
  insert(key: Uint8Array, value: Uint8Array): void {
    this.writeOne(KIND_PUT, key, value);
  }

  delete(key: Uint8Array): void {
    this.writeOne(KIND_DELETE, key, undefined);
  }

  /** Alias of delete, in fjall's words. */
  remove(key: Uint8Array): void {
    this.writeOne(KIND_DELETE, key, undefined);
  }

  private writeOne(kind: number, key: Uint8Array, value: Uint8Array | undefined): void {
    this.check();
    const seq = this.lastSeq + 1;
    if (this.wal !== undefined) {
      try {
        this.wal.addOne(seq, kind, key, value);
      } catch (err) {
        throw this.failed(err); // a half-written record may sit in the log
      }
    }
    this.lastSeq = seq;
    const mem = this.mem;
    const before = mem.approximateBytes;
    mem.add(key, seq, kind, value);
    this.afterWrite(mem.approximateBytes - before);
  }

  batch(): WriteBatch {
    return new WriteBatch(this);
  }

  /** Applies the operations atomically and in order. The caller may reuse the buffers afterwards. */
  write(ops: readonly BatchOperation[]): void {
    const internal: WriteOp[] = [];
    for (const op of ops) {
      if (op.type === 'put') internal.push({ kind: KIND_PUT, key: op.key, value: op.value });
      else if (op.type === 'delete') internal.push({ kind: KIND_DELETE, key: op.key });
      else throw new TypeError(`unknown batch operation ${(op as { type: unknown }).type}`);
    }
    this.writeOps(internal);
  }

  /** @internal */
  writeOps(ops: readonly WriteOp[]): void {
    this.check();
    if (ops.length === 0) return;
    const first = this.lastSeq + 1;
    if (this.wal !== undefined) {
      try {
        this.wal.addBatch(first, ops);
      } catch (err) {
        throw this.failed(err);
      }
    }
    const mem = this.mem;
    const before = mem.approximateBytes;
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!;
      mem.add(op.key, first + i, op.kind, op.value);
    }
    this.lastSeq = first + ops.length - 1;
    this.afterWrite(mem.approximateBytes - before);
  }

  // ---- reads ----

  /** The newest version of `key` at or below `snapshot`: LOOKUP_PUT (value in found*), LOOKUP_DELETE or LOOKUP_ABSENT. */
  private find(key: Uint8Array, snapshot: number): number {
    let m = this.mem;
    let n = m.lookup(key, snapshot);
    if (n < 0) {
      const imms = this.imms;
      for (let i = 0; i < imms.length && n < 0; i++) {
        m = imms[i]!;
        n = m.lookup(key, snapshot);
      }
    }
    if (n >= 0) {
      if (m.kindOf(n) === KIND_DELETE) return LOOKUP_DELETE;
      this.foundBuf = m.arena;
      this.foundIn = null;
      this.foundOff = m.valueOffset(n);
      this.foundLen = m.valueLength(n);
      return LOOKUP_PUT;
    }
    const set = this.versions.current;
    const len = key.length;
    const l0 = set.l0;
    for (let i = 0; i < l0.length; i++) {
      const e = l0[i]!.entry;
      if (compareRegions(key, 0, len, e.smallest, 0, e.smallest.length) < 0) continue;
      if (compareRegions(key, 0, len, e.largest, 0, e.largest.length) > 0) continue;
      const res = this.lookupIn(l0[i]!.reader, key, snapshot);
      if (res !== LOOKUP_ABSENT) return res;
    }
    // Deeper levels: user-key ranges do not overlap, so at most one table per level can hold the key.
    const levels = set.levels;
    for (let l = 0; l < levels.length; l++) {
      const tables = levels[l]!;
      if (tables.length === 0) continue;
      const i = levelSearch(tables, key);
      if (i === tables.length) continue;
      const e = tables[i]!.entry;
      if (compareRegions(key, 0, len, e.smallest, 0, e.smallest.length) < 0) continue;
      const res = this.lookupIn(tables[i]!.reader, key, snapshot);
      if (res !== LOOKUP_ABSENT) return res;
    }
    return LOOKUP_ABSENT;
  }

  private lookupIn(t: TableReader, key: Uint8Array, snapshot: number): number {
    const res = t.lookup(key, snapshot);
    if (res === LOOKUP_PUT) {
      this.foundBuf = t.valBuf;
      this.foundIn = t;
      this.foundOff = t.valOff;
      this.foundLen = t.valLen;
    }
    return res;
  }

  /**
   * The value of `key` as of `snapshot` (default: latest), or undefined. The returned
   * array stays valid (a view of a table block, or a copy when the value was in a
   * memtable, whose memory the next memtable reuses, or was read alone from a table
   * file) and must not be written to.
   * A raw sequence number is accepted but not protected from garbage collection: take
   * a Snapshot with snapshot() to read the past reliably.
   */
  get(key: Uint8Array, snapshot?: Snapshot | number): Uint8Array | undefined {
    this.checkOpen();
    if (this.work.hasWork()) this.work.readSlice();
    if (this.find(key, this.seqOf(snapshot)) !== LOOKUP_PUT) return undefined;
    if (this.foundIn === null || !this.foundIn.shareValue()) return this.foundBuf.slice(this.foundOff, this.foundOff + this.foundLen);
    return this.foundBuf.subarray(this.foundOff, this.foundOff + this.foundLen);
  }

  /**
   * get() for a caller done with the value before its next call on the tree (the
   * engine contract's terms): the value may sit in block cache memory that a later
   * read reuses. Point reads that miss the cache then allocate no block memory.
   */
  getTransient(key: Uint8Array, snapshot?: Snapshot | number): Uint8Array | undefined {
    this.checkOpen();
    if (this.work.hasWork()) this.work.readSlice();
    if (this.find(key, this.seqOf(snapshot)) !== LOOKUP_PUT) return undefined;
    return this.foundBuf.subarray(this.foundOff, this.foundOff + this.foundLen);
  }

  has(key: Uint8Array, snapshot?: Snapshot | number): boolean {
    this.checkOpen();
    if (this.work.hasWork()) this.work.readSlice();
    return this.find(key, this.seqOf(snapshot)) === LOOKUP_PUT;
  }

  /** Alias of has, in fjall's words. */
  containsKey(key: Uint8Array, snapshot?: Snapshot | number): boolean {
    return this.has(key, snapshot);
  }

  /** Sources of a scan over the pinned `set`, newest first: memtables, L0 tables, one iterator per deeper level. */
  private iteratorFor(set: TableSet, start: Uint8Array | undefined, end: Uint8Array | undefined, snapshot: number): MergeIterator {
    const sources: InternalIterator[] = [this.mem.iterator()];
    for (const m of this.imms) sources.push(m.iterator());
    const inRange = (t: LiveTable): boolean =>
      !(start !== undefined && lessThan(t.entry.largest, start)) && !(end !== undefined && !lessThan(t.entry.smallest, end));
    for (const t of set.l0) if (inRange(t)) sources.push(t.reader.iterator());
    for (const level of set.levels) {
      const tables = level.filter(inRange);
      if (tables.length === 1) sources.push(tables[0]!.reader.iterator());
      else if (tables.length > 1) sources.push(new LevelIterator(tables));
    }
    return new MergeIterator(sources, snapshot);
  }

  /**
   * Visits the entries of `range` in key order (descending with `reverse`) as of
   * `snapshot`, and returns how many were visited. Key and value passed to `visit`
   * are reused scratch arrays: valid only during the call. Nothing is allocated per entry.
   * The scan reads the table set current when it started, whatever happens meanwhile.
   */
  scan(range: Range, visit: Visitor, snapshot?: Snapshot | number): number {
    this.checkOpen();
    const seq = this.seqOf(snapshot);
    const set = this.versions.pin();
    this.scans++;
    try {
      return this.scanUnguarded(set, range, visit, seq);
    } finally {
      this.scans--;
      this.versions.unpin(set);
      // Tables retired while this scan read them are deleted now, not a write's step later.
      this.versions.removeRetired();
    }
  }

  private scanUnguarded(set: TableSet, range: Range, visit: Visitor, snapshot: number): number {
    let start = range.start;
    let end = range.end;
    let prefix = range.prefix !== undefined && range.prefix.length > 0 ? range.prefix : undefined;
    if (prefix !== undefined) {
      if (start === undefined || lessThan(start, prefix)) start = prefix;
      const pEnd = prefixSuccessor(prefix);
      if (pEnd !== undefined) {
        if (end === undefined || lessThan(pEnd, end)) end = pEnd;
        // Every key in [start, end) with prefix <= start and end <= pEnd starts with the
        // prefix: the bounds alone do the check. Only a prefix of 0xff bytes needs it per key.
        if (!range.reverse) prefix = undefined;
      }
    }
    const limit = range.limit ?? Infinity;
    if (limit <= 0) return 0;
    if (start !== undefined && end !== undefined && !lessThan(start, end)) return 0;
    const it = this.iteratorFor(set, start, end, snapshot);
    const values = this.scanValues;
    let count = 0;
    if (!range.reverse && it.sourceCount === 1) return this.scanOneSource(it.firstSource(), start, end, prefix, limit, visit, snapshot);
    if (!range.reverse) {
      if (start !== undefined) it.seek(start);
      else it.seekFirst();
      const endLen = end === undefined ? 0 : end.length;
      for (; it.valid(); it.next()) {
        const k = it.key;
        if (end !== undefined && compareRegions(k, 0, k.length, end, 0, endLen) >= 0) break;
        if (prefix !== undefined && !startsWithBytes(k, prefix)) break;
        const v = values.copy(it.valBuf, it.valOff, it.valLen);
        count++;
        if (visit(k, v) === false || count >= limit) break;
      }
    } else {
      if (end !== undefined) it.seekBefore(end);
      else it.seekLast();
      for (; it.valid(); it.next()) {
        const k = it.key;
        if (start !== undefined && lessThan(k, start)) break;
        if (prefix !== undefined && !startsWithBytes(k, prefix)) {
          if (lessThan(k, prefix)) break;
          continue; // above the prefix's keys (a prefix with no successor leaves `end` open)
        }
        const v = values.copy(it.valBuf, it.valOff, it.valLen);
        count++;
        if (visit(k, v) === false || count >= limit) break;
      }
    }
    return count;
  }

  /**
   * Forward scan of a single source (the common case of a store that is all in one
   * memtable or one table): the merge without a heap. Older versions of a key follow
   * its newest one, so a key equal to the previous one is skipped.
   */
  private scanOneSource(
    src: InternalIterator,
    start: Uint8Array | undefined,
    end: Uint8Array | undefined,
    prefix: Uint8Array | undefined,
    limit: number,
    visit: Visitor,
    snapshot: number,
  ): number {
    const keys = this.scanKeys;
    const values = this.scanValues;
    if (start !== undefined) src.seek(start, 0, start.length, Infinity);
    else src.seekFirst();
    let prev: Uint8Array | undefined;
    let count = 0;
    for (; src.valid(); src.next()) {
      if (src.seq > snapshot) continue;
      const kb = src.keyBuf;
      const ko = src.keyOff;
      const kl = src.keyLen;
      if (prev !== undefined && equalRegions(kb, ko, kl, prev, 0, prev.length)) continue;
      const k = keys.copy(kb, ko, kl);
      prev = k;
      if (end !== undefined && compareRegions(k, 0, kl, end, 0, end.length) >= 0) break;
      if (prefix !== undefined && !startsWithBytes(k, prefix)) break;
      if (src.kind !== KIND_PUT) continue;
      const v = values.copy(src.valBuf, src.valOff, src.valLen);
      count++;
      if (visit(k, v) === false || count >= limit) break;
    }
    return count;
  }

  /**
   * Iterates `range` yielding [key, value] copies the caller may keep. Without a
   * snapshot the iterator registers one for its lifetime (released when it finishes
   * or is returned early), so writes and compactions between steps do not change
   * what it yields.
   */
  *range(range: Range = {}, snapshot?: Snapshot | number): IterableIterator<[Uint8Array, Uint8Array]> {
    const own = snapshot === undefined ? this.snapshot() : undefined;
    try {
      yield* this.rangeAt(range, own ?? snapshot!);
    } finally {
      own?.release();
    }
  }

  private *rangeAt(range: Range, snapshot: Snapshot | number): IterableIterator<[Uint8Array, Uint8Array]> {
    // Collect in chunks through scan() so the iterator tolerates writes between steps.
    let cursor: Uint8Array | undefined;
    let remaining = range.limit ?? Infinity;
    const chunk = 256;
    for (;;) {
      const batch: Array<[Uint8Array, Uint8Array]> = [];
      const sub: Range = range.reverse
        ? { ...range, end: cursor ?? range.end, limit: Math.min(chunk, remaining) }
        : { ...range, start: cursor ?? range.start, limit: Math.min(chunk, remaining) };
      const skipFirst = !range.reverse && cursor !== undefined;
      this.scan(
        skipFirst ? { ...sub, limit: Math.min(chunk, remaining) + 1 } : sub,
        (k, v) => {
          if (skipFirst && batch.length === 0 && cursor !== undefined && compareRegions(k, 0, k.length, cursor, 0, cursor.length) === 0) {
            return;
          }
          batch.push([k.slice(), v.slice()]);
        },
        snapshot,
      );
      // A skipped cursor entry lets the sub-scan return one extra: keep the chunk's size.
      if (batch.length > Math.min(chunk, remaining)) batch.length = Math.min(chunk, remaining);
      for (const e of batch) yield e;
      remaining -= batch.length;
      if (batch.length < chunk || remaining <= 0) return;
      cursor = batch[batch.length - 1]![0];
    }
  }

  /** Iterates the keys starting with `prefix`, yielding [key, value] copies. */
  prefix(prefix: Uint8Array, snapshot?: Snapshot | number, reverse = false): IterableIterator<[Uint8Array, Uint8Array]> {
    return this.range({ prefix, reverse }, snapshot);
  }

  /** After a write that took `bytes` of memtable space: rotate a full memtable, then pay for background work. */
  private afterWrite(bytes: number): void {
    if (this.mem.approximateBytes >= this.memtableBytes) this.rotate();
    this.work.afterWrite(bytes);
  }

  /** The write path's rotation: freeze a full memtable, and flush now unless flushes are deferred. */
  private rotate(): void {
    if (this.mem.count === 0) return;
    try {
      this.rotateForFlush();
      if (!this.work.deferFlush) this.work.flushAll();
    } catch (err) {
      throw this.failed(err);
    }
  }

  /**
   * Manual full compaction: finishes the running compaction, then merges every table
   * into the shallowest level whose target holds them all (L1 for a small store),
   * through the same job and edit path as the policy's tasks. The job is bottommost:
   * tombstones no live snapshot needs are dropped. Memtables are not flushed.
   */
  compactAll(): void {
    this.check();
    try {
      this.work.compactAll();
    } catch (err) {
      throw this.failed(err);
    }
  }

  /** Freezes the active memtable and writes every memtable to a table now. */
  flush(): void {
    this.check();
    try {
      this.rotateForFlush();
      this.work.flushAll();
    } catch (err) {
      throw this.failed(err);
    }
  }

  /** Freezes the active memtable and starts a new one with its own WAL. */
  private rotateForFlush(): void {
    if (this.mem.count === 0) return;
    this.imms.unshift(this.mem);
    this.mem = this.newMemtable();
    if (this.wal !== undefined) {
      this.bytesWritten += this.wal.size;
      this.wal.close();
      this.wal = undefined;
    }
    this.openWal(this.versions.newFileNumber());
  }

  /** Resolves once no flush or compaction is pending: runs them to completion now. */
  async settle(): Promise<void> {
    this.check();
    try {
      this.work.runAll();
    } catch (err) {
      throw this.failed(err);
    }
  }

  /**
   * Makes every write durable (all memtables go to tables), releases the snapshots and
   * the files. A compaction in progress is abandoned (its partial outputs deleted).
   */
  close(): void {
    if (this.closed) return;
    try {
      if (this.failure === undefined) {
        this.rotateForFlush();
        this.work.flushAllWithoutCompaction();
      }
    } finally {
      this.closed = true;
      this.work.abandon();
      this.work.thread?.close();
      this.snapshots.clear();
      if (this.wal !== undefined) {
        this.bytesWritten += this.wal.size;
        this.wal.close();
        this.wal = undefined;
      }
      this.versions.close();
    }
  }

  /**
   * WAL bytes the last open dropped as damaged in `truncate` recovery (point-in-time):
   * the acknowledged writes they held are lost. 0 after a clean open or a torn tail.
   */
  walBytesSkipped = 0;

  stats(): TreeStats {
    const work = this.work;
    let tableBytes = 0;
    const set = this.versions.current;
    for (const t of set.all) tableBytes += t.entry.size;
    let memBytes = this.mem.approximateBytes;
    for (const m of this.imms) memBytes += m.approximateBytes;
    let blockReads = 0;
    for (const t of set.all) blockReads += t.reader.blockReads;
    const levelFiles = [set.l0.length, ...set.levels.map((l) => l.length)];
    const levelBytes = [set.l0, ...set.levels].map((l) => l.reduce((a, t) => a + t.entry.size, 0));
    return {
      bytesWritten: this.bytesWritten + work.tableBytesWritten + this.versions.manifestBytes + (this.wal?.size ?? 0),
      tables: set.all.length,
      tableBytes,
      levelFiles,
      levelBytes,
      memtableBytes: memBytes,
      immutableMemtables: this.imms.length,
      lastSeq: this.lastSeq,
      liveSnapshots: this.snapshots.list().length,
      obsoleteTablesDeleted: this.versions.obsoleteDeleted,
      walBytesSkipped: this.walBytesSkipped,
      stallMs: Math.round(work.stallMs),
      slowdowns: work.slowdowns,
      stops: work.stops,
      flushes: work.flushes,
      moves: work.moves,
      compactionBytesRead: work.compactionBytesRead,
      compactionBytesWritten: work.compactionBytesWritten,
      entriesDropped: work.entriesDropped,
      compactionDebt: work.debt,
      flushMs: Math.round(work.flushMs),
      compactions: work.compactions,
      compactionMs: Math.round(work.compactionMs),
      jobsOnThread: work.jobsOnThread,
      blockCacheHits: this.cache.hits,
      blockCacheMisses: this.cache.misses,
      blockReads,
    };
  }
}
