/**
 * Results and comparisons in the formats other tools read: github-action-benchmark's
 * custom JSON (one file per direction: ops/s bigger-is-better, latency smaller-is-better),
 * Bencher's BMF JSON, and CSV. Only verified figures are exported: a failed or missing
 * workload has no entry, so a dashboard never plots a figure lsmbench did not check.
 * Names are `<engine>/<workload>/N=<n>`, so a sweep's points are separate series.
 */
import type { WorkloadResult } from '../results.js';
import type { Comparison } from '../report/compare.js';
import { pointOf, type Side } from '../report/model.js';

export const EXPORT_FORMATS = ['github-action-benchmark', 'github-action-benchmark-latency', 'bmf', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** One verified result of one side, with the figures the formats carry. */
export interface Figure {
  readonly engine: string;
  readonly workload: string;
  readonly point: number;
  /** ops/s, or entries/s for scans. */
  readonly unit: 'ops/s' | 'entries/s';
  readonly median: number;
  /** 95% interval of the median; null for published figures or too few samples. */
  readonly ci95: readonly [number, number] | null;
  readonly samples: number;
  /** Latency percentiles of one call, in ns; null when the workload measured none. */
  readonly latency: { readonly per: string; readonly p50Ns: number; readonly p99Ns: number; readonly p999Ns: number } | null;
}

export const figureName = (f: Pick<Figure, 'engine' | 'workload' | 'point'>): string => `${f.engine}/${f.workload}/N=${f.point}`;

function figureOf(side: Side, r: WorkloadResult): Figure | undefined {
  if (r.status !== 'verified' || r.opsPerSec === null) return undefined;
  // The interval is typed loosely on purpose: older and newer Summary shapes both have ci95, possibly null.
  const ci: readonly [number, number] | null = r.opsPerSec.ci95 ?? null;
  return {
    engine: side.name,
    workload: r.workload,
    point: pointOf(side.file, r),
    unit: r.unit === 'entry' ? 'entries/s' : 'ops/s',
    median: r.opsPerSec.median,
    ci95: side.published || r.repetitions.length < 2 ? null : ci,
    samples: r.repetitions.length,
    latency: r.latency === null ? null : { per: r.latency.per, p50Ns: r.latency.p50Ns, p99Ns: r.latency.p99Ns, p999Ns: r.latency.p999Ns },
  };
}

/** Every verified result of every side, in file order. */
export function figuresOf(sides: readonly Side[]): Figure[] {
  const out: Figure[] = [];
  for (const side of sides)
    for (const r of side.file.results) {
      if (r.engine !== side.label) continue;
      const f = figureOf(side, r);
      if (f !== undefined) out.push(f);
    }
  return out;
}

/** An entry of github-action-benchmark's custom tools. */
export interface ActionBenchmarkEntry {
  name: string;
  unit: string;
  value: number;
  range?: string;
  extra?: string;
}

const intervalText = (ci: readonly [number, number]): string => `95% CI ${round(ci[0])} to ${round(ci[1])}`;
const round = (x: number): number => Number(x.toPrecision(6));

/** For `tool: customBiggerIsBetter`: median throughput per (engine, workload, N). */
export function actionBenchmarkThroughput(figures: readonly Figure[]): ActionBenchmarkEntry[] {
  return figures.map((f) => ({
    name: figureName(f),
    unit: f.unit,
    value: round(f.median),
    ...(f.ci95 === null ? {} : { range: intervalText(f.ci95) }),
    extra: `median of ${f.samples} sample${f.samples === 1 ? '' : 's'}`,
  }));
}

/** For `tool: customSmallerIsBetter`: p50, p99 and p99.9 latency of one call, in ns. */
export function actionBenchmarkLatency(figures: readonly Figure[]): ActionBenchmarkEntry[] {
  return figures.flatMap((f) =>
    f.latency === null
      ? []
      : (
          [
            ['p50', f.latency.p50Ns],
            ['p99', f.latency.p99Ns],
            ['p99.9', f.latency.p999Ns],
          ] as const
        ).map(([q, ns]) => ({ name: `${figureName(f)}/${q}`, unit: 'ns', value: round(ns), extra: `latency of one ${f.latency!.per}` })),
  );
}

export interface BmfMetric {
  value: number;
  lower_value?: number;
  upper_value?: number;
}

/**
 * Bencher Metric Format: benchmark name -> measure -> metric. Throughput goes to the
 * built-in `throughput` measure (ops/s; entries/s for scans, whose name says so), latency
 * percentiles to `latency` (the built-in measure, in ns) and to `latency-p99`/`latency-p999`.
 */
export function bmf(figures: readonly Figure[]): Record<string, Record<string, BmfMetric>> {
  const out: Record<string, Record<string, BmfMetric>> = {};
  for (const f of figures) {
    const measures: Record<string, BmfMetric> = {
      throughput: f.ci95 === null ? { value: f.median } : { value: f.median, lower_value: f.ci95[0], upper_value: f.ci95[1] },
    };
    if (f.latency !== null) {
      measures.latency = { value: f.latency.p50Ns };
      measures['latency-p99'] = { value: f.latency.p99Ns };
      measures['latency-p999'] = { value: f.latency.p999Ns };
    }
    out[figureName(f)] = measures;
  }
  return out;
}

/** A CSV field, quoted when it holds a comma, quote or line break (RFC 4180). */
function csvField(v: string | number | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export const CSV_COLUMNS = ['workload', 'n', 'subject', 'metric', 'value', 'ci95_low', 'ci95_high', 'unit', 'samples'] as const;

/**
 * One row per figure (long format, so spreadsheets and data frames pivot it as they like):
 * each engine's median throughput and latency percentiles, and, for a comparison, each
 * ratio with its interval (subject `A/B`, metric `ratio`).
 */
export function csv(figures: readonly Figure[], comparison?: Comparison): string {
  const rows: Array<Array<string | number | null>> = [[...CSV_COLUMNS]];
  for (const f of figures) {
    rows.push([f.workload, f.point, f.engine, 'throughput', f.median, f.ci95?.[0] ?? null, f.ci95?.[1] ?? null, f.unit, f.samples]);
    if (f.latency !== null)
      for (const [metric, ns] of [
        ['latency_p50', f.latency.p50Ns],
        ['latency_p99', f.latency.p99Ns],
        ['latency_p999', f.latency.p999Ns],
      ] as const)
        rows.push([f.workload, f.point, f.engine, metric, ns, null, null, 'ns', null]);
  }
  if (comparison !== undefined)
    for (const row of comparison.rows)
      row.ratios.forEach((r, i) => {
        const pair = comparison.pairs[i]!;
        if (r.ratio === null) return;
        const subject = `${comparison.sides[pair.a]!.name}/${comparison.sides[pair.b]!.name}`;
        rows.push([row.workload, row.point, subject, 'ratio', r.ratio, r.ci95?.[0] ?? null, r.ci95?.[1] ?? null, 'ratio', null]);
      });
  return rows.map((r) => r.map(csvField).join(',')).join('\n') + '\n';
}

/** The text of `format` for the sides (and, from `compare`, the comparison's ratios). */
export function exportText(format: ExportFormat, sides: readonly Side[], comparison?: Comparison): string {
  const figures = figuresOf(sides);
  switch (format) {
    case 'github-action-benchmark':
      return JSON.stringify(actionBenchmarkThroughput(figures), null, 2) + '\n';
    case 'github-action-benchmark-latency':
      return JSON.stringify(actionBenchmarkLatency(figures), null, 2) + '\n';
    case 'bmf':
      return JSON.stringify(bmf(figures), null, 2) + '\n';
    case 'csv':
      return csv(figures, comparison);
  }
}
