/**
 * The operation sequence of the mixed workloads (YCSB A to F, read-while-writing),
 * decided before anything is timed by simulating it against a model of the store: which
 * records exist, and which version of its value each holds. Operation types, records,
 * scan lengths and versions come from seeded streams (docs/keyspace.md), so the sequence
 * is the same for every engine and every repetition.
 *
 * The in-process runner (src/runner/mixed.ts) and the external-engine driver
 * (src/external/) both stand on it; each folds the answers a correct store gives into a
 * digest of its own through a SequenceVisitor.
 */
import { DISTRIBUTIONS, keyChooser, nextDouble, type DistributionName } from './distributions.js';
import { Stream, Xoshiro128, deriveSeed } from './keyspace.js';
import type { Scenario, WorkloadName } from './scenario.js';

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

export const isYcsbWorkload = (workload: string): boolean => workload in YCSB_MIXES;

/** The decided sequence: per call its type, record and version (or scan length). */
export interface MixedSequence {
  readonly calls: number;
  readonly types: Uint8Array;
  readonly records: Uint32Array;
  /** Version written by updates and read-modify-writes (the read of an RMW sees version - 1); 0 for inserts and reads; scan length for scans. */
  readonly argument: Uint32Array;
  /** The version each record holds at the end, and how many records exist. */
  readonly finalVersions: Uint32Array;
  readonly finalCount: number;
  /** Units counted: every operation, or only reads for read-while-writing. */
  readonly units: number;
  /** Operations that write: updates, inserts, read-modify-writes. */
  readonly writes: number;
}

/** What a correct store answers, call by call, as the sequence is decided. */
export interface SequenceVisitor {
  /** Call c reads record i (a read, or the read of a read-modify-write), which then holds `version`. */
  read?(c: number, i: number, version: number): void;
  /**
   * Call c scans records [first, end): the store holds records 0..count-1, so a scan of
   * `length` from `first` ends at min(count, first + length). `versions` is the model's
   * state at that moment (read it, do not keep it).
   */
  scan?(c: number, first: number, end: number, versions: Uint32Array): void;
}

export function decideSequence(workload: WorkloadName, scenario: Scenario, visitor: SequenceVisitor = {}): MixedSequence {
  const n = scenario.ops;
  const opsRng = new Xoshiro128(deriveSeed(scenario.seed, Stream.mixedOperations));
  const keysRng = new Xoshiro128(deriveSeed(scenario.seed, Stream.mixedKeys));
  const params = { zipfianConstant: scenario.zipfianConstant, hotsetFraction: scenario.hotsetFraction, hotOperationFraction: scenario.hotOperationFraction };
  const readWhileWriting = workload === 'read-while-writing';
  const mix = YCSB_MIXES[workload];
  if (!readWhileWriting && mix === undefined) throw new Error(`${workload} is not a mixed workload`);
  const distribution: DistributionName = scenario.requestDistribution ?? (readWhileWriting ? 'uniform' : mix!.distribution);
  if (!DISTRIBUTIONS.includes(distribution)) throw new Error(`unknown distribution ${distribution}`);
  const chooser = keyChooser(distribution, keysRng, n, params);
  const calls = readWhileWriting ? n * (1 + scenario.writesPerRead) : n;
  const types = new Uint8Array(calls);
  const records = new Uint32Array(calls);
  const argument = new Uint32Array(calls);
  const versions = new Uint32Array(n + (mix !== undefined && mix.insert > 0 ? n : 0));
  let count = n;
  let units = 0;
  let writes = 0;
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
      if (type === OP_READ) visitor.read?.(c, i, versions[i]!);
      else if (type === OP_UPDATE) {
        argument[c] = ++versions[i]!;
        writes++;
      } else if (type === OP_READ_MODIFY_WRITE) {
        visitor.read?.(c, i, versions[i]!);
        argument[c] = ++versions[i]!;
        writes++;
      } else {
        const length = 1 + opsRng.below(scenario.maxScanLength);
        argument[c] = length;
        visitor.scan?.(c, i, Math.min(count, i + length), versions);
      }
    }
    if (!readWhileWriting || type === OP_READ) units++;
  }
  return { calls, types, records, argument, finalVersions: versions, finalCount: count, units, writes };
}
