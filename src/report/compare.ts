/**
 * The comparison: per (workload, N), each side's throughput and each ratio the document's
 * table shows, with a 95% interval over independent child processes (src/stats.ts). Published
 * figures are one value without repetitions: their ratios have no interval, and the
 * comparison says so instead of printing a degenerate one.
 */
import { UserError } from '../errors.js';
import { fairnessWarnings, formatBytes, formatInt } from '../format.js';
import type { WorkloadResult } from '../results.js';
import { WORKLOAD_LABELS, type WorkloadName } from '../scenario.js';
import { median, ratioOfMedians, UNPAIRED } from '../stats.js';
import { hasSweep, pointsOf, resultFor, workloadsOf, type Side } from './model.js';

export interface Cell {
  readonly status: 'missing' | 'failed' | 'verified';
  /** Median ops/s (entries/s for scans); null unless verified. */
  readonly median: number | null;
  /** 95% CI of the median ops/s, or null when there is none (published, or fewer than 2 repetitions). */
  readonly ci95: [number, number] | null;
  readonly repetitions: number;
  /** Median time of one pass of the timed part (a sample's time over its passes), and the units a pass timed (N ops, or N entries for scans). */
  readonly msMedian: number | null;
  readonly units: number | null;
  readonly unit: 'op' | 'entry' | null;
  readonly error: string | null;
  readonly result: WorkloadResult | null;
}

export interface RatioCell {
  /** median(a) / median(b) of ops/s; null when either side has no valid figure. */
  readonly ratio: number | null;
  readonly ci95: [number, number] | null;
  /** Why there is no interval although there is a ratio. */
  readonly ciUnavailable: string | null;
}

export interface Pair {
  /** Indices into the sides: the ratio is a / b. */
  readonly a: number;
  readonly b: number;
}

export interface Row {
  readonly workload: WorkloadName;
  readonly point: number;
  readonly cells: readonly Cell[];
  /** One per pair, in the comparison's pair order. */
  readonly ratios: readonly RatioCell[];
}

export interface Comparison {
  /** True when some file is a sweep: figures are then matched by N. Otherwise each side's run is one point, whatever its N. */
  readonly sweep: boolean;
  readonly sides: readonly Side[];
  readonly pairs: readonly Pair[];
  readonly points: readonly number[];
  readonly workloads: readonly WorkloadName[];
  readonly rows: readonly Row[];
  readonly warnings: readonly string[];
}

export const CI_UNAVAILABLE_PUBLISHED = 'published figures have one value and no repetitions';
export const CI_UNAVAILABLE_FEW = 'too few independent processes for a 95% interval';

function cellOf(side: Side, result: WorkloadResult | undefined): Cell {
  if (result === undefined)
    return { status: 'missing', median: null, ci95: null, repetitions: 0, msMedian: null, units: null, unit: null, error: null, result: null };
  const reps = result.repetitions;
  const verified = result.status === 'verified' && result.opsPerSec !== null;
  return {
    status: verified ? 'verified' : 'failed',
    median: verified ? result.opsPerSec!.median : null,
    ci95: verified && !side.published && reps.length >= 2 ? result.opsPerSec!.ci95 : null,
    repetitions: reps.length,
    msMedian: verified && reps.length > 0 ? median(reps.map((r) => r.ms / (r.passes ?? 1))) : null,
    units: result.unitsPerRepetition,
    unit: result.unit,
    error: verified ? null : (result.error ?? result.verification.detail),
    result,
  };
}

/**
 * `sameRun`: both cells come from one results file, so process p of each ran side by side (a
 * paired ratio). Otherwise `drift` holds each side's run-to-run drift as its file recorded it
 * (src/drift.ts): two runs differ by that too, beyond what their processes show.
 */
export function ratioCell(a: Cell, b: Cell, aPublished: boolean, bPublished: boolean, sameRun = false, drift: { readonly a?: number; readonly b?: number } = {}): RatioCell {
  if (a.median === null || b.median === null || a.result === null || b.result === null) return { ratio: null, ci95: null, ciUnavailable: null };
  const ratio = a.median / b.median;
  if (aPublished || bPublished) return { ratio, ci95: null, ciUnavailable: CI_UNAVAILABLE_PUBLISHED };
  if (a.repetitions < 2 || b.repetitions < 2) return { ratio, ci95: null, ciUnavailable: CI_UNAVAILABLE_FEW };
  const r = ratioOfMedians(
    a.result.repetitions.map((x) => x.opsPerSec),
    b.result.repetitions.map((x) => x.opsPerSec),
    a.result.repetitions.map((x) => x.process ?? 0),
    b.result.repetitions.map((x) => (x.process ?? 0) + (sameRun ? 0 : UNPAIRED)),
    sameRun ? {} : drift,
  );
  return r.ci95 === null ? { ratio, ci95: null, ciUnavailable: CI_UNAVAILABLE_FEW } : { ratio, ci95: r.ci95, ciUnavailable: null };
}

/**
 * The run-to-run drift the results files behind `sides` recorded (src/drift.ts): one side per
 * file, the files that recorded none, and the distinct drifts as "3.8%".
 */
export function recordedDrift(sides: readonly Side[]): { files: Side[]; without: Side[]; sds: string[] } {
  const files = [...new Map(sides.map((s) => [s.fileIndex, s])).values()];
  const without = files.filter((s) => s.file.drift == null);
  const sds = [...new Set(files.filter((s) => s.file.drift != null).map((s) => `${(100 * s.file.drift!.logSd).toFixed(1)}%`))];
  return { files, without, sds };
}

/** Ratios of the document's shape (first side / each other side), or every side / the baseline. */
export function choosePairs(sides: readonly Side[], baseline: string | undefined): Pair[] {
  if (baseline === undefined) return sides.slice(1).map((_, i) => ({ a: 0, b: i + 1 }));
  const b = sides.findIndex((s) => s.name === baseline);
  if (b < 0) throw new UserError(`--baseline '${baseline}' is not one of the engines compared (${sides.map((s) => s.name).join(', ')})`);
  return sides.flatMap((_, a) => (a === b ? [] : [{ a, b }]));
}

/** `single`: one engine is enough (a report of one engine has figures, charts and observations, no ratios). */
export function buildComparison(sides: readonly Side[], options: { baseline?: string; single?: boolean } = {}): Comparison {
  const needed = options.single === true ? 1 : 2;
  if (sides.length < needed)
    throw new UserError(`${needed === 1 ? 'a report needs at least one engine' : 'compare needs at least two engines'}; the files given hold ${sides.length} (${sides.map((s) => s.name).join(', ') || 'none'})`);
  const pairs = choosePairs(sides, options.baseline);
  // Plain runs at different N are still compared row by row (with a warning that N differs);
  // only a sweep makes N a dimension of the table.
  const sweep = hasSweep(sides);
  const points = sweep ? pointsOf(sides) : [sides[0]!.file.scenario.ops];
  const workloads = workloadsOf(sides);
  const rows: Row[] = [];
  for (const point of points)
    for (const workload of workloads) {
      const cells = sides.map((s) => cellOf(s, resultFor(s, workload, sweep ? point : null)));
      // A point only some files have (a sweep beside a plain run) gets no row of N/A cells.
      if (points.length > 1 && cells.every((c) => c.status === 'missing')) continue;
      const ratios = pairs.map(({ a, b }) =>
        ratioCell(cells[a]!, cells[b]!, sides[a]!.published, sides[b]!.published, sides[a]!.fileIndex === sides[b]!.fileIndex, {
          a: sides[a]!.file.drift?.logSd ?? 0,
          b: sides[b]!.file.drift?.logSd ?? 0,
        }),
      );
      rows.push({ workload, point, cells, ratios });
    }
  return { sweep, sides, pairs, points, workloads, rows, warnings: comparisonWarnings(sides) };
}

/** `N = 100,000`, or each side's N when plain runs of different N are compared. */
export function pointHeading(cmp: Comparison, point: number): string {
  if (cmp.sweep) return `N = ${formatInt(point)}`;
  const ns = distinct(cmp.sides.map((s) => s.file.scenario.ops));
  if (ns.length === 1) return `N = ${formatInt(point)}`;
  return `N = ${cmp.sides.map((s) => `${formatInt(s.file.scenario.ops)} (${s.name})`).join(', ')}`;
}

/** How a file describes its machine, for warnings and the environment section. */
export function describeHardware(side: Side): string {
  const env = side.file.environment;
  if (side.published) return `as published: ${env.cpuCount} cores, nothing else given`;
  return `${env.cpuModel}, ${env.cpuCount} CPUs, ${formatBytes(env.memoryBytes)}, ${env.os} ${env.arch}`;
}

function distinct<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

/** Everything that makes the sides not like with like, each as one sentence. */
export function comparisonWarnings(sides: readonly Side[]): string[] {
  const warnings: string[] = [];
  const byFile = distinct(sides.map((s) => s.fileIndex)).map((i) => sides.find((s) => s.fileIndex === i)!);
  if (distinct(byFile.map((s) => s.file.environment.fingerprint)).length > 1)
    warnings.push(
      `Hardware differs: ${byFile.map((s) => `file ${s.fileIndex + 1} (${describeHardware(s)}, fingerprint ${s.file.environment.fingerprint})`).join(' vs ')}; ratios mix machine and engine.`,
    );
  // fairnessWarnings speaks of labels; give it the display names so repeated labels stay apart.
  // Published engines are left out: what it would compare (durability, driving) is assumed
  // for them, and the published warning below says so instead.
  const measured = sides.filter((s) => !s.published);
  warnings.push(...fairnessWarnings(measured.map((s) => ({ ...s.engine, label: s.name }))));
  const params = ['ops', 'keySize', 'valueSize', 'scanLength', 'prefixLength', 'missRatio', 'seed', 'threads'] as const;
  const differing: string[] = [];
  for (const p of params) {
    // A sweep varies N on purpose; published figures have no lsmbench seed.
    if (p === 'ops' && hasSweep(sides)) continue;
    const files = p === 'seed' ? byFile.filter((s) => !s.published) : byFile;
    const values = files.map((s) => String(s.file.scenario[p]));
    if (distinct(values).length > 1) differing.push(`${p} (${values.join(' vs ')})`);
  }
  if (differing.length > 0) warnings.push(`The scenarios differ in ${differing.join(', ')}.`);
  const published = sides.filter((s) => s.published);
  if (published.length > 0)
    warnings.push(
      `${published.map((s) => s.name).join(', ')}: published figures (${published[0]!.file.published!.source}), one value per workload with no repetitions, so no confidence interval is available for ratios that involve them; lsmbench did not verify them, and the source does not say in which durability mode they ran or how operations were issued or batched.`,
    );
  return warnings;
}

export const workloadLabel = (w: WorkloadName): string => WORKLOAD_LABELS[w];
