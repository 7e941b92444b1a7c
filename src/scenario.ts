/**
 * Scenarios: what to run, as data. A scenario file is JSON validated by ScenarioFile;
 * command-line options override its fields; `resolveScenario` checks the combination
 * (keys wide enough for every index, prefixes shorter than keys, ...).
 */
import { readFile, readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { z } from 'zod';
import { DURABILITY_MODES } from './engine.js';
import { UserError } from './errors.js';
import { digitsNeeded } from './keyspace.js';
import { projectRoot } from './paths.js';

export const WORKLOADS = [
  'sequential-writes',
  'sequential-reads',
  'random-writes',
  'random-reads',
  'range-scan',
  'prefix-scan',
  'deletions',
  'contains',
  'ycsb-a',
  'ycsb-b',
  'ycsb-c',
  'ycsb-d',
  'ycsb-e',
  'ycsb-f',
  'read-while-writing',
] as const;
export type WorkloadName = (typeof WORKLOADS)[number];

/** The names the reference document prints. */
export const WORKLOAD_LABELS: Readonly<Record<WorkloadName, string>> = {
  'sequential-writes': 'Sequential Writes',
  'sequential-reads': 'Sequential Reads',
  'random-writes': 'Random Writes',
  'random-reads': 'Random Reads',
  'range-scan': 'Range Scan',
  'prefix-scan': 'Prefix Scan',
  deletions: 'Deletions',
  contains: 'Contains',
  'ycsb-a': 'YCSB A (50% read, 50% update)',
  'ycsb-b': 'YCSB B (95% read, 5% update)',
  'ycsb-c': 'YCSB C (100% read)',
  'ycsb-d': 'YCSB D (95% read latest, 5% insert)',
  'ycsb-e': 'YCSB E (95% short scan, 5% insert)',
  'ycsb-f': 'YCSB F (50% read, 50% read-modify-write)',
  'read-while-writing': 'Reads while writing',
};

/** The reference document's eight workloads: what `seed` runs and what `--workloads document` names. */
export const DOCUMENT_WORKLOADS: readonly WorkloadName[] = WORKLOADS.slice(0, 8);
/** YCSB's core workloads A to F: `--workloads ycsb`. */
export const YCSB_WORKLOADS: readonly WorkloadName[] = ['ycsb-a', 'ycsb-b', 'ycsb-c', 'ycsb-d', 'ycsb-e', 'ycsb-f'];

const positiveInt = z.number().int().positive();

/**
 * Independent child processes per (engine, workload) by default: 3 is the fewest a 95%
 * t-interval can rest on (see src/stats.ts), and each more costs a whole process
 * (load, warm-up, repetitions) per workload. docs/intervals.md has the measurements.
 */
export const DEFAULT_PROCESSES = 3;
export const MAX_PROCESSES = 64;
/** Shortest timed sample of read and scan workloads, ms (passes repeat within it); docs/intervals.md. */
export const DEFAULT_MIN_SAMPLE_MS = 100;

/** The most client threads `--threads` accepts. */
export const MAX_THREADS = 256;
export const WRITER_MODES = ['auto', 'thread', 'interleaved'] as const;
export type WriterMode = (typeof WRITER_MODES)[number];

export const ScenarioFile = z
  .object({
    name: z.string().min(1),
    description: z.string().default(''),
    ops: positiveInt.max(2 ** 31).describe('N: operations per workload, and keys loaded'),
    keySize: positiveInt.max(1024),
    valueSize: positiveInt.max(1 << 20),
    durability: z.enum(DURABILITY_MODES as [string, ...string[]]).transform((d) => d as (typeof DURABILITY_MODES)[number]),
    seed: z.number().int().min(0).max(0xffffffff).default(42),
    repetitions: positiveInt.max(1000).default(5),
    warmup: z.number().int().min(0).max(100).default(1),
    /** Independent child processes per (engine, workload); the interval of a figure rests on them. */
    processes: positiveInt.max(MAX_PROCESSES).default(DEFAULT_PROCESSES),
    /** Read and scan workloads repeat passes within a timed sample until it lasts this long. */
    minSampleMs: z.number().int().min(0).max(60_000).default(DEFAULT_MIN_SAMPLE_MS),
    workloads: z.array(z.enum(WORKLOADS)).min(1).default([...WORKLOADS]),
    scanLength: positiveInt.default(1000),
    prefixLength: positiveInt.optional(),
    missRatio: z.number().min(0).max(1).default(0),
    /** Mixed workloads: overrides each YCSB workload's own request distribution. */
    requestDistribution: z.enum(['uniform', 'zipfian', 'latest', 'hotspot']).optional(),
    zipfianConstant: z.number().gt(0).lt(1).default(0.99),
    hotsetFraction: z.number().gt(0).lt(1).default(0.2),
    hotOperationFraction: z.number().min(0).max(1).default(0.8),
    /** YCSB E: scan lengths are uniform in 1..maxScanLength. */
    maxScanLength: positiveInt.max(1_000_000).default(100),
    /** read-while-writing: writes between consecutive reads. */
    writesPerRead: z.number().int().min(0).max(1000).default(1),
    /** Calls per second of the latency pass, open-loop; absent: each call as soon as the last returns. */
    targetRate: z.number().positive().max(1e9).optional(),
    /** Writes and deletes grouped into atomic batches of this many operations; 1 = one call per operation. */
    batch: positiveInt.max(1_000_000).default(1),
    /** Outstanding operations for stores whose API is asynchronous only; synchronous stores ignore it. */
    concurrency: positiveInt.max(4096).default(1),
    /** Client threads sharing the store (document workloads, engines that allow it); 1 = the child's own thread. */
    threads: positiveInt.max(MAX_THREADS).default(1),
    /** read-while-writing: the writer in a thread of its own, interleaved with the reads, or (auto) a thread where the engine allows it. */
    writer: z.enum(WRITER_MODES).default('auto'),
    /** read-while-writing with a writer thread: its writes per second; absent: as fast as it can. */
    writerRate: z.number().positive().max(1e9).optional(),
    /** Per-workload child process time limit, seconds. */
    timeoutSeconds: positiveInt.default(1800),
    engineOptions: z.record(z.string(), z.record(z.string(), z.string())).default({}),
  })
  .strict();
export type ScenarioFileInput = z.input<typeof ScenarioFile>;

/** A scenario with every field decided and checked. */
export interface Scenario {
  readonly name: string;
  readonly description: string;
  /** Where it came from: a built-in name or a file path. */
  readonly source: string;
  readonly ops: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly durability: (typeof DURABILITY_MODES)[number];
  readonly seed: number;
  readonly repetitions: number;
  readonly warmup: number;
  readonly processes: number;
  readonly minSampleMs: number;
  readonly workloads: readonly WorkloadName[];
  readonly scanLength: number;
  readonly prefixLength: number;
  readonly missRatio: number;
  readonly requestDistribution: 'uniform' | 'zipfian' | 'latest' | 'hotspot' | undefined;
  readonly zipfianConstant: number;
  readonly hotsetFraction: number;
  readonly hotOperationFraction: number;
  readonly maxScanLength: number;
  readonly writesPerRead: number;
  readonly targetRate: number | undefined;
  readonly batch: number;
  readonly concurrency: number;
  readonly threads: number;
  readonly writer: WriterMode;
  readonly writerRate: number | undefined;
  readonly timeoutSeconds: number;
  readonly engineOptions: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

export const scenariosDir = (): string => join(projectRoot(), 'scenarios');

/** One line per problem, each naming the field: what zod found, in words a user can act on. */
export function formatZodError(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(top level)'}: ${issue.message}`).join('; ');
}

/** Loads a scenario by built-in name (scenarios/<name>.json) or by path. */
export async function loadScenarioFile(nameOrPath: string): Promise<{ source: string; file: z.output<typeof ScenarioFile> }> {
  const builtin = join(scenariosDir(), `${nameOrPath}.json`);
  const path = /[\\/]|\.json$/.test(nameOrPath) ? resolve(nameOrPath) : builtin;
  if (!existsSync(path)) {
    const known = (await listScenarioNames()).join(', ');
    throw new UserError(`unknown scenario '${nameOrPath}': no file ${path} (built-in scenarios: ${known})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new UserError(`scenario file ${path} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  const parsed = ScenarioFile.safeParse(json);
  if (!parsed.success) throw new UserError(`scenario file ${path} is invalid: ${formatZodError(parsed.error)}`);
  return { source: path === builtin ? basename(nameOrPath) : path, file: parsed.data };
}

export async function listScenarioNames(): Promise<string[]> {
  const files = await readdir(scenariosDir());
  return files.filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();
}

export type ScenarioOverrides = Partial<Pick<Scenario, 'ops' | 'keySize' | 'valueSize' | 'durability' | 'seed' | 'repetitions' | 'warmup' | 'processes' | 'minSampleMs' | 'workloads' | 'scanLength' | 'prefixLength' | 'missRatio' | 'batch' | 'concurrency' | 'threads' | 'writer' | 'writerRate' | 'timeoutSeconds' | 'requestDistribution' | 'zipfianConstant' | 'writesPerRead' | 'targetRate'>>;

export function resolveScenario(source: string, file: z.output<typeof ScenarioFile>, overrides: ScenarioOverrides): Scenario {
  const merged = { ...file, ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) };
  const keySize = merged.keySize;
  const prefixLength = merged.prefixLength ?? Math.max(1, keySize - 3);
  const ops = merged.ops;
  const misses = Math.round(ops * merged.missRatio);
  // Inserting workloads (YCSB D and E) add at most one key per operation after the N loaded.
  const inserts = merged.workloads.some((w) => w === 'ycsb-d' || w === 'ycsb-e') ? ops : 0;
  const largestIndex = ops - 1 + Math.max(misses, inserts);
  if (digitsNeeded(largestIndex) > keySize)
    throw new UserError(`key size ${keySize} is too small: key(${largestIndex}) needs ${digitsNeeded(largestIndex)} decimal digits`);
  if (prefixLength > keySize) throw new UserError(`prefix length ${prefixLength} must not exceed the key size ${keySize}`);
  if (keySize - prefixLength > 15) throw new UserError(`prefix length ${prefixLength} leaves ${keySize - prefixLength} digits per prefix group; at most 15 are supported`);
  const workloads = [...new Set(merged.workloads)];
  if (merged.concurrency > 1 && workloads.some((w) => !DOCUMENT_WORKLOADS.includes(w)))
    throw new UserError('the mixed workloads (YCSB, read-while-writing) are checked against a sequential model of the store, so they run with --concurrency 1');
  const mixed = workloads.filter((w) => !DOCUMENT_WORKLOADS.includes(w));
  if (merged.threads > 1 && mixed.length > 0)
    throw new UserError(
      `--threads ${merged.threads} applies to the document workloads only: ${mixed.join(', ')} ${mixed.length === 1 ? 'is' : 'are'} checked against a sequential model of the store (read-while-writing runs its writer in a thread of its own instead, see --writer)`,
    );
  if (merged.writerRate !== undefined && merged.writer === 'interleaved')
    throw new UserError('--writer-rate paces the writer thread; with --writer interleaved the writes are set by --writes-per-read');
  return {
    name: merged.name,
    description: merged.description,
    source,
    ops,
    keySize,
    valueSize: merged.valueSize,
    durability: merged.durability,
    seed: merged.seed,
    repetitions: merged.repetitions,
    warmup: merged.warmup,
    processes: merged.processes,
    minSampleMs: merged.minSampleMs,
    workloads: WORKLOADS.filter((w) => workloads.includes(w)),
    scanLength: merged.scanLength,
    prefixLength,
    missRatio: merged.missRatio,
    requestDistribution: merged.requestDistribution,
    zipfianConstant: merged.zipfianConstant,
    hotsetFraction: merged.hotsetFraction,
    hotOperationFraction: merged.hotOperationFraction,
    maxScanLength: merged.maxScanLength,
    writesPerRead: merged.writesPerRead,
    targetRate: merged.targetRate,
    batch: merged.batch,
    concurrency: merged.concurrency,
    threads: merged.threads,
    writer: merged.writer,
    writerRate: merged.writerRate,
    timeoutSeconds: merged.timeoutSeconds,
    engineOptions: merged.engineOptions,
  };
}

/** Parses a --workloads list: names separated by commas, where `document`, `ycsb` and `all` name groups. */
export function parseWorkloadList(text: string): WorkloadName[] {
  const names = text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (names.length === 0) throw new UserError('--workloads needs at least one workload name');
  const out: WorkloadName[] = [];
  for (const name of names) {
    if (name === 'all') out.push(...WORKLOADS);
    else if (name === 'document') out.push(...DOCUMENT_WORKLOADS);
    else if (name === 'ycsb') out.push(...YCSB_WORKLOADS);
    else if ((WORKLOADS as readonly string[]).includes(name)) out.push(name as WorkloadName);
    else throw new UserError(`unknown workload '${name}' (known: ${WORKLOADS.join(', ')}; groups: document, ycsb, all)`);
  }
  return out;
}
