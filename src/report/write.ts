/** Writes a report: the Markdown file and its SVG charts side by side, linked by relative paths. */
import { readdir, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../errors.js';
import { makeDirectories } from '../paths.js';
import type { Comparison } from './compare.js';
import { reportMarkdown, type ChartLinks } from './markdown.js';
import type { LoadedFile } from './model.js';
import { latencyChart, overTime, sweepChart, throughputChart } from './svg.js';

export interface WrittenReport {
  readonly markdown: string;
  readonly charts: readonly string[];
}

export interface ReportRequest {
  readonly cmp: Comparison;
  readonly files: readonly LoadedFile[];
  readonly command: string;
  readonly lsmbenchVersion: string;
  readonly generatedAt: Date;
}

/** A report as text: the Markdown and each chart, by file name (all beside one another). */
export interface RenderedReport {
  readonly markdownName: string;
  readonly files: ReadonlyMap<string, string>;
}

/** Every chart name a report of this stem may have (to find those an earlier report left). */
const chartPattern = (stem: string): RegExp => new RegExp(`^${stem.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-(?:throughput|latency|intervals|sweep)[-\\w]*\\.svg$`);

/** Renders the report `<stem>.md` and its charts `<stem>-*.svg`, without touching the disk. */
export function renderReport(stem: string, input: ReportRequest): RenderedReport {
  const { cmp } = input;
  const svgs = new Map<string, string>();
  const throughput = new Map<number, string>();
  const latency = new Map<number, string>();
  const single = cmp.points.length === 1;
  for (const point of cmp.points) {
    const suffix = single ? '' : `-n${point}`;
    const t = `${stem}-throughput${suffix}.svg`;
    svgs.set(t, throughputChart(cmp, point));
    throughput.set(point, t);
    const lat = latencyChart(cmp, point);
    if (lat !== null) {
      const l = `${stem}-latency${suffix}.svg`;
      svgs.set(l, lat);
      latency.set(point, l);
    }
  }
  // One over-time chart per workload (and N) whose latency pass recorded enough seconds;
  // where it recorded too few, no chart, and the report says why.
  const intervals: ChartLinks['intervals'][number][] = [];
  for (const row of cmp.rows) {
    const chart = overTime(cmp, row.workload, row.point);
    if (chart === null) continue;
    const name = `${stem}-intervals-${row.workload}${single ? '' : `-n${row.point}`}.svg`;
    if (chart.svg !== null) svgs.set(name, chart.svg);
    intervals.push({ point: row.point, workload: row.workload, file: chart.svg === null ? null : name, notes: chart.notes, passes: chart.passes });
  }
  const sweep = sweepChart(cmp);
  const sweepName = sweep === null ? null : `${stem}-sweep.svg`;
  if (sweep !== null && sweepName !== null) svgs.set(sweepName, sweep);
  const charts: ChartLinks = { throughput, latency, intervals, sweep: sweepName };
  const files = new Map<string, string>([[`${stem}.md`, reportMarkdown({ ...input, charts })], ...svgs]);
  return { markdownName: `${stem}.md`, files };
}

/**
 * Writes the report and its charts; charts of an earlier report of the same name that this
 * one does not have (an over-time chart, an N no longer there) are removed, so nothing
 * beside the report is left from another.
 */
export async function writeReport(out: string, input: ReportRequest): Promise<WrittenReport> {
  if (!out.endsWith('.md')) throw new UserError(`report path ${out} must end in .md (the charts are written beside it)`);
  const dir = dirname(out);
  const stem = basename(out, '.md');
  const rendered = renderReport(stem, input);
  const charts = [...rendered.files.keys()].filter((n) => n !== rendered.markdownName);
  try {
    await makeDirectories(dir);
    const stale = (await readdir(dir)).filter((n) => chartPattern(stem).test(n) && !rendered.files.has(n));
    for (const name of stale) await rm(join(dir, name));
    for (const [name, text] of rendered.files) await writeFile(join(dir, name), text);
  } catch (err) {
    throw new UserError(`cannot write the report to ${out}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  return { markdown: out, charts: charts.map((n) => join(dir, n)) };
}
