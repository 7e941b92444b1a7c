/**
 * The eight workloads as plans: the timed loop, a digest computed inside it, and the
 * full verification done outside it.
 *
 * Keys and values are made in chunks of at most CHUNK_OPS operations, into slot buffers
 * allocated once, before each chunk's timed loop; only the loops over store calls are
 * timed (one clock read per chunk, none per operation). So N = 10,000,000 costs the
 * harness a few megabytes, not the 1.16 GB of its raw data, and the default N = 100,000
 * is a single chunk. Timed loops index the slots and call the store: no allocation,
 * closure or clock read per operation. Each loop exists once for synchronous stores,
 * and asynchronous stores run through one generic bounded-concurrency pool.
 */
import type { AsyncStore, BatchOp, Store, SyncStore } from '../engine.js';
import { compareBytes } from '../engine.js';
import {
  Stream,
  containsQueries,
  deriveSeed,
  permutation,
  prefixScanGroups,
  rangeScanStarts,
  writeKey,
  writeValue,
} from '../keyspace.js';
import type { Scenario, WorkloadName } from '../scenario.js';
import { performance } from 'node:perf_hooks';

/** Operations per chunk: the default N fits in one. */
export const CHUNK_OPS = 1 << 17;

/** key(i) and value(i) of a scenario, written into caller-owned buffers. */
export class KeySpace {
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
    private readonly space: KeySpace,
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
      for (let from = 0; from < calls; from += chunkCalls) {
        const to = Math.min(calls, from + chunkCalls);
        program.fill(from, to);
        const t0 = performance.now();
        digest = (digest + program.loop(store, from, to)) | 0;
        ms += performance.now() - t0;
      }
      return { digest, ms };
    },
    async runAsync(store, concurrency) {
      let digest = 0;
      let ms = 0;
      for (let from = 0; from < calls; from += chunkCalls) {
        const to = Math.min(calls, from + chunkCalls);
        program.fill(from, to);
        const t0 = performance.now();
        digest = (digest + (await loopAsync(store, from, to, concurrency))) | 0;
        ms += performance.now() - t0;
      }
      return { digest, ms };
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
function entryShare(k: Uint8Array, v: Uint8Array): number {
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
export async function verifyLoaded(store: Store, space: KeySpace, n: number, versions?: Uint32Array): Promise<string | undefined> {
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

/** Batches of `size` operations over one chunk of slots, views made once; the run's last batch may be short. */
function batchesOver(slots: Slots, chunkBatches: number, size: number, type: 'put' | 'delete'): BatchOp[][] {
  return Array.from({ length: chunkBatches }, (_, b) =>
    Array.from({ length: size }, (_, k): BatchOp => {
      const s = b * size + k;
      return type === 'put' ? { type, key: slots.keys[s]!, value: slots.values[s]! } : { type, key: slots.keys[s]! };
    }),
  );
}

/** Puts (or, with `remove`, deletes) of key(idx(j)) for j < n, one per call or in batches. */
function writeProgram(space: KeySpace, n: number, batch: number, idx: (j: number) => number, remove: boolean): Program {
  if (batch > 1) {
    const chunkBatches = Math.max(1, Math.floor(CHUNK_OPS / batch));
    const slots = new Slots(space, chunkBatches * batch, !remove);
    const full = batchesOver(slots, chunkBatches, batch, remove ? 'delete' : 'put');
    let current = full;
    const calls = Math.ceil(n / batch);
    return {
      calls,
      chunkCalls: chunkBatches,
      fill(from, to) {
        const first = from * batch;
        const last = Math.min(n, to * batch);
        for (let j = first; j < last; j++) {
          if (remove) slots.setKey(j - first, idx(j));
          else slots.setEntry(j - first, idx(j));
        }
        // The run's last batch may be shorter than the others; its array is made here, untimed.
        current = last - first === (to - from) * batch ? full : full.map((ops, b) => ops.slice(0, Math.max(0, Math.min(batch, last - first - b * batch))));
      },
      loop(store, from, to) {
        for (let b = 0; b < to - from; b++) store.batch(current[b]!);
        return 0;
      },
      call(store, c, from) {
        store.batch(current[c - from]!);
        return 0;
      },
      async callAsync(store, c, from) {
        await store.batch(current[c - from]!);
        return 0;
      },
    };
  }
  const slots = new Slots(space, Math.min(n, CHUNK_OPS), !remove);
  const { keys, values } = slots;
  return {
    calls: n,
    chunkCalls: CHUNK_OPS,
    fill(from, to) {
      for (let j = from; j < to; j++) {
        if (remove) slots.setKey(j - from, idx(j));
        else slots.setEntry(j - from, idx(j));
      }
    },
    loop: remove
      ? (store, from, to) => {
          for (let s = 0; s < to - from; s++) store.delete(keys[s]!);
          return 0;
        }
      : (store, from, to) => {
          for (let s = 0; s < to - from; s++) store.put(keys[s]!, values[s]!);
          return 0;
        },
    call(store, c, from) {
      if (remove) store.delete(keys[c - from]!);
      else store.put(keys[c - from]!, values[c - from]!);
      return 0;
    },
    async callAsync(store, c, from) {
      if (remove) await store.delete(keys[c - from]!);
      else await store.put(keys[c - from]!, values[c - from]!);
      return 0;
    },
  };
}

function writePlan(name: WorkloadName, scenario: Scenario, space: KeySpace, order: Uint32Array | undefined): WorkloadPlan {
  const n = scenario.ops;
  const program = writeProgram(space, n, scenario.batch, order === undefined ? (j) => j : (j) => order[j]!, false);
  return planFrom(
    {
      name,
      unit: 'op',
      precondition: 'empty',
      mutates: true,
      unitsPerRepetition: n,
      callsPerRepetition: program.calls,
      logicalBytesWritten: n * (scenario.keySize + scenario.valueSize),
      expectedDigest: undefined,
      verify: (store) => verifyLoaded(store, space, n),
    },
    program,
  );
}

function readPlan(name: WorkloadName, scenario: Scenario, space: KeySpace, order: Uint32Array | undefined): WorkloadPlan {
  const n = scenario.ops;
  const idx = order === undefined ? (j: number) => j : (j: number) => order[j]!;
  const scratch = new Uint8Array(space.valueSize);
  let expected = 0;
  for (let j = 0; j < n; j++) {
    space.value(idx(j), scratch);
    expected = (expected + valueShare(scratch, j)) | 0;
  }
  const slots = new Slots(space, Math.min(n, CHUNK_OPS), false);
  const { keys } = slots;
  const program: Program = {
    calls: n,
    chunkCalls: CHUNK_OPS,
    fill(from, to) {
      for (let j = from; j < to; j++) slots.setKey(j - from, idx(j));
    },
    loop(store, from, to) {
      let d = 0;
      for (let s = 0; s < to - from; s++) d = (d + valueShare(store.get(keys[s]!), from + s)) | 0;
      return d;
    },
    call: (store, c, from) => valueShare(store.get(keys[c - from]!), c),
    callAsync: async (store, c, from) => valueShare(await store.get(keys[c - from]!), c),
  };
  return planFrom(
    {
      name,
      unit: 'op',
      precondition: 'loaded',
      mutates: false,
      unitsPerRepetition: n,
      callsPerRepetition: n,
      logicalBytesWritten: 0,
      expectedDigest: expected,
      verify: (store) => verifyLoaded(store, space, n),
    },
    program,
  );
}

/** Range scans (`limit` entries from a start key) or prefix scans (every key with a prefix). */
function scanPlan(name: 'range-scan' | 'prefix-scan', scenario: Scenario, space: KeySpace): WorkloadPlan {
  const n = scenario.ops;
  // Scan j covers key indexes first[j] .. first[j] + count[j] - 1.
  let first: Uint32Array;
  let count: Uint32Array;
  if (name === 'range-scan') {
    first = rangeScanStarts(n, scenario.scanLength, deriveSeed(scenario.seed, Stream.rangeScan));
    count = new Uint32Array(first.length).fill(Math.min(scenario.scanLength, n));
  } else {
    const { groups, groupSize } = prefixScanGroups(n, scenario.keySize, scenario.prefixLength, deriveSeed(scenario.seed, Stream.prefixScan));
    first = groups.map((g) => g * groupSize);
    count = groups.map((g) => Math.min(n, (g + 1) * groupSize) - g * groupSize);
  }
  const scans = first.length;
  const key = new Uint8Array(space.keySize);
  const value = new Uint8Array(space.valueSize);
  let units = 0;
  let expected = 0;
  for (let j = 0; j < scans; j++) {
    units += count[j]!;
    for (let i = first[j]!; i < first[j]! + count[j]!; i++) {
      space.key(i, key);
      space.value(i, value);
      expected = (expected + entryShare(key, value)) | 0;
    }
  }
  const limit = Math.min(scenario.scanLength, n);
  // The range objects are made here, untimed; the timed loop only indexes them.
  const ranges = Array.from({ length: scans }, (_, j) => {
    const start = new Uint8Array(space.keySize);
    space.key(first[j]!, start);
    return name === 'range-scan' ? { start, limit } : { prefix: start.subarray(0, scenario.prefixLength) };
  });
  // One visitor for the whole run, made here: the timed loop allocates nothing per entry.
  let digest = 0;
  const visit = (k: Uint8Array, v: Uint8Array): void => {
    digest = (digest + entryShare(k, v)) | 0;
  };
  /** A scan that reports a different count than it should spoils the digest. */
  const countShare = (returned: number, expectedCount: number): number => (returned === expectedCount ? 0 : MISSING);
  const program: Program = {
    calls: scans,
    chunkCalls: scans,
    fill() {},
    loop(store, from, to) {
      digest = 0;
      let miscounts = 0;
      for (let j = from; j < to; j++) miscounts = (miscounts + countShare(store.scan(ranges[j]!, visit), count[j]!)) | 0;
      return (digest + miscounts) | 0;
    },
    call(store, c) {
      const before = digest;
      const returned = store.scan(ranges[c]!, visit);
      return (digest - before + countShare(returned, count[c]!)) | 0;
    },
    async callAsync(store, c) {
      // Entries of concurrent scans would interleave in `digest`; each scan sums its own share.
      let share = 0;
      const returned = await store.scan(ranges[c]!, (k, v) => {
        share = (share + entryShare(k, v)) | 0;
      });
      return (share + countShare(returned, count[c]!)) | 0;
    },
  };
  return planFrom(
    {
      name,
      unit: 'entry',
      precondition: 'loaded',
      mutates: false,
      unitsPerRepetition: units,
      callsPerRepetition: scans,
      logicalBytesWritten: 0,
      expectedDigest: expected,
      async verify(store) {
        for (let j = 0; j < scans; j++) {
          let i = first[j]!;
          const end = i + count[j]!;
          let problem: string | undefined;
          const seen = await store.scan(ranges[j]!, (k, v) => {
            if (i >= end) problem = `scan ${j} returned more than ${count[j]} entries (extra key ${ascii(k)})`;
            else {
              space.key(i, key);
              space.value(i, value);
              if (!sameBytes(k, key)) problem = `scan ${j} returned ${ascii(k)} where ${ascii(key)} belongs`;
              else if (!sameBytes(v, value)) problem = `scan ${j} returned a wrong value for ${ascii(k)}`;
            }
            i++;
            return problem === undefined;
          });
          if (problem !== undefined) return problem;
          if (i !== end) return `scan ${j} returned ${i - first[j]!} entries, expected ${count[j]}`;
          if (seen !== count[j]) return `scan ${j} reported ${seen} entries visited, but visited ${count[j]}`;
        }
        return undefined;
      },
    },
    program,
  );
}

function deletePlan(scenario: Scenario, space: KeySpace): WorkloadPlan {
  const n = scenario.ops;
  const program = writeProgram(space, n, scenario.batch, (j) => j, true);
  return planFrom(
    {
      name: 'deletions',
      unit: 'op',
      precondition: 'loaded',
      mutates: true,
      unitsPerRepetition: n,
      callsPerRepetition: program.calls,
      logicalBytesWritten: n * scenario.keySize,
      expectedDigest: undefined,
      async verify(store) {
        const key = new Uint8Array(space.keySize);
        for (let i = 0; i < n; i++) {
          space.key(i, key);
          if ((await store.get(key)) !== undefined) return `deleted key ${ascii(key)} is still found by get`;
          if (await store.has(key)) return `deleted key ${ascii(key)} is still found by has`;
        }
        let left: Uint8Array | undefined;
        const seen = await store.scan({}, (k) => {
          left = k.slice();
          return false;
        });
        if (seen !== 0) return `a full scan after the deletions still finds ${ascii(left ?? new Uint8Array())}`;
        return undefined;
      },
    },
    program,
  );
}

function containsPlan(scenario: Scenario, space: KeySpace): WorkloadPlan {
  const n = scenario.ops;
  const { order, present } = containsQueries(n, scenario.missRatio, deriveSeed(scenario.seed, Stream.contains));
  // answers[j]: 1 found, 2 not found (0 would hide an unanswered check).
  const answers = new Uint8Array(n);
  let expected = 0;
  for (let j = 0; j < n; j++) expected = (expected + Math.imul(order[j]! < present ? 1 : 2, 2 * j + 1)) | 0;
  /** The answers of the last timed run to checks [from, to), each checked. */
  const checkAnswers = (from: number, to: number): string | undefined => {
    const key = new Uint8Array(space.keySize);
    for (let j = from; j < to; j++) {
      const want = order[j]! < present ? 1 : 2;
      if (answers[j] !== want) {
        space.key(order[j]!, key);
        return answers[j] === 0 ? `has(${ascii(key)}) was never answered` : `has(${ascii(key)}) answered ${answers[j] === 1} but the key is ${want === 1 ? 'present' : 'absent'}`;
      }
    }
    return undefined;
  };
  const slots = new Slots(space, Math.min(n, CHUNK_OPS), false);
  const { keys } = slots;
  const program: Program = {
    calls: n,
    chunkCalls: CHUNK_OPS,
    fill(from, to) {
      for (let j = from; j < to; j++) slots.setKey(j - from, order[j]!);
    },
    loop(store, from, to) {
      let d = 0;
      for (let s = 0; s < to - from; s++) {
        const a = store.has(keys[s]!) ? 1 : 2;
        answers[from + s] = a;
        d = (d + Math.imul(a, 2 * (from + s) + 1)) | 0;
      }
      return d;
    },
    call(store, c, from) {
      const a = store.has(keys[c - from]!) ? 1 : 2;
      answers[c] = a;
      return Math.imul(a, 2 * c + 1);
    },
    async callAsync(store, c, from) {
      const a = (await store.has(keys[c - from]!)) ? 1 : 2;
      answers[c] = a;
      return Math.imul(a, 2 * c + 1);
    },
  };
  return planFrom(
    {
      name: 'contains',
      unit: 'op',
      precondition: 'loaded',
      mutates: false,
      unitsPerRepetition: n,
      callsPerRepetition: n,
      logicalBytesWritten: 0,
      expectedDigest: expected,
      async verify() {
        return checkAnswers(0, n);
      },
      checkAnswers,
    },
    program,
  );
}

export function planWorkload(workload: WorkloadName, scenario: Scenario): WorkloadPlan {
  const n = scenario.ops;
  const space = new KeySpace(scenario);
  switch (workload) {
    case 'sequential-writes':
      return writePlan(workload, scenario, space, undefined);
    case 'random-writes':
      return writePlan(workload, scenario, space, permutation(n, deriveSeed(scenario.seed, Stream.randomWrites)));
    case 'sequential-reads':
      return readPlan(workload, scenario, space, undefined);
    case 'random-reads':
      return readPlan(workload, scenario, space, permutation(n, deriveSeed(scenario.seed, Stream.randomReads)));
    case 'range-scan':
    case 'prefix-scan':
      return scanPlan(workload, scenario, space);
    case 'deletions':
      return deletePlan(scenario, space);
    case 'contains':
      return containsPlan(scenario, space);
    default:
      throw new Error(`${workload} is a mixed workload: plan it with planMixed (src/runner/mixed.ts)`);
  }
}

/** Puts per batch in the untimed load: in fsync mode a put per call would cost a sync each. */
const LOAD_BATCH = 1000;

/** The untimed load: key(0..n-1) ascending, in atomic batches of LOAD_BATCH, then settle. */
export async function loadStore(store: Store, scenario: Pick<Scenario, 'keySize' | 'valueSize' | 'seed'>, n: number): Promise<void> {
  const space = new KeySpace(scenario);
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
