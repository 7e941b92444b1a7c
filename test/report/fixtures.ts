/**
 * Results files built by hand for report tests: schema-valid, with chosen repetition figures,
 * so every number a report prints can be predicted. They are test inputs, never presented as
 * measurements.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EngineRun, ResultsFile, WorkloadResult } from '../../src/results.js';
import { RESULTS_SCHEMA, RESULTS_VERSION, ResultsFileSchema } from '../../src/results.js';
import { WORKLOADS, type WorkloadName } from '../../src/scenario.js';
import { summarize } from '../../src/stats.js';

export interface FixtureEngine {
  readonly label: string;
  /** ops/s of each repetition, per workload (and per point in sweeps: key `${workload}@${point}`). */
  readonly figures: Readonly<Record<string, readonly number[]>>;
  readonly durability?: 'none' | 'os' | 'fsync';
  readonly driving?: string;
  readonly failed?: readonly WorkloadName[];
}

export interface FixtureOptions {
  readonly engines: readonly FixtureEngine[];
  readonly ops?: number;
  readonly fingerprint?: string;
  readonly batch?: number;
  readonly sweep?: readonly number[];
  readonly id?: string;
  readonly latency?: boolean;
}

const isScan = (w: WorkloadName): boolean => w === 'range-scan' || w === 'prefix-scan';

function engineRun(e: FixtureEngine): EngineRun {
  const durability = e.durability ?? 'none';
  return {
    label: e.label,
    name: e.label.replace(/#\d+$/, ''),
    storeVersion: `${e.label} 1.0`,
    api: 'sync',
    options: {},
    durabilityRequested: 'none',
    durabilityUsed: durability,
    operations: { put: 'native', get: 'native', delete: 'native', has: 'native', batch: 'native', range: 'native', prefix: 'native' },
    driving: e.driving ?? 'synchronous calls, one operation per call',
  };
}

const processBases = new Map<string, number>();
function processBase(label: string): number {
  if (!processBases.has(label)) processBases.set(label, processBases.size * 1000);
  return processBases.get(label)!;
}

function result(e: FixtureEngine, workload: WorkloadName, point: number | null, units: number, samples: readonly number[], latency: boolean): WorkloadResult {
  const failed = e.failed?.includes(workload) ?? false;
  // Each sample its own process (independent, as the intervals need), none paired with another engine's.
  const base = processBase(e.label);
  const reps = failed ? [] : samples.map((opsPerSec, p) => ({ ms: (units / opsPerSec) * 1000, opsPerSec, settleMs: null, process: base + p }));
  const s = summarize(samples);
  const perOp = 1e9 / s.median;
  return {
    threads: 1,
    engine: e.label,
    workload,
    point,
    status: failed ? 'failed' : 'verified',
    error: failed ? 'value of key(7) differs' : null,
    unit: isScan(workload) ? 'entry' : 'op',
    unitsPerRepetition: units,
    repetitions: reps,
    opsPerSec: failed ? null : { n: s.n, median: s.median, mean: s.mean, min: s.min, max: s.max, stddev: s.stddev, ci95: s.ci95 },
    latency:
      latency && !failed
        ? { method: 'instrumented pass', per: 'operation', calls: units, timerOverheadNs: 40, p50Ns: perOp, p99Ns: perOp * 4, p999Ns: perOp * 20, maxNs: perOp * 1000 }
        : null,
    resources: failed
      ? null
      : {
          peakRssBytes: 100 * 2 ** 20,
          peakHeapUsedBytes: 50 * 2 ** 20,
          io: { rchar: 0, wchar: 2_000_000, readBytes: 0, writeBytes: 0 },
          diskBytes: 1_500_000,
          logicalBytesWritten: 1_160_000,
          logicalBytesLive: 1_160_000,
          writeAmplification: 1.72,
          spaceAmplification: 1.29,
        },
    harnessOverheadNsPerOp: 3,
    storeStats: null,
    verification: failed ? { checked: true, ok: false, detail: 'value of key(7) differs' } : { checked: true, ok: true, detail: 'every key read back' },
    wallSeconds: 1,
  };
}

export function makeResults(o: FixtureOptions): ResultsFile {
  const ops = o.sweep?.[0] ?? o.ops ?? 100_000;
  const workloads = WORKLOADS.filter((w) => o.engines.some((e) => Object.keys(e.figures).some((k) => k.split('@')[0] === w)));
  const results: WorkloadResult[] = [];
  for (const point of o.sweep ?? [null])
    for (const w of workloads)
      for (const e of o.engines) {
        const samples = e.figures[point === null ? w : `${w}@${point}`];
        if (samples !== undefined) results.push(result(e, w, point, point ?? ops, samples, o.latency ?? true));
      }
  const file: ResultsFile = {
    schema: RESULTS_SCHEMA,
    version: RESULTS_VERSION,
    id: o.id ?? 'fixture-0000',
    createdAt: '2026-01-01T00:00:00.000Z',
    rerun: `lsmbench run --scenario seed ${o.engines.map((e) => `--engine ${e.label}`).join(' ')}`,
    published: null,
    environment: {
      node: 'v20.0.0',
      v8: '11',
      os: 'Linux',
      kernel: '6',
      arch: 'x64',
      cpuModel: 'Test CPU',
      cpuCount: 2,
      memoryBytes: 8 * 2 ** 30,
      commit: 'abc',
      commitDirty: false,
      lsmbenchVersion: '0.1.0',
      fingerprint: o.fingerprint ?? 'fp-same',
      storage: null,
    },
    scenario: {
      threads: 1,
      name: 'seed',
      description: '',
      source: 'seed',
      ops,
      keySize: 16,
      valueSize: 100,
      durability: 'none',
      seed: 42,
      repetitions: 5,
      warmup: 1,
      workloads,
      scanLength: 1000,
      prefixLength: 13,
      missRatio: 0,
      batch: o.batch ?? 1,
      concurrency: 1,
      timeoutSeconds: 1800,
      engineOptions: {},
    },
    sweep: o.sweep ? { parameter: 'ops', values: [...o.sweep] } : null,
    engines: o.engines.map(engineRun),
    results,
  };
  return ResultsFileSchema.parse(file);
}

export async function writeFixture(dir: string, name: string, file: ResultsFile): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, JSON.stringify(file, null, 2));
  return path;
}

/** Five repetitions spread ±2% around a centre: tight enough for a clear CI against a 20% gap. */
export const around = (centre: number): number[] => [0.98, 0.99, 1, 1.01, 1.02].map((f) => centre * f);
