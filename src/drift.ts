/**
 * This machine's run-to-run drift: how far a figure moves from one `lsmbench run` to the
 * next beyond what the run's own processes show.
 *
 * A figure's processes all run within one run, minutes long. On a shared machine the level
 * also moves on a longer scale (other tenants, frequency, the host), and all of a run's
 * processes see the same level, so no interval computed inside one run can see it. The
 * calibration (scripts/calibrate-intervals.ts) measures it: for each engine copy and
 * workload, the variance of the run's log figure across runs, less what the run's processes
 * predicted for it (a random-effects model, method of moments). The median over those is
 * the machine's drift, stored as a standard deviation of the log figure in a file of its
 * own (default ~/.lsmbench/drift.json, or LSMBENCH_DRIFT_FILE).
 *
 * `run` adds it to each figure's interval (the figure then claims what this engine does on
 * this machine, not only in this run), and `compare` to both sides of a ratio between two
 * runs. A ratio between engines of one run is paired: drift hits both alike and cancels,
 * so nothing is added there.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { UserError, errorMessage } from './errors.js';
import { meanOf, median, varianceOf } from './stats.js';

export const DRIFT_SCHEMA = 'lsmbench-drift';

export const DriftFileSchema = z.object({
  schema: z.literal(DRIFT_SCHEMA),
  version: z.literal(1),
  /** The machine it was measured on (environment fingerprint); another machine ignores it. */
  fingerprint: z.string(),
  measuredAt: z.string(),
  /** Standard deviation of a figure's natural log from run to run, beyond its processes. */
  logSd: z.number().min(0).max(1),
  /** Runs it rests on, per engine copy and workload. */
  runs: z.number().int().min(2),
  /** Engine copies × workloads whose components were pooled. */
  components: z.number().int().min(1),
  engines: z.array(z.string()),
  command: z.string(),
});
export type DriftFile = z.infer<typeof DriftFileSchema>;

/** What a results file records of the drift its intervals include. */
export const DriftUsedSchema = z.object({
  logSd: z.number().min(0).max(1),
  runs: z.number().int(),
  measuredAt: z.string(),
  file: z.string(),
});
export type DriftUsed = z.infer<typeof DriftUsedSchema>;

export function driftPath(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.LSMBENCH_DRIFT_FILE;
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : join(homedir(), '.lsmbench', 'drift.json');
}

export type DriftLookup =
  | { readonly kind: 'none'; readonly path: string }
  | { readonly kind: 'found'; readonly path: string; readonly drift: DriftUsed }
  | { readonly kind: 'other-machine'; readonly path: string }
  | { readonly kind: 'unreadable'; readonly path: string; readonly why: string };

/** The drift stored for this machine, if any. Never throws: a damaged file is reported, not fatal. */
export function lookupDrift(fingerprint: string, path: string = driftPath()): DriftLookup {
  if (!existsSync(path)) return { kind: 'none', path };
  let parsed: DriftFile;
  try {
    parsed = DriftFileSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
  } catch (err) {
    const why = err instanceof z.ZodError ? (err.issues[0] === undefined ? 'invalid' : `${err.issues[0].path.join('.') || 'file'}: ${err.issues[0].message}`) : errorMessage(err);
    return { kind: 'unreadable', path, why };
  }
  if (parsed.fingerprint !== fingerprint) return { kind: 'other-machine', path };
  return { kind: 'found', path, drift: { logSd: parsed.logSd, runs: parsed.runs, measuredAt: parsed.measuredAt, file: path } };
}

/** One engine copy's figure in one run of a calibration: its processes' figures. */
export type RunFigure = readonly number[];

/**
 * The between-run variance component of one series: `runs[r]` holds run r's per-process
 * figures. Var(run's mean log figure) − mean over runs of (its processes' variance / k), which
 * may come out negative (no drift beyond the processes, and sampling noise): kept as is
 * here, so that the median over series is not biased upwards; the caller floors the result.
 */
export function betweenRunComponent(runs: readonly RunFigure[]): number {
  const usable = runs.filter((r) => r.length >= 2 && r.every((x) => Number.isFinite(x) && x > 0));
  if (usable.length < 2) return NaN;
  const logs = usable.map((r) => r.map(Math.log));
  const figures = logs.map(meanOf);
  const within = meanOf(logs.map((l) => varianceOf(l) / l.length));
  return varianceOf(figures) - within;
}

/** The machine's drift from many series (engine copy × workload): the median component, floored at 0, as a standard deviation. */
export function estimateDrift(series: readonly (readonly RunFigure[])[]): { logSd: number; components: number; runs: number } {
  const components = series.map(betweenRunComponent).filter((c) => Number.isFinite(c));
  if (components.length === 0) throw new Error('no series with at least 2 runs of at least 2 processes: nothing to estimate drift from');
  const runs = Math.min(...series.map((s) => s.length));
  return { logSd: Math.sqrt(Math.max(0, median(components))), components: components.length, runs };
}

/** Writes a drift file; an existing file is kept (a user removes it to recalibrate). */
export function writeDriftFile(path: string, file: DriftFile): void {
  if (existsSync(path)) throw new UserError(`${path} exists; not overwriting it (remove it to store a new calibration)`);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(DriftFileSchema.parse(file), null, 2) + '\n', { flag: 'wx' });
}

/** The line under a run's table that says what the figures' intervals include. */
export function driftNote(drift: DriftUsed | null | undefined, processes: number): string {
  if (drift !== null && drift !== undefined)
    return `Figures' intervals add this machine's run-to-run drift (${(100 * drift.logSd).toFixed(1)}% sd, from ${drift.runs} calibration runs on ${drift.measuredAt.slice(0, 10)}).`;
  return `Figures' intervals cover this run's ${processes} processes, not the drift between runs: no calibration of this machine used (docs/intervals.md).`;
}

/** Why a drift file that exists was not used, for a warning; undefined when it was used or there is none. */
export function driftWarning(lookup: DriftLookup): string | undefined {
  if (lookup.kind === 'other-machine') return `${lookup.path} was calibrated on another machine; figures' intervals cover this run only`;
  if (lookup.kind === 'unreadable') return `ignoring ${lookup.path} (${lookup.why}); figures' intervals cover this run only`;
  return undefined;
}
