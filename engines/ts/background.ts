/**
 * Background work: the flush and compaction jobs, started and installed from the
 * caller's thread. With a job thread (job-thread.ts) the jobs writes start run there,
 * and writes are paced to the rate it keeps up with (afterWriteWithThread). Without
 * one, the caller's thread steps them: writes pay for it in slices paced by what they
 * write (afterWrite), reads pay a tiny slice while work is pending, and callers that
 * yield get bounded chunks between event-loop turns. Installing a job's outputs goes
 * through the version set: directory synced, edit logged and synced, then installed.
 */
import { compactionDebt, compactionEdit, levelTargets, pickCompaction, type CompactionTask, type LevelOptions } from './compaction.js';
import type { TableEntry, VersionEdit, VersionState } from './manifest.js';
import type { PendingSync } from './fs.js';
import type { Memtable } from './memtable.js';
import { compactionJob, flushJob, type Job, type JobContext } from './job.js';
import { ThreadJob, type JobThread } from './job-thread.js';
import type { SnapshotRegistry } from './snapshot.js';
import type { TableReader } from './table.js';
import type { LiveTable, TableSet, VersionSet } from './version-set.js';

/** Input bytes of flush work per memtable byte written (see BackgroundWork.paceFactor). */
const FLUSH_PACE = 1.5;
/** The most input bytes of compaction a write pays per byte it writes. */
const MAX_COMPACTION_PACE = 64;
/**
 * Owed work is paid in steps of at least this many input bytes (about two entries of
 * 116 bytes): a step has a fixed cost (timers, iterator re-entry) that single entries
 * would not amortize. At 1 KiB, one write in four or five did a ~10 us step and the
 * others none; at 256 bytes nearly every write paying for a job does a small step, so
 * the work is spread over the writes instead of concentrated in a few, which is what
 * the p99.9 sees (scripts/bench-write-tail.ts: p50 ~2.5 -> ~4.2 us, p99.9 lower).
 */
const WORK_QUANTUM = 256;
/** A slowed-down write does this many normal slices. */
const SLOWDOWN_FACTOR = 4;
/** A stopped write works in chunks of this many input bytes until it is under the stop thresholds. */
const STOP_SLICE_BYTES = 1 << 20;
/** Work a read does while a job is pending (at least one entry). */
const READ_SLICE_BYTES = 256;
/** Work per event-loop turn when the caller yields. */
const IDLE_SLICE_BYTES = 1 << 20;

/** What onCompaction receives. */
export interface CompactionEvent {
  readonly task: CompactionTask;
  readonly version: VersionState;
}

interface Flush {
  readonly mem: Memtable;
  readonly job: Job;
}

interface Compaction {
  readonly task: CompactionTask;
  readonly job: Job;
  /** The table set the inputs come from, pinned until the compaction is installed. */
  readonly set: TableSet;
}

/**
 * A finished job's install, one phase per doWork call, each one fixed cost: the
 * directory's fsync, the manifest record's, the opening of each new table, and the
 * switch to the new version (which retires what it replaces once unpinned; later
 * steps delete the retired files one at a time).
 */
interface Install {
  readonly flush: Flush | undefined;
  readonly compaction: Compaction | undefined;
  readonly edit: VersionEdit;
  phase: InstallPhase;
  /** The manifest's sync of the edit, on the sync thread: nothing is installed before it is done. */
  editSync: PendingSync | undefined;
  /** The tables opened so far, and those still to open (one a phase, from the blocks its job wrote). */
  readonly tables: LiveTable[];
  toOpen: TableEntry[] | undefined;
}
const SYNC_DIR = 0;
const LOG_EDIT = 1;
const EDIT_SYNCED = 2;
const OPEN_TABLES = 3;
const SWITCH = 4;
type InstallPhase = typeof SYNC_DIR | typeof LOG_EDIT | typeof EDIT_SYNCED | typeof OPEN_TABLES | typeof SWITCH;

/** What the scheduler asks of the tree it works for. */
export interface BackgroundHost {
  /** The active memtable's WAL number (the oldest WAL still needed once every frozen memtable is flushed). */
  activeLogNumber(): number;
  /** The last sequence number acknowledged, recorded in each edit. */
  lastSeq(): number;
  closed(): boolean;
  /** Closed, or failed: no background work runs. */
  stopped(): boolean;
  /** Records a failure (the tree's one guard) and returns it. */
  failed(err: unknown): unknown;
  /** A flushed memtable is out of the tree (its table installed): nothing reads it again but a running scan. */
  memtableFlushed(mem: Memtable): void;
}

export interface BackgroundOptions {
  readonly jobs: JobContext;
  readonly versions: VersionSet;
  readonly snapshots: SnapshotRegistry;
  /** Frozen memtables, newest first: the tree's own array; a finished flush pops the oldest. */
  readonly imms: Memtable[];
  readonly levelOptions: LevelOptions;
  readonly memtableBytes: number;
  readonly maxImmutable: number;
  readonly deferFlush: boolean;
  /** Memtables have WAL files (durability other than `none`): a flushed memtable's is deleted. */
  readonly walFiles: boolean;
  readonly autoCompaction: boolean;
  readonly onCompaction: ((event: CompactionEvent) => void) | undefined;
  /**
   * Where jobs the writes start run (job-thread.ts), or undefined: on the caller's
   * thread, in slices. Flushes and compactions that a call waits for (flush(),
   * compactAll(), close()) run on the caller's thread either way.
   */
  readonly thread: JobThread | undefined;
}

/** How long a write stopped by back-pressure waits for the job thread between checks. */
const STOP_WAIT_MS = 5;
/**
 * Paced writes (job thread only). While the thread has work, a write returns no sooner
 * than its bytes allow at the rate the thread keeps up with: memtable bytes written
 * per millisecond the thread has spent on jobs, in all (what it can absorb when busy
 * all the time), times PACE_HEADROOM, times PACE_PER_L0 for each L0 table beyond the
 * compaction trigger, and halved while frozen memtables wait at maxImmutableMemtables.
 * So every write waits a little (a few microseconds when the thread is behind) rather
 * than a few writes waiting for a whole compaction at the stop threshold (14.7 s once
 * at N = 10,000,000, when only writes past the slowdown threshold were delayed).
 */
const PACE_HEADROOM = 1.25;
const PACE_PER_L0 = 0.85;
/** The thread's time on jobs before its rate is trusted for pacing. */
const PACE_MIN_BUSY_MS = 100;
/** The paced write rate never falls below this many bytes per ms (about 8,000 writes of 116 bytes a second). */
const PACE_MIN_RATE = 1024;
/** Output file numbers reserved for a compaction on the job thread: this many per target file of input, and a few more. */
const NUMBERS_PER_TARGET = 2;
const NUMBERS_EXTRA = 4;

export class BackgroundWork {
  private readonly jobs: JobContext;
  private readonly versions: VersionSet;
  private readonly snapshots: SnapshotRegistry;
  private readonly imms: Memtable[];
  private readonly levelOptions: LevelOptions;
  private readonly memtableBytes: number;
  private readonly maxImmutable: number;
  /** False: a full memtable is flushed inline by the write that fills it. */
  readonly deferFlush: boolean;
  private readonly walFiles: boolean;
  /** Whether the policy schedules compactions; close() turns it off while it flushes. */
  autoCompaction: boolean;
  private readonly onCompaction: ((event: CompactionEvent) => void) | undefined;
  readonly thread: JobThread | undefined;
  /** The running compaction: its task, job and the table set its inputs come from (pinned). */
  private compacting: Compaction | undefined;
  /** The flush job of the oldest frozen memtable, while it runs. */
  private flushing: Flush | undefined;
  /** The install of a finished flush or compaction, while its phases run: it goes before any job step. */
  private installing: Install | undefined;
  private idleScheduled = false;
  /** Input bytes of background work owed by writes and reads and not yet done (< WORK_QUANTUM). */
  private owed = 0;
  /** Memtable bytes written, in all. */
  private bytesIn = 0;
  /** Paced writes: when the next write may return. */
  private paceUntil = 0;

  /** The policy's compaction debt in bytes, as of the last version change. */
  debt = 0;
  /** Bytes of the tables flushes and compactions wrote. */
  tableBytesWritten = 0;
  stallMs = 0;
  slowdowns = 0;
  stops = 0;
  flushes = 0;
  flushMs = 0;
  moves = 0;
  compactions = 0;
  compactionMs = 0;
  /** Flushes and compactions run on the job thread and installed. */
  jobsOnThread = 0;
  compactionBytesRead = 0;
  compactionBytesWritten = 0;
  entriesDropped = 0;

  constructor(
    private readonly host: BackgroundHost,
    o: BackgroundOptions,
  ) {
    this.jobs = o.jobs;
    this.versions = o.versions;
    this.snapshots = o.snapshots;
    this.imms = o.imms;
    this.levelOptions = o.levelOptions;
    this.memtableBytes = o.memtableBytes;
    this.maxImmutable = o.maxImmutable;
    this.deferFlush = o.deferFlush;
    this.walFiles = o.walFiles;
    this.autoCompaction = o.autoCompaction;
    this.onCompaction = o.onCompaction;
    this.thread = o.thread;
    if (this.thread !== undefined) {
      // A reply read by the event loop (the caller yielded): install it from there too.
      this.thread.onReply = () => {
        if (!this.host.stopped() && this.hasWork() && !this.waitingOnThread()) this.scheduleIdleWork();
      };
    }
  }

  /**
   * The next doWork would only look for a reply from the job thread: no install or
   * file removal is pending, and the job doWork would step runs there.
   */
  private waitingOnThread(): boolean {
    if (this.installing !== undefined || this.versions.hasRetired) return false;
    const job = this.imms.length > 0 ? this.flushing?.job : this.compacting?.job;
    return job instanceof ThreadJob && job.pending;
  }

  /** True when a flush or compaction has work left. */
  hasWork(): boolean {
    return this.imms.length > 0 || this.compacting !== undefined || this.versions.hasRetired;
  }

  /**
   * After a write that took `bytes` of memtable space (keys, values and per-entry
   * overhead, the measure the flush threshold uses): pay for background work. A write does a slice of `bytes` times the pace factor; past the
   * slowdown thresholds it does a larger slice (the extra is counted as stall time);
   * past the stop thresholds it runs jobs until it is back under them.
   */
  afterWrite(bytes: number): void {
    this.bytesIn += bytes;
    if (!this.hasWork()) {
      this.owed = 0;
      return;
    }
    if (this.thread !== undefined) {
      this.afterWriteWithThread(bytes);
      return;
    }
    try {
      // Work is owed per byte written and paid in steps of at least WORK_QUANTUM input bytes.
      const slow = this.shouldSlowDown();
      if (slow) this.slowdowns++;
      this.owed += bytes * this.paceFactor() * (slow ? SLOWDOWN_FACTOR : 1);
      if (this.owed >= WORK_QUANTUM) {
        const budget = this.owed;
        this.owed = 0;
        if (slow) {
          const t0 = performance.now();
          this.doWork(budget);
          // The share beyond a normal slice is the stall.
          this.stallMs += ((performance.now() - t0) * (SLOWDOWN_FACTOR - 1)) / SLOWDOWN_FACTOR;
        } else this.doWork(budget);
      }
      // Checked after the slice, which may itself install a flush: the write returns
      // under the stop thresholds.
      this.stopWhileOver();
    } catch (err) {
      throw this.host.failed(err);
    }
    if (this.hasWork() && this.deferFlush) this.scheduleIdleWork();
  }

  /** Past the stop thresholds: runs jobs (or waits for the thread's) until back under them. */
  private stopWhileOver(): void {
    if (!this.mustStop()) return;
    this.stops++;
    const t0 = performance.now();
    while (this.mustStop() && this.hasWork()) {
      if (this.waitingOnThread()) this.thread!.waitForReply(STOP_WAIT_MS);
      this.doWork(STOP_SLICE_BYTES);
    }
    this.stallMs += performance.now() - t0;
  }

  /**
   * afterWrite with jobs on the thread: this thread only installs what the thread
   * finished (one phase a write) and removes retired files; it is paced to the rate
   * the thread keeps up with (PACE_HEADROOM); past the stop thresholds it waits for
   * the thread.
   */
  private afterWriteWithThread(bytes: number): void {
    try {
      this.doWork(WORK_QUANTUM);
      this.pace(bytes);
      this.stopWhileOver();
    } catch (err) {
      throw this.host.failed(err);
    }
    if (this.hasWork() && this.deferFlush && !this.waitingOnThread()) this.scheduleIdleWork();
  }

  /** Holds a write until its bytes fit the rate the job thread keeps up with (PACE_HEADROOM). */
  private pace(bytes: number): void {
    const thread = this.thread!;
    const busyMs = thread.busyMs;
    if (!thread.busy || busyMs < PACE_MIN_BUSY_MS) {
      this.paceUntil = 0;
      return;
    }
    const over = Math.max(0, this.versions.current.l0.length - this.levelOptions.l0CompactionTrigger);
    let rate = (this.bytesIn / busyMs) * PACE_HEADROOM * PACE_PER_L0 ** over;
    if (this.maxImmutable > 0 && this.imms.length >= this.maxImmutable) rate /= 2;
    const step = bytes / Math.max(PACE_MIN_RATE, rate);
    const now = performance.now();
    // A write after a pause does not bank it: at most one write's worth of credit.
    this.paceUntil = Math.max(this.paceUntil, now - step) + step;
    if (this.paceUntil <= now) return;
    let t = now;
    while (t < this.paceUntil) t = performance.now();
    this.slowdowns++;
    this.stallMs += t - now;
  }

  /** Frozen memtables beyond maxImmutableMemtables, or L0 at its stop trigger: the write waits for jobs. */
  private mustStop(): boolean {
    return this.imms.length > this.maxImmutable || (this.autoCompaction && this.versions.current.l0.length >= this.levelOptions.l0StopTrigger);
  }

  /** At maxImmutableMemtables frozen memtables, or L0 at its slowdown trigger: each write does a larger slice. */
  private shouldSlowDown(): boolean {
    return (this.maxImmutable > 0 && this.imms.length >= this.maxImmutable) || (this.autoCompaction && this.versions.current.l0.length >= this.levelOptions.l0SlowdownTrigger);
  }

  /**
   * Input bytes of background work per memtable byte written. A flush must finish
   * before the next memtable fills: its input (keys and values, plus the sort, which
   * the job charges to the same budget) is less than the memtable's size, so
   * FLUSH_PACE = 1.5 leaves room even for small entries. A compaction's share follows
   * the policy's debt (bytes still to compact before every level is within target),
   * measured in memtables: the more work is owed, the faster each write pays it off,
   * so the debt settles where the pace matches what the writes create.
   */
  private paceFactor(): number {
    let f = this.imms.length > 0 ? FLUSH_PACE : 0;
    if (this.compacting !== undefined) f += Math.min(MAX_COMPACTION_PACE, Math.max(1, this.debt / this.memtableBytes));
    // Retired files alone: writes still pay for their deletion, one a step.
    return f === 0 && this.versions.hasRetired ? 1 : f;
  }

  /** Reads pay a tiny slice while work is pending (owed, paid in quanta), so a read-only phase still finishes it. */
  readSlice(): void {
    if (this.host.stopped()) return;
    this.owed += READ_SLICE_BYTES;
    if (this.owed < WORK_QUANTUM) return;
    const budget = this.owed;
    this.owed = 0;
    try {
      this.doWork(budget);
    } catch (err) {
      this.host.failed(err); // the next write or settle() throws it
    }
  }

  /**
   * One step of background work, about `budget` input bytes: a pending install's next
   * phase first, else a step of the flush of the oldest frozen memtable, else of the
   * compaction. Each call pays for at most one fixed cost (an output's finish, an
   * fsync, a manifest record, a table open).
   */
  doWork(budget: number): void {
    if (budget <= 0) return;
    if (this.versions.hasRetired) {
      if (budget === Infinity) this.versions.removeRetired();
      else if (this.thread !== undefined) this.thread.remove(this.versions.takeRetired());
      else this.versions.removeRetiredStep();
      return;
    }
    if (this.installing !== undefined) {
      this.installPhase(this.installing, budget === Infinity);
      return;
    }
    // A compaction the thread finished is installed now, between flushes: L0 shrinks sooner.
    const done = this.compacting;
    if (done !== undefined && done.job instanceof ThreadJob && done.job.done) {
      this.installing = this.compactionInstall(done);
      return;
    }
    if (this.imms.length > 0) {
      // A flush a call waits for (budget unbounded) runs here; one a write starts, on the job thread.
      const f = this.flushing ?? this.startFlush(budget !== Infinity);
      const t0 = performance.now();
      if (f.job.step(budget)) this.installing = this.flushInstall(f);
      this.flushMs += performance.now() - t0;
      return;
    }
    const c = this.compacting;
    if (c !== undefined) {
      const t0 = performance.now();
      if (c.job.step(budget)) this.installing = this.compactionInstall(c);
      this.compactionMs += performance.now() - t0;
    }
  }

  private startFlush(onThread: boolean): Flush {
    const mem = this.imms[this.imms.length - 1]!;
    const snapshots = this.snapshots.list();
    const job =
      onThread && this.thread !== undefined
        ? this.thread.flush(mem.image(), snapshots, this.versions.newFileNumber())
        : flushJob(this.jobs, mem, snapshots, true);
    const f = { mem, job };
    this.flushing = f;
    return f;
  }

  /** The edit of a finished flush: its table, and the WALs it makes obsolete. */
  private flushInstall(f: Flush): Install {
    const logNumber = this.imms.length > 1 ? this.imms[this.imms.length - 2]!.logNumber : this.host.activeLogNumber();
    const edit: VersionEdit = { add: f.job.outputs, logNumber, nextFile: this.versions.nextFileNumber, lastSeq: this.host.lastSeq() };
    return { flush: f, compaction: undefined, edit, phase: SYNC_DIR, editSync: undefined, tables: [], toOpen: undefined };
  }

  private compactionInstall(c: Compaction): Install {
    const edit: VersionEdit = { ...compactionEdit(c.task, c.job.outputs), nextFile: this.versions.nextFileNumber, lastSeq: this.host.lastSeq() };
    return { flush: undefined, compaction: c, edit, phase: SYNC_DIR, editSync: undefined, tables: [], toOpen: undefined };
  }

  /**
   * Runs the install's next phase that has work (phases without any are skipped); true
   * once the install is complete. Until then the flushed memtable stays readable and
   * the compaction's inputs stay in the version.
   */
  private installPhase(inst: Install, wait = false): boolean {
    const t0 = performance.now();
    let complete = false;
    if (inst.phase === SYNC_DIR) {
      inst.phase = LOG_EDIT;
      // The tables' directory entries must be durable before the manifest names them
      // (a job on the thread synced the directory before it answered).
      const job = (inst.flush ?? inst.compaction!).job;
      if (job.outputs.length === 0 || job instanceof ThreadJob) return this.installPhase(inst, wait);
      this.jobs.fs.syncDir(this.jobs.dir);
    } else if (inst.phase === LOG_EDIT) {
      // Its fsync, which can wait on a disk the job thread keeps busy, runs on the sync thread.
      inst.editSync = this.versions.logEditStart(inst.edit);
      inst.phase = EDIT_SYNCED;
    } else if (inst.phase === EDIT_SYNCED) {
      // Polled by later steps; waited for when the install must finish now.
      if (inst.editSync !== undefined) {
        if (wait) inst.editSync.wait();
        if (!inst.editSync.done()) return false;
        inst.editSync = undefined;
      }
      inst.phase = OPEN_TABLES;
      return this.installPhase(inst, wait);
    } else if (inst.phase === OPEN_TABLES) {
      const toOpen = (inst.toOpen ??= this.versions.toOpen(inst.edit));
      const next = toOpen.shift();
      if (next === undefined) {
        inst.phase = SWITCH;
        return this.installPhase(inst, wait);
      }
      inst.tables.push(this.versions.openOutput(next, (inst.flush ?? inst.compaction!).job.outputBlocks.get(next.id)));
      if (toOpen.length === 0) inst.phase = SWITCH;
    } else {
      this.installing = undefined;
      if (inst.flush !== undefined) this.switchFlush(inst.flush, inst);
      else this.switchCompaction(inst.compaction!, inst);
      complete = true;
    }
    const ms = performance.now() - t0;
    if (inst.flush !== undefined) this.flushMs += ms;
    else this.compactionMs += ms;
    return complete;
  }

  /** Runs the pending install's phases to the end. */
  private finishInstall(): void {
    while (this.installing !== undefined) this.installPhase(this.installing, true);
  }

  /** The flushed table goes into the version, the memtable and its WAL go away. */
  private switchFlush(f: Flush, inst: Install): void {
    this.tableBytesWritten += f.job.bytesWritten;
    this.imms.pop();
    this.flushing = undefined;
    if (f.job instanceof ThreadJob) {
      this.flushMs += f.job.threadMs;
      this.jobsOnThread++;
    }
    this.versions.installEdit(inst.edit, inst.tables);
    this.host.memtableFlushed(f.mem);
    if (f.mem.logNumber > 0 && this.walFiles) this.versions.retire(this.versions.logPath(f.mem.logNumber));
    this.flushes++;
    // A flush during a long compaction adds to what is owed: the pace follows it.
    if (this.compacting !== undefined && this.autoCompaction) this.debt = compactionDebt(this.versions.version, this.levelOptions);
    this.maybeStartCompaction();
  }

  /**
   * Asks the policy for the next task when no compaction runs. A move is only an edit
   * (the table keeps its file, under a deeper level); a merge becomes a CompactionJob
   * over a pinned table set, stepped like a flush.
   */
  maybeStartCompaction(): void {
    if (!this.autoCompaction || this.compacting !== undefined || this.host.closed()) return;
    for (;;) {
      const task = pickCompaction(this.versions.version, this.levelOptions);
      if (task === undefined) {
        this.debt = 0;
        return;
      }
      this.debt = compactionDebt(this.versions.version, this.levelOptions);
      if (task.kind === 'move') {
        this.installMove(task);
        continue; // a move never makes the same task again: the level it left is smaller
      }
      this.startCompaction(task, this.thread !== undefined);
      return;
    }
  }

  private startCompaction(task: CompactionTask, onThread: boolean): void {
    const set = this.versions.pin();
    const byId = new Map(set.all.map((t) => [t.entry.id, t] as const));
    const readers: TableReader[] = [];
    for (const e of [...task.inputs, ...task.overlaps]) {
      const t = byId.get(e.id);
      if (t === undefined) {
        this.versions.unpin(set);
        throw new Error(`compaction task names table ${e.id}, which is not in the current version`);
      }
      readers.push(t.reader);
    }
    let job: Job;
    if (onThread) {
      let bytes = 0;
      for (const e of [...task.inputs, ...task.overlaps]) bytes += e.size;
      const count = NUMBERS_PER_TARGET * Math.ceil(bytes / task.targetFileBytes) + NUMBERS_EXTRA;
      const numbers = Array.from({ length: count }, () => this.versions.newFileNumber());
      const inputs = readers.map((r) => ({ id: r.id, path: r.path }));
      job = this.thread!.compaction(inputs, task, this.snapshots.list(), numbers);
    } else job = compactionJob(this.jobs, readers, task, this.snapshots.list(), true);
    this.compacting = { task, job, set };
  }

  /** The outputs go into the version, the inputs are retired (deleted once unpinned). */
  private switchCompaction(c: Compaction, inst: Install): void {
    this.compacting = undefined;
    if (c.job instanceof ThreadJob) {
      this.compactionMs += c.job.threadMs;
      this.jobsOnThread++;
    }
    this.versions.installEdit(inst.edit, inst.tables);
    this.versions.unpin(c.set);
    this.tableBytesWritten += c.job.bytesWritten;
    this.compactionBytesRead += c.job.bytesRead;
    this.compactionBytesWritten += c.job.bytesWritten;
    this.entriesDropped += c.job.entriesDropped;
    this.compactions++;
    this.onCompaction?.({ task: c.task, version: this.versions.version });
    this.maybeStartCompaction();
  }

  private installMove(task: CompactionTask): void {
    const edit: VersionEdit = { ...compactionEdit(task, []), nextFile: this.versions.nextFileNumber, lastSeq: this.host.lastSeq() };
    this.versions.logEdit(edit);
    this.versions.installEdit(edit, []);
    this.moves++;
    this.onCompaction?.({ task, version: this.versions.version });
  }

  /** Runs pending work between event-loop turns, in bounded chunks, for callers that yield. */
  private scheduleIdleWork(): void {
    if (this.idleScheduled) return;
    this.idleScheduled = true;
    setImmediate(() => {
      this.idleScheduled = false;
      if (this.host.stopped() || !this.hasWork()) return;
      try {
        this.doWork(IDLE_SLICE_BYTES);
      } catch (err) {
        this.host.failed(err);
        return;
      }
      // A job on the thread calls back when it answers (onReply): no turn polls for it.
      if (this.hasWork() && !this.waitingOnThread()) this.scheduleIdleWork();
    });
  }

  /** Runs every flush to completion (compaction work waits). */
  flushAll(): void {
    this.finishInstall();
    // With imms pending, doWork steps only flushes and their installs.
    while (this.imms.length > 0) this.doWork(Infinity);
  }

  /**
   * Manual full compaction: finishes the running compaction, then merges every table
   * into the shallowest level whose target holds them all (L1 for a small store),
   * through the same job and edit path as the policy's tasks. The job is bottommost:
   * tombstones no live snapshot needs are dropped. Memtables are not flushed.
   */
  compactAll(): void {
    this.finishInstall();
    while (this.compacting !== undefined) this.doWork(Infinity);
    const tables = [...this.versions.version.tables.values()];
    if (tables.length === 0) return;
    const targets = levelTargets(this.versions.version, this.levelOptions).bytes;
    let total = 0;
    for (const t of tables) total += t.size;
    let out = 1;
    while (out < this.levelOptions.maxLevels - 1 && (targets[out] ?? 0) < total) out++;
    if (tables.length === 1 && tables[0]!.level === out) return;
    const level = Math.min(...tables.map((t) => t.level));
    const task: CompactionTask = {
      kind: 'merge',
      level,
      outputLevel: out,
      inputs: tables.filter((t) => t.level !== out),
      overlaps: tables.filter((t) => t.level === out),
      bottommost: true,
      targetFileBytes: this.levelOptions.targetFileBytes,
      score: 1,
    };
    this.startCompaction(task, false);
    const c = this.compacting!;
    const t0 = performance.now();
    c.job.step(Infinity);
    this.compactionMs += performance.now() - t0;
    this.installing = this.compactionInstall(c);
    this.finishInstall();
  }

  /** Abandons the running jobs (their partial outputs deleted) and releases the compaction's pinned set. */
  abandon(): void {
    // An install cut short: close what it opened. Its files stay: once its edit is
    // logged the manifest names them and the next open reads them; before, the next
    // open deletes them.
    if (this.installing !== undefined) {
      // The manifest must not be closed under its sync.
      try {
        this.installing.editSync?.wait();
      } catch {
        // Failed: the edit may not be durable; the next open reads what is.
      }
      for (const t of this.installing.tables) t.reader.close();
    }
    this.installing = undefined;
    this.flushing?.job.abandon();
    this.flushing = undefined;
    if (this.compacting !== undefined) {
      this.compacting.job.abandon();
      this.versions.unpin(this.compacting.set);
      this.compacting = undefined;
    }
  }

  /** Runs every pending flush and compaction to completion (settle). */
  runAll(): void {
    this.maybeStartCompaction();
    while (this.hasWork()) this.doWork(Infinity);
  }

  /** Runs every flush to completion and starts no compaction (close). */
  flushAllWithoutCompaction(): void {
    const auto = this.autoCompaction;
    this.autoCompaction = false;
    try {
      this.flushAll();
    } finally {
      this.autoCompaction = auto;
    }
  }
}
