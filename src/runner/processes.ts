/**
 * One figure from several independent child processes of one (engine, workload): their
 * samples together, each tagged with its process, and the interval over the processes'
 * figures (src/stats.ts). The other parts of the result (latency pass, resources, store
 * statistics) are those of the first process, which alone made the latency pass.
 */
import type { WorkloadResult } from '../results.js';
import { summarize } from '../stats.js';

/** `driftLogSd`: the machine's run-to-run drift to add to the figure's interval (src/drift.ts). */
export function mergeProcesses(perProcess: readonly WorkloadResult[], driftLogSd = 0): WorkloadResult {
  const first = perProcess[0];
  if (first === undefined) throw new Error('mergeProcesses needs at least one result');
  const wallSeconds = perProcess.reduce((a, r) => a + r.wallSeconds, 0);
  const failedAt = perProcess.findIndex((r) => r.status !== 'verified');
  if (failedAt >= 0) {
    const failed = perProcess[failedAt]!;
    const error = perProcess.length > 1 ? `process ${failedAt + 1} of ${perProcess.length}: ${failed.error ?? failed.verification.detail}` : failed.error;
    return { ...failed, error, wallSeconds, verification: { ...failed.verification, detail: error ?? failed.verification.detail } };
  }
  if (perProcess.length === 1) return first;
  const repetitions = perProcess.flatMap((r, p) => r.repetitions.map((rep) => ({ ...rep, process: p })));
  return {
    ...first,
    repetitions,
    opsPerSec: summarize(
      repetitions.map((r) => r.opsPerSec),
      repetitions.map((r) => r.process),
      driftLogSd,
    ),
    wallSeconds,
  };
}
