/**
 * The version set (LevelDB's VersionSet, fjall's version/): which tables make up the
 * current version, the open reader of each, the manifest that logs every change, the
 * file-number counter, and the deletion of files no version needs any more.
 *
 * The tables of the current version form a TableSet. A scan or a job pins the set it
 * started with; a table that leaves the current version is closed and its file deleted
 * only once no pinned set holds it. Edits are logged (synced) before they are installed.
 */
import { compareRegions } from './coding.js';
import { CorruptionError, ManifestCorruptionError } from './errors.js';
import { CURRENT_FILE, CURRENT_TEMP_FILE, logFileName, manifestName, parseFileName, tableFileName } from './file-names.js';
import { joinPath, type FileSystem, type PendingSync } from './fs.js';
import type { LogRecoveryMode } from './log.js';
import { applyEdit, EMPTY_VERSION, Manifest, recoverManifest, type TableEntry, type VersionEdit, type VersionState } from './manifest.js';
import { TableReader, type BlockCache, type TableBlocks } from './table.js';

/** An open table of some version: its reader, its manifest entry, and how many live table sets hold it. */
export class LiveTable {
  refs = 0;
  /** Out of the current version: the file is deleted when the last set holding it is released. */
  obsolete = false;
  constructor(
    readonly reader: TableReader,
    /** Replaced when a move puts the same file at a deeper level. */
    public entry: TableEntry,
  ) {}
  get smallest(): Uint8Array {
    return this.entry.smallest;
  }
  get largest(): Uint8Array {
    return this.entry.largest;
  }
}

/**
 * The tables of one version, immutable. The current version's set is held by the
 * version set; a scan or a job pins the set it started with (refs), so its tables stay
 * open and their files stay on disk until it is done, whatever compactions install.
 */
export class TableSet {
  refs = 0;
  /** L0, newest first (by maxSeq, then id). */
  readonly l0: LiveTable[];
  /** levels[i]: the tables of level i + 1, sorted by smallest key, non-overlapping. */
  readonly levels: LiveTable[][];
  readonly all: LiveTable[];
  constructor(tables: readonly LiveTable[]) {
    this.all = [...tables];
    this.l0 = tables.filter((t) => t.entry.level === 0).sort((a, b) => b.entry.maxSeq - a.entry.maxSeq || b.entry.id - a.entry.id);
    let depth = 0;
    for (const t of tables) if (t.entry.level > depth) depth = t.entry.level;
    this.levels = [];
    for (let l = 1; l <= depth; l++) {
      this.levels.push(
        tables
          .filter((t) => t.entry.level === l)
          .sort((a, b) => compareRegions(a.entry.smallest, 0, a.entry.smallest.length, b.entry.smallest, 0, b.entry.smallest.length)),
      );
    }
  }
}

/** The index of the first table in a level whose largest key is >= key. */
export function levelSearch(tables: readonly LiveTable[], key: Uint8Array): number {
  let lo = 0;
  let hi = tables.length;
  const len = key.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const l = tables[mid]!.entry.largest;
    if (compareRegions(l, 0, l.length, key, 0, len) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Where recovery moves table files a manifest that did not read to a clean end does not name. */
export const LOST_DIR = 'lost';

/** What recovering the version set found: the WAL files that may hold writes no table has. */
export interface RecoveredVersions {
  /** WAL numbers at or above the version's logNumber, ascending. */
  readonly logs: readonly number[];
  readonly lastSeq: number;
}

/** removeRetiredStep cuts a retired file by this much a step. */
const RETIRE_STEP_BYTES = 8 << 20;

export class VersionSet {
  /** The current version's tables. */
  current: TableSet = new TableSet([]);
  /** The manifest's view of the current version (levels are each TableEntry's `level`). */
  version: VersionState = EMPTY_VERSION;
  /** Tables that left the version and whose files were deleted once unpinned. */
  obsoleteDeleted = 0;
  /** Files no version needs, waiting for removeRetired (whether each is a table). */
  private readonly retired: string[] = [];
  private readonly retiredIsTable: boolean[] = [];
  private readonly retiredBytes: number[] = [];
  /** Bytes written to manifests. */
  manifestBytes = 0;
  private manifest: Manifest | undefined;
  private nextFile = 1;
  /** Directory entries found by recover(), for the clean-up once the fresh manifest is live. */
  private recoveredNames: readonly string[] = [];

  constructor(
    private readonly fs: FileSystem,
    private readonly dir: string,
    private readonly cache: BlockCache,
  ) {}

  /** A new file number (tables, WALs, manifests); each edit records the counter as nextFile. */
  newFileNumber(): number {
    return this.nextFile++;
  }

  /** The next number newFileNumber() will return. */
  get nextFileNumber(): number {
    return this.nextFile;
  }

  /**
   * Rebuilds the version from the manifest, deletes table files it does not name, and
   * opens every table it does name (a missing or corrupt one is a typed error). The
   * caller replays the returned logs, then calls startManifest().
   */
  recover(mode: LogRecoveryMode, walsKept: boolean): RecoveredVersions {
    const fs = this.fs;
    const dir = this.dir;
    const { state, clean, path, validLength } = recoverManifest(fs, dir, mode);
    const names = fs.list(dir);
    // Every edit is synced before the WALs it makes obsolete are removed, so the WAL the
    // last complete edit needs is on disk after any crash. When a manifest that ends early
    // (torn or damaged) needs a WAL that is gone, a later edit was synced and then lost:
    // its tables hold acknowledged writes the older state does not, and opening would
    // silently serve older values. Refused before anything is moved or deleted.
    if (!clean && walsKept && mode === 'strict' && state.logNumber > 0 && !names.includes(logFileName(state.logNumber)))
      throw new ManifestCorruptionError(
        path ?? joinPath(dir, CURRENT_FILE),
        validLength ?? 0,
        `the manifest ends early, and the WAL its last complete edit needs (${logFileName(state.logNumber)}) is gone: a later edit was lost, and opening would serve older data (recovery: 'truncate' opens that older state)`,
      );
    let maxNumber = 0;
    const logs: number[] = [];
    for (const name of names) {
      const f = parseFileName(name);
      if (f === undefined) continue;
      if (f.number > maxNumber) maxNumber = f.number;
      if (f.kind === 'log' && f.number >= state.logNumber) logs.push(f.number);
      // A table the manifest does not name is the output of a flush or compaction that
      // crashed before its edit was synced (or an input whose deletion the crash cut
      // short): its data is either elsewhere or obsolete, and reading it could
      // resurrect deleted keys. Delete it before anything reads, but only when the
      // manifest was read to a clean end: after a torn or damaged one the table may be
      // what the lost edits named, so it is moved aside into lost/, never deleted.
      if (f.kind === 'table' && !state.tables.has(f.number)) {
        if (clean) fs.remove(joinPath(dir, name));
        else {
          fs.mkdirp(joinPath(dir, LOST_DIR));
          fs.rename(joinPath(dir, name), joinPath(joinPath(dir, LOST_DIR), name));
          fs.syncDir(dir);
        }
      }
    }
    this.nextFile = Math.max(state.nextFile, maxNumber + 1);
    this.recoveredNames = names;

    const live: LiveTable[] = [];
    try {
      for (const t of state.tables.values()) {
        const path = joinPath(dir, tableFileName(t.id));
        if (!fs.exists(path)) throw new CorruptionError(path, 0, 'table named by the manifest is missing');
        live.push(new LiveTable(TableReader.open(fs, path, t.id, this.cache), t));
      }
    } catch (err) {
      for (const t of live) t.reader.close();
      throw err;
    }
    this.version = state;
    this.setCurrent(new TableSet(live));
    logs.sort((a, b) => a - b);
    return { logs, lastSeq: state.lastSeq };
  }

  /** Adds tables written during recovery (the replayed WAL) to the version, before startManifest() logs it. */
  addRecovered(added: readonly TableEntry[]): void {
    this.version = applyEdit(this.version, { add: added });
    this.setCurrent(new TableSet([...this.current.all, ...added.map((m) => this.openTable(m))]));
  }

  /**
   * Starts a fresh manifest holding the whole version, with WALs from `logNumber` on
   * still needed, and deletes what it makes obsolete: older WALs and manifests and a
   * leftover CURRENT.tmp. Called once, at the end of recovery.
   */
  startManifest(logNumber: number, lastSeq: number): void {
    const manifestNumber = this.newFileNumber();
    this.version = { logNumber, nextFile: this.nextFile, lastSeq, tables: this.version.tables };
    this.manifest = Manifest.create(this.fs, this.dir, manifestNumber, this.version);
    this.manifestBytes += this.manifest.size;
    const live = manifestName(manifestNumber);
    for (const name of this.recoveredNames) {
      const f = parseFileName(name);
      const stale = f === undefined ? name === CURRENT_TEMP_FILE : (f.kind === 'log' && f.number < logNumber) || (f.kind === 'manifest' && name !== live);
      if (stale) this.fs.remove(joinPath(this.dir, name));
    }
    this.recoveredNames = [];
  }

  /** Makes `set` current: it holds its tables; the previous current set is released. */
  private setCurrent(set: TableSet): void {
    for (const t of set.all) t.refs++;
    set.refs++;
    const old = this.current;
    this.current = set;
    this.unpin(old);
  }

  /** Pins the current table set: its tables stay open until unpin(). */
  pin(): TableSet {
    const set = this.current;
    set.refs++;
    return set;
  }

  unpin(set: TableSet): void {
    if (--set.refs > 0) return;
    for (const t of set.all) {
      if (--t.refs === 0) this.dropTable(t);
    }
  }

  /**
   * A table no set holds: close it, and if it has left the version, retire its file
   * (removeRetired deletes it). Deleting a compaction's inputs at once held a write
   * for up to 115 ms at N = 3,000,000; background work deletes one file a step.
   */
  private dropTable(t: LiveTable): void {
    t.reader.close();
    if (t.obsolete) {
      this.cache.evictTable(t.reader.cacheSlots);
      this.retired.push(t.reader.path);
      this.retiredIsTable.push(true);
      this.retiredBytes.push(t.entry.size);
    }
  }

  /** Queues a file no version needs (a flushed memtable's WAL) for deletion. */
  retire(path: string): void {
    this.retired.push(path);
    this.retiredIsTable.push(false);
    this.retiredBytes.push(-1);
  }

  /** Whether retired files wait to be deleted. */
  get hasRetired(): boolean {
    return this.retired.length > 0;
  }

  /**
   * Deletes every retired file (at close, or when a scan that pinned them ends).
   * Crash-safe at any point: the manifest no longer names them, and an open deletes
   * what it does not name.
   */
  removeRetired(): void {
    while (this.retired.length > 0) this.removeOldestRetired();
  }

  /**
   * One step of deleting retired files: the oldest one is cut by RETIRE_STEP_BYTES
   * (truncate), or deleted once no more than that is left. Deleting a 32 MiB file at
   * once took 10-14 ms here (the kernel frees its cached pages in the call).
   */
  removeRetiredStep(): void {
    let bytes = this.retiredBytes[0];
    if (bytes === undefined) return;
    if (bytes < 0) {
      // Size not known when retired (a WAL): ask the file system once.
      const f = this.fs.openRead(this.retired[0]!);
      bytes = f.size;
      f.close();
    }
    if (bytes > RETIRE_STEP_BYTES) {
      this.retiredBytes[0] = bytes - RETIRE_STEP_BYTES;
      this.fs.truncate(this.retired[0]!, bytes - RETIRE_STEP_BYTES);
    } else this.removeOldestRetired();
  }

  /**
   * Hands every retired file over to be deleted elsewhere (the job thread): the list is
   * emptied and the tables among them counted as deleted.
   */
  takeRetired(): string[] {
    const paths = this.retired.splice(0);
    this.retiredBytes.length = 0;
    for (const isTable of this.retiredIsTable.splice(0)) if (isTable) this.obsoleteDeleted++;
    return paths;
  }

  private removeOldestRetired(): void {
    this.fs.remove(this.retired.shift()!);
    this.retiredBytes.shift();
    if (this.retiredIsTable.shift()!) this.obsoleteDeleted++;
  }

  /**
   * Appends `edit` to the manifest, synced: it survives power loss once this returns.
   * The tables it adds must already be durable, their directory entries included.
   */
  logEdit(edit: VersionEdit): void {
    const manifest = this.manifest!;
    const before = manifest.size;
    manifest.append(edit);
    this.manifestBytes += manifest.size - before;
  }

  /** logEdit with the sync on another thread where it can (Manifest.appendStart); undefined when it synced here. */
  logEditStart(edit: VersionEdit): PendingSync | undefined {
    const manifest = this.manifest!;
    const before = manifest.size;
    const pending = manifest.appendStart(edit);
    this.manifestBytes += manifest.size - before;
    return pending;
  }

  /**
   * The tables a logged edit adds that installEdit() needs opened (openOutput): a table
   * both removed and added (a move to a deeper level) keeps its open reader.
   */
  toOpen(edit: VersionEdit): TableEntry[] {
    const removed = edit.remove ?? [];
    return (edit.add ?? []).filter((m) => !removed.includes(m.id));
  }

  /**
   * Installs a logged edit: folds it into the version, adds the tables opened for it
   * opened and marks the removed ones obsolete (deleted once no set holds them).
   */
  installEdit(edit: VersionEdit, added: readonly LiveTable[]): void {
    this.version = applyEdit(this.version, edit);
    const removed = new Set(edit.remove ?? []);
    const keep: LiveTable[] = [];
    for (const t of this.current.all) {
      if (!removed.has(t.entry.id)) keep.push(t);
      else {
        const moved = this.version.tables.get(t.entry.id);
        if (moved !== undefined) {
          // A move: removed and re-added under the same id at another level; the file stays.
          t.entry = moved;
          keep.push(t);
        } else t.obsolete = true;
      }
    }
    this.setCurrent(new TableSet([...keep, ...added]));
  }

  /**
   * Opens a job's output for its install: from the blocks its builder wrote, reading
   * nothing (a point index read back from the disk held a write for up to 171 ms at
   * N = 10,000,000); without them, from the file as open() does.
   */
  openOutput(meta: TableEntry, blocks: TableBlocks | undefined): LiveTable {
    if (blocks === undefined) return this.openTable(meta);
    return new LiveTable(TableReader.openWritten(this.fs, joinPath(this.dir, tableFileName(meta.id)), meta.id, this.cache, blocks), meta);
  }

  private openTable(meta: TableEntry): LiveTable {
    return new LiveTable(TableReader.open(this.fs, joinPath(this.dir, tableFileName(meta.id)), meta.id, this.cache), meta);
  }

  /** The path of WAL `n`. */
  logPath(n: number): string {
    return joinPath(this.dir, logFileName(n));
  }

  /** Closes the manifest and releases the current set (what no scan pins is closed and, if retired, deleted). */
  close(): void {
    this.manifest?.close();
    const set = this.current;
    this.current = new TableSet([]);
    this.unpin(set);
    this.removeRetired();
  }

  /** Closes the readers recovery opened, after a failed open. */
  closeReaders(): void {
    for (const t of this.current.all) t.reader.close();
  }
}
