/**
 * The results file: a versioned JSON document, validated with zod on write and on read.
 * A run never overwrites a file: each is created exclusively under a unique name.
 */
import { readFile, writeFile, access, unlink } from 'node:fs/promises';
import { constants } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { DURABILITY_MODES, OPERATIONS } from './engine.js';
import { UserError } from './errors.js';
import { makeDirectories } from './paths.js';
import { WORKLOADS } from './scenario.js';
import { formatZodError } from './scenario.js';
import { DriftUsedSchema } from './drift.js';

export const RESULTS_SCHEMA = 'lsmbench/results';
export const RESULTS_VERSION = 1;

const durability = z.enum(DURABILITY_MODES as [string, ...string[]]);
const num = z.number();
const nullableNum = z.number().nullable();
/** A time or a rate that was measured: finite (zod refuses NaN and Infinity) and above zero. */
const measured = z.number().positive();

export const SummarySchema = z.object({
  n: z.number().int(),
  median: measured,
  mean: measured,
  min: measured,
  max: measured,
  stddev: z.number().min(0),
  /** Null: too few independent samples for a 95% interval (files before this field always had one). */
  ci95: z.tuple([num, num]).nullable(),
  /** Independent samples (child processes) the interval rests on; absent in older files. */
  independentSamples: z.number().int().optional(),
});

export const EnvironmentSchema = z.object({
  node: z.string(),
  v8: z.string(),
  os: z.string(),
  kernel: z.string(),
  arch: z.string(),
  cpuModel: z.string(),
  cpuCount: z.number().int(),
  memoryBytes: num,
  commit: z.string().nullable(),
  commitDirty: z.boolean().nullable(),
  lsmbenchVersion: z.string(),
  /** Same fingerprint, same kind of machine: CPU model and count, memory, OS and architecture. */
  fingerprint: z.string(),
  /** Where the stores lived, and that filesystem's type: tmpfs makes fsync free. */
  storage: z.object({ workDir: z.string(), filesystem: z.string() }).nullable(),
});

export const EngineRunSchema = z.object({
  /**
   * The engine's label in this run: its --label, else its name (an external engine's: the
   * name its hello gives), with #2, #3 ... when that repeats.
   */
  label: z.string(),
  /** The engine as `--engine` finds it again: an external engine's `external:<absolute path>`. */
  name: z.string(),
  storeVersion: z.string(),
  api: z.enum(['sync', 'async']),
  options: z.record(z.string(), z.string()),
  durabilityRequested: durability,
  durabilityUsed: durability,
  operations: z.record(z.enum(OPERATIONS as [string, ...string[]]), z.enum(['native', 'emulated'])),
  /** How the operations were issued: synchronous calls, awaited one at a time, K outstanding, batches of B. */
  driving: z.string(),
  /** Whether threads can share the engine's store, and how they do (or why they cannot); absent in older files. */
  threads: z
    .discriminatedUnion('shared', [z.object({ shared: z.literal(true), how: z.string() }), z.object({ shared: z.literal(false), reason: z.string() })])
    .optional(),
});

export const RepetitionSchema = z.object({
  ms: measured,
  opsPerSec: measured,
  /** Time settle() took after the timed part, when the workload writes: summed over the sample's passes, each on its own store. */
  settleMs: z.number().min(0).nullable(),
  /** User + system CPU time of the child process during the timed part (null: not measured, e.g. client threads). */
  cpuMs: nullableNum.optional(),
  /** Involuntary context switches of the child process during the timed part. */
  involuntaryContextSwitches: nullableNum.optional(),
  /** True when the sample lost time off the CPU: involuntary switches, and CPU time under 90% of wall time. */
  preempted: z.boolean().optional(),
  /** 0-based index of the child process that measured the sample. */
  process: z.number().int().min(0).optional(),
  /**
   * Passes of the workload inside the sample; ms, opsPerSec, cpuMs and involuntary switches
   * count the timed parts of all of them. Reads and scans repeat on the same store; writes,
   * deletes and mixed workloads run each pass on a fresh store, settled and verified.
   */
  passes: z.number().int().min(1).optional(),
});

export const LatencySchema = z.object({
  method: z.string(),
  /** What one timed call is: an operation, or one scan. */
  per: z.string(),
  calls: z.number().int(),
  timerOverheadNs: num,
  p50Ns: num,
  p99Ns: num,
  p999Ns: num,
  maxNs: num,
});

export const ResourcesSchema = z.object({
  peakRssBytes: num,
  /** RSS after the harness made its keys and values, before the store opened: peak minus this is the store's share. */
  baselineRssBytes: num.optional(),
  peakHeapUsedBytes: num,
  /**
   * Deltas from /proc/self/io over the timed parts and settles of a sample (the median
   * sample's), every pass of it; not the making and loading of a pass's store, nor the checks
   * and closes between passes (client threads open and close the store inside the window).
   */
  io: z
    .object({ rchar: num, wchar: num, syscr: num.optional(), syscw: num.optional(), readBytes: num, writeBytes: num })
    .nullable(),
  diskBytes: nullableNum,
  /** Logical bytes one pass of the timed part writes. */
  logicalBytesWritten: num,
  logicalBytesLive: num,
  /** Bytes written through write(2) (wchar) per logical byte written (the median sample's, over all its passes). */
  writeAmplification: nullableNum,
  /** Bytes on disk after settle per live logical byte. */
  spaceAmplification: nullableNum,
});

export const WorkloadResultSchema = z.object({
  engine: z.string(),
  workload: z.enum(WORKLOADS),
  /** In a sweep, the swept parameter's value for this result (e.g. N); null outside sweeps. */
  point: z.number().nullable(),
  status: z.enum(['verified', 'failed']),
  error: z.string().nullable(),
  unit: z.enum(['op', 'entry']),
  unitsPerRepetition: z.number().int(),
  repetitions: z.array(RepetitionSchema),
  opsPerSec: SummarySchema.nullable(),
  latency: LatencySchema.nullable(),
  /** Mixed workloads: the latency pass split by operation type (read, update, insert, scan, read-modify-write). */
  latencyByOperation: z.record(z.string(), LatencySchema).optional(),
  /**
   * Per second of the latency pass (call time, chunk preparation excluded): calls completed
   * and their p99, and how long the second lasted (`ms`: 1,000 but for the last, which ends
   * with the pass; absent in files from before it was recorded).
   */
  intervals: z.array(z.object({ second: z.number().int(), calls: z.number().int(), p99Ns: num, ms: z.number().positive().max(1000).optional() })).optional(),
  /** Client threads that shared the calls (--threads); absent in older files and failed results: 1. */
  threads: z.number().int().min(1).default(1),
  /** read-while-writing: whether the writer ran in a thread of its own or between the reads. */
  writer: z.enum(['thread', 'interleaved']).optional(),
  /** read-while-writing with a writer thread: its writes per second in each repetition. */
  writerOpsPerSec: SummarySchema.optional(),
  resources: ResourcesSchema.nullable(),
  /** The harness's own cost per unit: the same timed loop against a store that does nothing. */
  harnessOverheadNsPerOp: nullableNum,
  storeStats: z.record(z.string(), z.unknown()).nullable(),
  verification: z.object({ checked: z.boolean(), ok: z.boolean(), detail: z.string() }),
  wallSeconds: num,
});

export const ScenarioSchema = z.object({
  name: z.string(),
  description: z.string(),
  source: z.string(),
  ops: z.number().int(),
  keySize: z.number().int(),
  valueSize: z.number().int(),
  durability,
  seed: z.number().int(),
  repetitions: z.number().int(),
  warmup: z.number().int(),
  /** Child processes per (engine, workload); files before --processes ran one. */
  processes: z.number().int().min(1).optional(),
  /** Minimum duration of a sample; files before it ran one pass per sample, and files before fresh-store passes applied it to reads and scans only. */
  minSampleMs: z.number().int().min(0).optional(),
  workloads: z.array(z.enum(WORKLOADS)),
  scanLength: z.number().int(),
  prefixLength: z.number().int(),
  missRatio: num,
  requestDistribution: z.enum(['uniform', 'zipfian', 'latest', 'hotspot']).optional(),
  zipfianConstant: num.optional(),
  hotsetFraction: num.optional(),
  hotOperationFraction: num.optional(),
  maxScanLength: z.number().int().optional(),
  writesPerRead: z.number().int().optional(),
  targetRate: num.optional(),
  batch: z.number().int(),
  concurrency: z.number().int(),
  /** Client threads (--threads); files written before it existed ran in one thread. */
  threads: z.number().int().min(1).default(1),
  /** read-while-writing's writer: auto (a thread where the engine allows it), thread or interleaved. */
  writer: z.enum(['auto', 'thread', 'interleaved']).optional(),
  writerRate: num.optional(),
  timeoutSeconds: num,
  engineOptions: z.record(z.string(), z.record(z.string(), z.string())),
});

export const ResultsFileSchema = z.object({
  schema: z.literal(RESULTS_SCHEMA),
  version: z.literal(RESULTS_VERSION),
  id: z.string(),
  createdAt: z.string(),
  /** The command that reruns this run, or null for published figures that cannot be rerun. */
  rerun: z.string().nullable(),
  published: z.object({ source: z.string(), note: z.string() }).nullable(),
  environment: EnvironmentSchema,
  /** The scenario as run; in a sweep, with the swept parameter at its first value. */
  scenario: ScenarioSchema,
  /** A sweep runs the scenario once per value of one parameter; each result names its point. */
  sweep: z.object({ parameter: z.enum(['ops']), values: z.array(z.number()) }).nullable(),
  engines: z.array(EngineRunSchema),
  // A file with no results has nothing to compare or report.
  results: z.array(WorkloadResultSchema).min(1),
  /** The machine's run-to-run drift the figures' intervals include (src/drift.ts); absent or null: the run's own only. */
  drift: DriftUsedSchema.nullable().optional(),
});
export type ResultsFile = z.infer<typeof ResultsFileSchema>;
export type WorkloadResult = z.infer<typeof WorkloadResultSchema>;
export type EngineRun = z.infer<typeof EngineRunSchema>;
export type Environment = z.infer<typeof EnvironmentSchema>;

/** Reads and validates a results file; every problem is a UserError naming the file. */
export async function readResults(path: string): Promise<ResultsFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new UserError(`cannot read results file ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UserError(`results file ${path} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  const head = z.object({ schema: z.string(), version: z.number() }).safeParse(json);
  if (!head.success || head.data.schema !== RESULTS_SCHEMA)
    throw new UserError(`${path} is not an lsmbench results file (no "schema": "${RESULTS_SCHEMA}")`);
  const parsed = ResultsFileSchema.safeParse(migrateResults(json, head.data.version, path));
  if (!parsed.success) throw new UserError(`results file ${path} is invalid: ${formatZodError(parsed.error)}`);
  return parsed.data;
}

/**
 * Lossless upgrades of older results files: RESULTS_MIGRATIONS[v] turns a version-v
 * document into a version v+1 one. A version with no path to RESULTS_VERSION (a newer
 * file, or an old one whose upgrade would lose figures) is an error naming the file.
 */
export const RESULTS_MIGRATIONS: Readonly<Record<number, (doc: Record<string, unknown>) => Record<string, unknown>>> = {};

export function migrateResults(
  json: unknown,
  version: number,
  path: string,
  migrations: Readonly<Record<number, (doc: Record<string, unknown>) => Record<string, unknown>>> = RESULTS_MIGRATIONS,
): unknown {
  if (version === RESULTS_VERSION) return json;
  if (version > RESULTS_VERSION)
    throw new UserError(`results file ${path} has schema version ${version}, newer than this lsmbench reads (${RESULTS_VERSION}); upgrade lsmbench`);
  let doc = json as Record<string, unknown>;
  for (let v = version; v < RESULTS_VERSION; v++) {
    const step = migrations[v];
    if (step === undefined)
      throw new UserError(`results file ${path} has schema version ${version}; this lsmbench reads version ${RESULTS_VERSION} and cannot convert version ${v}`);
    doc = { ...step(doc), version: v + 1 };
  }
  return doc;
}

/**
 * Checks up front that files can be written in `dir` (made if missing), so a long run
 * does not fail at the end; `what` names the directory in the error.
 */
export async function ensureWritableDir(dir: string, what = 'results directory'): Promise<void> {
  try {
    await makeDirectories(dir);
    await access(dir, constants.W_OK);
    const probe = join(dir, `.lsmbench-write-probe-${process.pid}`);
    await writeFile(probe, '');
    await unlink(probe);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOTDIR') throw new UserError(`${what} ${resolve(dir)} is not writable: ${e.path ?? 'a part of it'} is not a directory`);
    throw new UserError(`${what} ${resolve(dir)} is not writable: ${e.code ?? String(err)}`);
  }
}

/** Writes a new results file, never replacing one: with `wx`, an existing file is an error. */
export async function writeResultsFile(path: string, results: ResultsFile): Promise<void> {
  ResultsFileSchema.parse(results);
  try {
    await writeFile(path, JSON.stringify(results, null, 2) + '\n', { flag: 'wx' });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new UserError(`results file ${path} already exists; lsmbench never overwrites results (choose another --out)`);
    throw new UserError(`cannot write results file ${path}: ${code ?? String(err)}`);
  }
}

/** A unique, sortable file name for a run: time, engines and a random suffix. */
export function resultsFileName(createdAt: Date, engineLabels: readonly string[], id: string): string {
  const stamp = createdAt.toISOString().replace(/[:]/g, '').replace(/\..*/, '');
  const engines = engineLabels.map((l) => l.replace(/[^A-Za-z0-9_-]+/g, '_')).join('-vs-');
  return `${stamp}-${engines}-${id.slice(0, 8)}.json`;
}
