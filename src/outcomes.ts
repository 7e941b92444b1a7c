/** Pieces of a workload result shared by the in-process runner and the external-engine driver. */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { WorkloadResult } from './results.js';
import type { WorkloadJob } from './job.js';

/** Bytes in the regular files below `path`. */
export async function diskUsage(path: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(path, { withFileTypes: true })) {
    const p = join(path, entry.name);
    if (entry.isDirectory()) total += await diskUsage(p);
    else if (entry.isFile()) total += (await stat(p)).size;
  }
  return total;
}

/** A result for a workload whose child never delivered one. */
export function failedResult(job: Pick<WorkloadJob, 'label' | 'workload' | 'point'> & { readonly scenario?: { readonly threads: number } }, error: string, wallSeconds: number): WorkloadResult {
  return {
    threads: job.scenario?.threads ?? 1,
    engine: job.label,
    workload: job.workload,
    point: job.point,
    status: 'failed',
    error,
    unit: job.workload === 'range-scan' || job.workload === 'prefix-scan' ? 'entry' : 'op',
    unitsPerRepetition: 0,
    repetitions: [],
    opsPerSec: null,
    latency: null,
    resources: null,
    harnessOverheadNsPerOp: null,
    storeStats: null,
    verification: { checked: false, ok: false, detail: error },
    wallSeconds,
  };
}
