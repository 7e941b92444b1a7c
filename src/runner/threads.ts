/**
 * Client threads (`lsmbench run --threads N`) and the read-while-writing writer thread,
 * on the main-thread side: partitioning the calls, the shared start barrier, and the
 * worker threads' lifecycle. The threads themselves run src/runner/client-thread.ts.
 *
 * A threaded repetition: the main thread has loaded the store and closed it; each of the N
 * threads opens it (its own open(), with `sharedBy: N`), prepares its first chunk, and
 * waits at a barrier; the last to arrive notes the time and releases them all; each runs its
 * share of the calls; the repetition's time runs from that release to the last thread's
 * finish. A thread's share is contiguous: thread w makes calls [floor(w·C/N), floor((w+1)·C/N)),
 * so together they make exactly the single-thread workload's C calls. Shares longer than a
 * chunk run in rounds, a barrier before and after each, so that chunk preparation stays
 * untimed as it is in one thread. Digests are sums of per-call shares, so the threads' sum is
 * the single-thread digest whatever the order.
 */
import { Worker } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import type { Durability } from '../engine.js';
import { errorMessage } from '../errors.js';
import type { Scenario, WorkloadName } from '../scenario.js';
import type { CallRange } from './plan-kit.js';
import { WRITER_DONE, WRITER_STARTED, WRITER_STOP } from './mixed.js';

/** Thread w's share of `calls` calls among `threads`: contiguous, sizes differing by at most one. */
export function partition(calls: number, threads: number): CallRange[] {
  return Array.from({ length: threads }, (_, w) => ({ begin: Math.floor((w * calls) / threads), end: Math.floor(((w + 1) * calls) / threads) }));
}

/** Rounds every thread runs: enough for the longest share, a chunk at a time. */
export function roundsFor(ranges: readonly CallRange[], chunkCalls: number): number {
  return Math.max(1, ...ranges.map((r) => Math.ceil((r.end - r.begin) / chunkCalls)));
}

/** Calls of round `r` of a share (possibly none). */
export function roundRange(range: CallRange, r: number, chunkCalls: number): CallRange {
  const begin = Math.min(range.end, range.begin + r * chunkCalls);
  return { begin, end: Math.min(range.end, begin + chunkCalls) };
}

/** Milliseconds on a clock all threads share (performance.now() counts from each thread's own origin). */
export const sharedNow = (): number => performance.timeOrigin + performance.now();

/** Int32 slots of the barrier's control buffer. */
const ARRIVED = 0;
const GENERATION = 1;
const ABORTED = 2;

export class ThreadsAborted extends Error {}

/**
 * A reusable barrier for `parties` threads over a SharedArrayBuffer. Only worker threads
 * wait at it (the main thread must not block). `onRelease` runs in the last thread to arrive,
 * just before the others are released. A thread that fails calls abort(), which wakes every
 * waiting thread with a ThreadsAborted error instead of leaving them blocked.
 */
export class Barrier {
  private readonly ctl: Int32Array;
  constructor(
    buffer: SharedArrayBuffer,
    private readonly parties: number,
  ) {
    this.ctl = new Int32Array(buffer);
  }
  static buffer(): SharedArrayBuffer {
    return new SharedArrayBuffer(4 * Int32Array.BYTES_PER_ELEMENT);
  }
  wait(onRelease?: () => void): void {
    const ctl = this.ctl;
    const generation = Atomics.load(ctl, GENERATION);
    if (Atomics.load(ctl, ABORTED) !== 0) throw new ThreadsAborted('another thread failed');
    if (Atomics.add(ctl, ARRIVED, 1) === this.parties - 1) {
      Atomics.store(ctl, ARRIVED, 0);
      onRelease?.();
      Atomics.add(ctl, GENERATION, 1);
      Atomics.notify(ctl, GENERATION);
      return;
    }
    while (Atomics.load(ctl, GENERATION) === generation) {
      if (Atomics.load(ctl, ABORTED) !== 0) throw new ThreadsAborted('another thread failed');
      Atomics.wait(ctl, GENERATION, generation, 1000);
    }
  }
  abort(): void {
    Atomics.store(this.ctl, ABORTED, 1);
    Atomics.notify(this.ctl, GENERATION);
  }
}

/** What every thread of a run needs to make its store and its plan. */
export interface ThreadJob {
  readonly engine: string;
  readonly workload: WorkloadName;
  readonly scenario: Scenario;
  readonly durability: Durability;
  readonly options: Readonly<Record<string, string>>;
  /** Threads that will have the store open at once (the open()'s `sharedBy`). */
  readonly sharedBy: number;
}

export type ThreadData =
  | (ThreadJob & {
      readonly role: 'client';
      readonly index: number;
      readonly threads: number;
      readonly range: CallRange;
      readonly rounds: number;
      readonly barrier: SharedArrayBuffer;
      /** Float64: [0] a round's start, [1 + w] thread w's finish, on the shared clock. */
      readonly times: SharedArrayBuffer;
    })
  | (ThreadJob & { readonly role: 'writer'; readonly progress: SharedArrayBuffer; readonly writerRate: number | undefined });

export type ToThread =
  | { readonly type: 'run'; readonly dir: string }
  | { readonly type: 'latency'; readonly dir: string; readonly targetRate: number | undefined }
  | { readonly type: 'write'; readonly dir: string };

export type FromThread =
  | { readonly type: 'ready' }
  | { readonly type: 'ran'; readonly digest: number; readonly ms: number; readonly settleMs: number | null; readonly problem: string | undefined }
  | { readonly type: 'latency'; readonly lat: Float64Array; readonly completedAt: Float64Array; readonly startedAt: number }
  | { readonly type: 'writing' }
  | { readonly type: 'wrote'; readonly writes: number; readonly ms: number }
  | { readonly type: 'error'; readonly message: string; readonly aborted: boolean };

const THREAD = new URL('./client-thread.js', import.meta.url);

/** One worker thread and the replies it owes, answered in order. */
class Thread {
  private readonly worker: Worker;
  private readonly waiting: { resolve: (m: FromThread) => void; reject: (e: Error) => void }[] = [];
  private failure: Error | undefined;
  constructor(data: ThreadData) {
    this.worker = new Worker(THREAD, { workerData: data });
    this.worker.on('message', (m: FromThread) => {
      const w = this.waiting.shift();
      if (m.type === 'error') {
        const err = m.aborted ? new ThreadsAborted(m.message) : new Error(m.message);
        if (w !== undefined) w.reject(err);
        else this.failure ??= err;
      } else w?.resolve(m);
    });
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', (code) => this.fail(new Error(`a worker thread exited with code ${code}`)));
  }
  private fail(err: Error): void {
    this.failure ??= err;
    for (const w of this.waiting.splice(0)) w.reject(err);
  }
  /** The next reply of the thread (its first: 'ready'). */
  reply(): Promise<FromThread> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }
  send(message: ToThread): Promise<FromThread> {
    const answer = this.reply();
    this.worker.postMessage(message);
    return answer;
  }
  async stop(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }
}

/** The first real failure among the threads' answers (not the "another thread failed" of the others). */
async function settleAll<T>(answers: Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(answers);
  const failures = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected').map((s) => s.reason as Error);
  if (failures.length > 0) throw failures.find((e) => !(e instanceof ThreadsAborted)) ?? failures[0]!;
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}

/** N client threads that run a workload's calls between them, repetition after repetition. */
export class ClientThreads {
  private constructor(
    private readonly threads: Thread[],
    private readonly barrier: Barrier,
    readonly ranges: readonly CallRange[],
  ) {}

  static async start(job: ThreadJob, threads: number, calls: number, chunkCalls: number): Promise<ClientThreads> {
    const ranges = partition(calls, threads);
    const rounds = roundsFor(ranges, chunkCalls);
    const barrier = Barrier.buffer();
    const times = new SharedArrayBuffer((threads + 1) * Float64Array.BYTES_PER_ELEMENT);
    const started = ranges.map((range, index) => new Thread({ ...job, role: 'client', index, threads, range, rounds, barrier, times }));
    const pool = new ClientThreads(started, new Barrier(barrier, threads), ranges);
    try {
      await settleAll(started.map((t) => t.reply()));
    } catch (err) {
      await pool.close();
      throw err;
    }
    return pool;
  }

  private async all(message: ToThread): Promise<FromThread[]> {
    const answers = this.threads.map((t) =>
      t.send(message).catch((err: unknown) => {
        this.barrier.abort(); // no thread may be left waiting for one that failed
        throw err instanceof Error ? err : new Error(errorMessage(err));
      }),
    );
    return settleAll(answers);
  }

  /** One timed repetition on the store in `dir`: the summed digest, the wall time, and any thread's problem. */
  async run(dir: string): Promise<{ digest: number; ms: number; settleMs: number | null; problem: string | undefined }> {
    const replies = (await this.all({ type: 'run', dir })) as Extract<FromThread, { type: 'ran' }>[];
    let digest = 0;
    for (const r of replies) digest = (digest + r.digest) | 0;
    const settles = replies.map((r) => r.settleMs).filter((x): x is number => x !== null);
    return {
      digest,
      ms: replies[0]!.ms,
      settleMs: settles.length > 0 ? Math.max(...settles) : null,
      problem: replies.find((r) => r.problem !== undefined)?.problem,
    };
  }

  /**
   * The latency pass: every thread times each of its calls; the samples are merged, and
   * completion times are put on one clock from the earliest thread's start. `targetRate`
   * is the total: each thread issues its share at targetRate / N.
   */
  async latency(dir: string, targetRate: number | undefined, calls: number): Promise<{ lat: Float64Array; completedAt: Float64Array }> {
    const perThread = targetRate === undefined ? undefined : targetRate / this.threads.length;
    const replies = (await this.all({ type: 'latency', dir, targetRate: perThread })) as Extract<FromThread, { type: 'latency' }>[];
    const lat = new Float64Array(calls);
    const completedAt = new Float64Array(calls);
    const origin = Math.min(...replies.map((r) => r.startedAt));
    replies.forEach((r, w) => {
      const { begin } = this.ranges[w]!;
      lat.set(r.lat, begin);
      const shift = r.startedAt - origin;
      for (let k = 0; k < r.completedAt.length; k++) completedAt[begin + k] = r.completedAt[k]! + shift;
    });
    // The interval series buckets calls by completion time, and expects them in that order.
    const order = Array.from({ length: calls }, (_, c) => c).sort((a, b) => completedAt[a]! - completedAt[b]!);
    return { lat: Float64Array.from(order, (c) => lat[c]!), completedAt: Float64Array.from(order, (c) => completedAt[c]!) };
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.stop()));
  }
}

/** The read-while-writing writer thread: started per repetition, stopped when the reads are done. */
export class WriterThread {
  private constructor(
    private readonly thread: Thread,
    private readonly control: Int32Array,
    readonly progress: SharedArrayBuffer,
  ) {}

  static async start(job: ThreadJob, progress: SharedArrayBuffer, writerRate: number | undefined): Promise<WriterThread> {
    const thread = new Thread({ ...job, role: 'writer', progress, writerRate });
    const writer = new WriterThread(thread, new Int32Array(progress), progress);
    try {
      await thread.reply();
    } catch (err) {
      await thread.stop();
      throw err;
    }
    return writer;
  }

  /**
   * Starts writing to the store in `dir` (the counters start from zero); resolves once the
   * writer has opened the store and begun, with a promise of its totals after stop()
   * (wrapped: an async function returning a promise would wait for it).
   */
  async begin(dir: string): Promise<{ totals: Promise<{ writes: number; ms: number }> }> {
    Atomics.store(this.control, WRITER_STARTED, 0);
    Atomics.store(this.control, WRITER_DONE, 0);
    Atomics.store(this.control, WRITER_STOP, 0);
    const writing = this.thread.send({ type: 'write', dir });
    const wrote = this.thread.reply();
    wrote.catch(() => {}); // handled by whoever awaits the totals; a failure to start shows in `writing`
    await writing;
    return {
      totals: wrote.then((m) => {
        if (m.type !== 'wrote') throw new Error(`the writer thread answered '${m.type}'`);
        return { writes: m.writes, ms: m.ms };
      }),
    };
  }

  /** Tells the writer to finish its current write and stop. */
  stop(): void {
    Atomics.store(this.control, WRITER_STOP, 1);
  }

  async close(): Promise<void> {
    await this.thread.stop();
  }
}
