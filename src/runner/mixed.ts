/**
 * Mixed workloads: YCSB's core workloads A to F, and db_bench-style reads while writing.
 *
 * The whole operation sequence is decided before anything is timed, by simulating it
 * against a model of the store (which records exist, and which version of its value each
 * holds): operation types, records, scan lengths and versions come from seeded streams, so
 * the sequence is the same for every engine and every repetition. The same simulation
 * gives the digest a correct store must produce, and the final state every record must
 * have, so every read is checked like the document's workloads are.
 *
 * Every repetition starts from a freshly loaded store (N records, key(0..N-1), version 0).
 */
import type { Store, SyncStore } from '../engine.js';
import { DISTRIBUTIONS, keyChooser, nextDouble, type DistributionName } from '../distributions.js';
import { Stream, Xoshiro128, deriveSeed } from '../keyspace.js';
import type { Scenario, WorkloadName } from '../scenario.js';
import { CHUNK_OPS, KeySpace, MISSING, Slots, planFrom, valueShare, verifyLoaded, type Program, type WorkloadPlan } from './workloads.js';

/** Operation types, as stored per call. */
export const OP_READ = 0;
export const OP_UPDATE = 1;
export const OP_INSERT = 2;
export const OP_SCAN = 3;
export const OP_READ_MODIFY_WRITE = 4;
export const OPERATION_TYPE_NAMES = ['read', 'update', 'insert', 'scan', 'read-modify-write'] as const;

interface Mix {
  readonly read: number;
  readonly update: number;
  readonly insert: number;
  readonly scan: number;
  readonly readModifyWrite: number;
  readonly distribution: DistributionName;
}

/** YCSB's core workloads (workloads/workloada ... workloadf). */
export const YCSB_MIXES: Readonly<Record<string, Mix>> = {
  'ycsb-a': { read: 0.5, update: 0.5, insert: 0, scan: 0, readModifyWrite: 0, distribution: 'zipfian' },
  'ycsb-b': { read: 0.95, update: 0.05, insert: 0, scan: 0, readModifyWrite: 0, distribution: 'zipfian' },
  'ycsb-c': { read: 1, update: 0, insert: 0, scan: 0, readModifyWrite: 0, distribution: 'zipfian' },
  'ycsb-d': { read: 0.95, update: 0, insert: 0.05, scan: 0, readModifyWrite: 0, distribution: 'latest' },
  'ycsb-e': { read: 0, update: 0, insert: 0.05, scan: 0.95, readModifyWrite: 0, distribution: 'zipfian' },
  'ycsb-f': { read: 0.5, update: 0, insert: 0, scan: 0, readModifyWrite: 0.5, distribution: 'zipfian' },
};

/** A scan's share of the digest: the keys it returned and the lengths of their values. */
function scanEntryShare(k: Uint8Array, v: Uint8Array): number {
  return (k[k.length - 1]! + 7 * k[k.length - 2]! + 13 * k[k.length - 3]! + v.length + 1) | 0;
}

/** The decided sequence: per call its type, record and version (or scan length), and what a correct store answers. */
interface Sequence {
  readonly calls: number;
  readonly types: Uint8Array;
  readonly records: Uint32Array;
  /** Version written by updates, inserts and read-modify-writes (the read of an RMW sees version - 1); scan length for scans. */
  readonly argument: Uint32Array;
  /** The version each record holds at the end, and how many records exist. */
  readonly finalVersions: Uint32Array;
  readonly finalCount: number;
  readonly expectedDigest: number;
  /** Units counted: every operation, or only reads for read-while-writing. */
  readonly units: number;
  /** Operations that write: updates, inserts, read-modify-writes. */
  readonly writes: number;
}

function simulate(workload: WorkloadName, scenario: Scenario, space: KeySpace): Sequence {
  const n = scenario.ops;
  const opsRng = new Xoshiro128(deriveSeed(scenario.seed, Stream.mixedOperations));
  const keysRng = new Xoshiro128(deriveSeed(scenario.seed, Stream.mixedKeys));
  const params = { zipfianConstant: scenario.zipfianConstant, hotsetFraction: scenario.hotsetFraction, hotOperationFraction: scenario.hotOperationFraction };
  const readWhileWriting = workload === 'read-while-writing';
  const mix = YCSB_MIXES[workload];
  const distribution: DistributionName = scenario.requestDistribution ?? (readWhileWriting ? 'uniform' : mix!.distribution);
  if (!DISTRIBUTIONS.includes(distribution)) throw new Error(`unknown distribution ${distribution}`);
  const chooser = keyChooser(distribution, keysRng, n, params);
  const calls = readWhileWriting ? n * (1 + scenario.writesPerRead) : n;
  const types = new Uint8Array(calls);
  const records = new Uint32Array(calls);
  const argument = new Uint32Array(calls);
  const versions = new Uint32Array(n + (mix !== undefined && mix.insert > 0 ? n : 0));
  let count = n;
  let digest = 0;
  let units = 0;
  let writes = 0;
  const value = new Uint8Array(space.valueSize);
  const key = new Uint8Array(space.keySize);
  const readShare = (i: number, c: number): number => {
    space.value(i, value, 0, versions[i]!);
    return valueShare(value, c);
  };
  for (let c = 0; c < calls; c++) {
    let type: number;
    if (readWhileWriting) type = c % (1 + scenario.writesPerRead) === 0 ? OP_READ : OP_UPDATE;
    else {
      const u = nextDouble(opsRng);
      const m = mix!;
      type =
        u < m.read ? OP_READ
        : u < m.read + m.update ? OP_UPDATE
        : u < m.read + m.update + m.insert ? OP_INSERT
        : u < m.read + m.update + m.insert + m.scan ? OP_SCAN
        : OP_READ_MODIFY_WRITE;
    }
    types[c] = type;
    if (type === OP_INSERT) {
      records[c] = count;
      versions[count] = 0;
      count++;
      writes++;
    } else {
      const i = chooser.next(count);
      records[c] = i;
      if (type === OP_READ) digest = (digest + readShare(i, c)) | 0;
      else if (type === OP_UPDATE) {
        argument[c] = ++versions[i]!;
        writes++;
      } else if (type === OP_READ_MODIFY_WRITE) {
        digest = (digest + readShare(i, c)) | 0;
        argument[c] = ++versions[i]!;
        writes++;
      } else {
        const length = 1 + opsRng.below(scenario.maxScanLength);
        argument[c] = length;
        const end = Math.min(count, i + length);
        for (let r = i; r < end; r++) {
          space.key(r, key);
          digest = (digest + scanEntryShare(key, value)) | 0; // only the value's length counts in a scan's share
        }
        digest = (digest + Math.imul(end - i, 2 * c + 1)) | 0;
      }
    }
    if (!readWhileWriting || type === OP_READ) units++;
  }
  return { calls, types, records, argument, finalVersions: versions, finalCount: count, expectedDigest: digest, units, writes };
}

export function isMixedWorkload(workload: WorkloadName): boolean {
  return workload === 'read-while-writing' || workload in YCSB_MIXES;
}

export function planMixed(workload: WorkloadName, scenario: Scenario): WorkloadPlan & { readonly callTypes: Uint8Array; readonly typeNames: readonly string[] } {
  const space = new KeySpace(scenario);
  const seq = simulate(workload, scenario, space);
  const { types, records, argument } = seq;
  const slots = new Slots(space, Math.min(seq.calls, CHUNK_OPS), true);
  const { keys, values } = slots;
  // Scan ranges per slot, made while filling (untimed); the timed loop only indexes them.
  const ranges: Array<{ start: Uint8Array; limit: number }> = keys.map((start) => ({ start, limit: 1 }));
  let scanDigest = 0;
  let scanned = 0;
  const visit = (k: Uint8Array, v: Uint8Array): void => {
    scanDigest = (scanDigest + scanEntryShare(k, v)) | 0;
    scanned++;
  };
  const one = (store: SyncStore, c: number, s: number): number => {
    switch (types[c]) {
      case OP_READ:
        return valueShare(store.get(keys[s]!), c);
      case OP_UPDATE:
      case OP_INSERT:
        store.put(keys[s]!, values[s]!);
        return 0;
      case OP_READ_MODIFY_WRITE: {
        const share = valueShare(store.get(keys[s]!), c);
        store.put(keys[s]!, values[s]!);
        return share;
      }
      default: {
        scanDigest = 0;
        scanned = 0;
        const returned = store.scan(ranges[s]!, visit);
        return (scanDigest + Math.imul(scanned, 2 * c + 1) + (returned === scanned ? 0 : MISSING)) | 0;
      }
    }
  };
  const program: Program = {
    calls: seq.calls,
    chunkCalls: CHUNK_OPS,
    fill(from, to) {
      for (let c = from; c < to; c++) {
        const s = c - from;
        const type = types[c]!;
        if (type === OP_UPDATE || type === OP_READ_MODIFY_WRITE || type === OP_INSERT) slots.setEntry(s, records[c]!, type === OP_INSERT ? 0 : argument[c]!);
        else slots.setKey(s, records[c]!);
        if (type === OP_SCAN) ranges[s]!.limit = argument[c]!;
      }
    },
    loop(store, from, to) {
      let d = 0;
      for (let c = from; c < to; c++) d = (d + one(store, c, c - from)) | 0;
      return d;
    },
    call: (store, c, from) => one(store, c, c - from),
    async callAsync(store, c, from) {
      const s = c - from;
      switch (types[c]) {
        case OP_READ:
          return valueShare(await store.get(keys[s]!), c);
        case OP_UPDATE:
        case OP_INSERT:
          await store.put(keys[s]!, values[s]!);
          return 0;
        case OP_READ_MODIFY_WRITE: {
          const share = valueShare(await store.get(keys[s]!), c);
          await store.put(keys[s]!, values[s]!);
          return share;
        }
        default: {
          let share = 0;
          let seen = 0;
          const returned = await store.scan(ranges[s]!, (k, v) => {
            share = (share + scanEntryShare(k, v)) | 0;
            seen++;
          });
          return (share + Math.imul(seen, 2 * c + 1) + (returned === seen ? 0 : MISSING)) | 0;
        }
      }
    },
  };
  const plan = planFrom(
    {
      name: workload,
      unit: 'op',
      precondition: 'loaded',
      mutates: seq.writes > 0,
      unitsPerRepetition: seq.units,
      callsPerRepetition: seq.calls,
      logicalBytesWritten: seq.writes * (scenario.keySize + scenario.valueSize),
      expectedDigest: seq.expectedDigest,
      verify: (store: Store) => verifyLoaded(store, space, seq.finalCount, seq.finalVersions),
    },
    program,
  );
  return { ...plan, callTypes: types, typeNames: OPERATION_TYPE_NAMES };
}
