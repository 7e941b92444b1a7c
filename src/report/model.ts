/**
 * What compare and report work on: "sides", one per engine of a results file, each with a
 * unique display name, and the (workload, point) cells they measured. A side is chosen on
 * the command line as `file.json` (every engine in it) or `file.json#label[,label...]`.
 */
import { existsSync } from 'node:fs';
import { UserError } from '../errors.js';
import { readResults, type EngineRun, type ResultsFile, type WorkloadResult } from '../results.js';
import { WORKLOADS, type WorkloadName } from '../scenario.js';

export interface LoadedFile {
  /** The path as the user gave it. */
  readonly path: string;
  readonly file: ResultsFile;
}

export interface Side {
  /** Unique among the sides of one comparison: the engine label, or label (file k) when labels repeat. */
  readonly name: string;
  /** The engine's label inside its results file. */
  readonly label: string;
  /** Index into the comparison's files. */
  readonly fileIndex: number;
  readonly path: string;
  readonly file: ResultsFile;
  readonly engine: EngineRun;
  /** Published figures (one value per workload, no repetitions, not verified by lsmbench). */
  readonly published: boolean;
}

export interface Selector {
  readonly path: string;
  /** Engine labels to keep, or null for every engine in the file. */
  readonly labels: readonly string[] | null;
}

/** `file.json` or `file.json#label[,label]`; a path that exists as given is never split. */
export function parseSelector(arg: string): Selector {
  if (existsSync(arg)) return { path: arg, labels: null };
  const hash = arg.indexOf('#');
  if (hash <= 0) return { path: arg, labels: null };
  const labels = arg
    .slice(hash + 1)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (labels.length === 0) throw new UserError(`'${arg}' names no engine after '#' (write file.json#label)`);
  return { path: arg.slice(0, hash), labels };
}

/** Reads each results file once and picks the selected engines, in command-line order. */
export async function loadSides(args: readonly string[]): Promise<{ files: LoadedFile[]; sides: Side[] }> {
  const files: LoadedFile[] = [];
  const picked: { fileIndex: number; engine: EngineRun }[] = [];
  for (const arg of args) {
    const { path, labels } = parseSelector(arg);
    let fileIndex = files.findIndex((f) => f.path === path);
    if (fileIndex < 0) {
      files.push({ path, file: await readResults(path) });
      fileIndex = files.length - 1;
    }
    const file = files[fileIndex]!.file;
    const known = file.engines.map((e) => e.label);
    for (const label of labels ?? known) {
      const engine = file.engines.find((e) => e.label === label);
      if (engine === undefined) throw new UserError(`results file ${path} has no engine '${label}' (it has: ${known.join(', ')})`);
      if (picked.some((p) => p.fileIndex === fileIndex && p.engine.label === label))
        throw new UserError(`engine '${label}' of ${path} is named twice`);
      picked.push({ fileIndex, engine });
    }
  }
  const counts = new Map<string, number>();
  for (const p of picked) counts.set(p.engine.label, (counts.get(p.engine.label) ?? 0) + 1);
  const sides = picked.map(({ fileIndex, engine }): Side => {
    const { path, file } = files[fileIndex]!;
    return {
      name: counts.get(engine.label)! > 1 ? `${engine.label} (file ${fileIndex + 1})` : engine.label,
      label: engine.label,
      fileIndex,
      path,
      file,
      engine,
      published: file.published !== null,
    };
  });
  return { files, sides };
}

/** The N a result was measured at: its sweep point, or its scenario's N outside sweeps. */
export function pointOf(file: ResultsFile, result: WorkloadResult): number {
  return result.point ?? file.scenario.ops;
}

/** The side's result for a workload at N = point, or, with point null, at whatever N it ran (a plain run has one per workload). */
export function resultFor(side: Side, workload: WorkloadName, point: number | null): WorkloadResult | undefined {
  return side.file.results.find((r) => r.engine === side.label && r.workload === workload && (point === null || pointOf(side.file, r) === point));
}

/** Every N any side measured, ascending. */
export function pointsOf(sides: readonly Side[]): number[] {
  const points = new Set<number>();
  for (const s of sides) for (const r of s.file.results) if (r.engine === s.label) points.add(pointOf(s.file, r));
  return [...points].sort((a, b) => a - b);
}

/** The workloads any side's scenario names, in the document's order. */
export function workloadsOf(sides: readonly Side[]): WorkloadName[] {
  const named = new Set<WorkloadName>();
  for (const s of sides) for (const w of s.file.scenario.workloads) named.add(w);
  return WORKLOADS.filter((w) => named.has(w));
}

/** True when some file in the comparison is a sweep, so figures are compared per N. */
export const hasSweep = (sides: readonly Side[]): boolean => sides.some((s) => s.file.sweep !== null);
