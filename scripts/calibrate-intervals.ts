/**
 * Calibration of lsmbench's 95% intervals: the same engine twice in one run
 * (`-e memory -e memory`, `-e ts -e ts`), repeated. Two counts per engine and workload:
 *
 *   ratio ∋ 1     runs whose interval of the ratio (first / second copy) contains 1.00
 *                 (target: at least 19 of 20);
 *   next ∈ ci     consecutive runs where one run's interval of the first copy's figure
 *                 contains the next run's median (target: at least 18 of 19 pairs).
 *
 *   node dist/scripts/calibrate-intervals.js [--runs 20] [-n 100000] [--engine memory --engine ts]
 *                                            [--processes k] [--workloads list] [--min-sample-ms ms]
 *
 * A benchmark, not a test: run it on a quiet machine (it takes runs × the time of one
 * `lsmbench run` of two engines). Small trial: `--runs 3 -n 20000`.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ResultsFileSchema, type WorkloadResult } from '../src/results.js';
import { ratioOfMedians } from '../src/stats.js';

interface Options {
  runs: number;
  ops: number | undefined;
  engines: string[];
  passThrough: string[];
}

function parseArgs(argv: readonly string[]): Options {
  const out: Options = { runs: 20, ops: undefined, engines: [], passThrough: [] };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    i++;
    if (flag === '--runs') out.runs = Number(value);
    else if (flag === '-n' || flag === '--ops') out.ops = Number(value);
    else if (flag === '-e' || flag === '--engine') out.engines.push(value);
    else if (flag === '--processes' || flag === '--workloads' || flag === '-w' || flag === '--min-sample-ms' || flag === '-r' || flag === '--repetitions') out.passThrough.push(flag, value);
    else throw new Error(`unknown flag ${flag}`);
  }
  if (!(Number.isInteger(out.runs) && out.runs >= 2)) throw new Error('--runs needs an integer of at least 2');
  if (out.engines.length === 0) out.engines = ['memory', 'ts'];
  return out;
}

const CLI = fileURLToPath(new URL('../src/cli.js', import.meta.url));

function runOnce(engine: string, opts: Options): WorkloadResult[] {
  const args = [CLI, 'run', '-e', engine, '-e', engine, '--json', '--no-save', ...(opts.ops === undefined ? [] : ['-n', String(opts.ops)]), ...opts.passThrough];
  const text = execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'inherit'] });
  return ResultsFileSchema.parse(JSON.parse(text)).results;
}

const values = (r: WorkloadResult): number[] => r.repetitions.map((x) => x.opsPerSec);
const groups = (r: WorkloadResult): number[] => r.repetitions.map((x) => x.process ?? 0);

function main(): void {
  const opts = parseArgs(process.argv.slice(2));
  console.log(`calibration: ${opts.runs} runs per engine, ${opts.ops ?? 'default'} ops, ${opts.passThrough.join(' ') || 'default settings'}`);
  console.log('engine    workload             ratio ∋ 1   next ∈ ci   no interval');
  for (const engine of opts.engines) {
    const runs: WorkloadResult[][] = [];
    for (let r = 0; r < opts.runs; r++) {
      process.stderr.write(`${engine}: run ${r + 1}/${opts.runs}\n`);
      runs.push(runOnce(engine, opts));
    }
    const workloads = [...new Set(runs[0]!.map((w) => w.workload))];
    for (const workload of workloads) {
      let containsOne = 0;
      let ratios = 0;
      let nextInside = 0;
      let pairs = 0;
      let missing = 0;
      const firsts: (WorkloadResult | undefined)[] = runs.map((rs) => rs.find((w) => w.workload === workload && w.engine === engine && w.status === 'verified'));
      runs.forEach((rs, r) => {
        const a = firsts[r];
        const b = rs.find((w) => w.workload === workload && w.engine === `${engine}#2` && w.status === 'verified');
        if (a === undefined || b === undefined) return void missing++;
        const ratio = ratioOfMedians(values(a), values(b), groups(a), groups(b));
        if (ratio.ci95 === null) return void missing++;
        ratios++;
        if (ratio.ci95[0] <= 1 && 1 <= ratio.ci95[1]) containsOne++;
        const next = firsts[r + 1];
        const ci = a.opsPerSec?.ci95 ?? null;
        if (next?.opsPerSec != null && ci !== null) {
          pairs++;
          if (ci[0] <= next.opsPerSec.median && next.opsPerSec.median <= ci[1]) nextInside++;
        }
      });
      console.log(`${engine.padEnd(9)} ${workload.padEnd(20)} ${`${containsOne}/${ratios}`.padStart(9)}   ${`${nextInside}/${pairs}`.padStart(9)}   ${String(missing).padStart(11)}`);
    }
  }
}

try {
  main();
} catch (err) {
  process.stderr.write(`calibrate-intervals: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 2;
}
