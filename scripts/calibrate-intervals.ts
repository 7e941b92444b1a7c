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
 *                                            [--save DIR] [--from DIR]
 *
 * `--save DIR` keeps each run's results file (DIR/ENGINE-RUN.json, not overwritten);
 * `--from DIR` counts from such files instead of running (the same engines and --runs).
 *
 * A benchmark, not a test: run it on a quiet machine (it takes runs × the time of one
 * `lsmbench run` of two engines). Small trial: `--runs 3 -n 20000`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ResultsFileSchema, type WorkloadResult } from '../src/results.js';
import { binomialAtLeast, coverageCounts, expectedNextInside, type CopySamples, type Count } from '../src/interval-coverage.js';

interface Options {
  runs: number;
  ops: number | undefined;
  engines: string[];
  passThrough: string[];
  save: string | undefined;
  from: string | undefined;
}

function parseArgs(argv: readonly string[]): Options {
  const out: Options = { runs: 20, ops: undefined, engines: [], passThrough: [], save: undefined, from: undefined };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    i++;
    if (flag === '--runs') out.runs = Number(value);
    else if (flag === '-n' || flag === '--ops') out.ops = Number(value);
    else if (flag === '-e' || flag === '--engine') out.engines.push(value);
    else if (flag === '--save') out.save = value;
    else if (flag === '--from') out.from = value;
    else if (flag === '--processes' || flag === '--workloads' || flag === '-w' || flag === '--min-sample-ms' || flag === '-r' || flag === '--repetitions') out.passThrough.push(flag, value);
    else throw new Error(`unknown flag ${flag}`);
  }
  if (!(Number.isInteger(out.runs) && out.runs >= 2)) throw new Error('--runs needs an integer of at least 2');
  if (out.engines.length === 0) out.engines = ['memory', 'ts'];
  return out;
}

const CLI = fileURLToPath(new URL('../src/cli.js', import.meta.url));

function runOnce(engine: string, r: number, opts: Options): WorkloadResult[] {
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
  return ResultsFileSchema.parse(JSON.parse(text)).results;
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
  for (const engine of opts.engines) {
    const runs: WorkloadResult[][] = [];
    for (let r = 0; r < opts.runs; r++) {
      if (opts.from === undefined) process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${engine}: run ${r + 1}/${opts.runs}\n`);
      runs.push(runOnce(engine, r, opts));
    }
    const workloads = [...new Set(runs[0]!.map((w) => w.workload))];
    for (const workload of workloads) {
      const counts = coverageCounts(
        runs.map((rs) => ({
          first: copy(rs.find((w) => w.workload === workload && w.engine === engine)),
          second: copy(rs.find((w) => w.workload === workload && w.engine === `${engine}#2`)),
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
}

try {
  main();
} catch (err) {
  process.stderr.write(`calibrate-intervals: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 2;
}
