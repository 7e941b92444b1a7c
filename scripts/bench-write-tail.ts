/**
 * Write latency tail of the ts tree: times N random puts one by one and says what the
 * slow ones did.
 *
 *   node dist/scripts/bench-write-tail.js [n=2000000] [engineDir=dist/engines/ts] [label]
 *
 * `engineDir` is a built engines/ts directory (another checkout's dist, to compare two
 * builds side by side in one session). The tree is opened with durability `os` and the
 * default options; keys are 16 random decimal digits, values 100 bytes. The file
 * system is the engine's NodeFileSystem behind a counting wrapper, and the tree's
 * doWork is wrapped to count calls that did job work, so every op is classified:
 *   job      the op ran a flush or compaction step
 *   rotate   the op switched memtables (a new memtable and WAL)
 *   idle     neither: its time is the write itself, GC or the machine (preemption)
 * Prints p50/p99/p99.9/max, ops/s, write amplification (bytes written / user key+value
 * bytes) and, for ops slower than 10x the median and slower than the p99.9, how many
 * were of each kind and how many did a file append, a block read or an fsync.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PerformanceObserver } from 'node:perf_hooks';

const n = Number(process.argv[2] ?? 2_000_000);
const engineDir = resolve(process.argv[3] ?? 'dist/engines/ts');
const label = process.argv[4] ?? engineDir;

const { Tree } = (await import(pathToFileURL(join(engineDir, 'tree.js')).href)) as typeof import('../engines/ts/tree.js');
const { NodeFileSystem } = (await import(pathToFileURL(join(engineDir, 'fs.js')).href)) as typeof import('../engines/ts/fs.js');
type FileSystem = import('../engines/ts/fs.js').FileSystem;
type WritableFile = import('../engines/ts/fs.js').WritableFile;
type ReadableFile = import('../engines/ts/fs.js').ReadableFile;

// Per-op counters, reset before each op.
let appends = 0;
let reads = 0;
let syncs = 0;
let syncStarts = 0;
let work = 0;
let budgetSum = 0;
let flushWork = 0;

function countingFs(inner: FileSystem): FileSystem {
  const wrapW = (f: WritableFile): WritableFile => ({
    get size() {
      return f.size;
    },
    append(data, offset, length) {
      appends++;
      f.append(data, offset, length);
    },
    sync() {
      syncs++;
      f.sync();
    },
    // Passed through where the inner file system has it: a sync on another thread.
    ...(f.syncStart === undefined
      ? {}
      : {
          syncStart() {
            syncStarts++;
            return f.syncStart!();
          },
        }),
    close() {
      f.close();
    },
  });
  const wrapR = (f: ReadableFile): ReadableFile => ({
    get size() {
      return f.size;
    },
    read(position, length, into, intoOffset) {
      reads++;
      return f.read(position, length, into, intoOffset);
    },
    close() {
      f.close();
    },
  });
  return {
    create: (p) => wrapW(inner.create(p)),
    openAppend: (p) => wrapW(inner.openAppend(p)),
    openRead: (p) => wrapR(inner.openRead(p)),
    readAll: (p) => inner.readAll(p),
    exists: (p) => inner.exists(p),
    list: (d) => inner.list(d),
    rename: (a, b) => inner.rename(a, b),
    remove: (p) => inner.remove(p),
    truncate: (p, l) => inner.truncate(p, l),
    mkdirp: (d) => inner.mkdirp(d),
    syncDir: (d) => {
      syncs++;
      inner.syncDir(d);
    },
  };
}

// Count the calls to the (private) doWork that ran: the op did job work. It is the
// background scheduler's where the build has one (engines/ts/background.ts), else the tree's.
type WorkerProto = { doWork(budget: number): void };
const background = (await import(pathToFileURL(join(engineDir, 'background.js')).href).catch(() => undefined)) as { BackgroundWork?: { prototype: WorkerProto } } | undefined;
const workerProto = background?.BackgroundWork?.prototype ?? (Tree.prototype as unknown as WorkerProto);
const proto = Tree.prototype as unknown as { rotate(): void };
const doWork = workerProto.doWork;
workerProto.doWork = function (this: { imms: unknown[] }, budget: number): void {
  work++;
  budgetSum += budget;
  if (this.imms.length > 0) flushWork++;
  doWork.call(this, budget);
};
let rotated = 0;
const rotate = proto.rotate;
proto.rotate = function (this: unknown): void {
  rotated++;
  rotate.call(this);
};

// Garbage collections, to mark the ops they fell into.
const gcs: { start: number; end: number }[] = [];
const gcObserver = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcs.push({ start: e.startTime, end: e.startTime + e.duration });
});
gcObserver.observe({ entryTypes: ['gc'] });

const dir = mkdtempSync(join(tmpdir(), 'bench-write-tail-'));
// With `thread` (argument 5) the tree runs its jobs on its job thread, which needs the
// real file system: the counts of appends, reads and fsyncs are then zero.
const onThread = process.argv[5] === 'thread';
const tree = Tree.open(dir, onThread ? { durability: 'os' } : { durability: 'os', fs: countingFs(new NodeFileSystem()) });
const key = new Uint8Array(16);
const value = new Uint8Array(100).fill(118);
const lat = new Float64Array(n);
// Bits: 1 job work, 2 append, 4 read, 8 sync, 16 rotate, 32 flush work.
const what = new Uint8Array(n);
const budgets = new Float64Array(n);
const starts = new Float64Array(n);
let x = 0x2545f491;
const t0 = performance.now();
for (let i = 0; i < n; i++) {
  // xorshift32 -> 16 decimal digits
  for (let j = 0; j < 16; j += 8) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    let v = (x >>> 0) % 100_000_000;
    for (let d = 7; d >= 0; d--) {
      key[j + d] = 48 + (v % 10);
      v = Math.floor(v / 10);
    }
  }
  appends = reads = syncs = work = rotated = flushWork = budgetSum = 0;
  const s = performance.now();
  tree.put(key, value);
  lat[i] = performance.now() - s;
  starts[i] = s;
  what[i] = (work > 0 ? 1 : 0) | (appends > 1 ? 2 : 0) | (reads > 0 ? 4 : 0) | (syncs > 0 ? 8 : 0) | (rotated > 0 ? 16 : 0) | (flushWork > 0 ? 32 : 0);
  budgets[i] = budgetSum;
}
const elapsed = performance.now() - t0;
const stats = tree.stats();
tree.close();
rmSync(dir, { recursive: true, force: true });

await new Promise((r) => setTimeout(r, 50));
gcObserver.disconnect();
// Bit 64: a GC ran during the op.
{
  let g = 0;
  for (let i = 0; i < n; i++) {
    const a = starts[i]!;
    const b = a + lat[i]!;
    while (g < gcs.length && gcs[g]!.end < a) g++;
    if (g < gcs.length && gcs[g]!.start <= b) what[i]! |= 64;
  }
}
console.log(`  ${syncStarts} fsyncs started on another thread (polled by later writes)`);
console.log(`  ${gcs.length} GCs during the run, ${gcs.reduce((a, g) => a + g.end - g.start, 0).toFixed(0)} ms`);
const sorted = Float64Array.from(lat).sort();
const q = (p: number): number => sorted[Math.min(n - 1, Math.floor(n * p))]! * 1000;
const p50 = q(0.5);
const p999 = q(0.999);
const userBytes = n * (16 + 100);
const us = (v: number): string => v.toFixed(2);
console.log(
  `${label}: n=${n} ${(n / (elapsed / 1000)).toFixed(0)} ops/s  p50 ${us(p50)} µs  p99 ${us(q(0.99))} µs  p99.9 ${us(p999)} µs  max ${us(sorted[n - 1]! * 1000)} µs  ` +
    `p99.9/p50 ${(p999 / p50).toFixed(1)}x  WA ${(stats.bytesWritten / userBytes).toFixed(2)}  stall ${stats.stallMs.toFixed(0)} ms`,
);
console.log(
  `  background work per op: flush ${us((stats.flushMs * 1000) / n)} µs, compaction ${us((stats.compactionMs * 1000) / n)} µs (${stats.flushes} flushes, ${stats.compactions} compactions)`,
);
function breakdown(thresholdUs: number, name: string): void {
  let total = 0;
  let job = 0;
  let rot = 0;
  let idle = 0;
  let app = 0;
  let rd = 0;
  let sy = 0;
  let fl = 0;
  let gc = 0;
  let idleGc = 0;
  let budget = 0;
  for (let i = 0; i < n; i++) {
    if (lat[i]! * 1000 <= thresholdUs) continue;
    total++;
    const w = what[i]!;
    if (w & 16) rot++;
    else if (w & 1) job++;
    else idle++;
    if (w & 2) app++;
    if (w & 4) rd++;
    if (w & 8) sy++;
    if (w & 32) fl++;
    if (w & 64) gc++;
    if ((w & 64) && !(w & 17)) idleGc++;
    budget += budgets[i]!;
  }
  console.log(
    `  ops > ${name} (${us(thresholdUs)} µs): ${total} (${((100 * total) / n).toFixed(3)}%): job ${job}, rotate ${rot}, idle (no job work) ${idle} (${((100 * idle) / n).toFixed(3)}%); with append ${app}, block read ${rd}, fsync ${sy}; flush work ${fl}, GC ${gc} (idle and GC ${idleGc}), mean budget ${(budget / Math.max(1, job)).toFixed(0)} B`,
  );
}
let allBudget = 0;
let allJob = 0;
for (let i = 0; i < n; i++) if (what[i]! & 1) (allJob++, (allBudget += budgets[i]!));
console.log(`  ops with job work: ${allJob} (${((100 * allJob) / n).toFixed(1)}%), mean budget ${(allBudget / Math.max(1, allJob)).toFixed(0)} B`);
breakdown(10 * p50, '10x p50');
{
  // The slowest ops, with what they did.
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => lat[b]! - lat[a]!).slice(0, 12);
  const kinds = (w: number): string => ['job', 'append', 'read', 'fsync', 'rotate', 'flush', 'gc'].filter((_, b) => w & (1 << b)).join('+') || 'idle';
  const rotations: string[] = [];
  for (let i = 0; i < n; i++) if (what[i]! & 16) rotations.push((lat[i]! * 1000).toFixed(0));
  console.log(`  memtable switches (us): ${rotations.join(', ')}`);
  console.log(`  slowest: ${idx.map((i) => `${(lat[i]! * 1000).toFixed(0)} us ${kinds(what[i]!)}`).join(', ')}`);
}
breakdown(p999, 'p99.9');
