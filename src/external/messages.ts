/**
 * The external engine protocol, versions 1 and 2 (engines/external/PROTOCOL.md): the
 * requests the harness sends, the lines an engine may print, validated with zod, and the
 * figures a correct engine reports, computed from the keyspace.
 */
import { open } from 'node:fs/promises';
import { z } from 'zod';
import { DURABILITY_MODES, OPERATIONS } from '../engine.js';
import { containsQueries, deriveSeed, permutation, prefixScanGroups, rangeScanStarts, Stream, writeKey, writeValue } from '../keyspace.js';
import { OP_INSERT, OP_READ, OP_READ_MODIFY_WRITE, OP_SCAN, OP_UPDATE, decideSequence, isYcsbWorkload, type MixedSequence } from '../mixed-sequence.js';
import type { Scenario, WorkloadName } from '../scenario.js';

/** The versions this harness speaks; an engine's hello names one of them. */
export const PROTOCOL_VERSIONS = [1, 2] as const;
export type ProtocolVersion = (typeof PROTOCOL_VERSIONS)[number];
export const NEWEST_PROTOCOL: ProtocolVersion = 2;
export const isProtocolVersion = (v: number): v is ProtocolVersion => (PROTOCOL_VERSIONS as readonly number[]).includes(v);

/** The most latency samples one `latency` line may carry. */
export const MAX_SAMPLES_PER_LINE = 10_000;

const u32 = z.number().int().min(0).max(0xffffffff);
const count = z.number().int().min(0);

export const HelloMessage = z.object({
  type: z.literal('hello'),
  protocol: z.number().int(),
  name: z.string().min(1),
  storeVersion: z.string().min(1),
  durability: z.array(z.enum(DURABILITY_MODES as [string, ...string[]])).min(1),
  operations: z.record(z.enum(OPERATIONS as [string, ...string[]]), z.enum(['native', 'emulated'])),
  driving: z.string().min(1),
});
export type Hello = z.infer<typeof HelloMessage>;

export const EngineMessage = z.discriminatedUnion('type', [
  HelloMessage,
  z.object({ type: z.literal('progress'), phase: z.string() }),
  z.object({
    type: z.literal('repetition'),
    index: count,
    warmup: z.boolean(),
    ms: z.number().positive(),
    units: count,
    digest: u32,
    settleMs: z.number().min(0).nullable(),
  }),
  // Protocol 2: the latency pass's samples (nanoseconds, in call order), then its answers.
  z.object({ type: z.literal('latency'), ns: z.array(z.number()).max(MAX_SAMPLES_PER_LINE) }),
  z.object({
    type: z.literal('latency-end'),
    units: count,
    digest: u32,
    settleMs: z.number().min(0).nullable(),
    timerNs: z.number().min(0),
  }),
  z.object({ type: z.literal('verify'), found: count, getDigest: u32, scanned: count, scanDigest: u32 }),
  z.object({ type: z.literal('stats'), stats: z.record(z.string(), z.union([z.number(), z.string()])) }),
  z.object({ type: z.literal('done') }),
  z.object({ type: z.literal('error'), message: z.string() }),
]);
export type EngineMessage = z.infer<typeof EngineMessage>;

/** The one request of a `describe`: protocol 1's form, which an engine of any version reads, with the versions this harness speaks. */
export const DESCRIBE_REQUEST = { protocol: 1, type: 'describe', protocols: [...PROTOCOL_VERSIONS] } as const;

type RequestScenario = Pick<Scenario, 'ops' | 'keySize' | 'valueSize' | 'seed' | 'scanLength' | 'prefixLength' | 'missRatio' | 'batch' | 'repetitions' | 'warmup'>;

export interface RunRequest {
  readonly protocol: ProtocolVersion;
  readonly type: 'run';
  readonly workload: ProtocolWorkload;
  readonly dir: string;
  readonly durability: string;
  readonly options: Readonly<Record<string, string>>;
  readonly scenario: RequestScenario & { readonly targetRate?: number | null };
  /** Protocol 2: whether to make the latency pass. */
  readonly latency?: boolean;
  /** Protocol 2, YCSB workloads: the operations, in a file the harness wrote. */
  readonly sequence?: { readonly file: string; readonly operations: number; readonly records: number };
}

export interface RunRequestOptions {
  readonly protocol: ProtocolVersion;
  readonly latency: boolean;
  /** The sequence file of a YCSB workload, and the sequence in it. */
  readonly sequence?: { readonly file: string; readonly sequence: MixedSequence };
}

export function runRequest(workload: ProtocolWorkload, scenario: Scenario, dir: string, durability: string, options: Readonly<Record<string, string>>, how: RunRequestOptions = { protocol: 1, latency: false }): RunRequest {
  const { ops, keySize, valueSize, seed, scanLength, prefixLength, missRatio, batch, repetitions, warmup } = scenario;
  const common = { type: 'run' as const, workload, dir, durability, options };
  const v1Scenario = { ops, keySize, valueSize, seed, scanLength, prefixLength, missRatio, batch, repetitions, warmup };
  // A protocol 1 engine gets exactly protocol 1's request.
  if (how.protocol === 1) return { protocol: 1, ...common, scenario: v1Scenario };
  return {
    protocol: 2,
    ...common,
    scenario: { ...v1Scenario, targetRate: scenario.targetRate ?? null },
    latency: how.latency,
    ...(how.sequence === undefined
      ? {}
      : { sequence: { file: how.sequence.file, operations: how.sequence.sequence.calls, records: how.sequence.sequence.finalCount } }),
  };
}

/** The workloads of each protocol version (PROTOCOL.md); the harness may know more. */
const V1_WORKLOADS = [
  'sequential-writes',
  'sequential-reads',
  'random-writes',
  'random-reads',
  'range-scan',
  'prefix-scan',
  'deletions',
  'contains',
] as const satisfies readonly WorkloadName[];
const V2_ADDED = ['ycsb-a', 'ycsb-b', 'ycsb-c', 'ycsb-d', 'ycsb-e', 'ycsb-f'] as const satisfies readonly WorkloadName[];
/** Every workload the newest protocol defines. */
export const PROTOCOL_WORKLOADS = [...V1_WORKLOADS, ...V2_ADDED] as const;
export type ProtocolWorkload = (typeof PROTOCOL_WORKLOADS)[number];

export function protocolWorkloads(version: ProtocolVersion): readonly ProtocolWorkload[] {
  return version === 1 ? V1_WORKLOADS : PROTOCOL_WORKLOADS;
}
export const isProtocolWorkload = (w: string, version: ProtocolVersion = NEWEST_PROTOCOL): w is ProtocolWorkload => (protocolWorkloads(version) as readonly string[]).includes(w);
/** The first protocol version that defines a workload, or undefined when none does. */
export const firstVersionDefining = (w: string): ProtocolVersion | undefined => PROTOCOL_VERSIONS.find((v) => isProtocolWorkload(w, v));

/** The letters of the sequence file, by operation type (mixed-sequence.ts). */
const SEQUENCE_LETTERS: Readonly<Record<number, string>> = { [OP_READ]: 'r', [OP_UPDATE]: 'u', [OP_INSERT]: 'i', [OP_SCAN]: 's', [OP_READ_MODIFY_WRITE]: 'm' };

/** Writes a YCSB sequence as PROTOCOL.md's sequence file: one `letter record argument` line per operation. */
export async function writeSequenceFile(path: string, seq: MixedSequence): Promise<void> {
  const file = await open(path, 'wx');
  try {
    const linesPerWrite = 1 << 16;
    for (let from = 0; from < seq.calls; from += linesPerWrite) {
      let text = '';
      for (let c = from; c < Math.min(seq.calls, from + linesPerWrite); c++) text += `${SEQUENCE_LETTERS[seq.types[c]!]} ${seq.records[c]} ${seq.argument[c]}\n`;
      await file.write(text);
    }
  } finally {
    await file.close();
  }
}

/** What a correct engine reports for a workload. */
export interface Expected {
  /** Units per repetition: operations, or entries for the scans. */
  readonly units: number;
  /** The timed digest of every repetition. */
  readonly digest: number;
  readonly found: number;
  readonly getDigest: number;
  readonly scanned: number;
  readonly scanDigest: number;
  readonly mutates: boolean;
  /** Calls per repetition, one latency sample each: operations, batches, or scans. */
  readonly calls: number;
  /** What one call is, in the latency figures. */
  readonly per: string;
  /** YCSB workloads: the decided sequence (the engine gets it as a file). */
  readonly sequence?: MixedSequence;
}

const FNV_OFFSET = 2166136261;
function fnvByte(h: number, b: number): number {
  return Math.imul(h ^ b, 16777619) >>> 0;
}
function fnvU32(h: number, x: number): number {
  for (let s = 0; s < 32; s += 8) h = fnvByte(h, (x >>> s) & 0xff);
  return h;
}
function fnvBytes(h: number, bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++) h = fnvByte(h, bytes[i]!);
  return h;
}
const step = (d: number, x: number): number => (Math.imul(d, 31) + x) >>> 0;
function valueTerm(v: Uint8Array): number {
  const n = v.length;
  return n === 0 ? 1 : (1 + n + v[0]! + 3 * v[n >> 1]! + 7 * v[n - 1]!) >>> 0;
}
function entryTerm(k: Uint8Array, v: Uint8Array): number {
  const n = k.length;
  return (1 + (n > 0 ? k[n - 1]! : 0) + 5 * (n > 1 ? k[n - 2]! : 0) + 11 * (v.length > 0 ? v[0]! : 0)) >>> 0;
}

/**
 * The figures of PROTOCOL.md for this workload of this scenario, from the keyspace
 * reference implementation. Keys and values are made one at a time into scratch buffers,
 * so the cost is O(N) time and O(1) memory beyond the orders.
 */
export function expectedFigures(workload: ProtocolWorkload, scenario: Scenario): Expected {
  const n = scenario.ops;
  const { keySize, valueSize } = scenario;
  const valueSeed = deriveSeed(scenario.seed, Stream.values);
  const k = new Uint8Array(keySize);
  const v = new Uint8Array(valueSize);
  const keyOf = (i: number): Uint8Array => {
    writeKey(i, keySize, k, 0);
    return k;
  };
  const valueOf = (i: number, version = 0): Uint8Array => {
    writeValue(valueSeed, i, valueSize, v, 0, version);
    return v;
  };
  // A scan's term reads a value's first byte only: made alone, it is the full value's first byte.
  const first = new Uint8Array(1);
  const firstByteOf = (i: number, version: number): Uint8Array => {
    writeValue(valueSeed, i, 1, first, 0, version);
    return first;
  };
  const batched = scenario.batch > 1 ? Math.ceil(n / scenario.batch) : n;
  let mutates = workload === 'sequential-writes' || workload === 'random-writes' || workload === 'deletions';
  let units = n;
  let calls = mutates ? batched : n;
  let per = mutates && scenario.batch > 1 ? `batch of ${scenario.batch}` : 'operation';
  let digest = 0;
  let sequence: MixedSequence | undefined;
  switch (workload) {
    case 'sequential-reads':
    case 'random-reads': {
      const order = workload === 'random-reads' ? permutation(n, deriveSeed(scenario.seed, Stream.randomReads)) : undefined;
      for (let j = 0; j < n; j++) digest = step(digest, valueTerm(valueOf(order === undefined ? j : order[j]!)));
      break;
    }
    case 'range-scan':
    case 'prefix-scan': {
      let starts: Uint32Array;
      let counts: number[];
      if (workload === 'range-scan') {
        const length = Math.min(scenario.scanLength, n);
        starts = rangeScanStarts(n, scenario.scanLength, deriveSeed(scenario.seed, Stream.rangeScan));
        counts = Array.from(starts, () => length);
      } else {
        const { groups, groupSize } = prefixScanGroups(n, keySize, scenario.prefixLength, deriveSeed(scenario.seed, Stream.prefixScan));
        starts = groups.map((g) => g * groupSize);
        counts = Array.from(groups, (g) => Math.min(n, (g + 1) * groupSize) - g * groupSize);
      }
      units = 0;
      calls = starts.length;
      per = 'scan call';
      for (let s = 0; s < starts.length; s++) {
        units += counts[s]!;
        for (let i = starts[s]!; i < starts[s]! + counts[s]!; i++) digest = step(digest, entryTerm(keyOf(i), valueOf(i)));
      }
      break;
    }
    case 'contains': {
      const { order, present } = containsQueries(n, scenario.missRatio, deriveSeed(scenario.seed, Stream.contains));
      for (let j = 0; j < n; j++) digest = step(digest, order[j]! < present ? 1 : 0);
      break;
    }
    case 'sequential-writes':
    case 'random-writes':
    case 'deletions':
      break;
    default: {
      if (!isYcsbWorkload(workload)) throw new Error(`no expected figures for ${workload}`);
      // Answers in call order: a read's (or a read-modify-write's read) value term, a scan's entry terms.
      sequence = decideSequence(workload, scenario, {
        read(_c, i, version) {
          digest = step(digest, valueTerm(valueOf(i, version)));
        },
        scan(_c, from, end, versions) {
          for (let r = from; r < end; r++) digest = step(digest, entryTerm(keyOf(r), firstByteOf(r, versions[r]!)));
        },
      });
      mutates = sequence.writes > 0;
      units = sequence.units;
      calls = sequence.calls;
      break;
    }
  }
  const records = sequence?.finalCount ?? n;
  const versions = sequence?.finalVersions;
  let getDigest = FNV_OFFSET;
  let scanDigest = FNV_OFFSET;
  let found = records;
  let scanned = records;
  if (workload === 'deletions') {
    for (let i = 0; i < n; i++) getDigest = fnvU32(getDigest, 0xffffffff);
    found = 0;
    scanned = 0;
  } else {
    for (let i = 0; i < records; i++) {
      const key = keyOf(i);
      const value = valueOf(i, versions?.[i] ?? 0);
      getDigest = fnvBytes(fnvU32(getDigest, value.length), value);
      scanDigest = fnvBytes(fnvU32(fnvBytes(fnvU32(scanDigest, key.length), key), value.length), value);
    }
  }
  return { units, digest, found, getDigest, scanned, scanDigest, mutates, calls, per, ...(sequence === undefined ? {} : { sequence }) };
}
