/**
 * Micro-benchmark of engines/ts/job.ts: what slicing a compaction into bounded steps
 * costs against running it in one step, and how long single steps take.
 *
 *   node dist/scripts/bench-job.js [entriesPerTable=250000] [runs=3]
 *
 * Builds 4 overlapping tables (16-byte keys, 100-byte values, every key in two of
 * them) in a temp dir, then compacts them alternately with one giant step and with
 * 16 KiB steps, in one process, and prints the medians. Also times a flush job over
 * a freshly filled 32 MiB memtable, splitting its steps into sort steps, entry steps
 * and the last one (which finishes the table).
 *
 * Results (2 shared cores; 2026-11-29, medians of runs alternating in one process):
 *   quiet machine (load ~2):  one step 448 ms, 16 KiB steps 445 ms (p99 step 0.16 ms,
 *                             max 2.4 ms: an output's finish); again 452 vs 448 ms
 *   loaded (load ~6):         747 vs 698 ms, 913 vs 889 ms (step maxima are preemption)
 * Slicing costs nothing measurable: a step keeps the heap, builder and blocks warm.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeFileSystem, joinPath } from '../engines/ts/fs.js';
import { compactionJob, flushJob, tableFileName, type JobContext, type MergeJob } from '../engines/ts/job.js';
import { DEFAULT_TABLE_OPTIONS, TableBuilder, TableReader } from '../engines/ts/table.js';
import { Memtable } from '../engines/ts/memtable.js';
import { KIND_PUT } from '../engines/ts/coding.js';

const perTable = Number(process.argv[2] ?? 250_000);
const runs = Number(process.argv[3] ?? 3);
const dir = mkdtempSync(join(tmpdir(), 'bench-job-'));
const fs = new NodeFileSystem();
let nextId = 1000;
const ctx: JobContext = { fs, dir, tableOptions: DEFAULT_TABLE_OPTIONS, newFileNumber: () => nextId++ };

function keyOf(i: number, out: Uint8Array): void {
  const s = String(i).padStart(16, '0');
  for (let j = 0; j < 16; j++) out[j] = s.charCodeAt(j);
}

// Table t holds keys with (k % 2 === t % 2) ... spread so that each key is in two tables.
const key = new Uint8Array(16);
const value = new Uint8Array(100).fill(120);
const inputs: TableReader[] = [];
let seq = 1;
for (let t = 0; t < 4; t++) {
  const id = t + 1;
  const path = joinPath(dir, tableFileName(id));
  const tb = new TableBuilder(fs, path, id, DEFAULT_TABLE_OPTIONS);
  for (let i = 0; i < perTable; i++) {
    // Tables 0,1 cover keys 0..2n step 2 offset t; tables 2,3 overwrite half of them.
    const k = t < 2 ? 2 * i + t : 2 * i + (t - 2);
    keyOf(k, key);
    tb.add(key, 0, 16, seq++, KIND_PUT, value, 0, 100);
  }
  tb.finish(false);
  inputs.push(TableReader.open(fs, path, id));
}

function run(budget: number): { ms: number; steps: number; maxStepMs: number; p99StepMs: number; job: MergeJob } {
  const job = compactionJob(ctx, inputs, { outputLevel: 1, bottommost: true, targetFileBytes: 2 << 20 }, [], false);
  const stepMs: number[] = [];
  const t0 = performance.now();
  for (;;) {
    const s0 = performance.now();
    const done = job.step(budget);
    stepMs.push(performance.now() - s0);
    if (done) break;
  }
  const ms = performance.now() - t0;
  for (const o of job.outputs) fs.remove(joinPath(dir, tableFileName(o.id)));
  stepMs.sort((a, b) => a - b);
  return { ms, steps: stepMs.length, maxStepMs: stepMs[stepMs.length - 1]!, p99StepMs: stepMs[Math.floor(stepMs.length * 0.99)]!, job };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const giant: number[] = [];
const sliced: number[] = [];
let lastSliced: ReturnType<typeof run> | undefined;
for (let r = 0; r < runs; r++) {
  giant.push(run(Number.MAX_SAFE_INTEGER).ms);
  lastSliced = run(16 * 1024);
  sliced.push(lastSliced.ms);
}
const j = lastSliced!.job;
console.log(`compaction of 4 x ${perTable} entries (${(j.bytesRead / 1e6).toFixed(1)} MB in, ${(j.bytesWritten / 1e6).toFixed(1)} MB out, ${j.outputs.length} files, ${j.entriesDropped} dropped)`);
console.log(`  one step:     median ${median(giant).toFixed(0)} ms  (${giant.map((x) => x.toFixed(0)).join(', ')})`);
console.log(`  16 KiB steps: median ${median(sliced).toFixed(0)} ms  (${sliced.map((x) => x.toFixed(0)).join(', ')}); ${lastSliced!.steps} steps, p99 ${lastSliced!.p99StepMs.toFixed(3)} ms, max ${lastSliced!.maxStepMs.toFixed(2)} ms`);

// Flush: a 32 MiB memtable of random keys.
const mem = new Memtable(33 << 20, 1 << 18);
let x = 12345;
while (mem.approximateBytes < 32 << 20) {
  x = (Math.imul(x, 1103515245) + 12345) >>> 0;
  keyOf(x, key);
  mem.add(key, seq++, KIND_PUT, value);
}
const f0 = performance.now();
const fj = flushJob(ctx, mem, [], false);
const made = performance.now() - f0;
let steps = 0;
let sortMs = 0;
let maxSortStep = 0;
let maxEntryStep = 0;
let finishStep = 0;
for (;;) {
  const s0 = performance.now();
  const before = fj.bytesRead;
  const done = fj.step(16 * 1024);
  const ms = performance.now() - s0;
  steps++;
  if (done) finishStep = ms;
  else if (fj.bytesRead === before) {
    sortMs += ms;
    maxSortStep = Math.max(maxSortStep, ms);
  } else maxEntryStep = Math.max(maxEntryStep, ms);
  if (done) break;
}
console.log(
  `flush of ${mem.count} entries (${(fj.bytesWritten / 1e6).toFixed(1)} MB table): flushJob() ${made.toFixed(1)} ms, then ${(performance.now() - f0 - made).toFixed(0)} ms in ${steps} 16 KiB steps: ` +
    `sort ${sortMs.toFixed(0)} ms (max step ${maxSortStep.toFixed(2)} ms), max entry step ${maxEntryStep.toFixed(2)} ms, last step (table finish) ${finishStep.toFixed(2)} ms`,
);
for (const t of inputs) t.close();
rmSync(dir, { recursive: true, force: true });
