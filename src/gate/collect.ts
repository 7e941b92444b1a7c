/**
 * From results files to the gate's comparisons: the repetition samples of a side, per
 * (engine label, workload), kept grouped by the run (results file) they came from.
 */
import { UserError } from '../errors.js';
import { median } from '../stats.js';
import type { ResultsFile, WorkloadResult } from '../results.js';
import { WORKLOADS, type WorkloadName } from '../scenario.js';
import type { ComparisonInput, SideSamples } from './decide.js';
import type { CounterName, PairedInput, RoundSide } from './paired.js';

interface Pool {
  runs: number[][];
  failures: string[];
}

const keyOf = (engine: string, workload: WorkloadName): string => `${engine}\u0000${workload}`;

function pool(runs: readonly ResultsFile[], side: string): { pools: Map<string, Pool>; engines: string[] } {
  const pools = new Map<string, Pool>();
  const engines: string[] = [];
  for (const run of runs) {
    if (run.sweep !== null) throw new UserError(`the ${side} results file ${run.id} is a sweep; the gate compares plain runs`);
    for (const r of run.results) {
      if (!engines.includes(r.engine)) engines.push(r.engine);
      const key = keyOf(r.engine, r.workload);
      let p = pools.get(key);
      if (p === undefined) pools.set(key, (p = { runs: [], failures: [] }));
      if (r.status === 'verified') p.runs.push(r.repetitions.map((rep) => rep.opsPerSec));
      else p.failures.push(r.error ?? r.verification.detail);
    }
  }
  return { pools, engines };
}

/**
 * The comparisons between the runs of base and of head, engines in the order they first
 * appear, workloads in the document's order. A workload present on one side only is a
 * comparison with the other side missing, so the gate reports it instead of dropping it.
 */
export function comparisons(base: readonly ResultsFile[], head: readonly ResultsFile[]): ComparisonInput[] {
  const b = pool(base, 'base');
  const h = pool(head, 'head');
  const engines = [...b.engines, ...h.engines.filter((e) => !b.engines.includes(e))];
  const out: ComparisonInput[] = [];
  for (const engine of engines)
    for (const workload of WORKLOADS) {
      const key = keyOf(engine, workload);
      const bp: SideSamples | undefined = b.pools.get(key);
      const hp: SideSamples | undefined = h.pools.get(key);
      if (bp === undefined && hp === undefined) continue;
      out.push({ engine, workload, base: bp, head: hp });
    }
  return out;
}

function counterValues(r: WorkloadResult, bytesPerUnit: number): RoundSide['counters'] {
  const out: Partial<Record<CounterName, number>> = {};
  // The I/O counters of a sample cover all its passes.
  const passes = median(r.repetitions.map((rep) => rep.passes ?? 1));
  const logical = r.unitsPerRepetition * passes * bytesPerUnit;
  const io = r.resources?.io;
  if (io != null && logical > 0) {
    out.wcharPerByte = io.wchar / logical;
    out.rcharPerByte = io.rchar / logical;
    if (io.syscw !== undefined) out.syscwPerByte = (io.syscw * 1024) / logical;
    if (io.syscr !== undefined) out.syscrPerByte = (io.syscr * 1024) / logical;
  }
  const wa = r.resources?.writeAmplification;
  if (wa != null) out.writeAmplification = wa;
  const stats = r.storeStats;
  if (stats !== null) {
    if (typeof stats.files === 'number') out.files = stats.files;
    if (Array.isArray(stats.levels)) out.levels = (stats.levels as unknown[]).filter((x) => typeof x === 'number' && x > 0).length;
  }
  return out;
}

function roundSide(r: WorkloadResult, bytesPerUnit: number): RoundSide {
  return {
    opsPerSec: r.repetitions.map((rep) => rep.opsPerSec),
    // Per CPU second: the wall throughput scaled by wall over CPU time of the same timed part.
    cpuOpsPerSec: r.repetitions.map((rep) => (rep.cpuMs != null && rep.cpuMs > 0 ? (rep.opsPerSec * rep.ms) / rep.cpuMs : null)),
    counters: counterValues(r, bytesPerUnit),
    failure: r.status === 'verified' ? null : (r.error ?? r.verification.detail),
  };
}

/**
 * The paired comparisons of `rounds` rounds: base[i] and head[i] ran side by side. Engines
 * in the order they first appear, workloads in the document's order.
 */
export function pairedComparisons(base: readonly ResultsFile[], head: readonly ResultsFile[]): PairedInput[] {
  const rounds = Math.max(base.length, head.length);
  const index = (runs: readonly ResultsFile[], side: string): Map<string, RoundSide>[] =>
    runs.map((run) => {
      if (run.sweep !== null) throw new UserError(`the ${side} results file ${run.id} is a sweep; the gate compares plain runs`);
      const perUnit = run.scenario.keySize + run.scenario.valueSize;
      return new Map(run.results.map((r) => [keyOf(r.engine, r.workload), roundSide(r, perUnit)]));
    });
  const b = index(base, 'base');
  const h = index(head, 'head');
  const engines: string[] = [];
  for (const run of [...base, ...head]) for (const r of run.results) if (!engines.includes(r.engine)) engines.push(r.engine);
  const out: PairedInput[] = [];
  for (const engine of engines)
    for (const workload of WORKLOADS) {
      const key = keyOf(engine, workload);
      const pairs = Array.from({ length: rounds }, (_, i) => ({ base: b[i]?.get(key), head: h[i]?.get(key) }));
      if (pairs.every((p) => p.base === undefined && p.head === undefined)) continue;
      out.push({ engine, workload, rounds: pairs });
    }
  return out;
}
