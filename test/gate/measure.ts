/**
 * Not a test: measures the gate's false alarms and detection on this machine, with the
 * gate's own pairing and decision (gate.config.json, CI settings by default). Both sides
 * are this build; the engine (ts by default) runs wrapped in the `slowed` calibration
 * engine, and head does extra work per operation when a slowdown is asked for.
 *
 *   node dist/test/gate/measure.js unchanged --runs 20
 *   node dist/test/gate/measure.js slowdown --level 0.15 --runs 10
 *   node dist/test/gate/measure.js slowdown --level 0.10 --runs 10
 *   node dist/test/gate/measure.js unchanged --runs 5 --hog
 *   node dist/test/gate/measure.js unchanged --runs 1 --hog-cpu 1     # the hog on the gate's CPU
 *
 * --engine, --ops, --rounds, --repetitions, --mode, --cpu and --workloads shape each gate run.
 * `slowdown` slows only the operation of --workload (random-reads: get, which
 * sequential-reads also uses); the other workloads are unchanged and count false
 * alarms. A pilot first measures what one round of work costs. `--hog` runs a busy loop
 * in another process for the whole measurement (a neighbour taking one core), left to the
 * scheduler; `--hog-cpu N` pins it to CPU N (taskset), for instance the CPU the gate's
 * sides are pinned to.
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { costPerSpin, gateAgainstItself, opOf, spinsAtLevel, type GateShape } from '../../src/gate/calibrate.js';
import { loadGateConfig } from '../../src/gate/config.js';
import { DEFAULT_ROUND_MODE, placement, ROUND_MODES, type Placement, type RoundMode } from '../../src/gate/runs.js';
import { WORKLOADS, type WorkloadName } from '../../src/scenario.js';
import { median } from '../../src/stats.js';

const fail = (message: string): never => {
  process.stderr.write(`measure: ${message}\n`);
  process.exit(2);
};
/** The command line, or a one-line usage error (no stack trace). */
function parsed() {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        runs: { type: 'string', default: '10' },
        level: { type: 'string', default: '0.15' },
        workload: { type: 'string', default: 'random-reads' },
        engine: { type: 'string', default: 'ts' },
        ops: { type: 'string', default: '20000' },
        rounds: { type: 'string', default: '12' },
        repetitions: { type: 'string', default: '3' },
        mode: { type: 'string', default: DEFAULT_ROUND_MODE },
        workloads: { type: 'string' },
        hog: { type: 'boolean', default: false },
        'hog-cpu': { type: 'string' },
        cpu: { type: 'string' },
      },
    });
  } catch (err) {
    return fail(`${(err as Error).message.split('. ')[0]} (usage: measure.js unchanged|slowdown [--runs N] [--level L] [--workload W] [--engine E] [--ops N] [--rounds N] [--repetitions N] [--mode M] [--workloads LIST] [--cpu N|none] [--hog | --hog-cpu N])`);
  }
}
const { values, positionals } = parsed();
const what = positionals[0];
if (what !== 'unchanged' && what !== 'slowdown') fail('say what to measure: unchanged or slowdown');
if (!(ROUND_MODES as readonly string[]).includes(values.mode)) fail(`--mode: ${ROUND_MODES.join(' or ')}`);
const hogCpu = values['hog-cpu'];
if (hogCpu !== undefined && !/^\d+$/.test(hogCpu)) fail('--hog-cpu: a CPU number');
const workload = values.workload as WorkloadName;
if (!WORKLOADS.includes(workload) || opOf(workload) === undefined) fail(`--workload: one of the eight document workloads`);
const { config } = await loadGateConfig(undefined);
let where: Placement = { cpu: undefined, text: '' };
try {
  where = placement(values.mode as RoundMode, values.cpu);
} catch (err) {
  fail(err instanceof Error ? err.message : String(err));
}
process.stdout.write(`${where.text}\n`);
const shape: GateShape = {
  cpu: where.cpu,
  engine: values.engine,
  ops: Number(values.ops),
  rounds: Number(values.rounds),
  repetitions: Number(values.repetitions),
  mode: values.mode as RoundMode,
  workloads: values.workloads,
  config,
};

const busyLoop = [process.execPath, '-e', 'for (;;) {}'];
const hog =
  hogCpu !== undefined
    ? spawn('taskset', ['-c', hogCpu, ...busyLoop], { stdio: 'ignore' })
    : values.hog
      ? spawn(busyLoop[0]!, busyLoop.slice(1), { stdio: 'ignore' })
      : undefined;
if (hog !== undefined) process.stdout.write(`CPU hog: a busy loop ${hogCpu === undefined ? 'left to the scheduler' : `pinned to CPU ${hogCpu}`}\n`);
try {
  let spins = '0';
  if (what === 'slowdown') {
    const level = Number(values.level);
    const perSpin = await costPerSpin(shape);
    const sized = await spinsAtLevel(shape, perSpin, level, new Set([opOf(workload)!]));
    spins = sized.spins;
    process.stdout.write(`injecting ${(level * 100).toFixed(0)}% into ${workload}: spins ${spins} (${sized.first} extrapolated from the pilot)\n`);
  }
  const alarms = new Map<string, number>();
  const seen: number[] = [];
  const eyesight = new Map<string, number[]>();
  let caught = 0;
  const started = performance.now();
  for (let run = 1; run <= Number(values.runs); run++) {
    const t0 = performance.now();
    const d = await gateAgainstItself(shape, spins);
    // workload=change(eyesight), ! a regression, ? unjudged.
    const cells = d.verdicts.map(
      (v) =>
        `${v.workload}=${(100 * (v.ratio - 1)).toFixed(1)}%${v.detectable === undefined || !Number.isFinite(v.detectable) ? '' : `(${(100 * v.detectable).toFixed(0)})`}${v.verdict === 'regression' ? '!' : v.verdict === 'unjudged' ? '?' : ''}`,
    );
    const counters = d.counters.map((c) => `${c.workload}.${c.counter}${c.direction === 'more' ? '+' : '-'}${(100 * c.change).toFixed(1)}%`);
    process.stdout.write(`run ${run}: ${d.outcome} in ${((performance.now() - t0) / 60_000).toFixed(1)} min: ${cells.join(' ')}${counters.length > 0 ? ` counters: ${counters.join(' ')}` : ''}\n`);
    for (const v of d.verdicts) {
      if (v.detectable !== undefined && Number.isFinite(v.detectable)) eyesight.set(v.workload, [...(eyesight.get(v.workload) ?? []), v.detectable]);
      const slowed = what === 'slowdown' && opOf(v.workload) === opOf(workload);
      if (slowed && v.workload === workload) {
        seen.push(1 - v.ratio);
        if (v.verdict === 'regression') caught++;
      } else if (!slowed && v.verdict === 'regression') alarms.set(v.workload, (alarms.get(v.workload) ?? 0) + 1);
    }
    for (const c of d.counters) if (c.direction === 'more') alarms.set(`${c.workload} ${c.counter}`, (alarms.get(`${c.workload} ${c.counter}`) ?? 0) + 1);
  }
  const runs = Number(values.runs);
  for (const [w, list] of eyesight) process.stdout.write(`${w}: could see slowdowns of ${(100 * median(list)).toFixed(1)}% or more (median of ${list.length} runs)\n`);
  process.stdout.write(`\n${runs} gate runs, ${shape.rounds} rounds (${shape.mode}) × ${shape.repetitions} repetitions, N = ${shape.ops}, engine ${shape.engine}${hog === undefined ? '' : `, with a CPU hog${hogCpu === undefined ? '' : ` on CPU ${hogCpu}`}`}, ${((performance.now() - started) / 60_000).toFixed(1)} min\n`);
  if (what === 'slowdown')
    process.stdout.write(`${workload}: caught ${caught} of ${runs}; the gate measured a median slowdown of ${(100 * median(seen)).toFixed(1)}%\n`);
  const total = [...alarms.values()].reduce((a, b) => a + b, 0);
  process.stdout.write(`false alarms: ${total}${total > 0 ? ` (${[...alarms].map(([k, n]) => `${k} ${n}`).join(', ')})` : ''}\n`);
} finally {
  hog?.kill();
}
