/**
 * The plan kit every runner file stands on: how a scenario's records are made into
 * caller-owned buffers (RecordMaker, Slots), what a workload plan is (WorkloadPlan) and
 * how one is built from a call-by-call Program (planFrom), the digest shares, and the
 * checks and untimed load shared by the document's workloads and the mixed ones.
 */
import type { AsyncStore, BatchOp, Store, SyncStore } from '../engine.js';
import { compareBytes } from '../engine.js';
import { Stream, deriveSeed, writeKey, writeValue } from '../keyspace.js';
import type { Scenario, WorkloadName } from '../scenario.js';
import { performance } from 'node:perf_hooks';

/** Operations per chunk: the default N fits in one. */
export const CHUNK_OPS = 1 << 17;

/** key(i) and value(i) of a scenario, written into caller-owned buffers. */
export class RecordMaker {
  readonly keySize: number;
  readonly valueSize: number;
  private readonly valueSeed: number;
  constructor(scenario: Pick<Scenario, 'keySize' | 'valueSize' | 'seed'>) {
    this.keySize = scenario.keySize;
    this.valueSize = scenario.valueSize;
    this.valueSeed = deriveSeed(scenario.seed, Stream.values);
  }
  key(i: number, out: Uint8Array, offset = 0): void {
    writeKey(i, this.keySize, out, offset);
  }
  /** Version v > 0 is the v-th update of record i in the mixed workloads. */
  value(i: number, out: Uint8Array, offset = 0, version = 0): void {
    writeValue(this.valueSeed, i, this.valueSize, out, offset, version);
  }
}

/** Buffers for one chunk of keys and values, with a view per slot, made once. */
export class Slots {
  readonly keys: Uint8Array[];
  readonly values: Uint8Array[];
  constructor(
    private readonly space: RecordMaker,
    capacity: number,
    withValues: boolean,
  ) {
    const ks = space.keySize;
    const vs = space.valueSize;
    const keyBuf = new Uint8Array(capacity * ks);
    this.keys = Array.from({ length: capacity }, (_, s) => keyBuf.subarray(s * ks, (s + 1) * ks));
    const valueBuf = new Uint8Array(withValues ? capacity * vs : 0);
    this.values = withValues ? Array.from({ length: capacity }, (_, s) => valueBuf.subarray(s * vs, (s + 1) * vs)) : [];
  }
  setKey(slot: number, i: number): void {
    this.space.key(i, this.keys[slot]!);
  }
  setEntry(slot: number, i: number, version = 0): void {
    this.space.key(i, this.keys[slot]!);
    this.space.value(i, this.values[slot]!, 0, version);
  }
}

/** How a repetition finds the store before its timed part. */
export type Precondition = 'empty' | 'loaded';

export interface Timed {
  /** Digest of the store's answers; compare with the plan's expectedDigest. */
  readonly digest: number;
  /** Milliseconds spent in the timed loops, chunk preparation excluded. */
  readonly ms: number;
  /** User + system CPU time of the process in the timed loops (null: not measured here). */
  readonly cpuMs: number | null;
  /** Involuntary context switches of the process in the timed loops (null: not measured here). */
  readonly involuntaryContextSwitches: number | null;
}

/** The process's CPU time (ms) and involuntary context switches so far: one getrusage per chunk, none per operation. */
function usage(): { cpuMs: number; switches: number } {
  const u = process.resourceUsage();
  return { cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000, switches: u.involuntaryContextSwitches };
}

export interface WorkloadPlan {
  readonly name: WorkloadName;
  /** What one counted operation is. */
  readonly unit: 'op' | 'entry';
  readonly precondition: Precondition;
  /** True when the timed part changes the store, so each repetition needs a fresh one. */
  readonly mutates: boolean;
  /** Units counted per repetition (ops for point workloads, entries for scans). */
  readonly unitsPerRepetition: number;
  /** Store calls per repetition: operations, batches, or scans. */
  readonly callsPerRepetition: number;
  /** Logical bytes the timed part writes (for write amplification), 0 for reads. */
  readonly logicalBytesWritten: number;
  /** The digest a correct store gives, or undefined when the digest carries no check (writes). */
  readonly expectedDigest: number | undefined;
  /** Calls per chunk: the most calls `fill` prepares at once. */
  readonly chunkCalls: number;
  /** Prepares calls [from, to), at most chunkCalls of them (untimed). */
  fill(from: number, to: number): void;
  /** The timed loop over calls [from, to), prepared by the last `fill`; returns their share of the digest. */
  loopSync(store: SyncStore, from: number, to: number): number;
  /** The same on an asynchronous store, `concurrency` calls outstanding. */
  loopAsync(store: AsyncStore, from: number, to: number, concurrency: number): Promise<number>;
  /**
   * For plans whose full check is of answers the timed loop recorded (contains): checks
   * those of calls [from, to) from the last run. Threaded runs call it in each thread.
   */
  checkAnswers?(from: number, to: number): string | undefined;
  /** The timed part on a synchronous store. */
  runSync(store: SyncStore): Timed;
  /** The timed part on an asynchronous store, `concurrency` calls outstanding. */
  runAsync(store: AsyncStore, concurrency: number): Promise<Timed>;
  /**
   * Every call timed on its own, in milliseconds, into `out` (length callsPerRepetition).
   * With a target rate (calls per second) the pass is open-loop: call c is due at c / rate
   * seconds, is issued no earlier, and its latency runs from when it was due, so a stall
   * shows in every call it delays (no coordinated omission). Chunk preparation pauses the schedule.
   * `completedAt` receives each call's completion time, in milliseconds since the pass began
   * (chunk preparation excluded). With `range`, only calls [begin, end) are made, and
   * `out` and `completedAt` are indexed from `begin` (a thread's share of the calls).
   */
  latencySync(store: SyncStore, out: Float64Array, targetRate?: number, completedAt?: Float64Array, range?: CallRange): void;
  latencyAsync(store: AsyncStore, out: Float64Array, targetRate?: number, completedAt?: Float64Array, range?: CallRange): Promise<void>;
  /** Full checks after the timed part; returns what was wrong, or undefined. */
  verify(store: Store): Promise<string | undefined>;
}

/**
 * What a workload does, call by call. `fill` prepares the slots for calls [from, to)
 * (untimed); `loop` is the tight timed loop over those calls and returns their digest
 * share; `call` and `callAsync` make one call (c is the call's number in the run).
 */
export interface Program {
  readonly calls: number;
  readonly chunkCalls: number;
  fill(from: number, to: number): void;
  loop(store: SyncStore, from: number, to: number): number;
  call(store: SyncStore, c: number, from: number): number;
  callAsync(store: AsyncStore, c: number, from: number): Promise<number>;
}

/** Calls [begin, end) of a run. */
export interface CallRange {
  readonly begin: number;
  readonly end: number;
}

export type PlanShape = Omit<WorkloadPlan, 'runSync' | 'runAsync' | 'latencySync' | 'latencyAsync' | 'chunkCalls' | 'fill' | 'loopSync' | 'loopAsync'>;

/**
 * When call c of the latency pass starts: now, closed-loop (interval 0); open-loop, it
 * waits (spinning: a timer would be far coarser than a call) until the call is due, and
 * counts from the due time even when the call is late.
 */
function issueTime(start: number, c: number, interval: number): number {
  let t = performance.now();
  if (interval === 0) return t;
  const due = start + c * interval;
  while (t < due) t = performance.now();
  return due;
}

export function planFrom(shape: PlanShape, program: Program): WorkloadPlan {
  const { calls, chunkCalls } = program;
  /** Calls [from, to) of the last fill, `concurrency` outstanding; returns their digest share. */
  const loopAsync = async (store: AsyncStore, from: number, to: number, concurrency: number): Promise<number> => {
    let digest = 0;
    let next = from;
    const worker = async (): Promise<void> => {
      while (next < to) {
        const c = next++;
        const share = await program.callAsync(store, c, from);
        digest = (digest + share) | 0; // read `digest` only after the await: other workers update it meanwhile
      }
    };
    const workers: Promise<void>[] = [];
    for (let w = 0; w < Math.min(concurrency, to - from); w++) workers.push(worker());
    await Promise.all(workers);
    return digest;
  };
  return {
    ...shape,
    chunkCalls,
    fill: (from, to) => program.fill(from, to),
    loopSync: (store, from, to) => program.loop(store, from, to),
    loopAsync,
    runSync(store) {
      let digest = 0;
      let ms = 0;
      let cpuMs = 0;
      let switches = 0;
      for (let from = 0; from < calls; from += chunkCalls) {
        const to = Math.min(calls, from + chunkCalls);
        program.fill(from, to);
        const u0 = usage();
        const t0 = performance.now();
        digest = (digest + program.loop(store, from, to)) | 0;
        ms += performance.now() - t0;
        const u1 = usage();
        cpuMs += u1.cpuMs - u0.cpuMs;
        switches += u1.switches - u0.switches;
      }
      return { digest, ms, cpuMs, involuntaryContextSwitches: switches };
    },
    async runAsync(store, concurrency) {
      let digest = 0;
      let ms = 0;
      let cpuMs = 0;
      let switches = 0;
      for (let from = 0; from < calls; from += chunkCalls) {
        const to = Math.min(calls, from + chunkCalls);
        program.fill(from, to);
        const u0 = usage();
        const t0 = performance.now();
        digest = (digest + (await loopAsync(store, from, to, concurrency))) | 0;
        ms += performance.now() - t0;
        const u1 = usage();
        cpuMs += u1.cpuMs - u0.cpuMs;
        switches += u1.switches - u0.switches;
      }
      return { digest, ms, cpuMs, involuntaryContextSwitches: switches };
    },
    latencySync(store, out, targetRate, completedAt, range) {
      const interval = targetRate === undefined ? 0 : 1000 / targetRate;
      const begin = range?.begin ?? 0;
      const end = range?.end ?? calls;
      let start = performance.now();
      for (let from = begin; from < end; from += chunkCalls) {
        const to = Math.min(end, from + chunkCalls);
        const fillStart = performance.now();
        program.fill(from, to);
        start += performance.now() - fillStart;
        for (let c = from; c < to; c++) {
          const t = issueTime(start, c - begin, interval);
          program.call(store, c, from);
          const done = performance.now();
          out[c - begin] = done - t;
          if (completedAt !== undefined) completedAt[c - begin] = done - start;
        }
      }
    },
    async latencyAsync(store, out, targetRate, completedAt, range) {
      const interval = targetRate === undefined ? 0 : 1000 / targetRate;
      const begin = range?.begin ?? 0;
      const end = range?.end ?? calls;
      let start = performance.now();
      for (let from = begin; from < end; from += chunkCalls) {
        const to = Math.min(end, from + chunkCalls);
        const fillStart = performance.now();
        program.fill(from, to);
        start += performance.now() - fillStart;
        for (let c = from; c < to; c++) {
          const t = issueTime(start, c - begin, interval);
          await program.callAsync(store, c, from);
          const done = performance.now();
          out[c - begin] = done - t;
          if (completedAt !== undefined) completedAt[c - begin] = done - start;
        }
      }
    },
  };
}

/**
 * Digest shares. Each is weighted by the call's position (2c + 1, odd so no share vanishes),
 * and shares are summed: order-independent, yet a value returned for the wrong key changes it.
 */
export function valueShare(v: Uint8Array | undefined, c: number): number {
  if (v === undefined) return Math.imul(MISSING, 2 * c + 1);
  const n = v.length;
  const h = 1 + n + (n > 0 ? v[0]! + 3 * v[n >> 1]! + 7 * v[n - 1]! : 0);
  return Math.imul(h, 2 * c + 1);
}
export function entryShare(k: Uint8Array, v: Uint8Array): number {
  return (k[k.length - 1]! + 5 * (k.length > 1 ? k[k.length - 2]! : 0) + 11 * (v.length > 0 ? v[0]! : 0) + 1) | 0;
}
export const MISSING = 0x7fffffff;

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && compareBytes(a, b) === 0;
}
export const ascii = (u: Uint8Array): string => Buffer.from(u).toString('latin1');

/**
 * Checks that get(key(i)) is value(i) (version versions[i] when given) for every i < n,
 * and that a full scan yields exactly key(0..n-1) in order.
 */
export async function verifyLoaded(store: Store, space: RecordMaker, n: number, versions?: Uint32Array): Promise<string | undefined> {
  const key = new Uint8Array(space.keySize);
  const value = new Uint8Array(space.valueSize);
  for (let i = 0; i < n; i++) {
    space.key(i, key);
    const got = await store.get(key);
    if (got === undefined) return `key ${ascii(key)} is missing`;
    space.value(i, value, 0, versions?.[i] ?? 0);
    if (!sameBytes(got, value)) return `key ${ascii(key)} has a wrong value (${got.length} bytes)`;
  }
  let i = 0;
  let problem: string | undefined;
  await store.scan({}, (k, v) => {
    if (i >= n) problem = `a full scan found an extra key ${ascii(k)}`;
    else {
      space.key(i, key);
      space.value(i, value, 0, versions?.[i] ?? 0);
      if (!sameBytes(k, key)) problem = `a full scan found ${ascii(k)} where ${ascii(key)} belongs`;
      else if (!sameBytes(v, value)) problem = `a full scan found a wrong value for ${ascii(k)}`;
    }
    i++;
    return problem === undefined;
  });
  if (problem !== undefined) return problem;
  if (i !== n) return `a full scan found ${i} keys, expected ${n}`;
  return undefined;
}

/** Puts per batch in the untimed load: in fsync mode a put per call would cost a sync each. */
const LOAD_BATCH = 1000;

/** The untimed load: key(0..n-1) ascending, in atomic batches of LOAD_BATCH, then settle. */
export async function loadStore(store: Store, scenario: Pick<Scenario, 'keySize' | 'valueSize' | 'seed'>, n: number): Promise<void> {
  const space = new RecordMaker(scenario);
  const capacity = Math.min(n, CHUNK_OPS);
  const slots = new Slots(space, capacity, true);
  const ops: BatchOp[] = slots.keys.map((key, s) => ({ type: 'put', key, value: slots.values[s]! }));
  for (let from = 0; from < n; from += capacity) {
    const to = Math.min(n, from + capacity);
    for (let i = from; i < to; i++) slots.setEntry(i - from, i);
    for (let b = 0; b < to - from; b += LOAD_BATCH) {
      const batch = ops.slice(b, Math.min(to - from, b + LOAD_BATCH));
      if (store.api === 'sync') store.batch(batch);
      else await store.batch(batch);
    }
  }
  await store.settle();
}
