/** `lsmbench run`: run a scenario on one or more engines, print the table, save the results file. */
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import { Option, type Command } from 'commander';
import { DURABILITY_MODES, type Durability } from '../engine.js';
import { UserError } from '../errors.js';
import { describeEnvironment } from '../environment.js';
import { runFootnotes, runTable } from '../format.js';
import { terminalWidth, wrapText } from '../layout.js';
import { RunProgress } from '../progress.js';
import {
  RESULTS_SCHEMA,
  RESULTS_VERSION,
  ensureWritableDir,
  resultsFileName,
  writeResultsFile,
  type ResultsFile,
  type WorkloadResult,
} from '../results.js';
import { prepareEngines, runScenario, type EngineRequest } from '../runner/run.js';
import { DOCUMENT_WORKLOADS, MAX_THREADS, WRITER_MODES, type WriterMode, loadScenarioFile, parseWorkloadList, resolveScenario, WORKLOAD_LABELS, type Scenario, type ScenarioOverrides } from '../scenario.js';
import { collect, fraction, nonNegativeInt, openFraction, positiveInt } from './options.js';

interface RunFlags {
  engine: string[];
  scenario: string;
  ops?: number;
  keySize?: number;
  valueSize?: number;
  durability?: Durability;
  repetitions?: number;
  warmup?: number;
  seed?: number;
  workloads?: string;
  scanLength?: number;
  prefixLength?: number;
  missRatio?: number;
  timeout?: number;
  engineOption: string[];
  keep: boolean;
  workDir: string;
  resultsDir: string;
  out?: string;
  save: boolean;
  json: boolean;
  wide: boolean;
  columns?: string;
  sweep?: string;
  batch?: number;
  concurrency?: number;
  threads?: number;
  writer?: WriterMode;
  writerRate?: number;
  targetRate?: number;
  distribution?: 'uniform' | 'zipfian' | 'latest' | 'hotspot';
  zipfianConstant?: number;
  writesPerRead?: number;
}

/** `--sweep ops=10000,100000,1000000`: the values of N to run the scenario at, in one results file. */
function parseSweep(text: string): number[] {
  const m = /^ops=([\d_,\s]+)$/.exec(text.trim());
  if (m === null) throw new UserError(`--sweep '${text}' is not ops=N1,N2,...: only the number of operations can be swept`);
  const values = m[1]!.split(',').map((v) => v.trim().replace(/_/g, '')).filter((v) => v !== '').map(Number);
  if (values.length < 2) throw new UserError('--sweep needs at least two values, e.g. ops=10000,100000');
  for (const v of values) if (!Number.isSafeInteger(v) || v <= 0) throw new UserError(`--sweep values must be positive integers, not '${v}'`);
  if (new Set(values).size !== values.length) throw new UserError('--sweep values must differ');
  return values;
}

/** `--engine-option leveldb.cacheSize=8388608` or, with one engine, `cacheSize=8388608`. */
function parseEngineOptions(entries: readonly string[], engines: readonly string[]): Map<string, Record<string, string>> {
  const byEngine = new Map<string, Record<string, string>>();
  for (const entry of entries) {
    const m = /^(?:([A-Za-z0-9_:./-]+)\.)?([A-Za-z0-9_-]+)=(.*)$/.exec(entry);
    if (m === null) throw new UserError(`--engine-option '${entry}' is not ENGINE.KEY=VALUE or KEY=VALUE`);
    const engine = m[1] ?? (engines.length === 1 ? engines[0]! : undefined);
    if (engine === undefined) throw new UserError(`--engine-option '${entry}' must name its engine (ENGINE.KEY=VALUE) when several engines run`);
    if (!engines.includes(engine)) throw new UserError(`--engine-option '${entry}' names engine '${engine}', which is not in this run`);
    byEngine.set(engine, { ...(byEngine.get(engine) ?? {}), [m[2]!]: m[3]! });
  }
  return byEngine;
}

/** The command line that reruns exactly this scenario on these engines. */
function rerunCommand(scenario: Scenario, engines: readonly EngineRequest[], sweep: readonly number[] | undefined): string {
  const quote = (s: string): string => (/^[A-Za-z0-9_./:=,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  const parts = ['lsmbench', 'run', '--scenario', scenario.source];
  for (const e of engines) {
    parts.push('--engine', e.name);
    for (const [k, v] of Object.entries(e.options)) parts.push('--engine-option', `${e.name}.${k}=${v}`);
  }
  if (sweep !== undefined) parts.push('--sweep', `ops=${sweep.join(',')}`);
  else parts.push('--ops', String(scenario.ops));
  parts.push(
    '--key-size', String(scenario.keySize),
    '--value-size', String(scenario.valueSize),
    '--durability', scenario.durability,
    '--repetitions', String(scenario.repetitions),
    '--warmup', String(scenario.warmup),
    '--seed', String(scenario.seed),
    '--workloads', scenario.workloads.join(','),
    '--scan-length', String(scenario.scanLength),
    '--prefix-length', String(scenario.prefixLength),
    '--miss-ratio', String(scenario.missRatio),
    '--batch', String(scenario.batch),
    '--concurrency', String(scenario.concurrency),
    '--threads', String(scenario.threads),
  );
  if (scenario.workloads.some((w) => !DOCUMENT_WORKLOADS.includes(w))) {
    if (scenario.requestDistribution !== undefined) parts.push('--distribution', scenario.requestDistribution);
    parts.push('--zipfian-constant', String(scenario.zipfianConstant), '--writes-per-read', String(scenario.writesPerRead));
    if (scenario.workloads.includes('read-while-writing')) {
      parts.push('--writer', scenario.writer);
      if (scenario.writerRate !== undefined) parts.push('--writer-rate', String(scenario.writerRate));
    }
  }
  if (scenario.targetRate !== undefined) parts.push('--target-rate', String(scenario.targetRate));
  return parts.map(quote).join(' ');
}

function filesystemOf(dir: string): string {
  try {
    return execFileSync('stat', ['-f', '-c', '%T', dir], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return 'unknown';
  }
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('Run a scenario (default: the reference document\'s eight workloads) on one or more engines')
    .requiredOption('-e, --engine <name>', 'engine to run; repeat for side-by-side runs with ratio columns (see `lsmbench engines`)', collect, [])
    .option('-s, --scenario <name|file>', 'built-in scenario name (see `lsmbench scenarios`) or path to a scenario JSON file', 'seed')
    .option('-n, --ops <n>', 'operations per workload, and keys loaded (N)', positiveInt('--ops', 2 ** 31))
    .option('--key-size <bytes>', 'key size in bytes (keys are zero-padded decimals)', positiveInt('--key-size', 1024))
    .option('--value-size <bytes>', 'value size in bytes', positiveInt('--value-size', 1 << 20))
    .addOption(new Option('--durability <mode>', 'what an acknowledged write survives: none (clean close), os (process kill), fsync (power loss)').choices([...DURABILITY_MODES]))
    .option('-r, --repetitions <n>', 'timed repetitions per workload', positiveInt('--repetitions', 1000))
    .option('--warmup <n>', 'untimed warm-up repetitions before them', nonNegativeInt('--warmup', 100))
    .option('--seed <n>', 'seed of values and random orders (0 to 4294967295)', nonNegativeInt('--seed', 0xffffffff))
    .option('-w, --workloads <list>', `comma-separated workloads or groups (document, ycsb, all): ${Object.keys(WORKLOAD_LABELS).join(', ')}`)
    .option('--scan-length <n>', 'entries per range scan', positiveInt('--scan-length'))
    .option('--prefix-length <bytes>', 'prefix length of prefix scans (default: key size - 3, so 1,000 keys per prefix)', positiveInt('--prefix-length', 1024))
    .option('--miss-ratio <fraction>', 'share of contains checks that ask for absent keys', fraction('--miss-ratio'))
    .option('--timeout <seconds>', 'time limit of one workload of one engine', positiveInt('--timeout'))
    .option('-O, --engine-option <engine.key=value>', 'engine-specific option; repeatable', collect, [])
    .option('--keep', 'keep the stores on disk after the run (their directory is printed)', false)
    .option('--work-dir <dir>', 'where stores are created (its filesystem matters: tmpfs makes fsync free)', tmpdir())
    .option('--results-dir <dir>', 'directory for the results file', join('results', 'runs'))
    .option('-o, --out <file.json>', 'results file path (must not exist yet)')
    .option('--no-save', 'do not write a results file')
    .option('--json', 'print the results file to stdout instead of the table', false)
    .option('--wide', 'every table column (db_bench\'s µs/op and MB/s too), whatever the terminal', false)
    .option('--columns <ids>', 'only these table columns, e.g. ops,ci,p99,us-per-op,mb-per-s,verified (with several engines: ops:<engine>, ratio:<engine>, p99:<engine>, ...)')
    .option('--sweep <ops=N1,N2,...>', 'run the scenario at each N, in one results file (cost growth: ops/s against N)')
    .option('--batch <n>', 'group writes and deletes into atomic batches of n (default 1: one call per operation)', positiveInt('--batch', 1_000_000))
    .option('--concurrency <k>', 'outstanding operations for asynchronous stores (default 1)', positiveInt('--concurrency', 4096))
    .option('--threads <n>', `client threads sharing the store, each making its share of the calls (document workloads; engines whose stores threads can share, see \`lsmbench engines\`; default 1)`, positiveInt('--threads', MAX_THREADS))
    .option('--target-rate <calls/s>', 'latency pass open-loop at this rate: latency counts from when each call was due (no coordinated omission)', positiveInt('--target-rate', 1e9))
    .addOption(new Option('--distribution <name>', 'request distribution of the mixed workloads, overriding each YCSB workload\'s own').choices(['uniform', 'zipfian', 'latest', 'hotspot']))
    .option('--zipfian-constant <theta>', 'skew of the zipfian and latest distributions (default 0.99)', openFraction('--zipfian-constant'))
    .option('--writes-per-read <n>', 'read-while-writing with interleaved writes: writes between consecutive reads (default 1)', nonNegativeInt('--writes-per-read', 1000))
    .addOption(new Option('--writer <mode>', 'read-while-writing: the writer in a thread of its own (thread), between the reads (interleaved), or auto: a thread where the engine allows it').choices([...WRITER_MODES]))
    .option('--writer-rate <writes/s>', 'read-while-writing with a writer thread: its writes per second (default: as fast as it can)', positiveInt('--writer-rate', 1e9))
    .action(async (flags: RunFlags, command: Command) => {
      const code = await run(flags, command);
      process.exitCode = code;
    });
}

async function run(flags: RunFlags, _command: Command): Promise<number> {
  const names = flags.engine;
  if (names.length === 0) throw new UserError('name at least one engine with --engine (see `lsmbench engines`)');
  const engineOptions = parseEngineOptions(flags.engineOption, names);
  const requests: EngineRequest[] = names.map((name) => ({ name, options: engineOptions.get(name) ?? {} }));
  const { source, file } = await loadScenarioFile(flags.scenario);
  const overrides: ScenarioOverrides = {
    ops: flags.ops,
    keySize: flags.keySize,
    valueSize: flags.valueSize,
    durability: flags.durability,
    repetitions: flags.repetitions,
    warmup: flags.warmup,
    seed: flags.seed,
    workloads: flags.workloads === undefined ? undefined : parseWorkloadList(flags.workloads),
    scanLength: flags.scanLength,
    prefixLength: flags.prefixLength,
    missRatio: flags.missRatio,
    timeoutSeconds: flags.timeout,
    batch: flags.batch,
    concurrency: flags.concurrency,
    threads: flags.threads,
    writer: flags.writer,
    writerRate: flags.writerRate,
    targetRate: flags.targetRate,
    requestDistribution: flags.distribution,
    zipfianConstant: flags.zipfianConstant,
    writesPerRead: flags.writesPerRead,
  };
  const sweep = flags.sweep === undefined ? undefined : parseSweep(flags.sweep);
  if (sweep !== undefined && flags.ops !== undefined) throw new UserError('--sweep sets the number of operations; drop --ops');
  const points = (sweep ?? [undefined]).map((ops) => resolveScenario(source, file, { ...overrides, ops: ops ?? overrides.ops }));
  const scenario = points[0]!;
  const prepared = await prepareEngines(requests, scenario);

  // -o meant --engine-option before it meant --out (as in `report`): an old command line is refused, not saved to a file named cacheSize=1.
  if (flags.out !== undefined && /^[A-Za-z0-9_:./#-]*[A-Za-z0-9_-]=/.test(flags.out) && !flags.out.endsWith('.json'))
    throw new UserError(`-o is --out (the results file), not an engine option: for '${flags.out}' use -O or --engine-option`);
  let outPath: string | undefined;
  if (flags.save) {
    if (flags.out !== undefined) {
      outPath = resolve(flags.out);
      const { existsSync } = await import('node:fs');
      if (existsSync(outPath)) throw new UserError(`results file ${outPath} already exists; lsmbench never overwrites results`);
      await ensureWritableDir(resolve(outPath, '..'));
    } else await ensureWritableDir(flags.resultsDir);
  }

  const createdAt = new Date();
  const id = randomUUID();
  // On stderr whenever it is a terminal, so a run piped to tee still shows where it is.
  const progress = new RunProgress(process.stderr, process.stderr.isTTY === true && !flags.json, points.length * prepared.length * scenario.workloads.length, prepared.length, scenario.workloads.length);
  const engineRuns = prepared.map((p) => p.run);
  const results: WorkloadResult[] = [];
  const workDirs: string[] = [];
  for (const point of points) {
    const at = sweep === undefined ? '' : `N=${point.ops.toLocaleString('en-US')} · `;
    const run = await runScenario(
      prepared,
      point,
      { workRoot: resolve(flags.workDir), keep: flags.keep, ...(sweep === undefined ? {} : { point: point.ops }) },
      {
        progress(engine, workload, phase) {
          progress.phase(at, engine, Math.max(0, engineRuns.findIndex((e) => e.label === engine)), WORKLOAD_LABELS[workload], Math.max(0, point.workloads.indexOf(workload)), phase);
        },
        finished(result) {
          progress.finished(at, result.engine, WORKLOAD_LABELS[result.workload], result.opsPerSec?.median ?? null, result.unit);
        },
      },
    );
    results.push(...run.results);
    workDirs.push(run.workDir);
  }
  const environment = describeEnvironment();
  const resultsFile: ResultsFile = {
    schema: RESULTS_SCHEMA,
    version: RESULTS_VERSION,
    id,
    createdAt: createdAt.toISOString(),
    rerun: rerunCommand(scenario, requests, sweep),
    published: null,
    environment: { ...environment, storage: { workDir: resolve(flags.workDir), filesystem: filesystemOf(resolve(flags.workDir)) } },
    scenario: { ...scenario, workloads: [...scenario.workloads] },
    sweep: sweep === undefined ? null : { parameter: 'ops', values: sweep },
    engines: engineRuns,
    results,
  };
  if (outPath === undefined && flags.save) outPath = resolve(flags.resultsDir, resultsFileName(createdAt, engineRuns.map((e) => e.label), id));
  if (outPath !== undefined) await writeResultsFile(outPath, resultsFile);

  if (flags.json) process.stdout.write(JSON.stringify(resultsFile, null, 2) + '\n');
  else {
    for (const point of points) {
      const s = point;
      process.stdout.write(wrapText(
        `Scenario ${s.name}: N=${s.ops.toLocaleString('en-US')}, ${s.keySize}-byte keys, ${s.valueSize}-byte values, durability ${s.durability}, ` +
          `${s.repetitions} repetitions after ${s.warmup} warm-up, seed ${s.seed}` +
          (s.batch > 1 ? `, batches of ${s.batch}` : '') +
          (s.concurrency > 1 ? `, ${s.concurrency} outstanding async operations` : '') +
          (s.threads > 1 ? `, ${s.threads} client threads` : ''),
        terminalWidth(),
        '  ',
      ) + '\n');
      const slice = sweep === undefined ? resultsFile : { ...resultsFile, scenario: { ...resultsFile.scenario, ops: s.ops }, results: results.filter((r) => r.point === s.ops) };
      process.stdout.write(runTable(slice, { wide: flags.wide, columns: flags.columns?.split(',').map((c) => c.trim()) }) + '\n');
    }
    for (const line of runFootnotes(resultsFile)) process.stdout.write(wrapText(line, terminalWidth(), '  ') + '\n');
    if (outPath !== undefined) process.stdout.write(`Results: ${outPath}\n`);
    if (flags.keep) process.stdout.write(`Stores kept in ${workDirs.join(', ')}\n`);
  }
  return results.some((r) => r.status === 'failed') ? 1 : 0;
}
