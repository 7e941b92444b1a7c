/**
 * The document's eight workloads as plans (built with the kit in plan-kit.ts): the timed loop, a digest computed inside it, and the
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
import type { BatchOp } from '../engine.js';
import { Stream, containsQueries, deriveSeed, permutation, prefixScanGroups, rangeScanStarts } from '../keyspace.js';
import type { Scenario, WorkloadName } from '../scenario.js';
import {
  CHUNK_OPS,
  MISSING,
  RecordMaker,
  Slots,
  ascii,
  entryShare,
  planFrom,
  sameBytes,
  valueShare,
  verifyLoaded,
  type Program,
  type WorkloadPlan,
} from './plan-kit.js';

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
function writeProgram(space: RecordMaker, n: number, batch: number, idx: (j: number) => number, remove: boolean): Program {
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

function writePlan(name: WorkloadName, scenario: Scenario, space: RecordMaker, order: Uint32Array | undefined): WorkloadPlan {
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

function readPlan(name: WorkloadName, scenario: Scenario, space: RecordMaker, order: Uint32Array | undefined): WorkloadPlan {
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
function scanPlan(name: 'range-scan' | 'prefix-scan', scenario: Scenario, space: RecordMaker): WorkloadPlan {
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

function deletePlan(scenario: Scenario, space: RecordMaker): WorkloadPlan {
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

function containsPlan(scenario: Scenario, space: RecordMaker): WorkloadPlan {
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
  const space = new RecordMaker(scenario);
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
