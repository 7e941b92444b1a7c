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

/** A workload's label for a terminal too narrow for the full names ("Seq. Writes", "Rand. Reads"). */
export const shortWorkloadLabel = (w: WorkloadName): string => WORKLOAD_LABELS[w].replace(/^Sequential /, 'Seq. ').replace(/^Random /, 'Rand. ');

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
/** Shortest timed sample, ms (passes repeat within it, on a fresh store each where the workload writes); docs/intervals.md. */
export const DEFAULT_MIN_SAMPLE_MS = 100;

/** The most client threads `--threads` accepts. */
export const MAX_THREADS = 256;
export const WRITER_MODES = ['auto', 'thread', 'interleaved'] as const;
export type WriterMode = (typeof WRITER_MODES)[number];

const DISTRIBUTION_NAMES = ['uniform', 'zipfian', 'latest', 'hotspot'] as const;

/** How a scenario parameter is written on the command line; commands/options.ts turns it into a parser. */
export type FlagValue =
  | { readonly kind: 'positive-int'; readonly max?: number }
  | { readonly kind: 'whole'; readonly max: number }
  | { readonly kind: 'fraction' }
  | { readonly kind: 'open-fraction' }
  | { readonly kind: 'choice'; readonly choices: readonly string[] }
  | { readonly kind: 'workloads' };

export interface ScenarioParam {
  /** Its type in a scenario file, with the default a file may leave out. */
  readonly schema: z.ZodType;
  /** `lsmbench run`'s flag (long form, with the value's placeholder); absent: a scenario-file field only. */
  readonly flag?: string;
  readonly short?: string;
  readonly value?: FlagValue;
  /** The flag's help, one phrase. */
  readonly help: string;
  /** Whether the gate must find it equal in two runs before it compares their figures. */
  readonly gateMatches: boolean;
}

/**
 * Every scenario parameter, declared once: the scenario file's schema, `lsmbench run`'s
 * flags, the overrides they make, the rerun command written into results, and the gate's
 * rerun of a stored run and its like-with-like check are all generated from this table.
 */
export const SCENARIO_PARAMS = {
  ops: {
    schema: positiveInt.max(2 ** 31).describe('N: operations per workload, and keys loaded'),
    short: '-n',
    flag: '--ops <n>',
    value: { kind: 'positive-int', max: 2 ** 31 },
    help: 'operations per workload, and keys loaded (N)',
    gateMatches: true,
  },
  keySize: {
    schema: positiveInt.max(1024),
    flag: '--key-size <bytes>',
    value: { kind: 'positive-int', max: 1024 },
    help: 'key size in bytes (keys are zero-padded decimals)',
    gateMatches: true,
  },
  valueSize: {
    schema: positiveInt.max(1 << 20),
    flag: '--value-size <bytes>',
    value: { kind: 'positive-int', max: 1 << 20 },
    help: 'value size in bytes',
    gateMatches: true,
  },
  durability: {
    schema: z.enum(DURABILITY_MODES as [string, ...string[]]).transform((d) => d as (typeof DURABILITY_MODES)[number]),
    flag: '--durability <mode>',
    value: { kind: 'choice', choices: DURABILITY_MODES },
    help: 'what an acknowledged write survives: none (clean close), os (process kill), fsync (power loss)',
    gateMatches: true,
  },
  repetitions: {
    schema: positiveInt.max(1000).default(5),
    short: '-r',
    flag: '--repetitions <n>',
    value: { kind: 'positive-int', max: 1000 },
    help: 'timed repetitions per workload',
    // The gate chooses its own repetitions.
    gateMatches: false,
  },
  warmup: {
    schema: z.number().int().min(0).max(100).default(1),
    flag: '--warmup <n>',
    value: { kind: 'whole', max: 100 },
    help: 'untimed warm-up repetitions before them',
    gateMatches: true,
  },
  /** Independent child processes per (engine, workload); the interval of a figure rests on them. */
  processes: {
    schema: positiveInt.max(MAX_PROCESSES).default(DEFAULT_PROCESSES),
    flag: '--processes <n>',
    value: { kind: 'positive-int', max: MAX_PROCESSES },
    help: `independent child processes per engine and workload, interleaved between the engines; intervals rest on them (default ${DEFAULT_PROCESSES})`,
    // The gate's rounds are its independent samples: it runs one process a side per round.
    gateMatches: false,
  },
  /** A timed sample repeats passes (on a fresh store each, where the workload changes the store) until it lasts this long. */
  minSampleMs: {
    schema: z.number().int().min(0).max(60_000).default(DEFAULT_MIN_SAMPLE_MS),
    flag: '--min-sample-ms <ms>',
    value: { kind: 'whole', max: 60_000 },
    help: `a timed sample repeats passes until it lasts this long; write, delete and mixed workloads on a fresh store each pass (default ${DEFAULT_MIN_SAMPLE_MS})`,
    gateMatches: true,
  },
  seed: {
    schema: z.number().int().min(0).max(0xffffffff).default(42),
    flag: '--seed <n>',
    value: { kind: 'whole', max: 0xffffffff },
    help: 'seed of values and random orders (0 to 4294967295)',
    gateMatches: true,
  },
  workloads: {
    schema: z.array(z.enum(WORKLOADS)).min(1).default([...WORKLOADS]),
    short: '-w',
    flag: '--workloads <list>',
    value: { kind: 'workloads' },
    help: `comma-separated workloads or groups (document, ycsb, all): ${WORKLOADS.join(', ')}`,
    gateMatches: true,
  },
  scanLength: {
    schema: positiveInt.default(1000),
    flag: '--scan-length <n>',
    value: { kind: 'positive-int' },
    help: 'entries per range scan',
    gateMatches: true,
  },
  prefixLength: {
    schema: positiveInt.optional(),
    flag: '--prefix-length <bytes>',
    value: { kind: 'positive-int', max: 1024 },
    help: 'prefix length of prefix scans (default: key size - 3, so 1,000 keys per prefix)',
    gateMatches: true,
  },
  missRatio: {
    schema: z.number().min(0).max(1).default(0),
    flag: '--miss-ratio <fraction>',
    value: { kind: 'fraction' },
    help: 'share of contains checks that ask for absent keys',
    gateMatches: true,
  },
  /** Mixed workloads: overrides each YCSB workload's own request distribution. */
  requestDistribution: {
    schema: z.enum(DISTRIBUTION_NAMES).optional(),
    flag: '--distribution <name>',
    value: { kind: 'choice', choices: DISTRIBUTION_NAMES },
    help: "request distribution of the mixed workloads, overriding each YCSB workload's own",
    gateMatches: true,
  },
  zipfianConstant: {
    schema: z.number().gt(0).lt(1).default(0.99),
    flag: '--zipfian-constant <theta>',
    value: { kind: 'open-fraction' },
    help: 'skew of the zipfian and latest distributions (default 0.99)',
    gateMatches: true,
  },
  hotsetFraction: { schema: z.number().gt(0).lt(1).default(0.2), help: 'hotspot distribution: the share of keys that are hot', gateMatches: true },
  hotOperationFraction: { schema: z.number().min(0).max(1).default(0.8), help: 'hotspot distribution: the share of requests to hot keys', gateMatches: true },
  /** YCSB E: scan lengths are uniform in 1..maxScanLength. */
  maxScanLength: { schema: positiveInt.max(1_000_000).default(100), help: 'YCSB E: the longest scan', gateMatches: true },
  /** read-while-writing: writes between consecutive reads. */
  writesPerRead: {
    schema: z.number().int().min(0).max(1000).default(1),
    flag: '--writes-per-read <n>',
    value: { kind: 'whole', max: 1000 },
    help: 'read-while-writing with interleaved writes: writes between consecutive reads (default 1)',
    gateMatches: true,
  },
  /** Calls per second of the latency pass, open-loop; absent: each call as soon as the last returns. */
  targetRate: {
    schema: z.number().positive().max(1e9).optional(),
    flag: '--target-rate <calls/s>',
    value: { kind: 'positive-int', max: 1e9 },
    help: 'latency pass open-loop at this rate: latency counts from when each call was due (no coordinated omission)',
    gateMatches: true,
  },
  /** Writes and deletes grouped into atomic batches of this many operations; 1 = one call per operation. */
  batch: {
    schema: positiveInt.max(1_000_000).default(1),
    flag: '--batch <n>',
    value: { kind: 'positive-int', max: 1_000_000 },
    help: 'group writes and deletes into atomic batches of n (default 1: one call per operation)',
    gateMatches: true,
  },
  /** Outstanding operations for stores whose API is asynchronous only; synchronous stores ignore it. */
  concurrency: {
    schema: positiveInt.max(4096).default(1),
    flag: '--concurrency <k>',
    value: { kind: 'positive-int', max: 4096 },
    help: 'outstanding operations for asynchronous stores (default 1)',
    gateMatches: true,
  },
  /** Client threads sharing the store (document workloads, engines that allow it); 1 = the child's own thread. */
  threads: {
    schema: positiveInt.max(MAX_THREADS).default(1),
    flag: '--threads <n>',
    value: { kind: 'positive-int', max: MAX_THREADS },
    help: 'client threads sharing the store, each making its share of the calls (document workloads; engines whose stores threads can share, see `lsmbench engines`; default 1)',
    gateMatches: true,
  },
  /** read-while-writing: the writer in a thread of its own, interleaved with the reads, or (auto) a thread where the engine allows it. */
  writer: {
    schema: z.enum(WRITER_MODES).default('auto'),
    flag: '--writer <mode>',
    value: { kind: 'choice', choices: WRITER_MODES },
    help: 'read-while-writing: the writer in a thread of its own (thread), between the reads (interleaved), or auto: a thread where the engine allows it',
    gateMatches: true,
  },
  /** read-while-writing with a writer thread: its writes per second; absent: as fast as it can. */
  writerRate: {
    schema: z.number().positive().max(1e9).optional(),
    flag: '--writer-rate <writes/s>',
    value: { kind: 'positive-int', max: 1e9 },
    help: 'read-while-writing with a writer thread: its writes per second (default: as fast as it can)',
    gateMatches: true,
  },
  /** Per-workload child process time limit, seconds. */
  timeoutSeconds: {
    schema: positiveInt.default(1800),
    flag: '--timeout <seconds>',
    value: { kind: 'positive-int' },
    help: 'time limit of one workload of one engine',
    gateMatches: false,
  },
} as const satisfies Record<string, ScenarioParam>;

type Params = typeof SCENARIO_PARAMS;
export type ScenarioParamName = keyof Params;
/** The parameters `lsmbench run` has a flag for. */
export type FlagParamName = { [K in ScenarioParamName]: Params[K] extends { readonly flag: string } ? K : never }[ScenarioParamName];

export const SCENARIO_PARAM_NAMES = Object.keys(SCENARIO_PARAMS) as ScenarioParamName[];
export const FLAG_PARAM_NAMES = SCENARIO_PARAM_NAMES.filter((name): name is FlagParamName => 'flag' in SCENARIO_PARAMS[name]);

const paramShape = Object.fromEntries(SCENARIO_PARAM_NAMES.map((name) => [name, SCENARIO_PARAMS[name].schema])) as { [K in ScenarioParamName]: Params[K]['schema'] };

export const ScenarioFile = z
  .object({
    name: z.string().min(1),
    description: z.string().default(''),
    ...paramShape,
    engineOptions: z.record(z.string(), z.record(z.string(), z.string())).default({}),
  })
  .strict();
export type ScenarioFileInput = z.input<typeof ScenarioFile>;
type ParamValues = Readonly<z.output<z.ZodObject<typeof paramShape>>>;

/** A scenario with every field decided and checked. */
export interface Scenario extends Omit<ParamValues, 'prefixLength' | 'workloads'> {
  readonly name: string;
  readonly description: string;
  /** Where it came from: a built-in name or a file path. */
  readonly source: string;
  readonly workloads: readonly WorkloadName[];
  readonly prefixLength: number;
  readonly engineOptions: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/** The long flag of a parameter, e.g. `--key-size`. */
export function longFlag(name: FlagParamName): string {
  return SCENARIO_PARAMS[name].flag.split(' ')[0]!;
}

/** A parameter's value as its flag takes it: lists comma-separated. */
const flagText = (value: unknown): string => (Array.isArray(value) ? value.join(',') : String(value));

/**
 * The `lsmbench run` arguments that set these parameters to these values, in the table's
 * order; a value left undefined (an optional parameter unset, or a field an older results
 * file lacks) gives no flag.
 */
export function scenarioArgs(values: Readonly<Partial<Record<ScenarioParamName, unknown>>>, names: readonly FlagParamName[] = FLAG_PARAM_NAMES): string[] {
  const args: string[] = [];
  for (const name of names) {
    const value = values[name];
    if (value !== undefined) args.push(longFlag(name), flagText(value));
  }
  return args;
}

/** A parameter's value, or the default a scenario file would get when it leaves it out. */
function valueOrDefault(name: ScenarioParamName, value: unknown): unknown {
  if (value !== undefined) return value;
  const parsed = SCENARIO_PARAMS[name].schema.safeParse(undefined);
  return parsed.success ? parsed.data : undefined;
}

/**
 * The parameters the gate must find equal, where two scenarios differ, as `field a vs b`.
 * A field an older results file lacks counts as its default.
 */
export function scenarioDifferences(a: Readonly<Partial<Record<ScenarioParamName, unknown>>>, b: Readonly<Partial<Record<ScenarioParamName, unknown>>>): string[] {
  const out: string[] = [];
  for (const name of SCENARIO_PARAM_NAMES) {
    if (!SCENARIO_PARAMS[name].gateMatches) continue;
    const x = valueOrDefault(name, a[name]);
    const y = valueOrDefault(name, b[name]);
    if (flagText(x) !== flagText(y)) out.push(`${name} ${flagText(x)} vs ${flagText(y)}`);
  }
  return out;
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

/** Values from the command line, each replacing the scenario file's. */
export type ScenarioOverrides = { readonly [K in FlagParamName]?: K extends 'workloads' ? readonly WorkloadName[] : ParamValues[K] };

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
  return { ...merged, source, prefixLength, workloads: WORKLOADS.filter((w) => workloads.includes(w)) };
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
