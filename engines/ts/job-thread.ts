/**
 * Flushes and compactions on a thread of their own (job-worker.ts), for a tree on the
 * real file system. The caller's thread only starts a job (a message), notices that it
 * finished (one load of shared memory per check) and installs its outputs; merging,
 * writing and fsyncing the tables happen on the other core.
 *
 * Why: stepping jobs on the caller's thread made about one write in a hundred pay a
 * slice of tens of microseconds, and at N = 10,000,000 the p99.9 of writes was 16-40x
 * the median (engines/ts/README.md, "The write tail").
 *
 * How the work gets there without a copy on this thread:
 * - a memtable's arena and nodes live in shared memory (Memtable `shared`); a flush
 *   sends the frozen memtable's image, which the worker sorts and writes as an L0
 *   table (replaying the memtable's WAL instead cost the worker ~400 ms a memtable);
 * - a compaction names its input tables, which the caller keeps pinned (not deleted)
 *   until the job ends; the worker opens them itself;
 * - output file numbers are allocated here, before the job starts.
 * The outputs come back as table entries and the blocks each output was written with,
 * so the install opens them without reading the files (TableReader.openWritten).
 *
 * The caller never yields (a synchronous store), so replies are read with
 * receiveMessageOnPort, gated by a counter in shared memory that the worker bumps
 * after each reply; waiting (settle, close, a write stopped by back-pressure) is an
 * Atomics.wait on that counter.
 */
import { receiveMessageOnPort, MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { CorruptionError, ManifestCorruptionError, TableCorruptionError, WalCorruptionError } from './errors.js';
import type { Job } from './job.js';
import type { TableEntry } from './manifest.js';
import type { MemtableImage } from './memtable.js';
import type { TableBlocks, TableOptions } from './table.js';

/** Shared counters (int32 slots): replies posted by the worker, and its steps (a heartbeat). */
export const REPLIES = 0;
export const HEARTBEAT = 1;
const CONTROL_SLOTS = 2;
/** Shared float64 slot: milliseconds the worker has spent stepping jobs, in all. */
export const BUSY_MS = 0;
/** How long a wait may see no step and no reply before the worker is taken for dead. */
const SILENT_LIMIT_MS = 120_000;

export interface FlushRequest {
  readonly type: 'flush';
  readonly id: number;
  /** The frozen memtable, in shared memory. */
  readonly image: MemtableImage;
  readonly snapshots: readonly number[];
  readonly fileNumber: number;
}

export interface CompactionRequest {
  readonly type: 'compaction';
  readonly id: number;
  readonly inputs: readonly { readonly id: number; readonly path: string }[];
  readonly outputLevel: number;
  readonly bottommost: boolean;
  readonly targetFileBytes: number;
  readonly snapshots: readonly number[];
  /** Numbers for the outputs, in order; more than the job can need. */
  readonly fileNumbers: readonly number[];
}

export interface AbortRequest {
  readonly type: 'abort';
  readonly id: number;
}

/** Files no version needs, to delete (no answer: a file left by a failure is an orphan the next open deletes). */
export interface RemoveRequest {
  readonly type: 'remove';
  readonly paths: readonly string[];
}

export type JobRequest = FlushRequest | CompactionRequest | AbortRequest | RemoveRequest;

/** An error as it crosses the thread: enough to rebuild a CorruptionError with its file and offset. */
export interface ErrorReply {
  readonly name: string;
  readonly message: string;
  readonly file?: string;
  readonly offset?: number;
  readonly reason?: string;
}

export type JobReply =
  | {
      readonly type: 'done';
      readonly id: number;
      readonly outputs: readonly TableEntry[];
      readonly blocks: readonly (readonly [number, TableBlocks])[];
      readonly bytesRead: number;
      readonly bytesWritten: number;
      readonly entriesDropped: number;
      /** Time the job took on the worker. */
      readonly ms: number;
    }
  | { readonly type: 'failed'; readonly id: number; readonly error: ErrorReply }
  | { readonly type: 'aborted'; readonly id: number };

export interface WorkerSetup {
  readonly control: SharedArrayBuffer;
  readonly timing: SharedArrayBuffer;
  readonly port: MessagePort;
  readonly dir: string;
  readonly tableOptions: TableOptions;
}

/** An error from the worker, rebuilt with its class where it is one of the store's corruption errors. */
export function errorFromReply(e: ErrorReply): Error {
  if (e.file !== undefined && e.offset !== undefined && e.reason !== undefined) {
    const kinds = { CorruptionError, WalCorruptionError, ManifestCorruptionError, TableCorruptionError } as const;
    const Kind = kinds[e.name as keyof typeof kinds] ?? CorruptionError;
    return new Kind(e.file, e.offset, e.reason);
  }
  const err = new Error(`background thread: ${e.message}`);
  err.name = e.name;
  return err;
}

/** The caller's handle on a job running on the worker: a Job like the caller-thread ones. */
export class ThreadJob implements Job {
  private finished = false;
  private abandoned = false;
  private failure: Error | undefined;
  private result: Extract<JobReply, { type: 'done' }> | undefined;
  private readonly blocks = new Map<number, TableBlocks>();

  constructor(
    private readonly thread: JobThread,
    readonly id: number,
  ) {}

  /** Checks for the reply (waits for it when the budget is unbounded); true once done. Rethrows the job's failure. */
  step(budgetBytes: number): boolean {
    if (!this.finished && !this.abandoned) this.thread.poll(budgetBytes === Infinity ? this : undefined);
    if (this.failure !== undefined) throw this.failure;
    if (this.abandoned) throw new Error('background job stepped after it was abandoned');
    return this.finished;
  }

  get done(): boolean {
    return this.finished;
  }
  get outputs(): readonly TableEntry[] {
    return this.result?.outputs ?? [];
  }
  get outputBlocks(): ReadonlyMap<number, TableBlocks> {
    return this.blocks;
  }
  get bytesRead(): number {
    return this.result?.bytesRead ?? 0;
  }
  get bytesWritten(): number {
    return this.result?.bytesWritten ?? 0;
  }
  get entriesDropped(): number {
    return this.result?.entriesDropped ?? 0;
  }
  /** Milliseconds the job took on the worker (0 until done). */
  get threadMs(): number {
    return this.result?.ms ?? 0;
  }
  /** No reply yet: the job may still be running. */
  get pending(): boolean {
    return !this.finished && this.failure === undefined && !this.abandoned;
  }

  /** Stops the job; the worker removes its partial outputs (a finished job's outputs stay, like MergeJob's). Waits for the worker. */
  abandon(): void {
    if (this.finished || this.abandoned) return;
    this.abandoned = true;
    if (this.failure === undefined) this.thread.abort(this);
  }

  /** Takes the worker's reply. */
  settle(reply: JobReply): void {
    if (reply.type === 'done') {
      this.result = reply;
      for (const [id, b] of reply.blocks) this.blocks.set(id, b);
      this.finished = true;
    } else if (reply.type === 'failed') this.failure = errorFromReply(reply.error);
    else this.failure ??= new Error('background job aborted');
  }
}

/**
 * The worker thread and the jobs it runs for one tree. The worker starts with the first
 * job (about 30 ms on its own thread; this one only creates it) and lives until close().
 */
export class JobThread {
  private worker: Worker | undefined;
  private port: MessagePort | undefined;
  private readonly control = new Int32Array(new SharedArrayBuffer(4 * CONTROL_SLOTS));
  private readonly timing = new Float64Array(new SharedArrayBuffer(8));
  private received = 0;
  private nextId = 1;
  private readonly running = new Map<number, ThreadJob>();
  /** Why the worker stopped, once it has (an 'error' or 'exit' seen by the event loop). */
  private dead: Error | undefined;
  /** Called when a reply arrives by the event loop (the caller yielded): the tree installs it then. */
  onReply: (() => void) | undefined;

  constructor(
    private readonly dir: string,
    private readonly tableOptions: TableOptions,
  ) {}

  /** Milliseconds the worker has spent on jobs so far. */
  get busyMs(): number {
    return this.timing[BUSY_MS]!;
  }

  /** Jobs started and not yet answered. */
  get busy(): boolean {
    return this.running.size > 0;
  }

  flush(image: MemtableImage, snapshots: readonly number[], fileNumber: number): ThreadJob {
    const job = new ThreadJob(this, this.nextId++);
    this.send({ type: 'flush', id: job.id, image, snapshots: [...snapshots], fileNumber }, job);
    return job;
  }

  compaction(
    inputs: readonly { id: number; path: string }[],
    task: { outputLevel: number; bottommost: boolean; targetFileBytes: number },
    snapshots: readonly number[],
    fileNumbers: readonly number[],
  ): ThreadJob {
    const job = new ThreadJob(this, this.nextId++);
    this.send(
      {
        type: 'compaction',
        id: job.id,
        inputs: inputs.map((i) => ({ id: i.id, path: i.path })),
        outputLevel: task.outputLevel,
        bottommost: task.bottommost,
        targetFileBytes: task.targetFileBytes,
        snapshots: [...snapshots],
        fileNumbers: [...fileNumbers],
      },
      job,
    );
    return job;
  }

  private send(req: JobRequest, job: ThreadJob): void {
    if (this.dead !== undefined) throw this.dead;
    this.running.set(job.id, job);
    this.start().postMessage(req);
  }

  private start(): MessagePort {
    if (this.port !== undefined) return this.port;
    const { port1, port2 } = new MessageChannel();
    const setup: WorkerSetup = { control: this.control.buffer as SharedArrayBuffer, timing: this.timing.buffer as SharedArrayBuffer, port: port2, dir: this.dir, tableOptions: this.tableOptions };
    // Own stdout and stderr, and none of the parent's execArgv: see startSync in fs.ts.
    const worker = new Worker(new URL('./job-worker.js', import.meta.url), { workerData: setup, transferList: [port2], stdout: true, stderr: true, execArgv: [] });
    worker.unref();
    worker.on('error', (err: Error) => {
      this.dead = new Error(`background thread failed: ${err.message}`);
    });
    worker.on('exit', (code) => {
      this.dead ??= new Error(`background thread exited (code ${code})`);
    });
    // Replies also arrive by the event loop when the caller yields; the port does not keep the process alive.
    port1.on('message', (reply: JobReply) => {
      this.take(reply);
      this.onReply?.();
    });
    port1.unref();
    this.worker = worker;
    this.port = port1;
    return port1;
  }

  private take(reply: JobReply): void {
    this.received++;
    const job = this.running.get(reply.id);
    if (job === undefined) return; // the answer to an abort that came after the job's end
    this.running.delete(reply.id);
    job.settle(reply);
  }

  /** Reads the replies posted so far; with `until`, waits until that job has its reply. */
  poll(until?: ThreadJob): void {
    const port = this.port;
    if (port === undefined) return;
    let lastBeat = Atomics.load(this.control, HEARTBEAT);
    let lastChange = performance.now();
    for (;;) {
      while (this.received < Atomics.load(this.control, REPLIES)) {
        const m = receiveMessageOnPort(port);
        if (m === undefined) break; // counted, not yet deliverable: the next poll takes it
        this.take(m.message as JobReply);
      }
      if (until === undefined || !this.running.has(until.id)) return;
      if (this.dead !== undefined) throw this.dead;
      Atomics.wait(this.control, REPLIES, this.received, 100);
      const beat = Atomics.load(this.control, HEARTBEAT);
      const now = performance.now();
      if (beat !== lastBeat) {
        lastBeat = beat;
        lastChange = now;
      } else if (now - lastChange > SILENT_LIMIT_MS) {
        this.dead = new Error(`background thread has not answered in ${SILENT_LIMIT_MS / 1000} s`);
        throw this.dead;
      }
    }
  }

  /** Waits up to `ms` for the next reply (a write stopped by back-pressure); returns at once if none is due. */
  waitForReply(ms: number): void {
    if (this.running.size === 0 || this.port === undefined) return;
    if (this.received === Atomics.load(this.control, REPLIES)) Atomics.wait(this.control, REPLIES, this.received, ms);
    this.poll();
  }

  /**
   * Deletes retired files on the worker (deleting a 32 MiB table took 1-14 ms here: the
   * kernel frees its pages in the call). Before the worker exists they go with it.
   */
  remove(paths: readonly string[]): void {
    if (this.dead !== undefined) throw this.dead;
    this.start().postMessage({ type: 'remove', paths } satisfies RemoveRequest);
  }

  /** Asks the worker to stop `job` and waits for its answer. */
  abort(job: ThreadJob): void {
    if (!this.running.has(job.id) || this.dead !== undefined) {
      this.running.delete(job.id);
      return;
    }
    this.port!.postMessage({ type: 'abort', id: job.id } satisfies AbortRequest);
    this.poll(job);
  }

  /** Aborts what still runs, waits for the removals asked for, and stops the worker. */
  close(): void {
    try {
      for (const job of [...this.running.values()]) job.abandon();
      if (this.port !== undefined && this.dead === undefined) {
        // The worker answers requests in order: once an abort of no job is answered,
        // every removal sent before it is done.
        const barrier = new ThreadJob(this, this.nextId++);
        this.running.set(barrier.id, barrier);
        this.abort(barrier);
      }
    } catch {
      // A dead worker: nothing left to stop or wait for.
    }
    this.running.clear();
    if (this.worker !== undefined) void this.worker.terminate();
    this.port?.close();
    this.worker = undefined;
    this.port = undefined;
  }
}
