/**
 * Mixed workloads: YCSB's core workloads A to F, and db_bench-style reads while writing.
 *
 * The whole operation sequence is decided before anything is timed, by simulating it
 * against a model of the store (src/mixed-sequence.ts, shared with the external-engine
 * driver). The same simulation gives the digest a correct store must produce, and the
 * final state every record must have, so every read is checked like the document's
 * workloads are.
 *
 * Every repetition starts from a freshly loaded store (N records, key(0..N-1), version 0).
 */
import type { Store, SyncStore } from '../engine.js';
import { OPERATION_TYPE_NAMES, OP_INSERT, OP_READ, OP_READ_MODIFY_WRITE, OP_SCAN, OP_UPDATE, YCSB_MIXES, decideSequence, type MixedSequence } from '../mixed-sequence.js';
import type { Scenario, WorkloadName } from '../scenario.js';
import { CHUNK_OPS, MISSING, RecordMaker, Slots, ascii, planFrom, valueShare, verifyLoaded, type Program, type WorkloadPlan } from './plan-kit.js';

export { OPERATION_TYPE_NAMES, OP_INSERT, OP_READ, OP_READ_MODIFY_WRITE, OP_SCAN, OP_UPDATE, YCSB_MIXES };

/** A scan's share of the digest: the keys it returned and the lengths of their values. */
function scanEntryShare(k: Uint8Array, v: Uint8Array): number {
  return (k[k.length - 1]! + 7 * k[k.length - 2]! + 13 * k[k.length - 3]! + v.length + 1) | 0;
}

/** The decided sequence (src/mixed-sequence.ts) and the digest a correct store gives in this runner's shares. */
interface Sequence extends MixedSequence {
  readonly expectedDigest: number;
}

function simulate(workload: WorkloadName, scenario: Scenario, space: RecordMaker): Sequence {
  let digest = 0;
  const value = new Uint8Array(space.valueSize);
  const key = new Uint8Array(space.keySize);
  const seq = decideSequence(workload, scenario, {
    read(c, i, version) {
      space.value(i, value, 0, version);
      digest = (digest + valueShare(value, c)) | 0;
    },
    scan(c, first, end) {
      for (let r = first; r < end; r++) {
        space.key(r, key);
        digest = (digest + scanEntryShare(key, value)) | 0; // only the value's length counts in a scan's share
      }
      digest = (digest + Math.imul(end - first, 2 * c + 1)) | 0;
    },
  });
  return { ...seq, expectedDigest: digest };
}

export function isMixedWorkload(workload: WorkloadName): boolean {
  return workload === 'read-while-writing' || workload in YCSB_MIXES;
}

export function planMixed(workload: WorkloadName, scenario: Scenario): WorkloadPlan & { readonly callTypes: Uint8Array; readonly typeNames: readonly string[] } {
  const space = new RecordMaker(scenario);
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

/**
 * read-while-writing with the writer in a thread of its own (engines whose store threads
 * may share). The main thread makes the N reads of the interleaved workload's sequence;
 * the writer thread, meanwhile, makes the workload's N updates over and over, in order,
 * until the reads are done (so a fast reader and a slow writer, or the reverse, both
 * leave the reads under load from start to end).
 *
 * The model: update j (j = 0, 1, 2, ... across cycles) writes record U[j mod N] with the
 * next version of that record, so after k writes record i holds version
 * versionAt(i, k) = floor(k / N) * count(i) + (updates of i among U[0 .. k mod N - 1]).
 * The writer publishes two counters in shared memory: writes started (before each put) and
 * writes acknowledged (after it returns). A read of record i that began when `done` writes
 * were acknowledged and ended when `started` writes had begun may see any version the record
 * held up to versionAt(i, started); it must see at least versionAt(i, done) to be fresh.
 * Each read records a 32-bit hash of the value it got and the two counters, and the check
 * afterwards finds the version it matches. A read that matches no version of its record up
 * to its upper bound fails verification; a read that matches an older version than its lower
 * bound is counted as stale (a store may read from a snapshot: lmdb-js keeps one read
 * transaction for a whole synchronous stretch of code) and reported, not failed.
 */
export interface WriterLoop {
  /** Records of the updates, in order; the writer cycles through them. */
  readonly records: Uint32Array;
}

/** Counters the writer thread publishes, as Int32Array indexes into a SharedArrayBuffer. */
export const WRITER_STARTED = 0;
export const WRITER_DONE = 1;
export const WRITER_STOP = 2;
export const WRITER_CONTROL_INTS = 4;

/** The reads and updates of read-while-writing, split: N of each (one write per read). */
function readWhileWritingSplit(scenario: Scenario, space: RecordMaker): { reads: Uint32Array; writes: Uint32Array } {
  const seq = simulate('read-while-writing', { ...scenario, writesPerRead: 1 }, space);
  const n = scenario.ops;
  const reads = new Uint32Array(n);
  const writes = new Uint32Array(n);
  for (let k = 0; k < n; k++) {
    reads[k] = seq.records[2 * k]!;
    writes[k] = seq.records[2 * k + 1]!;
  }
  return { reads, writes };
}

/** What the writer thread needs: the update records, in order. */
export function writerLoop(scenario: Scenario): WriterLoop {
  return { records: readWhileWritingSplit(scenario, new RecordMaker(scenario)).writes };
}

/** A 32-bit hash of 16 bytes spread over a value, and its length: tells versions of a record apart. */
export function sampleHash(v: Uint8Array | undefined): number {
  if (v === undefined) return 0;
  const n = v.length;
  let h = Math.imul(0x811c9dc5 ^ n, 16777619);
  if (n > 0) for (let k = 0; k < 16; k++) h = Math.imul(h ^ v[Math.floor((k * (n - 1)) / 15)]!, 16777619);
  return h === 0 ? 1 : h; // 0 means "absent"
}

export interface ReaderPlan extends WorkloadPlan {
  /** Tells the plan how many writes the writer made in the run just measured (for the final state). */
  setWrites(writes: number): void;
  /** Reads of the last checked run that saw an older version than the newest acknowledged before they began. */
  readonly staleReads: number;
}

export function planReaderWithWriterThread(scenario: Scenario, progress: Int32Array): ReaderPlan {
  const n = scenario.ops;
  const space = new RecordMaker(scenario);
  const { reads, writes: updates } = readWhileWritingSplit(scenario, space);
  // Per record, the positions in the update cycle that write it (CSR), for versionAt.
  const count = new Uint32Array(n);
  for (let j = 0; j < n; j++) count[updates[j]!]!++;
  const first = new Uint32Array(n + 1);
  for (let i = 0; i < n; i++) first[i + 1] = first[i]! + count[i]!;
  const at = new Uint32Array(n);
  const fillAt = first.slice(0, n);
  for (let j = 0; j < n; j++) at[fillAt[updates[j]!]!++] = j;
  const versionAt = (i: number, k: number): number => {
    const cycles = Math.floor(k / n);
    const rest = k - cycles * n;
    // updates of i among positions < rest: binary search in at[first[i] .. first[i + 1])
    let lo = first[i]!;
    let hi = first[i + 1]!;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (at[mid]! < rest) lo = mid + 1;
      else hi = mid;
    }
    return cycles * count[i]! + (lo - first[i]!);
  };
  const seen = new Int32Array(n);
  const doneBefore = new Int32Array(n);
  const startedAfter = new Int32Array(n);
  let writes = 0;
  let staleReads = 0;
  const slots = new Slots(space, Math.min(n, CHUNK_OPS), false);
  const { keys } = slots;
  const one = (value: Uint8Array | undefined, c: number, before: number): number => {
    seen[c] = sampleHash(value);
    doneBefore[c] = before;
    startedAfter[c] = Atomics.load(progress, WRITER_STARTED);
    return 0;
  };
  const program: Program = {
    calls: n,
    chunkCalls: CHUNK_OPS,
    fill(from, to) {
      for (let c = from; c < to; c++) slots.setKey(c - from, reads[c]!);
    },
    loop(store, from, to) {
      for (let c = from; c < to; c++) {
        const before = Atomics.load(progress, WRITER_DONE);
        one(store.get(keys[c - from]!), c, before);
      }
      return 0;
    },
    call(store, c, from) {
      const before = Atomics.load(progress, WRITER_DONE);
      return one(store.get(keys[c - from]!), c, before);
    },
    async callAsync(store, c, from) {
      const before = Atomics.load(progress, WRITER_DONE);
      return one(await store.get(keys[c - from]!), c, before);
    },
  };
  const value = new Uint8Array(space.valueSize);
  const key = new Uint8Array(space.keySize);
  /** Every read of the last run against the versions its record held while it was in flight. */
  const checkReads = (): string | undefined => {
    let stale = 0;
    for (let c = 0; c < n; c++) {
      const i = reads[c]!;
      const newest = versionAt(i, startedAfter[c]!);
      const fresh = versionAt(i, doneBefore[c]!);
      let matched = -1;
      for (let v = newest; v >= 0; v--) {
        space.value(i, value, 0, v);
        if (sampleHash(value) === seen[c]) {
          matched = v;
          break;
        }
      }
      if (matched < 0) {
        space.key(i, key);
        return seen[c] === 0
          ? `read ${c} found no value for ${ascii(key)}`
          : `read ${c} of ${ascii(key)} returned a value that is no version (0 to ${newest}) the record held before the read returned`;
      }
      if (matched < fresh) stale++;
    }
    staleReads = stale;
    return undefined;
  };
  const plan = planFrom(
    {
      name: 'read-while-writing',
      unit: 'op',
      precondition: 'loaded',
      mutates: true,
      unitsPerRepetition: n,
      callsPerRepetition: n,
      logicalBytesWritten: 0,
      expectedDigest: undefined,
      async verify(store) {
        const problem = checkReads();
        if (problem !== undefined) return problem;
        const finalVersions = new Uint32Array(n);
        for (let i = 0; i < n; i++) finalVersions[i] = versionAt(i, writes);
        return verifyLoaded(store, space, n, finalVersions);
      },
    },
    program,
  );
  return {
    ...plan,
    setWrites(w: number) {
      writes = w;
    },
    get staleReads() {
      return staleReads;
    },
  };
}
