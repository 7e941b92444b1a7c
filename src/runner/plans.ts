/** The plan of any workload: the document's eight, or a mixed one. */
import type { Scenario, WorkloadName } from '../scenario.js';
import { isMixedWorkload, planMixed } from './mixed.js';
import type { WorkloadPlan } from './plan-kit.js';
import { planWorkload } from './workloads.js';

export type AnyPlan = WorkloadPlan & { readonly callTypes?: Uint8Array; readonly typeNames?: readonly string[] };

export function planFor(workload: WorkloadName, scenario: Scenario): AnyPlan {
  return isMixedWorkload(workload) ? planMixed(workload, scenario) : planWorkload(workload, scenario);
}
