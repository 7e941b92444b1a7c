/**
 * The gate's decision settings: the smallest slowdown worth failing a build for, the
 * significance level, and how few samples are too few. A JSON file (gate.config.json by
 * default) may set them, with per-workload overrides of the minimum effect for workloads
 * that are noisier or matter more.
 */
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { UserError } from '../errors.js';
import { WORKLOADS, formatZodError, type WorkloadName } from '../scenario.js';

const effect = z.number().gt(0).lt(1);

export const GateConfigSchema = z
  .object({
    /** Free text for the people who edit the file; ignored. */
    description: z.string().optional(),
    /** Smallest slowdown that fails the gate, as a fraction of base throughput: 0.10 = 10% slower. */
    minEffect: effect.default(0.05),
    /** Family-wise significance level, shared (Bonferroni) among all workloads and engines judged. */
    alpha: z.number().gt(0).lt(0.5).default(0.01),
    /** Fewer repetition samples than this on either side and a workload cannot be judged. */
    minSamples: z.number().int().min(2).max(10_000).default(5),
    /**
     * Throughput per CPU second (`cpu`) or per wall second (`wall`), by engine. CPU time
     * only sees the calling thread's process, so it suits engines that work there; any
     * engine not named is judged on wall time.
     */
    metric: z.record(z.string(), z.enum(['cpu', 'wall'])).default({ ts: 'cpu', memory: 'cpu', lmdb: 'cpu', sqlite: 'cpu', slowed: 'cpu' }),
    /** A work counter whose median moves less than this fraction is unchanged. */
    counterTolerance: z.number().gt(0).lt(1).default(0.02),
    workloads: z.partialRecord(z.enum(WORKLOADS), z.object({ minEffect: effect }).strict()).default({}),
  })
  .strict();
export type GateConfig = z.output<typeof GateConfigSchema>;
export type Metric = 'cpu' | 'wall';

export function metricFor(config: GateConfig, engine: string): Metric {
  return config.metric[engine] ?? 'wall';
}

export const DEFAULT_CONFIG_FILE = 'gate.config.json';

export function defaultGateConfig(): GateConfig {
  return GateConfigSchema.parse({});
}

export function minEffectFor(config: GateConfig, workload: WorkloadName): number {
  return config.workloads[workload]?.minEffect ?? config.minEffect;
}

/**
 * Reads the config named by `path`; with no path, ./gate.config.json when it exists,
 * else the defaults. Returns where the settings came from, for the summary.
 */
export async function loadGateConfig(path: string | undefined): Promise<{ config: GateConfig; source: string }> {
  const file = resolve(path ?? DEFAULT_CONFIG_FILE);
  if (path === undefined && !existsSync(file)) return { config: defaultGateConfig(), source: 'defaults' };
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UserError(`cannot read gate config ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UserError(`gate config ${file} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  const parsed = GateConfigSchema.safeParse(json);
  if (!parsed.success) throw new UserError(`gate config ${file} is invalid: ${formatZodError(parsed.error)}`);
  return { config: parsed.data, source: file };
}
