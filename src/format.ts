/** Terminal tables and number formats shared by every command that prints figures. */
import { OPERATIONS } from './engine.js';
import type { EngineRun, ResultsFile, WorkloadResult } from './results.js';
import { shortWorkloadLabel, WORKLOAD_LABELS, type WorkloadName } from './scenario.js';
import { columnIds, parseColumns, renderTable, terminalWidth, wrapText, type Column, type LayoutChoice } from './layout.js';
import { CALLS_NEEDED, ratioOfMedians } from './stats.js';
import { sampleNotes } from './samples.js';

export const formatInt = (x: number): string => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : 'N/A');

export function formatNs(ns: number): string {
  if (!Number.isFinite(ns)) return 'N/A';
  if (ns < 1_000) return `${ns.toFixed(0)} ns`;
  if (ns < 1_000_000) return `${(ns / 1_000).toFixed(ns < 10_000 ? 2 : 1)} µs`;
  if (ns < 1_000_000_000) return `${(ns / 1_000_000).toFixed(ns < 10_000_000 ? 2 : 1)} ms`;
  return `${(ns / 1e9).toFixed(2)} s`;
}

/** A latency percentile, or a dash where the pass had too few calls for it (CALLS_NEEDED). */
export function formatPercentile(latency: { readonly calls: number } | null | undefined, name: keyof typeof CALLS_NEEDED, ns: number): string {
  if (!latency) return '';
  return latency.calls >= CALLS_NEEDED[name] ? formatNs(ns) : '—';
}

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return 'N/A';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(u === 0 ? 0 : 1)} ${units[u]}`;
}

/** 38.1×, 0.86×; below 0.01 one significant digit (0.004×), never a ratio that reads as 0.00×. */
export const formatRatio = (r: number): string => (Number.isFinite(r) ? `${r > 0 && r < 0.01 ? r.toPrecision(1) : r.toFixed(r >= 10 ? 1 : 2)}×` : 'N/A');

/** An interval, or null when there are too few independent samples for one (stats may say so). */
export type Interval = readonly [number, number] | null;
const intervalOf = (x: { readonly ci95: Interval }): Interval => (x.ci95 !== null && Number.isFinite(x.ci95[0]) && Number.isFinite(x.ci95[1]) ? x.ci95 : null);
const samplesOf = (x: { readonly n?: number; readonly independentSamples?: number }): number | undefined => x.independentSamples ?? x.n;

/** The words for an interval that is not there: `range a–b (n=k, too few for a 95% interval)`. */
export function tooFewText(min: string, max: string, n: number | undefined): string {
  return `range ${min}–${max} (${n === undefined ? '' : `n=${n}, `}too few for a 95% interval)`;
}

/** Three significant digits with k/M: the ops/s cells of a table too narrow for whole numbers. */
export function formatCompact(x: number): string {
  if (!Number.isFinite(x)) return 'N/A';
  const [v, unit] = x >= 1e9 ? [x / 1e9, 'G'] : x >= 1e6 ? [x / 1e6, 'M'] : x >= 1e3 ? [x / 1e3, 'k'] : [x, ''];
  return `${unit === '' ? Math.round(v) : v.toPrecision(3)}${unit}`;
}

/** ' ▲' where a ratio's 95% interval lies above 1.00 (faster), ' ▼' below (slower), two spaces otherwise or without one. */
export const differenceMark = (ci: readonly [number, number] | null): string => (ci === null ? '  ' : ci[0] > 1 ? ' ▲' : ci[1] < 1 ? ' ▼' : '  ');

/** A ratio's cells: `38.1× faster` (the word only where the 95% interval excludes 1.00, never without one) and its interval. */
export function ratioCells(a: readonly number[], b: readonly number[], groupsA?: readonly number[], groupsB?: readonly number[]): { ratio: string; marked: string; ci: string } {
  const r = ratioOfMedians(a, b, groupsA, groupsB);
  if (!Number.isFinite(r.ratio)) return { ratio: '-', marked: '-', ci: '' };
  const ci = intervalOf(r);
  if (ci === null) return { ratio: formatRatio(r.ratio), marked: formatRatio(r.ratio), ci: 'too few samples' };
  const digits = (x: number): string => x.toFixed(x >= 10 ? 1 : 2);
  const word = ci[0] > 1 ? ' faster' : ci[1] < 1 ? ' slower' : '';
  return { ratio: `${formatRatio(r.ratio)}${word}`, marked: `${formatRatio(r.ratio)}${differenceMark(ci)}`, ci: `${digits(ci[0])}–${digits(ci[1])}` };
}

/**
 * How a result's calls were made concurrently, for the Concurrency column: "4 threads"
 * (client threads sharing the store), "16 async" (outstanding calls on an asynchronous
 * store), "reader + writer thread" (read-while-writing with its writer in a thread of its
 * own), or "1" (one call at a time, in one thread).
 */
export function concurrencyLabel(r: WorkloadResult, engine: Pick<EngineRun, 'api'> | undefined, scenario: { readonly concurrency: number }): string {
  if (r.writer === 'thread') return 'reader + writer thread';
  if (r.threads > 1) return `${r.threads} threads`;
  if (engine?.api === 'async' && scenario.concurrency > 1 && r.workload !== 'read-while-writing' && !r.workload.startsWith('ycsb-')) return `${scenario.concurrency} async`;
  return '1';
}

/** The Concurrency cell of a row: one label, or each engine's when they differ. */
export function concurrencyCell(labels: readonly { engine: string; label: string }[]): string {
  const distinct = [...new Set(labels.map((l) => l.label))];
  if (distinct.length <= 1) return distinct[0] ?? '';
  return labels.map((l) => `${l.engine}: ${l.label}`).join('; ');
}

/** True when some result ran with more than one call at a time: only then is the column shown. */
export const showsConcurrency = (labels: readonly string[]): boolean => labels.some((l) => l !== '1' && l !== '');

function find(results: readonly WorkloadResult[], engine: string, workload: WorkloadName): WorkloadResult | undefined {
  return results.find((r) => r.engine === engine && r.workload === workload);
}

const samples = (r: WorkloadResult | undefined): number[] => (r?.status === 'verified' ? r.repetitions.map((x) => x.opsPerSec) : []);
/** The child process of each sample (0 in files from before --processes). */
const processes = (r: WorkloadResult | undefined): number[] => (r?.status === 'verified' ? r.repetitions.map((x) => x.process ?? 0) : []);

function opsCell(r: WorkloadResult | undefined): string {
  if (r === undefined) return 'N/A';
  if (r.status === 'failed' || r.opsPerSec === null) return 'FAILED';
  return formatInt(r.opsPerSec.median);
}

/** Warnings that a comparison between these engines is not like with like. */
export function fairnessWarnings(engines: readonly EngineRun[]): string[] {
  const warnings: string[] = [];
  for (const e of engines)
    if (e.durabilityUsed !== e.durabilityRequested)
      warnings.push(`${e.label} cannot honour durability '${e.durabilityRequested}' and ran in the stronger mode '${e.durabilityUsed}'.`);
  const modes = new Set(engines.map((e) => e.durabilityUsed));
  if (modes.size > 1) warnings.push(`The engines ran in different durability modes (${engines.map((e) => `${e.label}: ${e.durabilityUsed}`).join(', ')}): ratios compare unlike guarantees.`);
  // `driving` names the batch size, sync or awaited calls, and in-process or external: any difference skews ratios.
  const drivings = new Set(engines.map((e) => e.driving));
  if (drivings.size > 1)
    warnings.push(`The engines were driven differently (${engines.map((e) => `${e.label}: ${e.driving}`).join('; ')}): ratios include how operations were issued, not only the stores.`);
  for (const e of engines) {
    const emulated = OPERATIONS.filter((op) => e.operations[op] === 'emulated');
    if (emulated.length > 0) warnings.push(`${e.label} emulates: ${emulated.join(', ')}.`);
  }
  return warnings;
}

/**
 * The columns of `run`'s table for engines with these labels, in the order of their cells:
 * what `run --columns` may name (checked before a run starts, so a typo costs no run) and
 * what runTable fills. `concurrency` is among them whether or not the table turns out to
 * have that column (only when some row ran calls at once).
 */
function runColumns(labels: readonly string[]): Column[] {
  const fixed: Column[] = [{ id: 'operation', head: 'Operation' }, { id: 'concurrency', head: 'Concurrency' }];
  if (labels.length === 1)
    return [
      ...fixed,
      { id: 'ops', head: 'ops/s (median)', align: 'right' },
      { id: 'ci', head: '95% CI', align: 'right', optional: 1 },
      { id: 'range', head: 'min – max', align: 'right', optional: 3 },
      { id: 'p50', head: 'p50', align: 'right', optional: 2 },
      { id: 'p99', head: 'p99', align: 'right', optional: 1 },
      { id: 'p999', head: 'p99.9', align: 'right', optional: 3 },
      { id: 'us-per-op', head: 'µs/op', align: 'right', extra: true },
      { id: 'mb-per-s', head: 'MB/s', align: 'right', extra: true },
      { id: 'verified', head: 'verified' },
    ];
  const a = labels[0]!;
  return [
    ...fixed,
    ...labels.map((l): Column => ({ id: `ops:${l}`, head: `${l} ops/s`, align: 'right' })),
    ...labels.slice(1).flatMap((b): Column[] => [
      { id: `ratio:${b}`, head: `${a} / ${b}`, align: 'right' },
      // Beside its ratio, so "95% CI" is enough and does not wrap.
      { id: `ci:${b}`, head: '95% CI', name: `${a} / ${b} 95% CI`, align: 'right', optional: 1 },
    ]),
    ...labels.map((l): Column => ({ id: `p99:${l}`, head: `${l} p99`, align: 'right', optional: 2 })),
    ...labels.map((l): Column => ({ id: `us-per-op:${l}`, head: `${l} µs/op`, align: 'right', extra: true })),
    ...labels.map((l): Column => ({ id: `mb-per-s:${l}`, head: `${l} MB/s`, align: 'right', extra: true })),
    { id: 'verified', head: 'verified' },
  ];
}

/** The ids `run --columns` may name, for engines with these labels. */
export const runColumnIds = (labels: readonly string[]): string[] => columnIds(runColumns(labels));

/** The table for one run: per workload, one engine's figures in detail, or the engines side by side with ratios. */
export function runTable(file: ResultsFile, choice: LayoutChoice = {}): string {
  const { engines, results, scenario } = file;
  const defined = runColumns(engines.map((e) => e.label));
  if (choice.columns !== undefined) parseColumns(choice.columns.join(','), columnIds(defined));
  const concurrencyOf = (w: WorkloadName): string =>
    concurrencyCell(
      engines.flatMap((e) => {
        const r = find(results, e.label, w);
        return r === undefined ? [] : [{ engine: e.label, label: concurrencyLabel(r, e, scenario) }];
      }),
    );
  const withConcurrency = showsConcurrency(scenario.workloads.map(concurrencyOf));
  const bytesPerOp = scenario.keySize + scenario.valueSize;
  const usPerOp = (r: WorkloadResult | undefined): string => (r?.opsPerSec ? (1e6 / r.opsPerSec.median).toFixed(3) : '');
  const mbPerSec = (r: WorkloadResult | undefined): string => (r?.opsPerSec ? ((r.opsPerSec.median * bytesPerOp) / 1e6).toFixed(1) : '');
  const verified = (r: WorkloadResult | undefined): string => (r === undefined ? 'not run' : r.status === 'verified' ? 'yes' : 'NO');
  // Shorter cells for a narrow terminal, by column id; the columns are defined in runColumns.
  // "Sequential" and "Random" are shortened in a terminal too narrow for the names.
  const narrow = new Map<string, Column['narrow']>([['operation', { level: 2, cells: scenario.workloads.map(shortWorkloadLabel) }]]);
  const rows: string[][] = scenario.workloads.map((w) => [WORKLOAD_LABELS[w], ...(withConcurrency ? [concurrencyOf(w)] : [])]);
  const tooFew: string[] = [];
  const allVerified = results.length > 0 && results.every((r) => r.status === 'verified');
  if (engines.length === 1) {
    const label = engines[0]!.label;
    const ciCompact = scenario.workloads.map((w) => {
      const s = find(results, label, w)?.opsPerSec ?? null;
      const ci = s === null ? null : intervalOf(s);
      return s === null ? '' : ci === null ? 'too few' : `${formatCompact(ci[0])}–${formatCompact(ci[1])}`;
    });
    // Three digits are all an interval needs: compact before anything is left out.
    narrow.set('ci', { level: 1, cells: ciCompact, first: true });
    scenario.workloads.forEach((w, k) => {
      const r = find(results, label, w);
      const s = r?.opsPerSec ?? null;
      const lat = r?.latency ?? null;
      const ci = s === null ? null : intervalOf(s);
      if (s !== null && ci === null) tooFew.push(`${WORKLOAD_LABELS[w]}: ${tooFewText(formatInt(s.min), formatInt(s.max), samplesOf(s))}`);
      rows[k]!.push(
        opsCell(r),
        s === null ? '' : ci === null ? 'too few' : `${formatInt(ci[0])} – ${formatInt(ci[1])}`,
        s ? `${formatInt(s.min)} – ${formatInt(s.max)}` : '',
        formatPercentile(lat, 'p50', lat?.p50Ns ?? NaN),
        formatPercentile(lat, 'p99', lat?.p99Ns ?? NaN),
        formatPercentile(lat, 'p99.9', lat?.p999Ns ?? NaN),
        usPerOp(r),
        mbPerSec(r),
        verified(r),
      );
    });
  } else {
    const a = engines[0]!.label;
    const others = engines.slice(1).map((e) => e.label);
    const ratios = others.map((b) => scenario.workloads.map((w) => ratioCells(samples(find(results, a, w)), samples(find(results, b, w)), processes(find(results, a, w)), processes(find(results, b, w)))));
    const compact = engines.map((e) => scenario.workloads.map((w) => {
      const r = find(results, e.label, w);
      return r?.opsPerSec && r.status === 'verified' ? formatCompact(r.opsPerSec.median) : opsCell(r);
    }));
    engines.forEach((e, j) => narrow.set(`ops:${e.label}`, { level: 1, cells: compact[j]! }));
    others.forEach((b, j) => narrow.set(`ratio:${b}`, { level: 2, cells: ratios[j]!.map((c) => c.marked) }));
    scenario.workloads.forEach((w, k) => {
      const all = engines.map((e) => find(results, e.label, w));
      const failed = engines.filter((e, i) => all[i]?.status === 'failed').map((e) => e.label);
      rows[k]!.push(
        ...all.map(opsCell),
        ...ratios.flatMap((perRow) => [perRow[k]!.ratio, perRow[k]!.ci]),
        ...all.map((r) => formatPercentile(r?.latency, 'p99', r?.latency?.p99Ns ?? NaN)),
        ...all.map(usPerOp),
        ...all.map(mbPerSec),
        all.some((r) => r === undefined) ? 'not run' : failed.length === 0 ? 'yes' : 'NO', // which engine failed, and why: the FAILED lines under the table
      );
    });
  }
  const notes: string[] = [];
  if (scenario.workloads.some((w) => find(results, engines[0]!.label, w)?.unit === 'entry')) notes.push('Range and prefix scans count entries read per second.');
  if (engines.length > 1) notes.push("A ratio says 'faster' or 'slower' (▲ or ▼ in a narrow terminal) only where its 95% interval excludes 1.00; without one: no clear difference.");
  if (allVerified) notes.push('Every result verified.');
  const columns = defined
    .filter((c) => c.id !== 'concurrency' || withConcurrency)
    .map((c): Column => ({
      ...c,
      ...(narrow.has(c.id) ? { narrow: narrow.get(c.id)! } : {}),
      // With every result verified a line under the table says so; a failure keeps the column.
      ...(c.id === 'verified' && allVerified ? { optional: 3 } : {}),
    }));
  const table = renderTable(columns, rows, choice);
  // Said only when a dash is there to be read.
  if (/ — │/.test(table)) notes.unshift(`—: too few calls in the latency pass for that percentile (p99 needs ${CALLS_NEEDED.p99}, p99.9 ${formatInt(CALLS_NEEDED['p99.9'])}).`);
  // The lines under the table wrap at the width the table was fitted to.
  const width = choice.width ?? terminalWidth();
  return [table, ...[...tooFew, ...notes].map((line) => wrapText(line, width, '  '))].join('\n');
}

/** Lines under the table: failures, overhead, amplification, warnings. */
export function runFootnotes(file: ResultsFile): string[] {
  const lines: string[] = [];
  for (const r of file.results)
    if (r.status === 'failed') lines.push(`FAILED ${r.engine} ${WORKLOAD_LABELS[r.workload]}: ${r.error ?? 'unknown error'}`);
  const overheads = file.results.filter((r) => r.harnessOverheadNsPerOp !== null && r.opsPerSec !== null);
  if (overheads.length > 0) {
    const worst = overheads.reduce((m, r) => {
      const share = r.harnessOverheadNsPerOp! / (1e9 / r.opsPerSec!.median);
      return share > m.share ? { share, r } : m;
    }, { share: -1, r: overheads[0]! });
    lines.push(
      `Harness overhead: at most ${formatNs(worst.r.harnessOverheadNsPerOp!)} per op, ${(worst.share * 100).toFixed(1)}% of the op time (${worst.r.engine}, ${WORKLOAD_LABELS[worst.r.workload]}).`,
    );
  }
  // A label that is not the engine's name (an external engine's own name, a --label) says what it stands for.
  const named = file.engines.filter((e) => e.label !== e.name);
  if (named.length > 0) lines.push(`Engines: ${named.map((e) => `${e.label} = ${e.name}`).join('; ')}.`);
  for (const w of fairnessWarnings(file.engines)) lines.push(`Warning: ${w}`);
  lines.push(...sampleNotes(file));
  return lines;
}
