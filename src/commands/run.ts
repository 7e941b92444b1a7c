/** `lsmbench run`: run a scenario on one or more engines, print the table, save the results file. */
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import type { Command } from 'commander';
import { UserError } from '../errors.js';
import { describeEnvironment } from '../environment.js';
import { driftWarning, lookupDrift } from '../drift.js';
import { runColumnIds, runFootnotes, runTable } from '../format.js';
import { parseColumns, terminalWidth, wrapText } from '../layout.js';
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
import { FLAG_PARAM_NAMES, loadScenarioFile, resolveScenario, scenarioArgs, WORKLOAD_LABELS, type Scenario, type ScenarioOverrides } from '../scenario.js';
import { addScenarioOptions, collect, scenarioOverrides } from './options.js';

/** The flags of `run` besides the scenario parameters (those come from SCENARIO_PARAMS). */
interface RunFlags {
  engine: string[];
  label?: string[];
  scenario: string;
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
  cpuProf?: string;
  drift: boolean;
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

/** `--engine` and `--label` in the order given: each label names the engine before it. */
type EngineFlag = { readonly kind: 'engine' | 'label'; readonly value: string };

/**
 * The engines asked for, each with its label: a `--label` names the `--engine` given just
 * before it; with a single engine, it may stand anywhere.
 */
export function pairLabels(flags: readonly EngineFlag[]): Array<{ name: string; label?: string }> {
  const engines: Array<{ name: string; label?: string }> = [];
  const single = flags.filter((f) => f.kind === 'engine').length === 1;
  const early: string[] = [];
  for (const flag of flags) {
    if (flag.kind === 'engine') engines.push({ name: flag.value });
    else {
      const last = engines[engines.length - 1];
      if (last === undefined) {
        if (!single) throw new UserError(`--label '${flag.value}' comes before any --engine: put each --label after the --engine it names`);
        early.push(flag.value);
      } else if (last.label !== undefined || early.length > 0)
        throw new UserError(`--engine ${last.name} has two labels ('${last.label ?? early[0]}' and '${flag.value}'): give each --engine at most one --label`);
      else last.label = flag.value;
    }
  }
  if (early.length > 1) throw new UserError(`--engine ${engines[0]?.name ?? ''} has two labels ('${early[0]}' and '${early[1]}'): give each --engine at most one --label`);
  if (early.length === 1 && engines[0] !== undefined) engines[0].label = early[0]!;
  return engines;
}

/**
 * `--engine-option leveldb.cacheSize=8388608` or, with one engine, `cacheSize=8388608`;
 * ENGINE is an engine's name or its --label. Options are keyed by the engine's index.
 */
function parseEngineOptions(entries: readonly string[], engines: ReadonlyArray<{ name: string; label?: string }>): Map<number, Record<string, string>> {
  const byEngine = new Map<number, Record<string, string>>();
  for (const entry of entries) {
    const m = /^(?:([A-Za-z0-9_:./-]+)\.)?([A-Za-z0-9_-]+)=(.*)$/.exec(entry);
    if (m === null) throw new UserError(`--engine-option '${entry}' is not ENGINE.KEY=VALUE or KEY=VALUE`);
    const named = m[1];
    if (named === undefined && engines.length !== 1) throw new UserError(`--engine-option '${entry}' must name its engine (ENGINE.KEY=VALUE) when several engines run`);
    // A label names one engine; a name, every engine of that name.
    const byLabel = engines.findIndex((e) => e.label === named);
    const targets = named === undefined ? [0] : byLabel >= 0 ? [byLabel] : engines.flatMap((e, i) => (e.name === named ? [i] : []));
    if (targets.length === 0) throw new UserError(`--engine-option '${entry}' names engine '${named}', which is not in this run`);
    for (const i of targets) byEngine.set(i, { ...(byEngine.get(i) ?? {}), [m[2]!]: m[3]! });
  }
  return byEngine;
}

/** The command line that reruns exactly this scenario on these engines (their names as recorded: external paths absolute). */
function rerunCommand(scenario: Scenario, engines: readonly EngineRequest[], sweep: readonly number[] | undefined): string {
  const quote = (s: string): string => (/^[A-Za-z0-9_./:=,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  const parts = ['lsmbench', 'run', '--scenario', scenario.source];
  for (const e of engines) {
    parts.push('--engine', e.name);
    if (e.label !== undefined) parts.push('--label', e.label);
    for (const [k, v] of Object.entries(e.options)) parts.push('--engine-option', `${e.label ?? e.name}.${k}=${v}`);
  }
  parts.push(...(sweep !== undefined ? ['--sweep', `ops=${sweep.join(',')}`] : scenarioArgs(scenario, ['ops'])));
  parts.push(...scenarioArgs(scenario, FLAG_PARAM_NAMES.filter((name) => name !== 'ops')));
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
  // The order of --engine and --label on the command line: a label names the engine before it.
  const engineFlags: EngineFlag[] = [];
  const inOrder = (kind: EngineFlag['kind']) => (value: string, previous: string[] = []): string[] => {
    engineFlags.push({ kind, value });
    return [...previous, value];
  };
  const command = program
    .command('run')
    .description('Run a scenario (default: the reference document\'s eight workloads) on one or more engines')
    .requiredOption('-e, --engine <name>', 'engine to run; repeat for side-by-side runs with ratio columns (see `lsmbench engines`); external:<path> runs an executable that speaks engines/external/PROTOCOL.md', inOrder('engine'), [])
    .option('--label <name>', 'the label of the --engine just before it in tables and results (default: the engine\'s name; an external engine\'s own name from its hello; a repeated name gets #2)', inOrder('label'))
    .option('-s, --scenario <name|file>', 'built-in scenario name (see `lsmbench scenarios`) or path to a scenario JSON file', 'seed');
  addScenarioOptions(command)
    .option('-o, --engine-option <engine.k=v>', 'engine-specific option ENGINE.KEY=VALUE, ENGINE a name or a --label (KEY=VALUE with one engine); repeatable', collect, [])
    .option('--keep', 'keep the stores on disk after the run (their directory is printed)', false)
    .option('--work-dir <dir>', 'where stores are created (its filesystem matters: tmpfs makes fsync free)', tmpdir())
    .option('--results-dir <dir>', 'directory for the results file', join('results', 'runs'))
    .option('--out <file.json>', 'results file path (must not exist yet)')
    .option('--no-save', 'do not write a results file')
    .option('--no-drift', "figures' intervals of this run alone, without the run-to-run drift calibrated for this machine (~/.lsmbench/drift.json or LSMBENCH_DRIFT_FILE; docs/intervals.md)")
    .option('--json', 'print the results file to stdout instead of the table', false)
    .option('--wide', 'every table column (db_bench\'s µs/op and MB/s too), whatever the terminal', false)
    .option('--columns <ids>', 'only these table columns, e.g. ops,ci,p99,us-per-op,mb-per-s,verified (with several engines: ops:<engine>, ratio:<engine>, p99:<engine>, ...)')
    .option('--cpu-prof <dir>', 'write a V8 CPU profile of each workload process into <dir> (created if missing; open one in Chrome DevTools or speedscope); not for external engines')
    .option('--sweep <ops=N1,N2,...>', 'run the scenario at each N, in one results file (cost growth: ops/s against N)')
    .action(async (flags: RunFlags) => {
      process.exitCode = await run(flags, pairLabels(engineFlags), scenarioOverrides(command.opts()));
    });
}

async function run(flags: RunFlags, engines: ReadonlyArray<{ name: string; label?: string }>, overrides: ScenarioOverrides): Promise<number> {
  if (engines.length === 0) throw new UserError('name at least one engine with --engine (see `lsmbench engines`)');
  const engineOptions = parseEngineOptions(flags.engineOption, engines);
  const requests: EngineRequest[] = engines.map((e, i) => ({ ...e, options: engineOptions.get(i) ?? {} }));
  const { source, file } = await loadScenarioFile(flags.scenario);

  const sweep = flags.sweep === undefined ? undefined : parseSweep(flags.sweep);
  if (sweep !== undefined && overrides.ops !== undefined) throw new UserError('--sweep sets the number of operations; drop --ops');
  const points = (sweep ?? [undefined]).map((ops) => resolveScenario(source, file, { ...overrides, ops: ops ?? overrides.ops }));
  const scenario = points[0]!;
  const prepared = await prepareEngines(requests, scenario);
  if (flags.columns !== undefined) parseColumns(flags.columns, runColumnIds(prepared.map((p) => p.run.label)));

  let outPath: string | undefined;
  if (flags.save) {
    if (flags.out !== undefined) {
      outPath = resolve(flags.out);
      const { existsSync } = await import('node:fs');
      if (existsSync(outPath)) throw new UserError(`results file ${outPath} already exists; lsmbench never overwrites results`);
      await ensureWritableDir(resolve(outPath, '..'));
    } else await ensureWritableDir(flags.resultsDir);
  }
  await ensureWritableDir(flags.workDir, 'work directory');
  const cpuProfDir = flags.cpuProf === undefined ? undefined : resolve(flags.cpuProf);
  if (cpuProfDir !== undefined) {
    if (prepared.some((p) => p.loaded.runs === 'external')) throw new UserError('--cpu-prof profiles the Node processes of in-process engines; an external engine runs in its own program');
    await ensureWritableDir(cpuProfDir, '--cpu-prof directory');
  }

  const environment = describeEnvironment();
  // This machine's run-to-run drift, measured by the calibration, widens each figure's interval.
  const lookup = flags.drift ? lookupDrift(environment.fingerprint) : undefined;
  const warning = lookup === undefined ? undefined : driftWarning(lookup);
  if (warning !== undefined) process.stderr.write(`lsmbench: warning: ${warning}\n`);
  const drift = lookup?.kind === 'found' ? lookup.drift : null;

  const createdAt = new Date();
  const id = randomUUID();
  // On stderr whenever it is a terminal, so a run piped to tee still shows where it is.
  // One job per child process: a run goes in rounds of processes (src/runner/run.ts).
  const jobs = points.length * prepared.length * scenario.workloads.length * scenario.processes;
  const progress = new RunProgress(process.stderr, process.stderr.isTTY === true && !flags.json, jobs, prepared.length, scenario.workloads.length);
  const engineRuns = prepared.map((p) => p.run);
  const results: WorkloadResult[] = [];
  const workDirs: string[] = [];
  for (const point of points) {
    const at = sweep === undefined ? '' : `N=${point.ops.toLocaleString('en-US')} · `;
    const run = await runScenario(
      prepared,
      point,
      { workRoot: resolve(flags.workDir), keep: flags.keep, ...(sweep === undefined ? {} : { point: point.ops }), ...(cpuProfDir === undefined ? {} : { cpuProfDir }), driftLogSd: drift?.logSd ?? 0 },
      {
        progress(engine, workload, phase) {
          progress.phase(at, engine, Math.max(0, engineRuns.findIndex((e) => e.label === engine)), WORKLOAD_LABELS[workload], Math.max(0, point.workloads.indexOf(workload)), phase);
        },
        processFinished() {
          progress.step();
        },
        processesSkipped(_engine, _workload, count) {
          progress.skip(count);
        },
        finished(result) {
          progress.finished(at, result.engine, WORKLOAD_LABELS[result.workload], result.opsPerSec?.median ?? null, result.unit);
        },
      },
    );
    results.push(...run.results);
    workDirs.push(run.workDir);
  }
  const resultsFile: ResultsFile = {
    schema: RESULTS_SCHEMA,
    version: RESULTS_VERSION,
    id,
    createdAt: createdAt.toISOString(),
    rerun: rerunCommand(scenario, requests.map((r, i) => ({ ...r, name: prepared[i]!.run.name })), sweep),
    published: null,
    environment: { ...environment, storage: { workDir: resolve(flags.workDir), filesystem: filesystemOf(resolve(flags.workDir)) } },
    scenario: { ...scenario, workloads: [...scenario.workloads] },
    sweep: sweep === undefined ? null : { parameter: 'ops', values: sweep },
    engines: engineRuns,
    results,
    drift,
  };
  if (outPath === undefined && flags.save) outPath = resolve(flags.resultsDir, resultsFileName(createdAt, engineRuns.map((e) => e.label), id));
  if (outPath !== undefined) await writeResultsFile(outPath, resultsFile);

  if (flags.json) process.stdout.write(JSON.stringify(resultsFile, null, 2) + '\n');
  else {
    for (const point of points) {
      const s = point;
      process.stdout.write(wrapText(
        `Scenario ${s.name}: N=${s.ops.toLocaleString('en-US')}, ${s.keySize}-byte keys, ${s.valueSize}-byte values, durability ${s.durability}, ` +
          `${s.processes} process${s.processes === 1 ? '' : 'es'} × ${s.repetitions} repetitions after ${s.warmup} warm-up, samples of ≥ ${s.minSampleMs} ms, seed ${s.seed}` +
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
    // A path is not wrapped between words: one too long for the line goes on a line of its own.
    const labelled = (label: string, value: string): string => ([...`${label} ${value}`].length <= terminalWidth() ? `${label} ${value}\n` : `${label}\n  ${value}\n`);
    if (outPath !== undefined) process.stdout.write(labelled('Results:', outPath));
    if (flags.keep) process.stdout.write(labelled('Stores kept in', workDirs.join(', ')));
  }
  return results.some((r) => r.status === 'failed') ? 1 : 0;
}
