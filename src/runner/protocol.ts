/** Messages between the runner and the child process that runs one workload of one engine. */
import type { WorkloadResult } from '../results.js';

/** The job a child process gets: one workload of one in-process engine. */
export type { WorkloadJob as ChildJob } from '../job.js';

export type ChildMessage =
  | { readonly type: 'progress'; readonly phase: string }
  | { readonly type: 'result'; readonly result: WorkloadResult };
