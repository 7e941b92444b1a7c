/**
 * The Markdown report, in the shape of the reference document: configuration, summary table,
 * ratio tables, per-workload detail, latency, amplification and memory, verification,
 * environment, observations drawn from the data, and the commands that rerun each run.
 */
import { OPERATIONS } from '../engine.js';
import { formatBytes, formatInt, formatNs } from '../format.js';
import { WORKLOAD_LABELS, type WorkloadName } from '../scenario.js';
import type { Comparison } from './compare.js';
import { describeHardware, pointHeading } from './compare.js';
import { columnAligns, rowsByPoint, tableHead, tableRow } from './compare-output.js';
import type { LoadedFile } from './model.js';
import { observations } from './observations.js';
import { differenceSentence, formatMs, markdownTable, percentText, ratioText } from './text.js';
import { median } from '../stats.js';

export interface ChartLinks {
  /** Relative paths of the charts beside the report, by N. */
  readonly throughput: ReadonlyMap<number, string>;
  readonly latency: ReadonlyMap<number, string>;
  /** Per workload and N with per-second intervals: its over-time chart. */
  readonly intervals: readonly { readonly point: number; readonly workload: WorkloadName; readonly file: string }[];
  readonly sweep: string | null;
}

export interface ReportInput {
  readonly cmp: Comparison;
  readonly files: readonly LoadedFile[];
  readonly charts: ChartLinks;
  /** The command that generated the report, for the reader who wants to regenerate it. */
  readonly command: string;
  readonly lsmbenchVersion: string;
  readonly generatedAt: Date;
}

const R = 'right' as const;
const L = 'left' as const;
const dash = '—';

function fileColumns(files: readonly LoadedFile[]): string[] {
  return files.map((_, i) => `File ${i + 1}`);
}

function configuration(input: ReportInput): string[] {
  const { files, cmp } = input;
  const rows: [string, (f: LoadedFile) => string][] = [
    ['Results file', (f) => `\`${f.path}\``],
    ['Run', (f) => (f.file.published ? `published figures (${f.file.id})` : `${f.file.id} at ${f.file.createdAt}`)],
    ['Scenario', (f) => f.file.scenario.name],
    ['Operations (N)', (f) => (f.file.sweep ? `sweep: ${f.file.sweep.values.map(formatInt).join(', ')}` : formatInt(f.file.scenario.ops))],
    ['Key size', (f) => `${f.file.scenario.keySize} bytes`],
    ['Value size', (f) => `${f.file.scenario.valueSize} bytes`],
    ['Durability', (f) => f.file.scenario.durability],
    ['Repetitions (warm-up)', (f) => `${f.file.scenario.repetitions} (${f.file.scenario.warmup})`],
    ['Seed', (f) => (f.file.published ? 'not applicable' : String(f.file.scenario.seed))],
    ['Scan length, prefix length, miss ratio', (f) => `${formatInt(f.file.scenario.scanLength)}, ${f.file.scenario.prefixLength} bytes, ${f.file.scenario.missRatio}`],
    ['Batch, async concurrency, client threads', (f) => `${f.file.scenario.batch}, ${f.file.scenario.concurrency}, ${f.file.scenario.threads}`],
    ['CPU', (f) => (f.file.published ? `${f.file.environment.cpuCount} cores (as published)` : `${f.file.environment.cpuModel} × ${f.file.environment.cpuCount}`)],
  ];
  const out = ['## Test configuration', ''];
  out.push(markdownTable(['', ...fileColumns(files)], rows.map(([name, get]) => [name, ...files.map(get)])));
  out.push('');
  out.push(
    markdownTable(
      ['Engine', 'File', 'Store', 'API', 'Durability used', 'Driving', 'Emulated operations', 'Options'],
      cmp.sides.map((s) =>
        // The schema needs these fields, but a published file only recorded assumptions in them.
        s.published
          ? [s.name, String(s.fileIndex + 1), s.engine.storeVersion, 'not published', `${s.engine.durabilityUsed} (assumed, see below)`, 'not published', 'not published', dash]
          : [
              s.name,
              String(s.fileIndex + 1),
              s.engine.storeVersion,
              s.engine.api,
              s.engine.durabilityUsed === s.engine.durabilityRequested ? s.engine.durabilityUsed : `${s.engine.durabilityUsed} (asked: ${s.engine.durabilityRequested})`,
              s.engine.driving,
              OPERATIONS.filter((op) => s.engine.operations[op] === 'emulated').join(', ') || 'none',
              Object.entries(s.engine.options).map(([k, v]) => `${k}=${v}`).join(', ') || dash,
            ],
      ),
    ),
  );
  for (const [i, f] of files.entries())
    if (f.file.published) out.push('', `File ${i + 1} holds published figures: ${f.file.published.source}. ${f.file.published.note}`);
  out.push('');
  return out;
}

function summary(input: ReportInput): string[] {
  const { cmp, charts } = input;
  const out = ['## Results summary', ''];
  const head = tableHead(cmp);
  const align = columnAligns(head);
  for (const { point, rows } of rowsByPoint(cmp)) {
    if (cmp.points.length > 1) out.push(`### N = ${formatInt(point)}`, '');
    out.push(markdownTable(head, rows.map((r) => tableRow(cmp, r)), align), '');
    const chart = charts.throughput.get(point);
    if (chart) out.push(`![Throughput by workload and engine, ${pointHeading(cmp, point)}](${chart})`, '');
  }
  out.push(
    'Figures are medians of the repetitions, in ops/s (scans: entries read per second, as in the document). A ratio is the left engine\'s median over the right one\'s, with its 95% interval over independent child processes in brackets (the range, and a note, where there are fewer than 3). In the chart, whiskers are the 95% CI of each median; one that reaches past the top of the axis is cut there and ends in an arrowhead. N/A: not run; FAILED: the run failed verification or crashed, so it has no valid figure.',
    '',
  );
  if (charts.sweep)
    out.push('### Throughput against N', '', `![Throughput against N, log axis](${charts.sweep})`, '', 'Each panel has its own ops/s axis from zero; N is on a log axis. A line joins consecutive measured points only; a cross on the axis marks a run that failed.', '');
  return out;
}

function ratioTables(input: ReportInput): string[] {
  const { cmp } = input;
  const out = ['## Ratios', ''];
  const multi = cmp.points.length > 1;
  cmp.pairs.forEach(({ a, b }, p) => {
    const an = cmp.sides[a]!.name;
    const bn = cmp.sides[b]!.name;
    out.push(`### ${an} / ${bn}`, '');
    out.push(
      markdownTable(
        ['Operation', ...(multi ? ['N'] : []), `Ratio (${an}/${bn}) [95% CI]`, `Difference of ${an} [95% CI]`],
        cmp.rows.map((r) => [WORKLOAD_LABELS[r.workload], ...(multi ? [formatInt(r.point)] : []), ratioText(r.ratios[p]!), percentText(r.ratios[p]!)]),
        [L, ...(multi ? [R] : []), R, R],
      ),
      '',
    );
  });
  return out;
}

function detail(input: ReportInput): string[] {
  const { cmp } = input;
  const out = ['## Detailed analysis', ''];
  const multi = cmp.points.length > 1;
  for (const row of cmp.rows) {
    out.push(`### ${WORKLOAD_LABELS[row.workload]}${multi ? `, N = ${formatInt(row.point)}` : ''}`, '');
    row.cells.forEach((cell, i) => {
      const side = cmp.sides[i]!;
      const name = `**${side.name}**`;
      if (cell.status !== 'verified') {
        out.push(cell.status === 'missing' ? `- ${name}: not run` : `- ${name}: FAILED: ${cell.error ?? 'unknown error'}`);
        return;
      }
      const unit = cell.unit === 'entry' ? 'entries' : 'ops';
      const r = cell.result!;
      const spread = side.published
        ? 'published single value, no repetitions'
        : `median of ${cell.repetitions} repetition${cell.repetitions === 1 ? '' : 's'}, min–max ${formatInt(r.opsPerSec!.min)}–${formatInt(r.opsPerSec!.max)}` +
          (cell.ci95 ? `, 95% CI ${formatInt(cell.ci95[0])}–${formatInt(cell.ci95[1])}` : '');
      const how = [
        ...(r.threads > 1 ? [`${r.threads} client threads sharing the store`] : []),
        ...(r.writer === 'thread' ? [`reads in one thread while the writer thread wrote${r.writerOpsPerSec ? ` ${formatInt(r.writerOpsPerSec.median)} writes/s (median)` : ''}`] : []),
        ...(r.writer === 'interleaved' ? ['writes interleaved with the reads in one thread'] : []),
      ];
      out.push(`- ${name}: ${formatInt(cell.median!)} ${unit}/s (${formatMs(cell.msMedian)} for ${formatInt(cell.units ?? 0)} ${unit}; ${spread}${how.length > 0 ? `; ${how.join('; ')}` : ''})`);
    });
    cmp.pairs.forEach(({ a, b }, p) => {
      const s = differenceSentence(cmp.sides[a]!.name, cmp.sides[b]!.name, row.ratios[p]!, `on ${WORKLOAD_LABELS[row.workload].toLowerCase()}`);
      if (s !== null) out.push(`- **Difference**: ${s}`);
    });
    out.push('');
  }
  return out;
}

function latency(input: ReportInput): string[] {
  const { cmp, charts } = input;
  const rows: string[][] = [];
  const methods = new Map<string, number[]>();
  for (const row of cmp.rows)
    row.cells.forEach((cell, i) => {
      const lat = cell.result?.latency;
      if (!lat) return;
      methods.set(lat.method, [...(methods.get(lat.method) ?? []), lat.timerOverheadNs]);
      const label = WORKLOAD_LABELS[row.workload] + (cmp.points.length > 1 ? `, N = ${formatInt(row.point)}` : '');
      const line = (what: string, l: typeof lat): string[] => [
        what,
        cmp.sides[i]!.name,
        `${formatInt(l.calls)} × ${l.per}`,
        formatNs(l.p50Ns),
        formatNs(l.p99Ns),
        formatNs(l.p999Ns),
        formatNs(l.maxNs),
      ];
      rows.push(line(label, lat));
      // Mixed workloads (YCSB) also split the pass by operation type: a read and an update differ.
      for (const [op, l] of Object.entries(cell.result?.latencyByOperation ?? {})) rows.push(line(`${label}: ${op}`, l));
    });
  const out = ['## Latency percentiles', ''];
  if (rows.length === 0) return [...out, 'No run in these files recorded latencies (published figures have none).', ''];
  out.push(markdownTable(['Operation', 'Engine', 'Calls timed', 'p50', 'p99', 'p99.9', 'max'], rows, [L, L, R, R, R, R, R]), '');
  const how = [...methods].map(([method, overheads]) => {
    const lo = Math.min(...overheads);
    const hi = Math.max(...overheads);
    return `${method} (the timer's own cost, ${lo === hi ? formatNs(lo) : `${formatNs(lo)} to ${formatNs(hi)}`} per reading, is included in the figures)`;
  });
  out.push(`How they were measured: ${how.join('; ')}. Latencies come from one pass and have no confidence interval.`, '');
  for (const [point, chart] of charts.latency) out.push(`![Latency percentiles, N = ${formatInt(point)}](${chart})`, '');
  const none = cmp.sides.filter((s, i) => !cmp.rows.some((r) => r.cells[i]!.result?.latency)).map((s) => s.name);
  if (none.length > 0) out.push(`No latencies for: ${none.join(', ')}.`, '');
  return out;
}

function overTime(input: ReportInput): string[] {
  const { cmp, charts } = input;
  if (charts.intervals.length === 0) return [];
  const out = ['## Throughput and p99 over time', ''];
  out.push(
    'Each chart follows one workload\'s latency pass second by second: above, the calls completed in that second; below, the p99 latency of those calls, on a log axis. Engines are overlaid. A dip above with a spike below is a stall (a flush or compaction, for example); a second with no completed call shows 0 calls and breaks the p99 line. The series comes from the latency pass only (every call timed), not from the throughput repetitions; a pass shorter than a second is a single point.',
    '',
  );
  for (const { point, workload, file } of charts.intervals) {
    const row = cmp.rows.find((r) => r.workload === workload && r.point === point);
    const lengths = row === undefined ? '' : row.cells.map((cell, i) => (cell.result?.intervals ? `${cmp.sides[i]!.name} ${cell.result.intervals.length} s` : null)).filter((x) => x !== null).join(', ');
    out.push(`### ${WORKLOAD_LABELS[workload]}${cmp.points.length > 1 ? `, N = ${formatInt(point)}` : ''}`, '');
    out.push(`![Calls per second and p99 per second over time, ${WORKLOAD_LABELS[workload]}](${file})`, '');
    if (lengths !== '') out.push(`Seconds recorded: ${lengths}.`, '');
  }
  return out;
}

const amp = (x: number | null | undefined): string =>
  x === null || x === undefined || !Number.isFinite(x) ? dash : x > 0 && x < 0.01 ? '<0.01×' : `${x.toFixed(2)}×`;

function resources(input: ReportInput): string[] {
  const { cmp } = input;
  const rows: string[][] = [];
  for (const row of cmp.rows)
    row.cells.forEach((cell, i) => {
      const res = cell.result?.resources;
      if (!res) return;
      const reps = cell.result!.repetitions;
      // A sample's I/O and settle time cover all its passes (each on a fresh store for writes): per pass here, like the logical bytes.
      const settle = reps.map((r) => (r.settleMs === null ? null : r.settleMs / (r.passes ?? 1))).filter((x): x is number => x !== null);
      const passes = reps.length === 0 ? 1 : median(reps.map((r) => r.passes ?? 1));
      rows.push([
        WORKLOAD_LABELS[row.workload] + (cmp.points.length > 1 ? `, N = ${formatInt(row.point)}` : ''),
        cmp.sides[i]!.name,
        formatBytes(res.peakRssBytes),
        formatBytes(res.peakHeapUsedBytes),
        res.io ? formatBytes(res.io.wchar / passes) : dash,
        formatBytes(res.logicalBytesWritten),
        amp(res.writeAmplification),
        res.diskBytes === null ? dash : formatBytes(res.diskBytes),
        amp(res.spaceAmplification),
        settle.length > 0 ? formatMs(Math.max(...settle)) : dash,
      ]);
    });
  const out = ['## Amplification and memory', ''];
  if (rows.length === 0) return [...out, 'No run in these files recorded resources (published figures have none).', ''];
  out.push(
    markdownTable(
      ['Operation', 'Engine', 'Peak RSS', 'Peak heap', 'Written (wchar)', 'Logical written', 'Write amp.', 'On disk', 'Space amp.', 'Settle (max)'],
      rows,
      [L, L, R, R, R, R, R, R, R, R],
    ),
    '',
    'Peak RSS and heap are the engine process\'s own (each engine runs in its own child process). Written is what the process wrote through write(2) in one pass of the timed part and its settle (the median sample\'s, over its passes), from /proc/self/io; settle is a pass\'s settle() time (the longest sample\'s, over its passes); write amplification is that over the logical bytes written, space amplification the bytes on disk after settle over the live logical bytes. A dash: not measured, or not meaningful (an in-memory store has no disk).',
    '',
  );
  return out;
}

function verification(input: ReportInput): string[] {
  const { cmp } = input;
  const rows: string[][] = [];
  // Published figures were not verified by lsmbench at all: one row per such engine says so.
  for (const side of cmp.sides)
    if (side.published) {
      const details = [...new Set(side.file.results.filter((r) => r.engine === side.label).map((r) => r.verification.detail))];
      rows.push(['all workloads', side.name, 'not checked (published)', details.join(' ')]);
    }
  for (const row of cmp.rows)
    row.cells.forEach((cell, i) => {
      if (cell.result === null || cmp.sides[i]!.published) return;
      const side = cmp.sides[i]!;
      const v = cell.result.verification;
      const status = cell.status === 'failed' ? 'FAILED' : v.checked && v.ok ? 'verified' : v.checked ? 'FAILED' : 'not checked';
      rows.push([WORKLOAD_LABELS[row.workload] + (cmp.points.length > 1 ? `, N = ${formatInt(row.point)}` : ''), side.name, status, v.detail]);
    });
  return ['## Verification', '', markdownTable(['Operation', 'Engine', 'Status', 'Detail'], rows), ''];
}

function environment(input: ReportInput): string[] {
  const { files } = input;
  const rows: [string, (f: LoadedFile) => string][] = [
    ['Node / V8', (f) => `${f.file.environment.node} / ${f.file.environment.v8}`],
    ['OS, kernel, architecture', (f) => `${f.file.environment.os}, ${f.file.environment.kernel}, ${f.file.environment.arch}`],
    ['CPU', (f) => `${f.file.environment.cpuModel}, ${f.file.environment.cpuCount} ${f.file.published ? 'cores' : 'CPUs'}`],
    ['Memory', (f) => (f.file.environment.memoryBytes > 0 ? formatBytes(f.file.environment.memoryBytes) : 'not given')],
    ['Hardware fingerprint', (f) => f.file.environment.fingerprint],
    ['Store directory (filesystem)', (f) => (f.file.environment.storage ? `${f.file.environment.storage.workDir} (${f.file.environment.storage.filesystem})` : dash)],
    ['lsmbench version, commit', (f) => `${f.file.environment.lsmbenchVersion}, ${f.file.environment.commit === null ? dash : f.file.environment.commit.slice(0, 12) + (f.file.environment.commitDirty ? ' (uncommitted changes)' : '')}`],
  ];
  return ['## Environment', '', markdownTable(['', ...fileColumns(files)], rows.map(([name, get]) => [name, ...files.map(get)])), ''];
}

function reproduce(input: ReportInput): string[] {
  const out = ['## Reproduce', ''];
  for (const [i, f] of input.files.entries()) {
    if (f.file.rerun === null) out.push(`File ${i + 1} (\`${f.path}\`): published figures, not rerunnable.`, '');
    else out.push(`File ${i + 1} (\`${f.path}\`):`, '', '```sh', f.file.rerun, '```', '');
  }
  out.push('This report:', '', '```sh', input.command, '```', '');
  return out;
}

export function reportMarkdown(input: ReportInput): string {
  const { cmp } = input;
  const title = `# lsmbench report: ${cmp.sides.map((s) => s.name).join(' vs ')}`;
  const intro = [
    title,
    '',
    `Generated by lsmbench ${input.lsmbenchVersion} on ${input.generatedAt.toISOString().slice(0, 10)} from ${input.files.length} results file${input.files.length === 1 ? '' : 's'}; every figure below is read from ${input.files.length === 1 ? 'it' : 'them'}.`,
    '',
  ];
  const obs = observations(cmp);
  const sections = [
    intro,
    configuration(input),
    summary(input),
    ratioTables(input),
    detail(input),
    latency(input),
    overTime(input),
    resources(input),
    verification(input),
    environment(input),
    ['## Observations', '', ...(obs.length > 0 ? obs.map((o) => `- ${o}`) : ['- Nothing to observe: no workload has figures on two sides.']), ''],
    ...(cmp.warnings.length > 0 ? [['## Warnings', '', ...cmp.warnings.map((w) => `- ${w}`), '']] : []),
    reproduce(input),
  ];
  return sections.flat().join('\n').replace(/\n{3,}/g, '\n\n');
}

