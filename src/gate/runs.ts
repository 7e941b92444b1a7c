/**
 * Running lsmbench builds as child processes: `run --json --no-save` for samples and
 * `engines --json` for what a build offers. Arguments go as an array, never through a shell.
 */
import { spawn } from 'node:child_process';
import { ResultsFileSchema, type ResultsFile } from '../results.js';
import { formatZodError } from '../scenario.js';

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

function runNode(side: Side, args: readonly string[]): Promise<Completed> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [side.cli, ...args], {
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
export async function runSide(side: Side, runArgs: readonly string[]): Promise<ResultsFile> {
  const args = ['run', ...runArgs, '--json', '--no-save'];
  const done = await runNode(side, args);
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
 * How base and head share a round. `adjacent`: one after the other, alternating which
 * goes first (A B, B A, A B …), so drift on the machine falls on both sides alike.
 * `duet`: both at once, one per core (Bulej et al., ICPE 2020), so whatever disturbs
 * the machine in that moment disturbs both.
 */
export type RoundMode = 'adjacent' | 'duet';
export const ROUND_MODES: readonly RoundMode[] = ['adjacent', 'duet'];

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
 * Runs base and head `rounds` times each, paired by round (see RoundMode). Each run is a
 * fresh process per workload, so each round is one independent sample of the pair. No
 * round starts that would, at the pace so far, end after `deadline` (performance.now()).
 */
export async function runInterleaved(
  base: Side,
  head: Side,
  runArgs: readonly string[],
  rounds: number,
  onRun?: (round: number, side: Side, seconds: number) => void,
  mode: RoundMode = 'adjacent',
  argsOf: (side: Side) => readonly string[] = () => runArgs,
  deadline = Infinity,
): Promise<InterleavedRuns> {
  const out: InterleavedRuns = { base: [], head: [], skipped: 0 };
  const started = performance.now();
  const timed = async (round: number, side: Side): Promise<ResultsFile> => {
    const started = performance.now();
    const results = await runSide(side, argsOf(side));
    onRun?.(round, side, (performance.now() - started) / 1000);
    return results;
  };
  for (let round = 1; round <= rounds; round++) {
    // A round that would end past the deadline, at the pace of the rounds so far, is not started.
    const elapsed = performance.now() - started;
    if (round > 1 && performance.now() + elapsed / (round - 1) > deadline) {
      out.skipped = rounds - round + 1;
      break;
    }
    if (mode === 'duet') {
      const [b, h] = await Promise.all([timed(round, base), timed(round, head)]);
      out.base.push(b);
      out.head.push(h);
      continue;
    }
    const order = round % 2 === 1 ? [base, head] : [head, base];
    for (const side of order) (side.label === 'base' ? out.base : out.head).push(await timed(round, side));
  }
  return out;
}
