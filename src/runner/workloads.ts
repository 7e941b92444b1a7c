/**
 * The eight workloads as plans: the data they need (made before anything is timed),
 * the timed loop, a digest computed inside it, and the full verification done outside it.
 *
 * Timed loops index prepared arrays and call the store: no allocation, closure or
 * clock read per operation. Each kind of loop exists once for synchronous stores and
 * once for asynchronous ones, so a synchronous store never pays for an `await`.
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

/** Keys and values of the keyspace, as views into two buffers made once per process. */
export interface Dataset {
  readonly keys: readonly Uint8Array[];
  readonly values: readonly Uint8Array[];
}

/** key(0..keyCount-1) and value(0..valueCount-1). */
export function makeDataset(scenario: Scenario, keyCount: number, valueCount: number): Dataset {
  const { keySize, valueSize } = scenario;
  const keyBuf = new Uint8Array(keyCount * keySize);
  const keys = new Array<Uint8Array>(keyCount);
  for (let i = 0; i < keyCount; i++) {
    writeKey(i, keySize, keyBuf, i * keySize);
    keys[i] = keyBuf.subarray(i * keySize, (i + 1) * keySize);
  }
  const valueSeed = deriveSeed(scenario.seed, Stream.values);
  const valueBuf = new Uint8Array(valueCount * valueSize);
  const values = new Array<Uint8Array>(valueCount);
  for (let i = 0; i < valueCount; i++) {
    writeValue(valueSeed, i, valueSize, valueBuf, i * valueSize);
    values[i] = valueBuf.subarray(i * valueSize, (i + 1) * valueSize);
  }
  return { keys, values };
}

/** How a repetition finds the store before its timed part. */
export type Precondition = 'empty' | 'loaded';

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
  /** The timed part on a synchronous store: one tight loop. Returns the digest of the answers. */
  runSync(store: SyncStore): number;
  /** Call c of the timed part alone; returns its share of the digest. Used by the latency pass. */
  stepSync(store: SyncStore, c: number): number;
  /** Call c on an asynchronous store; the runner keeps `concurrency` of these outstanding. */
  stepAsync(store: AsyncStore, c: number): Promise<number>;
  /** The digest a correct store gives, or undefined when the digest carries no check (writes). */
  readonly expectedDigest: number | undefined;
  /** Full checks after the timed part; returns what was wrong, or undefined. */
  verify(store: Store): Promise<string | undefined>;
}

/**
 * Runs calls 0..calls-1 of an asynchronous plan with at most `concurrency` outstanding.
 * Digest shares are summed, so the digest does not depend on completion order.
 */
export async function runAsyncPlan(plan: WorkloadPlan, store: AsyncStore, concurrency: number): Promise<number> {
  const calls = plan.callsPerRepetition;
  let next = 0;
  let digest = 0;
  const worker = async (): Promise<void> => {
    while (next < calls) {
      const c = next++;
      const share = await plan.stepAsync(store, c);
      digest = (digest + share) | 0; // read `digest` only after the await: other workers update it meanwhile
    }
  };
  const workers: Promise<void>[] = [];
  for (let w = 0; w < Math.min(concurrency, calls); w++) workers.push(worker());
  await Promise.all(workers);
  return digest;
}

/**
 * Digest shares. Each is weighted by the call's position (2c + 1, odd so no share vanishes),
 * and shares are summed: order-independent, yet a value returned for the wrong key changes it.
 */
function valueShare(v: Uint8Array | undefined, c: number): number {
  if (v === undefined) return Math.imul(0x7fffffff, 2 * c + 1);
  const n = v.length;
  const h = 1 + n + (n > 0 ? v[0]! + 3 * v[n >> 1]! + 7 * v[n - 1]! : 0);
  return Math.imul(h, 2 * c + 1);
}
function entryShare(k: Uint8Array, v: Uint8Array): number {
  return (k[k.length - 1]! + 5 * (k.length > 1 ? k[k.length - 2]! : 0) + 11 * (v.length > 0 ? v[0]! : 0) + 1) | 0;
}
const MISSING = 0x7fffffff;

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && compareBytes(a, b) === 0;
}
const ascii = (u: Uint8Array): string => Buffer.from(u).toString('latin1');

/** Checks that get(key(i)) is value(i) for every i, and that a full scan yields exactly key(0..n-1) in order. */
async function verifyLoaded(store: Store, data: Dataset, n: number): Promise<string | undefined> {
  for (let i = 0; i < n; i++) {
    const got = await store.get(data.keys[i]!);
    if (got === undefined) return `key ${ascii(data.keys[i]!)} is missing`;
    if (!sameBytes(got, data.values[i]!)) return `key ${ascii(data.keys[i]!)} has a wrong value (${got.length} bytes)`;
  }
  let i = 0;
  let problem: string | undefined;
  await store.scan({}, (k, v) => {
    if (i >= n) problem = `a full scan found an extra key ${ascii(k)}`;
    else if (!sameBytes(k, data.keys[i]!)) problem = `a full scan found ${ascii(k)} where ${ascii(data.keys[i]!)} belongs`;
    else if (!sameBytes(v, data.values[i]!)) problem = `a full scan found a wrong value for ${ascii(k)}`;
    i++;
    return problem === undefined;
  });
  if (problem !== undefined) return problem;
  if (i !== n) return `a full scan found ${i} keys, expected ${n}`;
  return undefined;
}

/** Groups operations into atomic batches of `size`, made before anything is timed. */
function makeBatches(count: number, size: number, op: (j: number) => BatchOp): BatchOp[][] {
  const batches: BatchOp[][] = [];
  for (let from = 0; from < count; from += size) {
    const batch: BatchOp[] = [];
    for (let j = from; j < Math.min(count, from + size); j++) batch.push(op(j));
    batches.push(batch);
  }
  return batches;
}

function writePlan(name: WorkloadName, scenario: Scenario, data: Dataset, order: Uint32Array | undefined): WorkloadPlan {
  const n = scenario.ops;
  const { keys, values } = data;
  const common = {
    name,
    unit: 'op' as const,
    precondition: 'empty' as const,
    mutates: true,
    unitsPerRepetition: n,
    logicalBytesWritten: n * (scenario.keySize + scenario.valueSize),
    expectedDigest: undefined,
    verify: (store: Store) => verifyLoaded(store, data, n),
  };
  if (scenario.batch > 1) {
    const batches = makeBatches(n, scenario.batch, (j) => {
      const i = order === undefined ? j : order[j]!;
      return { type: 'put', key: keys[i]!, value: values[i]! };
    });
    return {
      ...common,
      callsPerRepetition: batches.length,
      runSync(store) {
        for (let b = 0; b < batches.length; b++) store.batch(batches[b]!);
        return 0;
      },
      stepSync(store, c) {
        store.batch(batches[c]!);
        return 0;
      },
      async stepAsync(store, c) {
        await store.batch(batches[c]!);
        return 0;
      },
    };
  }
  return {
    ...common,
    callsPerRepetition: n,
    runSync(store) {
      if (order === undefined) for (let i = 0; i < n; i++) store.put(keys[i]!, values[i]!);
      else
        for (let j = 0; j < n; j++) {
          const i = order[j]!;
          store.put(keys[i]!, values[i]!);
        }
      return 0;
    },
    stepSync(store, c) {
      const i = order === undefined ? c : order[c]!;
      store.put(keys[i]!, values[i]!);
      return 0;
    },
    async stepAsync(store, c) {
      const i = order === undefined ? c : order[c]!;
      await store.put(keys[i]!, values[i]!);
      return 0;
    },
  };
}

function readPlan(name: WorkloadName, scenario: Scenario, data: Dataset, order: Uint32Array | undefined): WorkloadPlan {
  const n = scenario.ops;
  const { keys, values } = data;
  let expected = 0;
  for (let j = 0; j < n; j++) expected = (expected + valueShare(values[order === undefined ? j : order[j]!]!, j)) | 0;
  return {
    name,
    unit: 'op',
    precondition: 'loaded',
    mutates: false,
    unitsPerRepetition: n,
    callsPerRepetition: n,
    logicalBytesWritten: 0,
    runSync(store) {
      let d = 0;
      if (order === undefined) for (let j = 0; j < n; j++) d = (d + valueShare(store.get(keys[j]!), j)) | 0;
      else for (let j = 0; j < n; j++) d = (d + valueShare(store.get(keys[order[j]!]!), j)) | 0;
      return d;
    },
    stepSync(store, c) {
      return valueShare(store.get(keys[order === undefined ? c : order[c]!]!), c);
    },
    async stepAsync(store, c) {
      return valueShare(await store.get(keys[order === undefined ? c : order[c]!]!), c);
    },
    expectedDigest: expected,
    verify: (store) => verifyLoaded(store, data, n),
  };
}

/** Range scans (`limit` entries from a start key) or prefix scans (every key with a prefix). */
function scanPlan(name: 'range-scan' | 'prefix-scan', scenario: Scenario, data: Dataset): WorkloadPlan {
  const n = scenario.ops;
  const { keys, values } = data;
  // Scan j covers key indexes first[j] .. first[j] + count[j] - 1.
  let first: Uint32Array;
  let count: Uint32Array;
  let prefixes: Uint8Array[] = [];
  if (name === 'range-scan') {
    first = rangeScanStarts(n, scenario.scanLength, deriveSeed(scenario.seed, Stream.rangeScan));
    count = new Uint32Array(first.length).fill(Math.min(scenario.scanLength, n));
  } else {
    const { groups, groupSize } = prefixScanGroups(n, scenario.keySize, scenario.prefixLength, deriveSeed(scenario.seed, Stream.prefixScan));
    first = groups.map((g) => g * groupSize);
    count = groups.map((g) => Math.min(n, (g + 1) * groupSize) - g * groupSize);
    prefixes = [...first].map((i) => keys[i]!.slice(0, scenario.prefixLength));
  }
  const scans = first.length;
  let units = 0;
  let expected = 0;
  for (let j = 0; j < scans; j++) {
    units += count[j]!;
    for (let i = first[j]!; i < first[j]! + count[j]!; i++) expected = (expected + entryShare(keys[i]!, values[i]!)) | 0;
  }
  const limit = Math.min(scenario.scanLength, n);
  // One visitor for the whole run, made here: the timed loop allocates nothing per entry.
  let digest = 0;
  let seen = 0;
  const visit = (k: Uint8Array, v: Uint8Array): void => {
    digest = (digest + entryShare(k, v)) | 0;
    seen++;
  };
  const rangeOf = name === 'range-scan' ? (j: number) => ({ start: keys[first[j]!]!, limit }) : (j: number) => ({ prefix: prefixes[j]! });
  const ranges = Array.from({ length: scans }, (_, j) => rangeOf(j));
  /** A miscount (visited entries differing from the count the store returns) spoils the digest. */
  const countShare = (returned: number, expectedCount: number): number => (returned === expectedCount ? 0 : MISSING);
  return {
    name,
    unit: 'entry',
    precondition: 'loaded',
    mutates: false,
    unitsPerRepetition: units,
    callsPerRepetition: scans,
    logicalBytesWritten: 0,
    runSync(store) {
      digest = 0;
      seen = 0;
      let returned = 0;
      for (let j = 0; j < scans; j++) returned += store.scan(ranges[j]!, visit);
      return (digest + countShare(returned, units) + countShare(seen, units)) | 0;
    },
    stepSync(store, c) {
      const before = digest;
      const returned = store.scan(ranges[c]!, visit);
      return (digest - before + countShare(returned, count[c]!)) | 0;
    },
    async stepAsync(store, c) {
      // Entries of concurrent scans interleave in `digest`; each scan's share is its own sum.
      let share = 0;
      const returned = await store.scan(ranges[c]!, (k, v) => {
        share = (share + entryShare(k, v)) | 0;
      });
      return (share + countShare(returned, count[c]!)) | 0;
    },
    expectedDigest: expected,
    async verify(store) {
      for (let j = 0; j < scans; j++) {
        let i = first[j]!;
        const end = i + count[j]!;
        let problem: string | undefined;
        const seen = await store.scan(ranges[j]!, (k, v) => {
          if (i >= end) problem = `scan ${j} returned more than ${count[j]} entries (extra key ${ascii(k)})`;
          else if (!sameBytes(k, keys[i]!)) problem = `scan ${j} returned ${ascii(k)} where ${ascii(keys[i]!)} belongs`;
          else if (!sameBytes(v, values[i]!)) problem = `scan ${j} returned a wrong value for ${ascii(k)}`;
          i++;
          return problem === undefined;
        });
        if (problem !== undefined) return problem;
        if (i !== end) return `scan ${j} returned ${i - first[j]!} entries, expected ${count[j]}`;
        if (seen !== count[j]) return `scan ${j} reported ${seen} entries visited, but visited ${count[j]}`;
      }
      return undefined;
    },
  };
}

function deletePlan(scenario: Scenario, data: Dataset): WorkloadPlan {
  const n = scenario.ops;
  const { keys } = data;
  const batches = scenario.batch > 1 ? makeBatches(n, scenario.batch, (j) => ({ type: 'delete', key: keys[j]! })) : undefined;
  return {
    name: 'deletions',
    unit: 'op',
    precondition: 'loaded',
    mutates: true,
    unitsPerRepetition: n,
    callsPerRepetition: batches?.length ?? n,
    logicalBytesWritten: n * scenario.keySize,
    runSync(store) {
      if (batches !== undefined) for (let b = 0; b < batches.length; b++) store.batch(batches[b]!);
      else for (let i = 0; i < n; i++) store.delete(keys[i]!);
      return 0;
    },
    stepSync(store, c) {
      if (batches !== undefined) store.batch(batches[c]!);
      else store.delete(keys[c]!);
      return 0;
    },
    async stepAsync(store, c) {
      if (batches !== undefined) await store.batch(batches[c]!);
      else await store.delete(keys[c]!);
      return 0;
    },
    expectedDigest: undefined,
    async verify(store) {
      for (let i = 0; i < n; i++) {
        if ((await store.get(keys[i]!)) !== undefined) return `deleted key ${ascii(keys[i]!)} is still found by get`;
        if (await store.has(keys[i]!)) return `deleted key ${ascii(keys[i]!)} is still found by has`;
      }
      let left: Uint8Array | undefined;
      const seen = await store.scan({}, (k) => {
        left = k.slice();
        return false;
      });
      if (seen !== 0) return `a full scan after the deletions still finds ${ascii(left ?? new Uint8Array())}`;
      return undefined;
    },
  };
}

function containsPlan(scenario: Scenario, data: Dataset): WorkloadPlan {
  const n = scenario.ops;
  const { keys } = data;
  const { order, present } = containsQueries(n, scenario.missRatio, deriveSeed(scenario.seed, Stream.contains));
  const answers = new Uint8Array(n);
  let expected = 0;
  for (let j = 0; j < n; j++) expected = (expected + Math.imul(order[j]! < present ? 1 : 2, 2 * j + 1)) | 0;
  return {
    name: 'contains',
    unit: 'op',
    precondition: 'loaded',
    mutates: false,
    unitsPerRepetition: n,
    callsPerRepetition: n,
    logicalBytesWritten: 0,
    runSync(store) {
      let d = 0;
      for (let j = 0; j < n; j++) {
        const a = store.has(keys[order[j]!]!) ? 1 : 2;
        answers[j] = a;
        d = (d + Math.imul(a, 2 * j + 1)) | 0;
      }
      return d;
    },
    stepSync(store, c) {
      const a = store.has(keys[order[c]!]!) ? 1 : 2;
      answers[c] = a;
      return Math.imul(a, 2 * c + 1);
    },
    async stepAsync(store, c) {
      const a = (await store.has(keys[order[c]!]!)) ? 1 : 2;
      answers[c] = a;
      return Math.imul(a, 2 * c + 1);
    },
    expectedDigest: expected,
    async verify() {
      // The answers of the last timed repetition, each checked.
      for (let j = 0; j < n; j++) {
        const want = order[j]! < present ? 1 : 2;
        if (answers[j] !== want) return `has(${ascii(keys[order[j]!]!)}) answered ${answers[j] === 1} but the key is ${want === 1 ? 'present' : 'absent'}`;
      }
      return undefined;
    },
  };
}

/** How many keys and values a workload's dataset needs. */
export function datasetSize(scenario: Scenario, workload: WorkloadName): { keys: number; values: number } {
  const misses = workload === 'contains' ? Math.round(scenario.ops * scenario.missRatio) : 0;
  return { keys: scenario.ops + misses, values: scenario.ops };
}

export function planWorkload(workload: WorkloadName, scenario: Scenario, data: Dataset): WorkloadPlan {
  const n = scenario.ops;
  switch (workload) {
    case 'sequential-writes':
      return writePlan(workload, scenario, data, undefined);
    case 'random-writes':
      return writePlan(workload, scenario, data, permutation(n, deriveSeed(scenario.seed, Stream.randomWrites)));
    case 'sequential-reads':
      return readPlan(workload, scenario, data, undefined);
    case 'random-reads':
      return readPlan(workload, scenario, data, permutation(n, deriveSeed(scenario.seed, Stream.randomReads)));
    case 'range-scan':
    case 'prefix-scan':
      return scanPlan(workload, scenario, data);
    case 'deletions':
      return deletePlan(scenario, data);
    case 'contains':
      return containsPlan(scenario, data);
  }
}

/** The untimed load: key(0..n-1) ascending, then settle. */
export async function loadStore(store: Store, data: Dataset, n: number): Promise<void> {
  const { keys, values } = data;
  if (store.api === 'sync') for (let i = 0; i < n; i++) store.put(keys[i]!, values[i]!);
  else for (let i = 0; i < n; i++) await store.put(keys[i]!, values[i]!);
  await store.settle();
}
