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

export function formatRatioWithCi(a: readonly number[], b: readonly number[]): string {
  const { ratio, ci95 } = ratioOfMedians(a, b);
  if (!Number.isFinite(ratio)) return '-';
  return `${formatRatio(ratio)} [${ci95[0].toFixed(2)}–${ci95[1].toFixed(2)}]`;
}

function find(results: readonly WorkloadResult[], engine: string, workload: WorkloadName): WorkloadResult | undefined {
  return results.find((r) => r.engine === engine && r.workload === workload);
}

const samples = (r: WorkloadResult | undefined): number[] => (r?.status === 'verified' ? r.repetitions.map((x) => x.opsPerSec) : []);

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
  if (engines.length === 1) {
    const label = engines[0]!.label;
    const table = new Table({
      head: ['Operation', 'ops/s (median)', '95% CI', 'min – max', 'p50', 'p99', 'p99.9', 'verified'],
      colAligns: ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'left'],
      style: { head: [], border: [] },
    });
    for (const w of scenario.workloads) {
      const r = find(results, label, w);
      const s = r?.opsPerSec ?? null;
      const lat = r?.latency ?? null;
      table.push([
        WORKLOAD_LABELS[w] + (r?.unit === 'entry' ? ' (entries/s)' : ''),
        opsCell(r),
        s ? `${formatInt(s.ci95[0])} – ${formatInt(s.ci95[1])}` : '',
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
    head: ['Operation', ...engines.map((e) => `${e.label} (ops/s)`), ...others.map((b) => `Ratio (${a}/${b}) [95% CI]`)],
    colAligns: ['left', ...engines.map(() => 'right' as const), ...others.map(() => 'right' as const)],
    style: { head: [], border: [] },
  });
  for (const w of scenario.workloads) {
    const ra = find(results, a, w);
    table.push([
      WORKLOAD_LABELS[w],
      ...engines.map((e) => opsCell(find(results, e.label, w))),
      ...others.map((b) => formatRatioWithCi(samples(ra), samples(find(results, b, w)))),
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
