/**
 * Results files for tests of the gate: one real run of the built CLI as a template (so the
 * files follow whatever the results schema is today), with its samples replaced.
 */
import { join } from 'node:path';
import { projectRoot } from '../../src/paths.js';
import { lsmbench } from '../cli-helpers.js';
import { ResultsFileSchema, type ResultsFile } from '../../src/results.js';
import type { WorkloadName } from '../../src/scenario.js';
import { summarize } from '../../src/stats.js';

export { SLOWED_MODULE as SLOWED } from '../../src/gate/slowed.js';


let template: ResultsFile | undefined;

/** A real results file of the memory engine on random-reads and contains (N = 1,000). */
export function templateRun(): ResultsFile {
  if (template !== undefined) return template;
  const r = lsmbench(['run', '--engine', 'memory', '-n', '1000', '-r', '2', '--warmup', '0', '--workloads', 'random-reads,contains', '--json', '--no-save']);
  if (r.code !== 0) throw new Error(`the template run failed (${r.code}): ${r.stderr}`);
  template = ResultsFileSchema.parse(JSON.parse(r.stdout));
  return template;
}

export interface Edit {
  readonly samples?: Partial<Record<WorkloadName, readonly number[]>>;
  readonly failed?: readonly WorkloadName[];
  readonly fingerprint?: string;
  readonly ops?: number;
}

/** A copy of the template with these samples, failures, fingerprint or N. */
export function resultsWith(edit: Edit): ResultsFile {
  const copy = structuredClone(templateRun());
  copy.id = `${copy.id.slice(0, 8)}-${Math.random().toString(16).slice(2, 10)}`;
  if (edit.fingerprint !== undefined) copy.environment.fingerprint = edit.fingerprint;
  if (edit.ops !== undefined) copy.scenario.ops = edit.ops;
  for (const r of copy.results) {
    const samples = edit.samples?.[r.workload];
    if (samples !== undefined) {
      r.repetitions = samples.map((opsPerSec) => ({ ms: (r.unitsPerRepetition / opsPerSec) * 1000, opsPerSec, settleMs: null }));
      r.opsPerSec = summarize(samples);
    }
    if (edit.failed?.includes(r.workload)) {
      r.status = 'failed';
      r.error = 'key 0000000000000042: wrong value';
      r.opsPerSec = null;
      r.verification = { checked: true, ok: false, detail: 'key 0000000000000042: wrong value' };
    }
  }
  return ResultsFileSchema.parse(copy);
}

/** `count` samples spread evenly over centre ± 4%: steady, like a quiet machine. */
export function steady(centre: number, count = 15): number[] {
  return Array.from({ length: count }, (_, i) => centre * (0.96 + (0.08 * i) / (count - 1)));
}
