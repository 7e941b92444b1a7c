/**
 * From results files to the gate's comparisons: the repetition samples of a side, per
 * (engine label, workload), kept grouped by the run (results file) they came from.
 */
import { UserError } from '../errors.js';
import type { ResultsFile } from '../results.js';
import { WORKLOADS, type WorkloadName } from '../scenario.js';
import type { ComparisonInput, SideSamples } from './decide.js';

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
