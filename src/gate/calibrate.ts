/**
 * `lsmbench gate --calibrate`: how small a slowdown the configured gate sees on this
 * machine. Both sides are this build, running the engine under test wrapped in the
 * `slowed` engine (src/gate/slowed.ts); head does extra CPU work per operation, sized
 * so that each workload is about `level` slower. A pilot with a fixed amount of work
 * first measures what one round of work costs each workload. Then, for each level,
 * whole gates run and the calibration counts how often each workload was caught,
 * beside the slowdown the gate itself measured.
 */
import { projectRoot } from '../paths.js';
import { median } from '../stats.js';
import { parseWorkloadList, type WorkloadName } from '../scenario.js';
import { pairedComparisons } from './collect.js';
import type { GateConfig } from './config.js';
import { decidePaired } from './paired.js';
import type { GateDecision } from './decide.js';
import { gateWorkloads, perSideArgs, runInterleaved, sideEngines, SideRunError, type RoundMode, type Side } from './runs.js';
import { SLOWED_MODULE, type Slowable } from './slowed.js';
import { fileURLToPath } from 'node:url';
import { UserError } from '../errors.js';

const CLI = fileURLToPath(new URL('../cli.js', import.meta.url));

/** The operation whose cost a workload's timed part is made of. */
const OP_OF: Partial<Record<WorkloadName, Slowable>> = {
  'sequential-writes': 'put',
  'random-writes': 'put',
  'sequential-reads': 'get',
  'random-reads': 'get',
  'range-scan': 'scan',
  'prefix-scan': 'scan',
  deletions: 'delete',
  contains: 'has',
};

const PILOT_SPINS = 300;
const PILOT_ROUNDS = 5;

/** How a gate of this build against itself runs. */
export interface GateShape {
  readonly engine: string;
  readonly ops: number;
  readonly rounds: number;
  readonly repetitions: number;
  readonly mode: RoundMode;
  /** Pin both sides to this CPU (placement()). */
  readonly cpu: number | undefined;
  readonly workloads: string | undefined;
  readonly config: GateConfig;
}

export interface CalibrationSettings extends GateShape {
  readonly levels: readonly number[];
  readonly runsPerLevel: number;
  readonly configSource: string;
}

/** One gate of the engine wrapped in `slowed` against itself, head doing `headSpins` of work. */
export async function gateAgainstItself(s: GateShape, headSpins: string, rounds = s.rounds): Promise<GateDecision> {
  const runArgs = ['--engine', 'slowed', '--ops', String(s.ops), '--repetitions', String(s.repetitions)];
  if (s.workloads !== undefined) runArgs.push('--workloads', s.workloads);
  const [base, head] = sides(s.engine, headSpins);
  const argsOf = await perSideArgs([base, head], runArgs);
  const workloads = await gateWorkloads(undefined, s.workloads === undefined ? undefined : parseWorkloadList(s.workloads));
  const runs = await runInterleaved(base, head, { rounds, mode: s.mode, argsOf, workloads, cpu: s.cpu });
  return decidePaired(pairedComparisons(runs.base, runs.head), s.config);
}

/**
 * The pilot: extra time per round of work, as a fraction of each operation's own cost in
 * the workloads made of it (median over them).
 */
export async function costPerSpin(s: GateShape): Promise<Map<Slowable, number>> {
  const pilot = await gateAgainstItself(s, String(PILOT_SPINS), PILOT_ROUNDS);
  const perSpin = new Map<Slowable, number[]>();
  for (const v of pilot.verdicts) {
    const op = OP_OF[v.workload];
    if (op === undefined || !(v.ratio > 0 && v.ratio < 1)) continue;
    perSpin.set(op, [...(perSpin.get(op) ?? []), (1 / v.ratio - 1) / PILOT_SPINS]);
  }
  return new Map([...perSpin].map(([op, ks]) => [op, median(ks)]));
}

/** The `spins` setting that makes the operations in `ops` (default all) about `level` slower. */
export function spinsForLevel(perSpin: ReadonlyMap<Slowable, number>, level: number, ops?: ReadonlySet<Slowable>): string {
  const spins: Partial<Record<Slowable, number>> = {};
  for (const [op, k] of perSpin) if (ops === undefined || ops.has(op)) spins[op] = level / (1 - level) / k;
  return spinSpec(spins);
}

export const opOf = (workload: WorkloadName): Slowable | undefined => OP_OF[workload];

/** A spin setting ("get:12,has:9") as numbers per operation. */
export function parseSpins(spec: string): Map<Slowable, number> {
  const out = new Map<Slowable, number>();
  for (const part of spec.split(',')) {
    const [op, n] = part.split(':');
    if (op !== undefined && n !== undefined) out.set(op as Slowable, Number(n));
  }
  return out;
}

/**
 * The spins that turn each operation's measured extra cost (`1 / ratio - 1` at `spins`) into
 * the one `level` asks for, scaled once: a spin's cost is not linear at small counts (a few
 * of them overlap with the operation's own memory stalls), so a setting extrapolated from a
 * large pilot falls short. An operation measured at no extra cost at all (noise swallowed it)
 * gets four times its spins.
 */
export function rescaleSpins(spins: ReadonlyMap<Slowable, number>, extra: ReadonlyMap<Slowable, number>, level: number): string {
  const target = level / (1 - level);
  const out: Partial<Record<Slowable, number>> = {};
  for (const [op, n] of spins) {
    const measured = extra.get(op);
    out[op] = measured === undefined ? n : measured <= 0.01 * target ? n * 4 : (n * target) / measured;
  }
  return spinSpec(out);
}

/**
 * The spin setting for `level`: extrapolated from the per-spin cost, then measured in a
 * pilot at that setting and rescaled once (rescaleSpins).
 */
export async function spinsAtLevel(s: GateShape, perSpin: ReadonlyMap<Slowable, number>, level: number, ops?: ReadonlySet<Slowable>): Promise<{ spins: string; first: string }> {
  const first = spinsForLevel(perSpin, level, ops);
  const pilot = await gateAgainstItself(s, first, PILOT_ROUNDS);
  const extras = new Map<Slowable, number[]>();
  for (const v of pilot.verdicts) {
    const op = OP_OF[v.workload];
    if (op === undefined || !(v.ratio > 0) || (ops !== undefined && !ops.has(op))) continue;
    extras.set(op, [...(extras.get(op) ?? []), 1 / v.ratio - 1]);
  }
  const extra = new Map([...extras].map(([op, xs]) => [op, median(xs)]));
  return { spins: rescaleSpins(parseSpins(first), extra, level), first };
}

const spinSpec = (spins: Partial<Record<Slowable, number>>): string =>
  Object.entries(spins)
    .map(([op, n]) => `${op}:${Math.max(0, Math.round(n))}`)
    .join(',') || '0';

function sides(engine: string, headSpins: string): [Side, Side] {
  const env = (spins: string): Record<string, string> => ({ LSMBENCH_EXTRA_ENGINES: SLOWED_MODULE, LSMBENCH_SLOWED_INNER: engine, LSMBENCH_SLOWED_SPINS: spins, LSMBENCH_SLOWED_OPS: '' });
  return [
    { label: 'base', cli: CLI, cwd: projectRoot(), env: env('0') },
    { label: 'head', cli: CLI, cwd: projectRoot(), env: env(headSpins) },
  ];
}

const say = (line: string): void => {
  process.stdout.write(line + '\n');
};

/** Runs the calibration and prints its table; exit code 0, or 2 when it could not run. */
export async function calibrate(s: CalibrationSettings): Promise<number> {
  const [probe] = sides(s.engine, '0');
  const available = await sideEngines(probe);
  if (available.get('slowed') !== true) throw new UserError(`cannot calibrate with engine '${s.engine}': the slowed wrapper takes in-process synchronous engines only`);
  try {
    process.stderr.write(`lsmbench gate: calibrating: pilot, ${PILOT_SPINS} rounds of work per operation, ${PILOT_ROUNDS} rounds\n`);
    const perSpin = await costPerSpin(s);
    const caught = new Map<string, { caught: number; unjudged: number; seen: number[] }>();
    for (const level of s.levels) {
      const { spins: spec, first } = await spinsAtLevel(s, perSpin, level);
      process.stderr.write(`lsmbench gate: calibrating: ${(level * 100).toFixed(0)}% slower: spins ${first} from the pilot, ${spec} after a pilot at them\n`);
      for (let run = 1; run <= s.runsPerLevel; run++) {
        process.stderr.write(`lsmbench gate: calibrating: ${(level * 100).toFixed(0)}% slower (spins ${spec}), gate run ${run}/${s.runsPerLevel}\n`);
        const d = await gateAgainstItself(s, spec);
        for (const v of d.verdicts) {
          const key = `${v.workload}\u0000${level}`;
          const row = caught.get(key) ?? { caught: 0, unjudged: 0, seen: [] };
          if (v.verdict === 'regression') row.caught++;
          if (v.verdict === 'unjudged') row.unjudged++;
          row.seen.push(1 - v.ratio);
          caught.set(key, row);
        }
      }
    }
    say(`lsmbench gate --calibrate: engine ${s.engine}, ${s.rounds} rounds (${s.mode}) × ${s.repetitions} repetitions, N = ${s.ops.toLocaleString('en-US')}`);
    say(s.cpu === undefined ? 'processes not pinned to a CPU' : `both sides pinned to CPU ${s.cpu}`);
    say(`settings: ${s.configSource}; ${s.runsPerLevel} gate runs per level; "measured" is the`);
    say(`median slowdown the gate estimated over those runs`);
    say('');
    say(`${'workload'.padEnd(20)} ${'injected'.padStart(8)} ${'measured'.padStart(9)} ${'caught'.padStart(8)}`);
    const smallest = new Map<string, number>();
    const workloads = [...new Set([...caught.keys()].map((k) => k.split('\u0000')[0]!))];
    for (const w of workloads)
      for (const level of s.levels) {
        const row = caught.get(`${w}\u0000${level}`);
        if (row === undefined) continue;
        const measured = median(row.seen);
        say(`${w.padEnd(20)} ${`${(level * 100).toFixed(0)}%`.padStart(8)} ${`${(measured * 100).toFixed(1)}%`.padStart(9)} ${`${row.caught}/${row.seen.length}`.padStart(8)}${row.unjudged > 0 ? ` (${row.unjudged} could not judge)` : ''}`);
        if (row.caught === row.seen.length && !smallest.has(w)) smallest.set(w, level);
      }
    say('');
    for (const w of workloads) {
      const level = smallest.get(w);
      say(level === undefined ? `${w}: no level tried was caught every time` : `${w}: caught every time from ${(level * 100).toFixed(0)}% slower`);
    }
    return 0;
  } catch (err) {
    if (err instanceof SideRunError) {
      process.stdout.write(`lsmbench gate: COULD NOT CALIBRATE: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}
