/**
 * Running lsmbench builds as child processes: `run --json --no-save` for samples and
 * `engines --json` for what a build offers. Arguments go as an array, never through a shell.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { ResultsFileSchema, type ResultsFile } from '../results.js';
import { formatZodError, loadScenarioFile, resolveScenario, type WorkloadName } from '../scenario.js';
import type { Metric } from './config.js';

/** One side of the comparison: a built lsmbench and the environment it runs in. */
export interface Side {
  readonly label: 'base' | 'head';
  /** Path to that build's dist/src/cli.js. */
  readonly cli: string;
  /** Working directory of its runs: the root of that build's tree. */
  readonly cwd: string;
  /** Extra environment variables for its runs, on top of this process's own. */
  readonly env?: Readonly<Record<string, string>>;
}

/** Why a side could not deliver samples; the gate turns it into "could not judge". */
export class SideRunError extends Error {
  override readonly name = 'SideRunError';
}

interface Completed {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The command line of a build's CLI: `node cli args`, or under `taskset -c cpu` when
 * pinned (the affinity is inherited by the workload processes the run starts).
 */
function commandLine(side: Side, args: readonly string[], cpu: number | undefined): [string, string[]] {
  const node = [process.execPath, side.cli, ...args];
  return cpu === undefined ? [node[0]!, node.slice(1)] : ['taskset', ['-c', String(cpu), ...node]];
}

function runNode(side: Side, args: readonly string[], cpu?: number): Promise<Completed> {
  return new Promise((resolvePromise, reject) => {
    const [command, argv] = commandLine(side, args, cpu);
    const child = spawn(command, argv, {
      cwd: side.cwd,
      env: { ...process.env, ...side.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-8000);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolvePromise({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr }));
  });
}

/** The line of a child's stderr that says what went wrong: its last error line, else its last line. */
function lastLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
  return [...lines].reverse().find((l) => /error/i.test(l)) ?? lines[lines.length - 1] ?? '';
}

/**
 * One `lsmbench run` of a side. Exit code 1 (a workload failed verification) still
 * delivers a results file, whose failed workloads the decision reports; anything else
 * without a results file on stdout is a SideRunError.
 */
export async function runSide(side: Side, runArgs: readonly string[], cpu?: number): Promise<ResultsFile> {
  const args = ['run', ...runArgs, '--json', '--no-save'];
  const done = await runNode(side, args, cpu);
  const how = done.signal !== null ? `was killed by ${done.signal}` : `exited with code ${done.code}`;
  if (done.code !== 0 && done.code !== 1)
    throw new SideRunError(`the ${side.label} run ${how}: ${lastLine(done.stderr) || '(no message)'}`);
  let json: unknown;
  try {
    json = JSON.parse(done.stdout);
  } catch {
    throw new SideRunError(`the ${side.label} run ${how} without printing a results file: ${lastLine(done.stderr) || '(no message)'}`);
  }
  const parsed = ResultsFileSchema.safeParse(json);
  if (!parsed.success) throw new SideRunError(`the ${side.label} run printed an invalid results file: ${formatZodError(parsed.error)}`);
  return parsed.data;
}

/** The engines a build registers, and whether each is available there. */
export async function sideEngines(side: Side): Promise<Map<string, boolean>> {
  const done = await runNode(side, ['engines', '--json']);
  if (done.code !== 0) throw new SideRunError(`\`lsmbench engines\` of ${side.label} exited with code ${done.code}: ${lastLine(done.stderr)}`);
  let rows: unknown;
  try {
    rows = JSON.parse(done.stdout);
  } catch {
    throw new SideRunError(`\`lsmbench engines --json\` of ${side.label} did not print JSON`);
  }
  const engines = new Map<string, boolean>();
  if (Array.isArray(rows))
    for (const row of rows as unknown[]) {
      if (typeof row === 'object' && row !== null && typeof (row as { name?: unknown }).name === 'string')
        engines.set((row as { name: string }).name, (row as { available?: unknown }).available === true);
    }
  return engines;
}

export interface InterleavedRuns {
  readonly base: ResultsFile[];
  readonly head: ResultsFile[];
  /** Rounds not run because the time budget would have been overrun; 0 when all ran. */
  skipped: number;
}

/**
 * How base and head share a round.
 * - `adjacent`: workload by workload, one side right after the other, the first side
 *   alternating from one workload to the next and from one round to the next (A B, B A …):
 *   the two samples of a pair are a second or so apart, so a disturbance of the machine that
 *   lasts seconds falls on both.
 * - `adjacent-runs`: the same with whole runs (every workload of one side, then every
 *   workload of the other): fewer processes started, but the two samples of a workload are a
 *   whole run apart.
 * - `duet`: whole runs of both sides at once, one per core (Bulej et al., ICPE 2020), so
 *   whatever disturbs the machine in that moment disturbs both.
 * - `one-cpu-duet`: workload by workload, both sides at once on one CPU (both pinned to
 *   it), so the kernel hands the CPU from one to the other every few milliseconds and a
 *   disturbance that lasts longer than that (a neighbour on the sibling hyperthread, cache
 *   pressure from another tenant) falls on both. Judged on CPU time, each side's samples
 *   count only its own turns.
 */
export type RoundMode = 'adjacent' | 'adjacent-runs' | 'duet' | 'one-cpu-duet';
export const ROUND_MODES: readonly RoundMode[] = ['adjacent', 'adjacent-runs', 'duet', 'one-cpu-duet'];
/**
 * The default for engines judged on CPU time, chosen by measurement (docs/gate.md): ts
 * against itself, 12 rounds, N = 20,000, the smallest slowdown the gate could see in the
 * read workloads was 13-27% with `adjacent` and 5-6% with `one-cpu-duet`, measured one
 * after the other.
 */
export const DEFAULT_ROUND_MODE: RoundMode = 'one-cpu-duet';

/**
 * The mode when --mode is not given: `one-cpu-duet` where every engine compared is judged
 * on CPU time (each side's CPU time counts only its own turns), `adjacent` where one is
 * judged on wall time: two sides taking turns on one CPU share the wall clock, and that
 * design was not measured for them.
 */
export function defaultRoundMode(metrics: readonly Metric[]): RoundMode {
  return metrics.every((m) => m === 'cpu') ? DEFAULT_ROUND_MODE : 'adjacent';
}

/** Where the sides' processes run: pinned to one CPU, or wherever the scheduler puts them, and why. */
export interface Placement {
  readonly cpu: number | undefined;
  /** One line for the summary. */
  readonly text: string;
}

/** Whether `taskset` (util-linux) runs here and may put a process on `cpu` (a container may allow fewer CPUs). */
function canPin(cpu: number): boolean {
  const probe = spawnSync('taskset', ['-c', String(cpu), process.execPath, '-e', ''], { stdio: 'ignore' });
  return probe.status === 0;
}

/**
 * Where the two sides run. In every mode but duet both sides' processes are pinned to one
 * CPU, the last by default (the first takes most interrupts): the kernel otherwise puts each
 * process on whichever core is free, and on a shared virtual machine the cores are not
 * alike. Measured on a 2-vCPU VM: ts random reads ran at 2.0–2.2M/s of CPU time on one
 * vCPU and 2.7–5.0M/s on the other, so an unpinned pair differed by up to 2.5× from where
 * each side happened to run (the gate's eyesight on random-reads: 43% unpinned, 8%
 * pinned). `requested`: a CPU number, 'none', or undefined for the default. Duet runs
 * both sides at once, one per core, and is not pinned.
 */
export function placement(mode: RoundMode, requested: string | undefined, available: (cpu: number) => boolean = canPin, cpuCount = cpus().length): Placement {
  if (requested === 'none') return { cpu: undefined, text: 'processes not pinned (--cpu none): each runs where the scheduler puts it' };
  if (mode === 'duet') {
    if (requested !== undefined) throw new RangeError(`--cpu pins both sides to one CPU, which --mode duet cannot do (it runs them at once); leave --cpu out`);
    return { cpu: undefined, text: 'processes not pinned: duet runs both sides at once' };
  }
  let cpu: number;
  if (requested === undefined) {
    if (cpuCount < 2) return { cpu: undefined, text: 'processes not pinned: this machine has one CPU' };
    cpu = cpuCount - 1;
  } else {
    cpu = Number(requested);
    if (!/^\d+$/.test(requested) || cpu >= cpuCount) throw new RangeError(`--cpu must be 'none' or a CPU number from 0 to ${cpuCount - 1}, not '${requested}'`);
  }
  if (!available(cpu)) {
    if (requested !== undefined) throw new RangeError(`--cpu ${requested}: taskset (util-linux) is not installed here or may not use CPU ${cpu}, so processes cannot be pinned`);
    return { cpu: undefined, text: `processes not pinned: taskset (util-linux) is not installed or may not use CPU ${cpu}` };
  }
  return { cpu, text: `both sides pinned to CPU ${cpu} (taskset)` };
}

/** Whether a build's `run` takes a flag (an older base may predate it). */
export async function runAccepts(side: Side, flag: string): Promise<boolean> {
  const done = await runNode(side, ['run', '--help']);
  return done.code === 0 && done.stdout.includes(flag);
}

/**
 * The run arguments of each side: one child process per workload in each round (a round
 * is one sample, so more processes would only cost time), asked for only from a build
 * that knows `--processes`.
 */
export async function perSideArgs(sides: readonly Side[], runArgs: readonly string[]): Promise<(side: Side) => readonly string[]> {
  const withProcesses = new Map<Side, readonly string[]>();
  for (const side of sides) withProcesses.set(side, (await runAccepts(side, '--processes')) ? [...runArgs, '--processes', '1'] : runArgs);
  return (side) => withProcesses.get(side) ?? runArgs;
}

/**
 * Untimed warm-up repetitions of a side's process before its timed ones (each at least the
 * minimum sample duration), by workload. One was too few for reads: ts random reads pinned
 * to one CPU ran their first timed repetition 20–30% slower than the next two (1.55–1.75M
 * against 2.0–2.3M gets per CPU-second, 6 processes), the JIT not yet done; after three
 * they were level. Workloads that write keep one: each of their samples is up to
 * MAX_FRESH_PASSES passes on fresh stores, each made, loaded, checked and closed, so two
 * more warm-ups would cost seconds a round. Whole runs (one process for every workload)
 * take the readers' three. Passed to both builds, whatever their own defaults.
 */
export function gateWarmup(workload: WorkloadName | undefined): number {
  return workload === undefined || READ_ONLY.has(workload) ? 3 : 1;
}
const READ_ONLY: ReadonlySet<WorkloadName> = new Set(['sequential-reads', 'random-reads', 'range-scan', 'prefix-scan', 'contains', 'ycsb-c']);

/** The workloads a gate runs: those asked for, else the scenario's (default `seed`). */
export async function gateWorkloads(scenario: string | undefined, workloads: readonly WorkloadName[] | undefined): Promise<WorkloadName[]> {
  if (workloads !== undefined && workloads.length > 0) return [...workloads];
  const { source, file } = await loadScenarioFile(scenario ?? 'seed');
  return [...resolveScenario(source, file, {}).workloads];
}

/** One side's results of a round run workload by workload, as one results file. */
function merged(parts: readonly ResultsFile[]): ResultsFile {
  const [first] = parts;
  if (first === undefined) throw new SideRunError('a round ran no workload');
  return { ...first, results: parts.flatMap((p) => p.results) };
}

export interface InterleaveOptions {
  readonly rounds: number;
  readonly mode?: RoundMode;
  /** The run arguments of a side (default: the same for both). */
  readonly argsOf: (side: Side) => readonly string[];
  /** With `adjacent`: the workloads, each paired on its own (`--workloads w` added to the side's arguments). */
  readonly workloads?: readonly WorkloadName[];
  /** After each run of a side: the round, the workload it ran (undefined: a whole run) and its seconds. */
  readonly onRun?: (round: number, side: Side, workload: WorkloadName | undefined, seconds: number) => void;
  /** After each round: each side's seconds in it, the side that began the round first. */
  readonly onRound?: (round: number, seconds: readonly (readonly [Side, number])[]) => void;
  /** No round starts that would, at the pace so far, end after this (performance.now()). */
  readonly deadline?: number;
  /** Pin every process of both sides to this CPU (see placement()). */
  readonly cpu?: number;
}

/**
 * Runs base and head `rounds` times each, paired by round (see RoundMode). Each run is a
 * fresh process per workload, so each round is one independent sample of the pair.
 */
export async function runInterleaved(base: Side, head: Side, options: InterleaveOptions): Promise<InterleavedRuns> {
  const { rounds, argsOf, onRun, onRound, deadline = Infinity, cpu } = options;
  const mode = options.mode ?? DEFAULT_ROUND_MODE;
  // Without a workload list, `adjacent` pairs whole runs.
  const byWorkload = mode === 'adjacent' || mode === 'one-cpu-duet';
  const slices: readonly (WorkloadName | undefined)[] = byWorkload && options.workloads !== undefined ? options.workloads : [undefined];
  const out: InterleavedRuns = { base: [], head: [], skipped: 0 };
  const started = performance.now();
  for (let round = 1; round <= rounds; round++) {
    // A round that would end past the deadline, at the pace of the rounds so far, is not started.
    const elapsed = performance.now() - started;
    if (round > 1 && performance.now() + elapsed / (round - 1) > deadline) {
      out.skipped = rounds - round + 1;
      break;
    }
    const parts = new Map<Side, ResultsFile[]>();
    const seconds = new Map<Side, number>();
    const timed = async (side: Side, workload: WorkloadName | undefined): Promise<void> => {
      const t0 = performance.now();
      if (!parts.has(side)) parts.set(side, []);
      const args = [...argsOf(side), '--warmup', String(gateWarmup(workload))];
      parts.get(side)!.push(await runSide(side, workload === undefined ? args : [...args, '--workloads', workload], cpu));
      const s = (performance.now() - t0) / 1000;
      seconds.set(side, (seconds.get(side) ?? 0) + s);
      onRun?.(round, side, workload, s);
    };
    for (const [i, workload] of slices.entries()) {
      // The side started (or run) first alternates, so what comes of going first is spread over both.
      const order = (round + i) % 2 === 1 ? [base, head] : [head, base];
      // A round's sides are listed (onRound) in the order they started its first workload.
      for (const side of order) if (!seconds.has(side)) seconds.set(side, 0);
      if (mode === 'duet' || mode === 'one-cpu-duet') await Promise.all(order.map((side) => timed(side, workload)));
      else for (const side of order) await timed(side, workload);
    }
    out.base.push(merged(parts.get(base) ?? []));
    out.head.push(merged(parts.get(head) ?? []));
    onRound?.(round, [...seconds]);
  }
  return out;
}
