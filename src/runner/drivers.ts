/**
 * How a repetition reaches the store: one driver per mode. In this thread, the child's own
 * loop calls the store; with client threads (`--threads N`), N worker threads share the
 * calls of each repetition; with a writer thread (read-while-writing on an engine whose
 * store threads may share), this thread reads while a worker thread writes.
 *
 * child.ts owns the phases (repetitions, checks, latency pass) and the result; a driver owns
 * the store's lifecycle within them: which store a repetition finds, how its timed part and
 * its latency pass are made, and which store the checks read afterwards.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { AsyncStore, Engine, Store, SyncStore } from '../engine.js';
import type { Scenario } from '../scenario.js';
import { WRITER_CONTROL_INTS, planReaderWithWriterThread, type ReaderPlan } from './mixed.js';
import { loadStore, type Timed, type WorkloadPlan } from './plan-kit.js';
import { planFor, type AnyPlan } from './plans.js';
import type { ChildJob } from './protocol.js';
import { ClientThreads, WriterThread, type ThreadJob } from './threads.js';

export const gc = (globalThis as { gc?: () => void }).gc;

/**
 * At most this many passes on fresh stores make one sample: each costs a store's preparation,
 * settle, check and removal untimed (about 125 ms for ts deletions at N = 20,000, 25 times
 * the 5 ms pass), so an uncapped sample of a short write pass costs seconds per sample.
 */
export const MAX_FRESH_PASSES = 4;

/** Per-call latencies (ms) and completion times (ms since the pass began) of a latency pass. */
export interface LatencySamples {
  readonly lat: Float64Array;
  readonly completedAt: Float64Array;
}

/** The writer thread's figures for one repetition. */
export interface WriterFigures {
  readonly writes: number;
  readonly opsPerSec: number;
}

export interface RepetitionDriver {
  readonly plan: AnyPlan;
  /**
   * Whether a sample may repeat the timed part on the same store (read and scan workloads in
   * this thread or client threads); not with a writer thread, whose writes change the store.
   */
  readonly repeatablePasses: boolean;
  /**
   * Whether a sample of a workload that changes the store may be several passes, each on a
   * fresh store: prepared by beforeEach, then settled (afterTimed), checked (fullCheck) and
   * closed (endRepetition) like a repetition's. Sound where every pass finds the same fresh
   * store and makes the same calls: the document's write and delete workloads, and the mixed
   * ones, whose sequence is decided against a model of a freshly loaded store (mixed.ts);
   * not with a writer thread, whose writes depend on its speed against the reader's.
   */
  readonly freshPasses: boolean;
  /** Words for the latency method's description: how the calls were made ('' in this thread). */
  readonly threading: string;
  /** Once, before the first repetition: the store repetitions share when the plan leaves it unchanged. */
  beforeAll(): Promise<void>;
  /** Before each repetition: a fresh store when the plan changes it. */
  beforeEach(): Promise<void>;
  /** The timed part of one repetition. */
  timed(): Promise<Timed>;
  /** After the timed part: the store, open, for the checks, and the settle time (null when not settled). */
  afterTimed(): Promise<{ readonly store: Store; readonly settleMs: number | null }>;
  /** The full check of the store after the timed part; what was wrong, or undefined. */
  fullCheck(store: Store): Promise<string | undefined>;
  /** After a repetition's checks: closes what the next repetition must not find open. */
  endRepetition(): Promise<void>;
  /** The latency pass: every call of one repetition timed on its own. */
  latencyPass(): Promise<LatencySamples>;
  /** The writer thread's figures of the last repetition, when there is a writer thread. */
  lastWriter(): WriterFigures | undefined;
  /** Reads of the last repetition that saw an older version than allowed to expect (writer thread only). */
  staleReads(): number | undefined;
  /** The directory of the current store. */
  storeDir(): string;
  /** Closes and removes the store. */
  finishStore(): Promise<void>;
  /** Stops the driver's threads, if any. */
  close(): Promise<void>;
}

/** A store that does nothing: the same timed loop against it is the harness's own cost. */
const EMPTY = new Uint8Array(0);
const nullSync: SyncStore = {
  api: 'sync',
  put() {},
  get: () => EMPTY,
  delete() {},
  has: () => false,
  batch() {},
  scan: () => 0,
  settle: async () => {},
  stats: () => ({}),
  close: async () => {},
};
const nullAsync: AsyncStore = {
  api: 'async',
  put: async () => {},
  get: async () => EMPTY,
  delete: async () => {},
  has: async () => false,
  batch: async () => {},
  scan: async () => 0,
  settle: async () => {},
  stats: () => ({}),
  close: async () => {},
};

export async function timeRun(plan: WorkloadPlan, store: Store, concurrency: number): Promise<Timed> {
  return store.api === 'sync' ? plan.runSync(store) : await plan.runAsync(store, concurrency);
}

/** The harness's own time per counted unit: the best of five timed runs against a store that does nothing. */
export async function harnessOverheadNs(plan: WorkloadPlan, api: Engine['api'], concurrency: number): Promise<number> {
  let best = Infinity;
  for (let r = 0; r < 5; r++) best = Math.min(best, (await timeRun(plan, api === 'sync' ? nullSync : nullAsync, concurrency)).ms);
  return (best * 1e6) / plan.unitsPerRepetition;
}

/** The child's store directories, one per fresh store, and the store open in this thread, if any. */
class StoreSlot {
  current: Store | undefined;
  dir = '';
  private counter = 0;
  constructor(
    private readonly engine: Engine,
    private readonly job: ChildJob,
    private readonly plan: WorkloadPlan,
    private readonly sharedBy: number | undefined,
    private readonly progress: (phase: string) => void,
  ) {}

  private async make(): Promise<Store> {
    this.dir = join(this.job.workDir, `store-${this.counter++}`);
    await mkdir(this.dir, { recursive: true });
    const opened = await this.reopen();
    if (this.plan.precondition === 'loaded') {
      this.progress(`loading ${this.job.scenario.ops} keys`);
      await loadStore(opened, this.job.scenario, this.job.scenario.ops);
    }
    return opened;
  }
  /** A fresh store (loaded when the plan needs it), open in this thread. */
  async openFresh(): Promise<Store> {
    this.current = await this.make();
    return this.current;
  }
  /** A fresh store made (and loaded) here, then closed, for worker threads to open. */
  async prepareClosed(): Promise<void> {
    await (await this.make()).close();
  }
  /** The current directory's store, opened again. */
  reopen(): Promise<Store> {
    return this.engine.open({ dir: this.dir, durability: this.job.durability, options: this.job.options, sharedBy: this.sharedBy });
  }
  /** Closes the open store, if any, and removes its directory unless asked to keep it. */
  async closeAndRemove(): Promise<void> {
    if (this.current === undefined) return;
    const s = this.current;
    this.current = undefined;
    await s.close();
    if (!this.job.keep) await rm(this.dir, { recursive: true, force: true });
  }
  /** Closes the open store, keeping its directory. */
  async closeOnly(): Promise<void> {
    const s = this.current;
    this.current = undefined;
    await s?.close();
  }
  async remove(): Promise<void> {
    if (!this.job.keep && this.dir !== '') await rm(this.dir, { recursive: true, force: true });
  }
}

/** What every driver shares: the store slot, and no writer thread unless it says so. */
abstract class SlotDriver {
  constructor(protected readonly slot: StoreSlot) {}
  lastWriter(): WriterFigures | undefined {
    return undefined;
  }
  staleReads(): number | undefined {
    return undefined;
  }
  storeDir(): string {
    return this.slot.dir;
  }
  async finishStore(): Promise<void> {
    await this.slot.closeAndRemove();
    await this.slot.remove();
  }
}

/** The child's own thread calls the store. */
class InThreadDriver extends SlotDriver implements RepetitionDriver {
  readonly threading: string = '';
  get repeatablePasses(): boolean {
    return !this.plan.mutates;
  }
  get freshPasses(): boolean {
    return this.plan.mutates;
  }
  constructor(
    readonly plan: AnyPlan,
    slot: StoreSlot,
    protected readonly scenario: Scenario,
  ) {
    super(slot);
  }
  async beforeAll(): Promise<void> {
    if (!this.plan.mutates && this.slot.current === undefined) await this.slot.openFresh();
  }
  async beforeEach(): Promise<void> {
    if (this.plan.mutates) await this.slot.openFresh();
  }
  timed(): Promise<Timed> {
    return timeRun(this.plan, this.slot.current!, this.scenario.concurrency);
  }
  async afterTimed(): Promise<{ store: Store; settleMs: number | null }> {
    const store = this.slot.current!;
    if (!this.plan.mutates) return { store, settleMs: null };
    const t0 = performance.now();
    await store.settle();
    return { store, settleMs: performance.now() - t0 };
  }
  fullCheck(store: Store): Promise<string | undefined> {
    return this.plan.verify(store);
  }
  async endRepetition(): Promise<void> {
    if (this.plan.mutates) await this.slot.closeAndRemove();
  }
  /** One pass of every call, each timed, into `out`. */
  protected async pass(store: Store, out: LatencySamples): Promise<undefined> {
    if (store.api === 'sync') this.plan.latencySync(store, out.lat, this.scenario.targetRate, out.completedAt);
    else await this.plan.latencyAsync(store, out.lat, this.scenario.targetRate, out.completedAt);
    return undefined;
  }
  protected async storeForLatency(): Promise<Store> {
    if (this.plan.mutates || this.slot.current === undefined) {
      await this.slot.closeAndRemove();
      await this.slot.openFresh();
    }
    gc?.();
    return this.slot.current!;
  }
  async latencyPass(): Promise<LatencySamples> {
    const out = samplesFor(this.plan);
    await this.pass(await this.storeForLatency(), out);
    return out;
  }
  async close(): Promise<void> {}
}

function samplesFor(plan: WorkloadPlan): LatencySamples {
  return { lat: new Float64Array(plan.callsPerRepetition), completedAt: new Float64Array(plan.callsPerRepetition) };
}

/** This thread reads; a writer thread writes from before the first read until after the last. */
class WriterThreadDriver extends InThreadDriver {
  override readonly threading = ', with the writer thread writing';
  override get repeatablePasses(): boolean {
    return false;
  }
  override get freshPasses(): boolean {
    return false;
  }
  private last: WriterFigures | undefined;
  constructor(
    private readonly reader: ReaderPlan,
    slot: StoreSlot,
    scenario: Scenario,
    private readonly writer: WriterThread,
  ) {
    super(reader, slot, scenario);
  }
  private async whileWriting<T>(timed: () => Promise<T>): Promise<T> {
    const { totals } = await this.writer.begin(this.slot.dir);
    let out: T;
    try {
      out = await timed();
    } finally {
      this.writer.stop();
    }
    const { writes, ms } = await totals;
    this.reader.setWrites(writes);
    this.last = { writes, opsPerSec: (writes * 1000) / ms };
    return out;
  }
  override timed(): Promise<Timed> {
    return this.whileWriting(() => super.timed());
  }
  override async latencyPass(): Promise<LatencySamples> {
    const out = samplesFor(this.plan);
    const store = await this.storeForLatency();
    await this.whileWriting(() => this.pass(store, out));
    return out;
  }
  override lastWriter(): WriterFigures | undefined {
    return this.last;
  }
  override staleReads(): number | undefined {
    return this.reader.staleReads;
  }
  override async close(): Promise<void> {
    await this.writer.close();
  }
}

/** N client threads share each repetition's calls; this thread makes the stores and checks them. */
class ClientThreadsDriver extends SlotDriver implements RepetitionDriver {
  readonly threading: string;
  get repeatablePasses(): boolean {
    return !this.plan.mutates;
  }
  get freshPasses(): boolean {
    return this.plan.mutates;
  }
  private lastSettleMs: number | null = null;
  private lastProblem: string | undefined;
  constructor(
    readonly plan: AnyPlan,
    slot: StoreSlot,
    private readonly scenario: Scenario,
    private readonly clients: ClientThreads,
  ) {
    super(slot);
    const { threads, targetRate } = scenario;
    this.threading = `, ${threads} client threads (each its own share of the calls; samples merged${targetRate === undefined ? '' : `, each thread at ${targetRate / threads} calls/s`})`;
  }
  async beforeAll(): Promise<void> {
    if (!this.plan.mutates) await this.slot.prepareClosed();
  }
  async beforeEach(): Promise<void> {
    if (this.plan.mutates) await this.slot.prepareClosed();
  }
  async timed(): Promise<Timed> {
    const r = await this.clients.run(this.slot.dir);
    this.lastSettleMs = r.settleMs;
    this.lastProblem = r.problem;
    // The threads' own CPU time is not separated from their chunk preparation: not measured.
    return { ms: r.ms, digest: r.digest, cpuMs: null, involuntaryContextSwitches: null };
  }
  /** The threads closed the store; it is opened again here to be checked. */
  async afterTimed(): Promise<{ store: Store; settleMs: number | null }> {
    this.slot.current = await this.slot.reopen();
    return { store: this.slot.current, settleMs: this.lastSettleMs };
  }
  /** A plan that checks recorded answers (contains) has them in the client threads, which checked their own. */
  async fullCheck(store: Store): Promise<string | undefined> {
    return this.plan.checkAnswers !== undefined ? this.lastProblem : await this.plan.verify(store);
  }
  async endRepetition(): Promise<void> {
    // The threads open it themselves next time; the last repetition's is removed after the latency pass.
    if (this.plan.mutates) await this.slot.closeAndRemove();
    else await this.slot.closeOnly();
  }
  async latencyPass(): Promise<LatencySamples> {
    if (this.plan.mutates || this.slot.dir === '') {
      await this.slot.remove();
      await this.slot.prepareClosed();
    }
    gc?.();
    return this.clients.latency(this.slot.dir, this.scenario.targetRate, this.plan.callsPerRepetition);
  }
  async close(): Promise<void> {
    await this.clients.close();
  }
}

/**
 * The driver for a job: client threads (--threads N, document workloads), a writer thread
 * (read-while-writing on an engine whose store threads may share), or this thread; with
 * threads, every open says how many share the store. Starts the threads it needs.
 */
export async function startDriver(job: ChildJob, engine: Engine, progress: (phase: string) => void): Promise<{ driver: RepetitionDriver; overheadNs: number }> {
  const { scenario } = job;
  const threads = scenario.threads;
  const writerThread = job.workload === 'read-while-writing' && job.writer === 'thread';
  if ((threads > 1 || writerThread) && !engine.threads.shared) throw new Error(`${job.engine} cannot share a store between threads: ${engine.threads.reason}`);
  const sharedBy = threads > 1 ? threads : writerThread ? 2 : undefined;
  const threadJob: ThreadJob = { engine: job.engine, workload: job.workload, scenario, durability: job.durability, options: job.options, sharedBy: sharedBy ?? 1 };

  progress('preparing the workload');
  if (writerThread) {
    const progressBuffer = new SharedArrayBuffer(WRITER_CONTROL_INTS * Int32Array.BYTES_PER_ELEMENT);
    const reader = planReaderWithWriterThread(scenario, new Int32Array(progressBuffer));
    const overheadNs = await harnessOverheadNs(reader, engine.api, scenario.concurrency);
    progress('starting the writer thread');
    const writer = await WriterThread.start(threadJob, progressBuffer, scenario.writerRate);
    return { driver: new WriterThreadDriver(reader, new StoreSlot(engine, job, reader, sharedBy, progress), scenario, writer), overheadNs };
  }
  const plan = planFor(job.workload, scenario);
  const overheadNs = await harnessOverheadNs(plan, engine.api, scenario.concurrency);
  const slot = new StoreSlot(engine, job, plan, sharedBy, progress);
  if (threads > 1) {
    progress(`starting ${threads} client threads`);
    const clients = await ClientThreads.start(threadJob, threads, plan.callsPerRepetition, plan.chunkCalls);
    return { driver: new ClientThreadsDriver(plan, slot, scenario, clients), overheadNs };
  }
  return { driver: new InThreadDriver(plan, slot, scenario), overheadNs };
}

