/**
 * Calibration of lsmbench's 95% intervals: the same engine twice in one run
 * (`-e memory -e memory`, `-e ts -e ts`), repeated. Two counts per engine and workload:
 *
 *   ratio ∋ 1     runs whose interval of the ratio (first / second copy) contains 1.00
 *                 (target: at least 19 of 20);
 *   next ∈ ci     consecutive runs where one run's interval of the first copy's figure
 *                 contains the next run's median (target: at least 18 of 19 pairs);
 *   compare ∋ 1   consecutive runs whose interval of the ratio run r / run r+1 of the first
 *                 copy, unpaired as `lsmbench compare` of two results files computes it,
 *                 contains 1.00 (target: at least 19 of 20).
 *
 * Last, the counts pooled over engines and workloads beside what exact intervals would give
 * (src/interval-coverage.ts), and the chance that a count of 20 meets its target even then.
 *
 *   node dist/scripts/calibrate-intervals.js [--runs 20] [-n 100000] [--engine memory --engine ts]
 *                                            [--processes k] [--workloads list] [--min-sample-ms ms]
 *                                            [--save DIR] [--from DIR] [--write-drift FILE]
 *                                            [--cross-validate]
 *
 * `--save DIR` keeps each run's results file (DIR/ENGINE-RUN.json, not overwritten);
 * `--from DIR` counts from such files instead of running (the same engines and --runs).
 *
 * Run-to-run drift (src/drift.ts): the counts use the drift each run's intervals included,
 * as its results file recorded it. Last the script estimates this machine's drift from the
 * runs; `--write-drift FILE` stores it there (not overwriting a file; `lsmbench run` reads
 * ~/.lsmbench/drift.json or LSMBENCH_DRIFT_FILE). `--cross-validate` counts instead with a
 * drift estimated from the other half of the runs (odd runs from even ones and back): how
 * intervals with drift would have fared on runs recorded without it.
 *
 * A benchmark, not a test: run it on a quiet machine (it takes runs × the time of one
 * `lsmbench run` of two engines). Small trial: `--runs 3 -n 20000`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ResultsFileSchema, type ResultsFile, type WorkloadResult } from '../src/results.js';
import { DRIFT_SCHEMA, estimateDrift, writeDriftFile, type RunFigure } from '../src/drift.js';
import { groupMedians } from '../src/stats.js';
import { binomialAtLeast, coverageCounts, expectedNextInside, type CopySamples, type Count } from '../src/interval-coverage.js';

interface Options {
  runs: number;
  ops: number | undefined;
  engines: string[];
  passThrough: string[];
  save: string | undefined;
  from: string | undefined;
  writeDrift: string | undefined;
  crossValidate: boolean;
}

function parseArgs(argv: readonly string[]): Options {
  const out: Options = { runs: 20, ops: undefined, engines: [], passThrough: [], save: undefined, from: undefined, writeDrift: undefined, crossValidate: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    if (flag === '--cross-validate') {
      out.crossValidate = true;
      continue;
    }
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    i++;
    if (flag === '--runs') out.runs = Number(value);
    else if (flag === '-n' || flag === '--ops') out.ops = Number(value);
    else if (flag === '-e' || flag === '--engine') out.engines.push(value);
    else if (flag === '--save') out.save = value;
    else if (flag === '--from') out.from = value;
    else if (flag === '--write-drift') out.writeDrift = value;
    else if (flag === '--processes' || flag === '--workloads' || flag === '-w' || flag === '--min-sample-ms' || flag === '-r' || flag === '--repetitions') out.passThrough.push(flag, value);
    else throw new Error(`unknown flag ${flag}`);
  }
  if (!(Number.isInteger(out.runs) && out.runs >= 2)) throw new Error('--runs needs an integer of at least 2');
  if (out.engines.length === 0) out.engines = ['memory', 'ts'];
  return out;
}

const CLI = fileURLToPath(new URL('../src/cli.js', import.meta.url));

function runOnce(engine: string, r: number, opts: Options): ResultsFile {
  const file = (dir: string): string => join(dir, `${engine}-${r + 1}.json`);
  let text: string;
  if (opts.from !== undefined) text = readFileSync(file(opts.from), 'utf8');
  else {
    if (opts.save !== undefined && existsSync(file(opts.save))) throw new Error(`${file(opts.save)} exists; not overwriting it`);
    const args = [CLI, 'run', '-e', engine, '-e', engine, '--json', '--no-save', ...(opts.ops === undefined ? [] : ['-n', String(opts.ops)]), ...opts.passThrough];
    text = execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'inherit'] });
    if (opts.save !== undefined) {
      mkdirSync(opts.save, { recursive: true });
      writeFileSync(file(opts.save), text);
    }
  }
  return ResultsFileSchema.parse(JSON.parse(text));
}

/** The per-process figures (median of each process's samples) of one copy, or undefined. */
function processFigures(r: WorkloadResult | undefined): RunFigure | undefined {
  if (r === undefined || r.status !== 'verified') return undefined;
  return [...groupMedians(r.repetitions.map((x) => x.opsPerSec), r.repetitions.map((x) => x.process ?? 0)).values()];
}

/** Engine copy × workload series over the given runs: each run's per-process figures. */
function driftSeries(files: readonly ResultsFile[], engine: string): RunFigure[][] {
  const workloads = [...new Set(files[0]!.results.map((w) => w.workload))];
  return workloads.flatMap((workload) =>
    [engine, `${engine}#2`].map((label) =>
      files.map((f) => processFigures(f.results.find((w) => w.workload === workload && w.engine === label))).filter((x): x is RunFigure => x !== undefined),
    ),
  );
}

function copy(r: WorkloadResult | undefined): CopySamples | undefined {
  if (r === undefined || r.status !== 'verified') return undefined;
  return { values: r.repetitions.map((x) => x.opsPerSec), processes: r.repetitions.map((x) => x.process ?? 0) };
}

const cell = (c: Count): string => `${c.hits}/${c.trials}`.padStart(9);
const percent = (x: number): string => `${(x * 100).toFixed(1)}%`;

function main(): void {
  const opts = parseArgs(process.argv.slice(2));
  console.log(`calibration: ${opts.runs} runs per engine, ${opts.ops ?? 'default'} ops, ${opts.passThrough.join(' ') || 'default settings'}`);
  console.log('engine    workload             ratio ∋ 1   next ∈ ci   compare ∋ 1   no interval');
  const pooled = { ratio: { hits: 0, trials: 0 }, next: { hits: 0, trials: 0 }, compare: { hits: 0, trials: 0 } };
  let processes = 0;
  const allFiles: ResultsFile[][] = [];
  for (const engine of opts.engines) {
    const files: ResultsFile[] = [];
    for (let r = 0; r < opts.runs; r++) {
      if (opts.from === undefined) process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${engine}: run ${r + 1}/${opts.runs}\n`);
      files.push(runOnce(engine, r, opts));
    }
    allFiles.push(files);
  }
  // --cross-validate: the drift of the even runs' estimate for the odd runs and back, from every engine.
  const halfDrift = opts.crossValidate ? [0, 1].map((half) => estimateDrift(opts.engines.flatMap((engine, e) => driftSeries(allFiles[e]!.filter((_, r) => r % 2 === half), engine))).logSd) : [];
  const driftOf = (file: ResultsFile, r: number): number => (opts.crossValidate ? halfDrift[1 - (r % 2)]! : (file.drift?.logSd ?? 0));
  if (opts.crossValidate) console.log(`cross-validated: drift ${percent(halfDrift[1]!)} sd (from the odd runs) for the even runs, ${percent(halfDrift[0]!)} (from the even runs) for the odd`);
  for (const [e, engine] of opts.engines.entries()) {
    const files = allFiles[e]!;
    const runs = files.map((f) => f.results);
    const workloads = [...new Set(runs[0]!.map((w) => w.workload))];
    for (const workload of workloads) {
      const counts = coverageCounts(
        runs.map((rs, r) => ({
          first: copy(rs.find((w) => w.workload === workload && w.engine === engine)),
          second: copy(rs.find((w) => w.workload === workload && w.engine === `${engine}#2`)),
          drift: driftOf(files[r]!, r),
        })),
      );
      for (const key of ['ratio', 'next', 'compare'] as const) {
        pooled[key].hits += counts[key].hits;
        pooled[key].trials += counts[key].trials;
      }
      const first = runs[0]!.find((w) => w.workload === workload && w.engine === engine);
      processes = Math.max(processes, new Set(first?.repetitions.map((x) => x.process ?? 0)).size);
      console.log(`${engine.padEnd(9)} ${workload.padEnd(20)} ${cell(counts.ratio)}   ${cell(counts.next)}   ${cell(counts.compare).padStart(11)}   ${String(counts.missing).padStart(11)}`);
    }
  }
  // What exact intervals would give: 95% for the two ratios; for "next ∈ ci" less (an interval
  // of the mean is not a prediction interval), and the chance that a count of 20 meets its target.
  const next = expectedNextInside(processes);
  const line = (name: string, c: Count, exact: number, target: number): string =>
    `  ${name.padEnd(12)} ${percent(c.hits / c.trials).padStart(6)} of ${String(c.trials).padEnd(4)}  exact: ${percent(exact)}, meets ${target} of 20 with chance ${percent(binomialAtLeast(target, 20, exact))}`;
  console.log(`\npooled over engines and workloads (${processes} processes a figure); exact: what`);
  console.log('intervals that are exactly what they claim give when runs differ only as their');
  console.log('processes do (for next ∈ ci less than 95%: a 95% interval of the mean is not a');
  console.log('prediction interval for the next run):');
  console.log(line('ratio ∋ 1', pooled.ratio, 0.95, 19));
  console.log(line('compare ∋ 1', pooled.compare, 0.95, 19));
  console.log(line('next ∈ ci', pooled.next, next, 18));
  const recorded = [...new Set(allFiles.flat().map((f) => (f.drift == null ? 'none' : percent(f.drift.logSd))))];
  console.log(`(drift in these runs' intervals: ${opts.crossValidate ? 'cross-validated, above' : recorded.join(', ')}; with drift the exact figures above are`);
  console.log('a guide, not a target: a wider interval covers more)');

  // This machine's run-to-run drift, from every engine copy and workload of these runs.
  const estimate = estimateDrift(opts.engines.flatMap((engine, e) => driftSeries(allFiles[e]!, engine)));
  console.log(`\nrun-to-run drift: ${percent(estimate.logSd)} sd of a figure's log beyond its processes (median of ${estimate.components} engine copies × workloads, ${estimate.runs} runs)`);
  if (opts.writeDrift !== undefined) {
    const first = allFiles[0]![0]!;
    writeDriftFile(opts.writeDrift, {
      schema: DRIFT_SCHEMA,
      version: 1,
      fingerprint: first.environment.fingerprint,
      measuredAt: allFiles.flat().at(-1)!.createdAt,
      logSd: estimate.logSd,
      runs: estimate.runs,
      components: estimate.components,
      engines: opts.engines,
      command: `calibrate-intervals ${process.argv.slice(2).join(' ')}`,
    });
    console.log(`stored in ${opts.writeDrift}`);
  }
}

try {
  main();
} catch (err) {
  process.stderr.write(`calibrate-intervals: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 2;
}
