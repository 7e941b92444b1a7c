/** Messages between the runner and the child process that runs one workload of one engine. */
import type { Durability } from '../engine.js';
import type { WorkloadResult } from '../results.js';
import type { Scenario, WorkloadName } from '../scenario.js';

export interface ChildJob {
  readonly engine: string;
  readonly label: string;
  readonly workload: WorkloadName;
  /** The sweep point this job belongs to, or null. */
  readonly point: number | null;
  readonly scenario: Scenario;
  readonly durability: Durability;
  readonly options: Readonly<Record<string, string>>;
  /** A directory the child may use; the runner removes it afterwards unless asked to keep it. */
  readonly workDir: string;
  readonly keep: boolean;
  /** 0-based index of this child among the processes of its (engine, workload); absent: 0. */
  readonly process?: number;
  /** Whether this child makes the latency pass (one process of each (engine, workload) does). */
  readonly latencyPass?: boolean;
  /**
   * read-while-writing only: 'thread' runs the writer in a worker thread of its own (engines
   * whose stores threads may share), 'interleaved' makes the writes between the reads.
   */
  readonly writer?: 'thread' | 'interleaved';
}

export type ChildMessage =
  | { readonly type: 'progress'; readonly phase: string }
  | { readonly type: 'result'; readonly result: WorkloadResult };
