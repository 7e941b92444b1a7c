/**
 * One workload of one engine, as the runner hands it out, and the engines that run such a
 * job whole in a process of their own (engines/external/PROTOCOL.md). The runner and the
 * external-engine driver both stand on this module; neither imports the other.
 */
import type { Durability, EngineTraits, LoadContext } from './engine.js';
import type { WorkloadResult } from './results.js';
import type { Scenario, WorkloadName } from './scenario.js';

export interface WorkloadJob {
  readonly engine: string;
  readonly label: string;
  readonly workload: WorkloadName;
  /** The sweep point this job belongs to, or null. */
  readonly point: number | null;
  readonly scenario: Scenario;
  readonly durability: Durability;
  readonly options: Readonly<Record<string, string>>;
  /** A directory the job may use; the runner removes it afterwards unless asked to keep it. */
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

/**
 * A loaded engine that runs whole workloads itself: the harness never opens its store, it
 * hands it a job and checks what comes back. It checks its own options.
 */
export interface ExternalEngine extends Omit<EngineTraits, 'optionHelp'> {
  /** Set when the engine is there but did not describe itself: why; each of its workloads then fails with it. */
  readonly describeFailure?: string;
  /** How it drives its store, in its own words, for the results file. */
  readonly driving: string;
  /** The name it gives itself (its protocol `hello`): the default label of its runs. Absent when it did not describe itself. */
  readonly describedName?: string;
  /** The protocol version it speaks. */
  readonly protocol?: number;
  /** Its name as a rerun from any directory finds it: `external:<absolute path>` for one named by a path. */
  readonly rerunName?: string;
  /** Runs the job to the end; a crash, hang or wrong answer is a failed result, never a throw. */
  runWorkload(job: WorkloadJob, onPhase: (phase: string) => void): Promise<WorkloadResult>;
}

/** The descriptor of an engine that runs out of process, through the protocol. */
export interface ExternalEngineDescriptor {
  readonly runs: 'external';
  readonly name: string;
  readonly description: string;
  /** Throws EngineUnavailableError when the engine is not built or does not describe itself. */
  load(context?: LoadContext): Promise<ExternalEngine>;
}
