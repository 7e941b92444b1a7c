/** Terminal tables and number formats shared by every command that prints figures. */
import Table from 'cli-table3';
import { OPERATIONS } from './engine.js';
import type { EngineRun, ResultsFile, WorkloadResult } from './results.js';
import { WORKLOAD_LABELS, type WorkloadName } from './scenario.js';
import { ratioOfMedians } from './stats.js';

export const formatInt = (x: number): string => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : 'N/A');

export function formatNs(ns: number): string {
  if (!Number.isFinite(ns)) return 'N/A';
  if (ns < 1_000) return `${ns.toFixed(0)} ns`;
  if (ns < 1_000_000) return `${(ns / 1_000).toFixed(ns < 10_000 ? 2 : 1)} µs`;
  if (ns < 1_000_000_000) return `${(ns / 1_000_000).toFixed(ns < 10_000_000 ? 2 : 1)} ms`;
  return `${(ns / 1e9).toFixed(2)} s`;
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

export const formatRatio = (r: number): string => (Number.isFinite(r) ? `${r.toFixed(2)}x` : 'N/A');

/** `groupsA`/`groupsB`: the child process of each sample (see ratioOfMedians). */
export function formatRatioWithCi(a: readonly number[], b: readonly number[], groupsA?: readonly number[], groupsB?: readonly number[]): string {
  const { ratio, ci95, independentSamples } = ratioOfMedians(a, b, groupsA, groupsB);
  if (!Number.isFinite(ratio)) return '-';
  if (ci95 === null) return `${formatRatio(ratio)} (n=${independentSamples}: no 95% CI)`;
  return `${formatRatio(ratio)} [${ci95[0].toFixed(2)}–${ci95[1].toFixed(2)}]`;
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

/** The table for one run: per workload, one engine's figures in detail, or the engines side by side with ratios. */
export function runTable(file: ResultsFile): string {
  const { engines, results, scenario } = file;
  const concurrencyOf = (w: WorkloadName): string =>
    concurrencyCell(
      engines.flatMap((e) => {
        const r = find(results, e.label, w);
        return r === undefined ? [] : [{ engine: e.label, label: concurrencyLabel(r, e, scenario) }];
      }),
    );
  const withConcurrency = showsConcurrency(scenario.workloads.map(concurrencyOf));
  const concurrencyHead = withConcurrency ? ['Concurrency'] : [];
  if (engines.length === 1) {
    const label = engines[0]!.label;
    const table = new Table({
      head: ['Operation', ...concurrencyHead, 'ops/s (median)', '95% CI', 'min – max', 'p50', 'p99', 'p99.9', 'verified'],
      colAligns: ['left', ...(withConcurrency ? ['left' as const] : []), 'right', 'right', 'right', 'right', 'right', 'right', 'left'],
      style: { head: [], border: [] },
    });
    for (const w of scenario.workloads) {
      const r = find(results, label, w);
      const s = r?.opsPerSec ?? null;
      const lat = r?.latency ?? null;
      table.push([
        WORKLOAD_LABELS[w] + (r?.unit === 'entry' ? ' (entries/s)' : ''),
        ...(withConcurrency ? [concurrencyOf(w)] : []),
        opsCell(r),
        s ? (s.ci95 === null ? `n=${s.independentSamples ?? 1}: too few` : `${formatInt(s.ci95[0])} – ${formatInt(s.ci95[1])}`) : '',
        s ? `${formatInt(s.min)} – ${formatInt(s.max)}` : '',
        lat ? formatNs(lat.p50Ns) : '',
        lat ? formatNs(lat.p99Ns) : '',
        lat ? formatNs(lat.p999Ns) : '',
        r === undefined ? 'not run' : r.status === 'verified' ? 'yes' : 'NO',
      ]);
    }
    return table.toString();
  }
  const a = engines[0]!.label;
  const others = engines.slice(1).map((e) => e.label);
  const table = new Table({
    head: ['Operation', ...concurrencyHead, ...engines.map((e) => `${e.label} (ops/s)`), ...others.map((b) => `Ratio (${a}/${b}) [95% CI]`)],
    colAligns: ['left', ...(withConcurrency ? ['left' as const] : []), ...engines.map(() => 'right' as const), ...others.map(() => 'right' as const)],
    style: { head: [], border: [] },
  });
  for (const w of scenario.workloads) {
    const ra = find(results, a, w);
    table.push([
      WORKLOAD_LABELS[w],
      ...(withConcurrency ? [concurrencyOf(w)] : []),
      ...engines.map((e) => opsCell(find(results, e.label, w))),
      ...others.map((b) => formatRatioWithCi(samples(ra), samples(find(results, b, w)), processes(ra), processes(find(results, b, w)))),
    ]);
  }
  return table.toString();
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
  for (const w of fairnessWarnings(file.engines)) lines.push(`Warning: ${w}`);
  return lines;
}
