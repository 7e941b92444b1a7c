/**
 * The Markdown report, in the shape of the reference document: configuration, summary table,
 * ratio tables, per-workload detail, latency, amplification and memory, verification,
 * environment, observations drawn from the data, and the commands that rerun each run.
 */
import { OPERATIONS } from '../engine.js';
import { formatBytes, formatInt, formatNs } from '../format.js';
import { WORKLOAD_LABELS, type WorkloadName } from '../scenario.js';
import type { Comparison } from './compare.js';
import { describeHardware, pointHeading, recordedDrift } from './compare.js';
import { columnAligns, rowsByPoint, tableHead, tableRow } from './compare-output.js';
import type { LoadedFile } from './model.js';
import { observations } from './observations.js';
import { differenceSentence, formatMs, markdownTable } from './text.js';
import { median } from '../stats.js';
import { CALLS_NEEDED, MIN_OVER_TIME_POINTS } from './svg.js';

export interface ChartLinks {
  /** Relative paths of the charts beside the report, by N. */
  readonly throughput: ReadonlyMap<number, string>;
  readonly latency: ReadonlyMap<number, string>;
  /**
   * Per workload and N with per-second intervals: its over-time chart, or null where the
   * passes were too short for one; notes say what was scaled, left out, or too short.
   */
  readonly intervals: readonly {
    readonly point: number;
    readonly workload: WorkloadName;
    readonly file: string | null;
    readonly notes: readonly string[];
    /** Each side's pass: how long it lasted (exact when its last second's length is recorded). */
    readonly passes: readonly { readonly side: string; readonly seconds: number; readonly exact: boolean }[];
  }[];
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
    ['Processes × repetitions (warm-up)', (f) => `${f.file.scenario.processes ?? 1} × ${f.file.scenario.repetitions} (${f.file.scenario.warmup})`],
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

/** What the figures' intervals add for drift between runs, as their files recorded it. */
function driftWords(cmp: Comparison): string {
  const { without, sds } = recordedDrift(cmp.sides.filter((s) => !s.published));
  if (sds.length === 0) return '; they cover each run alone, not the drift between runs';
  return `, plus this machine's run-to-run drift (${sds.join(', ')} sd) ${without.length === 0 ? '' : 'where the run recorded it '}from its calibration`;
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
    'Figures are medians of the samples, in ops/s (scans: entries read per second, as in the document)' +
      (cmp.pairs.length > 0 ? '. A ratio is the left engine\'s median over the right one\'s, with its 95% interval over independent child processes in brackets (the range, and a note, where there are fewer than 3)' : '') +
      `. In the chart each bar is labelled with its figure; whiskers are the 95% confidence interval over the independent child processes (a t interval of the geometric mean of their medians, docs/intervals.md${driftWords(cmp)}); one that reaches past the end of the axis is cut there and ends in an arrowhead. A panel whose figures are more than 10× apart has a log axis, and says so. N/A: not run; FAILED: the run failed verification or crashed, so it has no valid figure.`,
    '',
  );
  if (charts.sweep)
    out.push(
      '### Throughput against N',
      '',
      `![Throughput against N, log axis](${charts.sweep})`,
      '',
      'N is on a log axis. Each panel has its own ops/s axis, linear from zero unless its figures are more than 10× apart (then log, marked in the panel title). Error bars are the 95% confidence intervals; a line joins consecutive measured points only; a cross on the axis marks a run that failed.',
      '',
    );
  return out;
}

/** The child processes a result's samples came from (1 in files from before --processes). */
const processesOf = (r: NonNullable<Comparison['rows'][number]['cells'][number]['result']>): number => new Set(r.repetitions.map((x) => x.process ?? 0)).size;

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
        : `median of ${cell.repetitions} sample${cell.repetitions === 1 ? '' : 's'}${processesOf(r) > 1 ? ` from ${processesOf(r)} processes` : ''}, min–max ${formatInt(r.opsPerSec!.min)}–${formatInt(r.opsPerSec!.max)}` +
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
      // A percentile from fewer calls than it needs is the slowest call or near it: a dash.
      const q = (l: typeof lat, name: keyof typeof CALLS_NEEDED, ns: number): string => (l.calls >= CALLS_NEEDED[name] ? formatNs(ns) : dash);
      const line = (what: string, l: typeof lat): string[] => [
        what,
        cmp.sides[i]!.name,
        `${formatInt(l.calls)} × ${l.per}`,
        q(l, 'p50', l.p50Ns),
        q(l, 'p99', l.p99Ns),
        q(l, 'p99.9', l.p999Ns),
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
  if (rows.some((r) => r.includes(dash)))
    out.push(`A dash: too few calls for that percentile (p99 needs ${CALLS_NEEDED.p99}, p99.9 ${formatInt(CALLS_NEEDED['p99.9'])}; below that it is the slowest call or near it); the charts leave those points out too.`, '');
  for (const [point, chart] of charts.latency) out.push(`![Latency percentiles, N = ${formatInt(point)}](${chart})`, '');
  const none = cmp.sides.filter((s, i) => !cmp.rows.some((r) => r.cells[i]!.result?.latency)).map((s) => s.name);
  if (none.length > 0) out.push(`No latencies for: ${none.join(', ')}.`, '');
  return out;
}

function overTime(input: ReportInput): string[] {
  const { cmp, charts } = input;
  if (charts.intervals.length === 0) return [];
  const out = ['## Throughput and p99 over time', ''];
  const drawn = charts.intervals.filter((x) => x.file !== null);
  const short = charts.intervals.filter((x) => x.file === null);
  const at = (point: number): string => (cmp.points.length > 1 ? `, N = ${formatInt(point)}` : '');
  if (drawn.length > 0)
    out.push(
      'Each chart follows one workload\'s latency pass second by second: above, the calls completed in that second; below, the p99 latency of those calls, on a log axis. Engines are overlaid. A dip above with a spike below is a stall (a flush or compaction, for example); a second with no completed call shows 0 calls and breaks the p99 line. The series comes from the latency pass only (every call timed), not from the throughput samples. The last second ends with the pass: its calls are scaled by its real length (a hollow marker), or it is left out when it is under a quarter second.',
      '',
    );
  for (const { point, workload, file, notes } of drawn) {
    out.push(`### ${WORKLOAD_LABELS[workload]}${at(point)}`, '');
    out.push(`![Calls per second and p99 per second over time, ${WORKLOAD_LABELS[workload]}](${file})`, '');
    if (notes.length > 0) out.push(`${notes.join('; ')}.`, '');
  }
  if (short.length > 0) {
    // One sentence for all of them: which workloads, and the longest pass among them.
    const passes = short.flatMap((x) => x.passes.map((p) => ({ ...p, workload: x.workload, point: x.point })));
    const longest = passes.reduce((m, p) => (p.seconds > m.seconds ? p : m), passes[0]!);
    const length = (p: { seconds: number; exact: boolean }): string => (p.exact ? `${p.seconds.toFixed(2)} s` : `at most ${p.seconds.toFixed(0)} s`);
    const workloads = [...new Set(short.map(({ workload, point }) => `${WORKLOAD_LABELS[workload]}${at(point)}`))];
    out.push(
      `${drawn.length > 0 ? `No chart over time for ${workloads.join(', ')}` : 'No chart over time'}: a line needs ${MIN_OVER_TIME_POINTS} whole seconds of latency pass, and ` +
        `${drawn.length > 0 ? 'their' : 'every'} pass was shorter (the longest, ${longest.side} on ${WORKLOAD_LABELS[longest.workload].toLowerCase()}${at(longest.point)}, ${length(longest)}). A larger N (-n) makes longer passes.`,
      '',
    );
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
  const out = ['## Verification', ''];
  const published = cmp.sides.filter((s) => s.published);
  const checked = cmp.rows.flatMap((row) => row.cells.flatMap((cell, i) => (cell.result === null || cmp.sides[i]!.published ? [] : [{ row, cell, side: cmp.sides[i]! }])));
  const passed = (x: (typeof checked)[number]): boolean => x.cell.status === 'verified' && x.cell.result!.verification.checked && x.cell.result!.verification.ok;
  if (checked.length > 0 && checked.every(passed)) {
    // Everything passed: one line. What each workload's check covers is in the results file.
    const engines = [...new Set(checked.map((x) => x.side.name))];
    out.push(`Every result lsmbench ran passed verification: ${checked.length} of ${checked.length} (${list(engines)}), each checked as its results file's \`verification.detail\` says.`, '');
  } else if (checked.length > 0) {
    const rows = checked.map(({ row, cell, side }) => {
      const v = cell.result!.verification;
      const status = cell.status === 'failed' ? 'FAILED' : v.checked && v.ok ? 'verified' : v.checked ? 'FAILED' : 'not checked';
      return [WORKLOAD_LABELS[row.workload] + (cmp.points.length > 1 ? `, N = ${formatInt(row.point)}` : ''), side.name, status, v.detail];
    });
    out.push(markdownTable(['Operation', 'Engine', 'Status', 'Detail'], rows), '');
  }
  // Published figures were not verified by lsmbench at all: one line per such engine says so.
  for (const side of published) {
    const details = [...new Set(side.file.results.filter((r) => r.engine === side.label).map((r) => r.verification.detail))];
    out.push(`${side.name}: not checked (published figures). ${details.join(' ')}`, '');
  }
  return out;
}

const list = (items: readonly string[]): string => (items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`);

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
    detail(input),
    latency(input),
    overTime(input),
    resources(input),
    verification(input),
    environment(input),
    ['## Observations', '', ...(obs.length > 0 ? obs.map((o) => `- ${o}`) : ['- Nothing stands out: no gap between engines, failure, stall, noisy sample or long tail to report.']), ''],
    ...(cmp.warnings.length > 0 ? [['## Warnings', '', ...cmp.warnings.map((w) => `- ${w}`), '']] : []),
    reproduce(input),
  ];
  return sections.flat().join('\n').replace(/\n{3,}/g, '\n\n');
}

