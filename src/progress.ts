/**
 * The progress line of a run, on stderr: which engine and workload of how many, the
 * phase, the time so far and an estimate of the time left. It is drawn only when stderr
 * is a terminal, so it shows with `lsmbench run … | tee log` and stays out of logs.
 */
import { formatInt } from './format.js';

export interface ProgressSink {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(text: string): unknown;
}

const clock = (ms: number): string => {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
};

/** "entries/s", "puts/s": a unit's plural. */
export const perSecond = (unit: string): string => `${unit.endsWith('y') ? unit.slice(0, -1) + 'ie' : unit}s/s`;

export class RunProgress {
  private done = 0;
  private readonly startedAt: number;

  constructor(
    private readonly sink: ProgressSink,
    private readonly enabled: boolean,
    private jobs: number,
    private readonly engines: number,
    private readonly workloads: number,
    private readonly now: () => number = () => Date.now(),
  ) {
    this.startedAt = now();
  }

  /** Time left, from the mean time of the jobs (child processes) finished so far; unknown before the first. */
  private eta(): string {
    if (this.done === 0) return 'time left: soon known';
    const per = (this.now() - this.startedAt) / this.done;
    return `~${clock(per * (this.jobs - this.done))} left`;
  }

  /** The line as it is, or in short words (p2/3, rep 4/5, Seq. Reads) when the terminal is narrower, cut only as a last resort. */
  private fit(text: string): string {
    // A terminal that reports no size (0 columns: a pty nobody sized) is taken as 80 wide.
    const width = Math.max(20, (this.sink.columns || 80) - 1);
    const short = (t: string): string =>
      t
        .replace(/\bprocess (\d+\/\d+): /, 'p$1 ')
        .replace(/\brepetition (\d)/, 'rep $1')
        .replace(/\bSequential /, 'Seq. ')
        .replace(/\bRandom /, 'Rand. ')
        .replace(/ · (\d+:\d\d(?::\d\d)?), /, ' $1 ')
        .replace(/ time left: soon known\]/, ']');
    const line = [...text].length <= width ? text : short(text);
    const chars = [...line];
    return chars.length <= width ? line : chars.slice(0, width - 1).join('') + '…';
  }

  /** `[3/16 · 0:12, ~0:40 left] ts 2/2 · Random Reads 3/8 · repetition 2/5`: the times first, so a narrow terminal cuts the phase, not them. */
  phase(at: string, engine: string, engineIndex: number, workload: string, workloadIndex: number, phase: string): void {
    if (!this.enabled) return;
    const line = `[${this.done + 1}/${this.jobs} · ${clock(this.now() - this.startedAt)}, ${this.eta()}] ${at}${engine} ${engineIndex + 1}/${this.engines} · ${workload} ${workloadIndex + 1}/${this.workloads} · ${phase}`;
    this.sink.write(`\r\x1b[2K${this.fit(line)}`);
  }

  /** Marks a job (one child process) done: the count and the time left follow it. */
  step(): void {
    this.done++;
  }

  /** Takes jobs that will not run (the later processes of a workload that failed) out of the count and the time left. */
  skip(jobs: number): void {
    this.jobs = Math.max(this.done, this.jobs - jobs);
  }

  /** Leaves an engine's figure for a workload on a line of its own (after its last process). */
  finished(at: string, engine: string, workload: string, median: number | null, unit: string): void {
    if (!this.enabled) return;
    const figure = median === null ? 'FAILED' : `${formatInt(median)} ${perSecond(unit)}`;
    this.sink.write(`\r\x1b[2K${this.fit(`${at}${engine} · ${workload} · ${figure}`)}\n`);
  }
}
