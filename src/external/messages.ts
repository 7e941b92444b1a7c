/**
 * The external engine protocol, version 1 (engines/external/PROTOCOL.md): the request
 * the harness sends, the lines an engine may print, validated with zod, and the figures
 * a correct engine reports, computed from the keyspace.
 */
import { z } from 'zod';
import { DURABILITY_MODES, OPERATIONS } from '../engine.js';
import { containsQueries, deriveSeed, permutation, prefixScanGroups, rangeScanStarts, Stream, writeKey, writeValue } from '../keyspace.js';
import type { Scenario, WorkloadName } from '../scenario.js';

export const PROTOCOL_VERSION = 1;

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
  z.object({ type: z.literal('verify'), found: count, getDigest: u32, scanned: count, scanDigest: u32 }),
  z.object({ type: z.literal('stats'), stats: z.record(z.string(), z.union([z.number(), z.string()])) }),
  z.object({ type: z.literal('done') }),
  z.object({ type: z.literal('error'), message: z.string() }),
]);
export type EngineMessage = z.infer<typeof EngineMessage>;

export interface RunRequest {
  readonly protocol: number;
  readonly type: 'run';
  readonly workload: ProtocolWorkload;
  readonly dir: string;
  readonly durability: string;
  readonly options: Readonly<Record<string, string>>;
  readonly scenario: Pick<Scenario, 'ops' | 'keySize' | 'valueSize' | 'seed' | 'scanLength' | 'prefixLength' | 'missRatio' | 'batch' | 'repetitions' | 'warmup'>;
}

export function runRequest(workload: ProtocolWorkload, scenario: Scenario, dir: string, durability: string, options: Readonly<Record<string, string>>): RunRequest {
  const { ops, keySize, valueSize, seed, scanLength, prefixLength, missRatio, batch, repetitions, warmup } = scenario;
  return {
    protocol: PROTOCOL_VERSION,
    type: 'run',
    workload,
    dir,
    durability,
    options,
    scenario: { ops, keySize, valueSize, seed, scanLength, prefixLength, missRatio, batch, repetitions, warmup },
  };
}

/** The workloads protocol 1 defines (PROTOCOL.md); the harness may know more. */
export const PROTOCOL_WORKLOADS = [
  'sequential-writes',
  'sequential-reads',
  'random-writes',
  'random-reads',
  'range-scan',
  'prefix-scan',
  'deletions',
  'contains',
] as const satisfies readonly WorkloadName[];
export type ProtocolWorkload = (typeof PROTOCOL_WORKLOADS)[number];
export const isProtocolWorkload = (w: string): w is ProtocolWorkload => (PROTOCOL_WORKLOADS as readonly string[]).includes(w);

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
  const valueOf = (i: number): Uint8Array => {
    writeValue(valueSeed, i, valueSize, v, 0);
    return v;
  };
  const mutates = workload === 'sequential-writes' || workload === 'random-writes' || workload === 'deletions';
  let units = n;
  let digest = 0;
  switch (workload) {
    case 'sequential-reads':
    case 'random-reads': {
      const order = workload === 'random-reads' ? permutation(n, deriveSeed(scenario.seed, Stream.randomReads)) : undefined;
      for (let j = 0; j < n; j++) digest = step(digest, valueTerm(valueOf(order === undefined ? j : order[j]!)));
      break;
    }
    case 'range-scan':
    case 'prefix-scan': {
      let first: Uint32Array;
      let counts: number[];
      if (workload === 'range-scan') {
        const length = Math.min(scenario.scanLength, n);
        first = rangeScanStarts(n, scenario.scanLength, deriveSeed(scenario.seed, Stream.rangeScan));
        counts = Array.from(first, () => length);
      } else {
        const { groups, groupSize } = prefixScanGroups(n, keySize, scenario.prefixLength, deriveSeed(scenario.seed, Stream.prefixScan));
        first = groups.map((g) => g * groupSize);
        counts = Array.from(groups, (g) => Math.min(n, (g + 1) * groupSize) - g * groupSize);
      }
      units = 0;
      for (let s = 0; s < first.length; s++) {
        units += counts[s]!;
        for (let i = first[s]!; i < first[s]! + counts[s]!; i++) digest = step(digest, entryTerm(keyOf(i), valueOf(i)));
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
  }
  let getDigest = FNV_OFFSET;
  let scanDigest = FNV_OFFSET;
  let found = n;
  let scanned = n;
  if (workload === 'deletions') {
    for (let i = 0; i < n; i++) getDigest = fnvU32(getDigest, 0xffffffff);
    found = 0;
    scanned = 0;
  } else {
    for (let i = 0; i < n; i++) {
      const key = keyOf(i);
      const value = valueOf(i);
      getDigest = fnvBytes(fnvU32(getDigest, value.length), value);
      scanDigest = fnvBytes(fnvU32(fnvBytes(fnvU32(scanDigest, key.length), key), value.length), value);
    }
  }
  return { units, digest, found, getDigest, scanned, scanDigest, mutates };
}
