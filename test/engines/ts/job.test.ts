import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { tableFileName } from '../../../engines/ts/file-names.js';
import { compactionJob, flushJob, type JobContext, type MergeJob } from '../../../engines/ts/job.js';
import { Memtable } from '../../../engines/ts/memtable.js';
import { BlockCache, LOOKUP_ABSENT, LOOKUP_DELETE, LOOKUP_PUT, TableBuilder, TableReader, type TableOptions } from '../../../engines/ts/table.js';
import { FaultFileSystem, FaultInjectionError } from '../../../engines/ts/fault-fs.js';
import { compareRegions, KIND_DELETE, KIND_PUT, MAX_SEQ } from '../../../engines/ts/coding.js';
import { joinPath } from '../../../engines/ts/fs.js';
import type { TableEntry } from '../../../engines/ts/manifest.js';
import { b, CountingFileSystem, Rng, s } from './helpers.js';

const DIR = '/db';
const SMALL_BLOCKS: TableOptions = { blockSize: 256, restartInterval: 4, bloomBitsPerKey: 10 };

interface Version {
  readonly key: string;
  readonly seq: number;
  readonly kind: number;
  readonly value: string;
}

/** Internal order: key ascending (keys here are ASCII), seq descending. */
const internalOrder = (p: Version, q: Version): number => (p.key < q.key ? -1 : p.key > q.key ? 1 : q.seq - p.seq);

const key = (i: number): string => `key${String(i).padStart(6, '0')}`;

function ctxFor(fs: FaultFileSystem, firstId = 100, tableOptions: TableOptions = SMALL_BLOCKS): JobContext & { allocated: number[] } {
  let next = firstId;
  const allocated: number[] = [];
  return {
    fs,
    dir: DIR,
    tableOptions,
    allocated,
    newFileNumber(): number {
      allocated.push(next);
      return next++;
    },
  };
}

/** Writes `versions` (any order) as table `id` and opens it. */
function writeInput(fs: FaultFileSystem, id: number, versions: readonly Version[], options: TableOptions = SMALL_BLOCKS): TableReader {
  const path = joinPath(DIR, tableFileName(id));
  const tb = new TableBuilder(fs, path, id, options);
  for (const v of [...versions].sort(internalOrder)) {
    const k = b(v.key);
    const val = b(v.value);
    tb.add(k, 0, k.length, v.seq, v.kind, val, 0, val.length);
  }
  tb.finish();
  return TableReader.open(fs, path, id);
}

function readTable(fs: FaultFileSystem, t: TableEntry): Version[] {
  const r = TableReader.open(fs, joinPath(DIR, tableFileName(t.id)), t.id);
  const out: Version[] = [];
  const it = r.iterator();
  for (it.seekFirst(); it.valid(); it.next()) {
    out.push({ key: s(it.keyBuf.subarray(it.keyOff, it.keyOff + it.keyLen))!, seq: it.seq, kind: it.kind, value: s(it.valBuf.subarray(it.valOff, it.valOff + it.valLen))! });
  }
  r.close();
  return out;
}

/** What a read of `k` at snapshot `snap` returns over a plain list of versions. */
function modelGet(versions: readonly Version[], k: string, snap: number): string | undefined {
  let best: Version | undefined;
  for (const v of versions) if (v.key === k && v.seq <= snap && (best === undefined || v.seq > best.seq)) best = v;
  return best === undefined || best.kind === KIND_DELETE ? undefined : best.value;
}

/** A read of `k` at `snap` through TableReader.lookup over the outputs; at most one output may hold the key. */
function outputGet(readers: readonly TableReader[], k: string, snap: number): string | undefined {
  let found: string | undefined;
  let holders = 0;
  for (const r of readers) {
    const res = r.lookup(b(k), snap);
    if (res === LOOKUP_ABSENT) continue;
    holders++;
    found = res === LOOKUP_PUT ? s(r.valBuf.subarray(r.valOff, r.valOff + r.valLen)) : undefined;
    assert.ok(res === LOOKUP_PUT || res === LOOKUP_DELETE);
  }
  assert.ok(holders <= 1, `${k} found in ${holders} outputs`);
  return found;
}

/**
 * The versions the GC rule keeps, computed the slow, obvious way: group by key, give each
 * version its stripe (the smallest snapshot >= seq), keep the newest per stripe, then drop
 * a kept tombstone when bottommost and no snapshot is below it.
 */
function expectedKept(versions: readonly Version[], snapshots: readonly number[], bottommost: boolean): Version[] {
  const byKey = new Map<string, Version[]>();
  for (const v of versions) {
    const list = byKey.get(v.key) ?? [];
    list.push(v);
    byKey.set(v.key, list);
  }
  const out: Version[] = [];
  for (const [, list] of byKey) {
    const newestPerStripe = new Map<number, Version>();
    for (const v of list) {
      const above = snapshots.filter((x) => x >= v.seq);
      const stripe = above.length === 0 ? Infinity : Math.min(...above);
      const cur = newestPerStripe.get(stripe);
      if (cur === undefined || v.seq > cur.seq) newestPerStripe.set(stripe, v);
    }
    for (const v of newestPerStripe.values()) {
      const snapshotBelow = snapshots.some((x) => x < v.seq);
      if (v.kind === KIND_DELETE && bottommost && !snapshotBelow) continue;
      out.push(v);
    }
  }
  return out.sort(internalOrder);
}

function runToEnd(job: MergeJob, budget: number): number {
  let steps = 0;
  for (;;) {
    steps++;
    if (job.step(budget)) return steps;
    assert.ok(steps < 10_000_000, 'job never finishes');
  }
}

const sstFiles = (fs: FaultFileSystem): string[] => fs.list(DIR).filter((n) => n.endsWith('.sst'));
const cmpBytes = (p: Uint8Array, q: Uint8Array): number => compareRegions(p, 0, p.length, q, 0, q.length);
const entryBytes = (vs: readonly Version[]): number => vs.reduce((n, v) => n + b(v.key).length + b(v.value).length, 0);

/** Random versions with unique, increasing seqs spread over `nKeys` keys. */
function randomVersions(rng: Rng, nKeys: number, nVersions: number, deleteFraction: number, maxValue: number): Version[] {
  const out: Version[] = [];
  for (let seq = 1; seq <= nVersions; seq++) {
    const k = key(rng.int(nKeys));
    const kind = rng.float() < deleteFraction ? KIND_DELETE : KIND_PUT;
    out.push({ key: k, seq, kind, value: kind === KIND_PUT ? `v${seq}-${'x'.repeat(rng.int(maxValue))}` : '' });
  }
  return out;
}

/** Checks a finished job's outputs against its input versions; returns the output readers. */
function checkOutputs(
  fs: FaultFileSystem,
  job: MergeJob,
  all: readonly Version[],
  opts: { snapshots: readonly number[]; bottommost: boolean; level: number; target: number; keys: readonly string[] },
): TableReader[] {
  const outs = job.outputs;
  // Exactly the versions the GC rule keeps, in internal order across the outputs.
  const written = outs.flatMap((t) => readTable(fs, t));
  const want = expectedKept(all, opts.snapshots, opts.bottommost);
  assert.deepEqual(written, want);
  // Sorted, non-overlapping, one user key never split; level and metadata right.
  for (let i = 0; i < outs.length; i++) {
    const t = outs[i]!;
    assert.equal(t.level, opts.level);
    assert.ok(cmpBytes(t.smallest, t.largest) <= 0);
    if (i > 0) assert.ok(cmpBytes(outs[i - 1]!.largest, t.smallest) < 0, `output ${i - 1} overlaps output ${i}`);
    if (i < outs.length - 1) assert.ok(t.size >= opts.target, `output ${i} of ${t.size} bytes cut below the target ${opts.target}`);
    const rows = readTable(fs, t);
    assert.equal(t.entries, rows.length);
    assert.equal(t.minSeq, Math.min(...rows.map((r) => r.seq)));
    assert.equal(t.maxSeq, Math.max(...rows.map((r) => r.seq)));
    assert.equal(t.size, fs.readAll(joinPath(DIR, tableFileName(t.id))).length);
  }
  // Counters.
  assert.equal(job.bytesRead, entryBytes(all));
  assert.equal(job.entriesDropped, all.length - want.length);
  assert.equal(job.bytesWritten, outs.reduce((n, t) => n + t.size, 0));
  // Reads at every snapshot, and at the latest state, see what the inputs gave.
  const readers = outs.map((t) => TableReader.open(fs, joinPath(DIR, tableFileName(t.id)), t.id));
  for (const snap of [...opts.snapshots, MAX_SEQ]) {
    for (const k of opts.keys) assert.equal(outputGet(readers, k, snap), modelGet(all, k, snap), `${k} at snapshot ${snap}`);
  }
  return readers;
}

describe('compaction job', () => {
  it('with no snapshots, writes the newest version of each key of overlapping tables', () => {
    const fs = new FaultFileSystem();
    const rng = new Rng(7);
    const all = randomVersions(rng, 300, 3000, 0.2, 40);
    // Four tables that overlap over the whole key range.
    const parts: Version[][] = [[], [], [], []];
    for (const v of all) parts[rng.int(4)]!.push(v);
    const inputs = parts.map((p, i) => writeInput(fs, i + 1, p));
    for (const bottommost of [false, true]) {
      const job = compactionJob(ctxFor(fs, bottommost ? 200 : 100), inputs, { outputLevel: 2, bottommost, targetFileBytes: 4096 }, [], true);
      runToEnd(job, 1000);
      const written = job.outputs.flatMap((t) => readTable(fs, t));
      // The merged model: per key, its newest version; tombstones gone only at the bottom.
      const newest = new Map<string, Version>();
      for (const v of all) if ((newest.get(v.key)?.seq ?? -1) < v.seq) newest.set(v.key, v);
      const want = [...newest.values()].filter((v) => !bottommost || v.kind === KIND_PUT).sort(internalOrder);
      assert.deepEqual(written, want);
      assert.ok(job.outputs.length > 1, 'several outputs at a 4 KiB target');
      checkOutputs(fs, job, all, { snapshots: [], bottommost, level: 2, target: 4096, keys: [...newest.keys()] });
    }
  });

  it('randomized: reads at each snapshot see what the inputs gave, and exactly the GC rule is kept', () => {
    for (let seed = 1; seed <= 150; seed++) {
      const rng = new Rng(seed);
      const fs = new FaultFileSystem();
      const nKeys = 1 + rng.int(40);
      const nVersions = 1 + rng.int(300);
      const all = randomVersions(rng, nKeys, nVersions, rng.float() * 0.5, 1 + rng.int(80));
      const nTables = 1 + rng.int(5);
      const parts: Version[][] = Array.from({ length: nTables }, () => []);
      for (const v of all) parts[rng.int(nTables)]!.push(v);
      const inputs = parts.filter((p) => p.length > 0).map((p, i) => writeInput(fs, i + 1, p));
      const snapshots: number[] = [];
      for (let i = rng.int(6); i > 0; i--) snapshots.push(rng.int(nVersions + 3));
      snapshots.sort((p, q) => p - q);
      const bottommost = rng.int(2) === 0;
      const target = [1, 200, 1000, 5000, 1 << 20][rng.int(5)]!;
      const budget = [1, 30, 500, 1e9][rng.int(4)]!;
      const job = compactionJob(ctxFor(fs), inputs, { outputLevel: 1 + rng.int(5), bottommost, targetFileBytes: target }, snapshots, rng.int(2) === 0);
      runToEnd(job, budget);
      const keys = Array.from({ length: nKeys + 1 }, (_, i) => key(i));
      try {
        checkOutputs(fs, job, all, { snapshots, bottommost, level: job.outputLevel, target, keys });
      } catch (err) {
        assert.fail(`seed ${seed} (snapshots ${snapshots}, bottommost ${bottommost}, target ${target}, budget ${budget}): ${(err as Error).message}`);
      }
      // Nothing but inputs and outputs in the directory.
      assert.equal(sstFiles(fs).length, inputs.length + job.outputs.length, `seed ${seed}`);
    }
  });

  it('keeps tombstones when not bottommost, drops them at the bottom, keeps them above a snapshot', () => {
    const versions: Version[] = [
      { key: 'a', seq: 10, kind: KIND_DELETE, value: '' },
      { key: 'a', seq: 5, kind: KIND_PUT, value: 'a5' },
      { key: 'b', seq: 3, kind: KIND_PUT, value: 'b3' },
    ];
    const run = (snapshots: number[], bottommost: boolean): Version[] => {
      const fs = new FaultFileSystem();
      const inputs = [writeInput(fs, 1, versions.slice(0, 1)), writeInput(fs, 2, versions.slice(1))];
      const job = compactionJob(ctxFor(fs), inputs, { outputLevel: 1, bottommost, targetFileBytes: 1 << 20 }, snapshots, false);
      runToEnd(job, 1);
      return job.outputs.flatMap((t) => readTable(fs, t));
    };
    const t10 = versions[0]!;
    const a5 = versions[1]!;
    const b3 = versions[2]!;
    assert.deepEqual(run([], false), [t10, b3], 'not bottommost: the tombstone stays, the put it hides goes');
    assert.deepEqual(run([], true), [b3], 'bottommost, no snapshot: tombstone and put both go');
    assert.deepEqual(run([7], true), [t10, a5, b3], 'a snapshot at 7 still sees a5, and the tombstone must hide it from later reads');
    assert.deepEqual(run([10], true), [b3], 'a snapshot at the tombstone itself is not below it');
    assert.deepEqual(run([4], true), [t10, b3], 'a snapshot at 4 (a absent there) is below the tombstone: it stays, a5 in its stripe goes');
    assert.deepEqual(run([2, 7, 12], true), [t10, a5, b3]);
  });

  it('keeps the newest version of each snapshot stripe only', () => {
    const fs = new FaultFileSystem();
    const vs: Version[] = [];
    for (let seq = 1; seq <= 20; seq++) vs.push({ key: 'k', seq, kind: KIND_PUT, value: `v${seq}` });
    const job = compactionJob(ctxFor(fs), [writeInput(fs, 1, vs)], { outputLevel: 1, bottommost: true, targetFileBytes: 1 << 20 }, [3, 3, 9, 15], false);
    runToEnd(job, 1);
    assert.deepEqual(
      job.outputs.flatMap((t) => readTable(fs, t)).map((v) => v.seq),
      [20, 15, 9, 3],
      'stripes (15, inf], (9, 15], (3, 9], [1, 3]',
    );
    assert.equal(job.entriesDropped, 16);
  });

  it('a job whose every entry is dropped writes no file', () => {
    const fs = new FaultFileSystem();
    const vs: Version[] = [];
    for (let i = 0; i < 500; i++) vs.push({ key: key(i), seq: 2 * i + 1, kind: KIND_PUT, value: 'x'.repeat(50) }, { key: key(i), seq: 2 * i + 2, kind: KIND_DELETE, value: '' });
    const inputs = [writeInput(fs, 1, vs.filter((v) => v.kind === KIND_PUT)), writeInput(fs, 2, vs.filter((v) => v.kind === KIND_DELETE))];
    const ctx = ctxFor(fs);
    const job = compactionJob(ctx, inputs, { outputLevel: 6, bottommost: true, targetFileBytes: 2048 }, [], true);
    runToEnd(job, 100);
    assert.deepEqual(job.outputs, []);
    assert.deepEqual(ctx.allocated, [], 'no file number taken');
    assert.deepEqual(sstFiles(fs), [tableFileName(1), tableFileName(2)]);
    assert.equal(job.entriesDropped, 1000);
    assert.equal(job.bytesWritten, 0);
  });

  it('cuts outputs near targetFileBytes, and never between versions of one key', () => {
    const fs = new FaultFileSystem();
    const opts: TableOptions = { blockSize: 4096, restartInterval: 16, bloomBitsPerKey: 10 };
    const vs: Version[] = [];
    let seq = 1;
    for (let i = 0; i < 4000; i++) vs.push({ key: key(i), seq: seq++, kind: KIND_PUT, value: 'v'.repeat(100) });
    // Key 2000 gets 400 more versions (~45 KB), each in its own stripe: they must all land in one
    // file (its first version, at seq 2001, shares the oldest stripe with the version at 4001).
    const snapshots: number[] = [];
    for (let j = 0; j < 400; j++) {
      vs.push({ key: key(2000), seq: seq, kind: KIND_PUT, value: `${j}`.padEnd(100, 'w') });
      snapshots.push(seq++);
    }
    const target = 16 * 1024;
    const job = compactionJob(ctxFor(fs, 100, opts), [writeInput(fs, 1, vs, opts)], { outputLevel: 1, bottommost: true, targetFileBytes: target }, snapshots, false);
    runToEnd(job, 4096);
    const outs = job.outputs;
    assert.ok(outs.length >= 20, `${outs.length} outputs`);
    let holdersOfHot = 0;
    for (let i = 0; i < outs.length; i++) {
      const rows = readTable(fs, outs[i]!);
      const hot = rows.filter((r) => r.key === key(2000)).length;
      if (hot > 0) {
        holdersOfHot++;
        assert.equal(hot, 400, 'every version of the hot key in one file');
        continue;
      }
      if (i === outs.length - 1) continue;
      // One ~120-byte entry of slack past the target, plus the filter, index and footer.
      assert.ok(outs[i]!.size >= target && outs[i]!.size < target * 1.1, `output ${i}: ${outs[i]!.size} bytes`);
    }
    assert.equal(holdersOfHot, 1);
    assert.ok(outs[outs.length - 1]!.size < target * 1.1);
  });

  it('stepping with budget 1, in giant steps and with step(Infinity) writes byte-identical files', () => {
    const build = (): { fs: FaultFileSystem; inputs: TableReader[] } => {
      const fs = new FaultFileSystem();
      const rng = new Rng(42);
      const all = randomVersions(rng, 800, 6000, 0.15, 60);
      const parts: Version[][] = [[], [], []];
      for (const v of all) parts[rng.int(3)]!.push(v);
      return { fs, inputs: parts.map((p, i) => writeInput(fs, i + 1, p)) };
    };
    const results = [1, Number.MAX_SAFE_INTEGER, Infinity].map((budget) => {
      const { fs, inputs } = build();
      const job = compactionJob(ctxFor(fs), inputs, { outputLevel: 3, bottommost: false, targetFileBytes: 8192 }, [1000, 2500, 4000], true);
      const steps = runToEnd(job, budget);
      return { steps, job, files: job.outputs.map((t) => fs.readAll(joinPath(DIR, tableFileName(t.id)))) };
    });
    const [small, giant, whole] = results as [(typeof results)[0], (typeof results)[0], (typeof results)[0]];
    // A giant step ends where an output is cut; its finish takes steps of its own (the
    // last block, the filter, its write, the index and footer: with fewer keys than a
    // finish slice, one step each; these tables have no point index), and its fsync one more.
    const finishSteps = 4;
    assert.equal(giant.steps, (1 + finishSteps + 1) * giant.job.outputs.length);
    assert.equal(whole.steps, 1);
    assert.deepEqual(whole.files, giant.files);
    assert.ok(small.steps > 5000, `${small.steps} steps`);
    assert.ok(small.files.length > 3);
    assert.deepEqual(small.job.outputs, giant.job.outputs);
    assert.equal(small.files.length, giant.files.length);
    for (let i = 0; i < small.files.length; i++) assert.ok(Buffer.from(small.files[i]!).equals(Buffer.from(giant.files[i]!)), `file ${i} differs`);
    for (const k of ['bytesRead', 'bytesWritten', 'entriesDropped'] as const) assert.equal(small.job[k], giant.job[k], k);
  });

  it('each step consumes about its budget (or ends at a finished output): at least one entry, at most one entry past it', () => {
    const fs = new FaultFileSystem();
    const all = randomVersions(new Rng(3), 500, 4000, 0.1, 200);
    const maxEntry = Math.max(...all.map((v) => b(v.key).length + b(v.value).length));
    const job = compactionJob(ctxFor(fs), [writeInput(fs, 1, all.slice(0, 2000)), writeInput(fs, 2, all.slice(2000))], { outputLevel: 1, bottommost: false, targetFileBytes: 4096 }, [], false);
    for (const budget of [0, 1, 700, 3000]) {
      for (let i = 0; i < 50 && !job.done; i++) {
        const before = job.bytesRead;
        const finishing = job.finishingOutput;
        job.step(budget);
        const used = job.bytesRead - before;
        if (finishing) {
          assert.equal(used, 0, 'a step finishing an output consumes nothing');
          continue;
        }
        assert.ok(used > 0, 'a step consumes at least one entry');
        if (!job.done) assert.ok(used < Math.max(budget, 1) + maxEntry, `budget ${budget}: step used ${used}`);
        // A step that cuts an output ends there.
        const cut = job.finishingOutput;
        if (!job.done && !cut && budget > maxEntry) assert.ok(used >= budget, `budget ${budget}: step stopped early at ${used}`);
      }
    }
    runToEnd(job, 1 << 30);
    assert.equal(job.bytesRead, entryBytes(all));
  });

  it('finishing an output ends its step, and each output is fsynced in a step of its own that consumes nothing', () => {
    const fault = new FaultFileSystem();
    const all = randomVersions(new Rng(8), 600, 5000, 0.1, 100);
    const inputs = [writeInput(fault, 1, all.slice(0, 2500)), writeInput(fault, 2, all.slice(2500))];
    const fs = new CountingFileSystem(fault);
    const job = compactionJob({ ...ctxFor(fault), fs }, inputs, { outputLevel: 1, bottommost: false, targetFileBytes: 8192 }, [], true);
    let syncSteps = 0;
    for (let steps = 0; ; steps++) {
      assert.ok(steps < 1_000_000, 'job never finishes');
      const read = job.bytesRead;
      const outputs = job.outputs.length;
      const syncs = fs.fileSyncs;
      const appends = fs.appends;
      const done = job.step(1 << 20);
      assert.ok(fs.fileSyncs - syncs <= 1, 'at most one fsync per step');
      if (fs.fileSyncs > syncs) {
        syncSteps++;
        assert.equal(job.bytesRead, read, 'an fsync step consumes no entry');
        assert.equal(fs.appends, appends, 'an fsync step writes nothing');
      }
      assert.ok(job.outputs.length - outputs <= 1, 'at most one output finished per step');
      if (done) break;
    }
    assert.ok(job.outputs.length > 3, `${job.outputs.length} outputs`);
    assert.equal(syncSteps, job.outputs.length, 'every output was fsynced');
    // The files are durable: a power loss after the directory sync keeps them whole.
    fault.syncDir(DIR);
    const contents = job.outputs.map((t) => fault.readAll(joinPath(DIR, tableFileName(t.id))));
    fault.crash();
    job.outputs.forEach((t, i) => assert.ok(Buffer.from(fault.readAll(joinPath(DIR, tableFileName(t.id)))).equals(Buffer.from(contents[i]!)), `output ${i} survives`));
  });

  it('fdatasyncs the output being written every 8 MiB, in steps that consume nothing, so the fsync after its finish has little left', () => {
    const fault = new FaultFileSystem();
    const all: Version[] = [];
    for (let i = 0; i < 160_000; i++) all.push({ key: key(i), seq: i + 1, kind: KIND_PUT, value: `v${i}-${'x'.repeat(100)}` });
    const inputs = [writeInput(fault, 1, all.filter((_, i) => i % 2 === 0)), writeInput(fault, 2, all.filter((_, i) => i % 2 === 1))];
    const fs = new CountingFileSystem(fault);
    const job = compactionJob({ ...ctxFor(fault), fs, tableOptions: { blockSize: 4096, restartInterval: 1, bloomBitsPerKey: 10 } }, inputs, { outputLevel: 1, bottommost: false, targetFileBytes: 64 << 20 }, [], true);
    let syncSteps = 0;
    while (true) {
      const read = job.bytesRead;
      const syncs = fs.fileSyncs;
      const done = job.step(64 * 1024);
      if (fs.fileSyncs > syncs) {
        syncSteps++;
        assert.equal(job.bytesRead, read, 'a sync step consumes no entry');
      }
      if (done) break;
    }
    assert.equal(job.outputs.length, 1);
    const size = job.outputs[0]!.size;
    assert.ok(size > 16 << 20, `output of ${size} bytes`);
    // One sync per 8 MiB written before the finish, then the output's own.
    const every = 8 << 20;
    assert.ok(syncSteps >= Math.floor(size / every), `${syncSteps} sync steps for ${size} bytes`);
    assert.ok(syncSteps <= Math.floor(size / every) + 1, `${syncSteps} sync steps for ${size} bytes`);
  });

  it('abandon() mid-way removes finished and partial outputs', () => {
    for (const stopAfter of [0, 1, 10, 200, 1000]) {
      const fs = new FaultFileSystem();
      const all = randomVersions(new Rng(11), 1000, 3000, 0.1, 80);
      const inputs = [writeInput(fs, 1, all.slice(0, 1500)), writeInput(fs, 2, all.slice(1500))];
      const before = sstFiles(fs);
      const job = compactionJob(ctxFor(fs), inputs, { outputLevel: 1, bottommost: false, targetFileBytes: 4096 }, [], true);
      let finishedBefore = false;
      for (let i = 0; i < stopAfter; i++) {
        job.step(100);
        finishedBefore ||= job.outputs.length > 0;
      }
      assert.equal(job.done, false);
      if (stopAfter >= 1000) assert.ok(finishedBefore && sstFiles(fs).length > before.length + 1, 'finished outputs and a partial one exist');
      job.abandon();
      assert.deepEqual(sstFiles(fs), before, `after ${stopAfter} steps`);
      assert.deepEqual(job.outputs, []);
      assert.equal(job.done, false);
      job.abandon();
      assert.throws(() => job.step(100), /abandoned/);
    }
  });

  it('abandon() after done leaves the outputs to the caller', () => {
    const fs = new FaultFileSystem();
    const all = randomVersions(new Rng(5), 100, 500, 0.1, 80);
    const job = compactionJob(ctxFor(fs), [writeInput(fs, 1, all)], { outputLevel: 1, bottommost: false, targetFileBytes: 2048 }, [], true);
    runToEnd(job, 1 << 30);
    const files = sstFiles(fs);
    assert.ok(files.length > 2);
    job.abandon();
    assert.deepEqual(sstFiles(fs), files);
    assert.equal(job.outputs.length, files.length - 1);
  });

  it('a write failure mid-job throws, keeps throwing, and abandon() cleans up', () => {
    for (const failAfter of [0, 1, 3, 8]) {
      const fs = new FaultFileSystem();
      const all = randomVersions(new Rng(13), 2000, 6000, 0.1, 100);
      const inputs = [writeInput(fs, 1, all.slice(0, 3000)), writeInput(fs, 2, all.slice(3000))];
      const before = sstFiles(fs);
      const job = compactionJob(ctxFor(fs), inputs, { outputLevel: 1, bottommost: false, targetFileBytes: 8192 }, [], true);
      for (let i = 0; i < 300; i++) job.step(200);
      assert.ok(job.outputs.length > 0 && !job.done);
      fs.failAfterWrites = failAfter;
      assert.throws(() => runToEnd(job, 200), FaultInjectionError);
      assert.throws(() => job.step(200), FaultInjectionError, 'a failed job stays failed');
      fs.failAfterWrites = Infinity;
      job.abandon();
      assert.deepEqual(sstFiles(fs), before, `failAfter ${failAfter}`);
    }
  });

  it('sync: finished outputs survive power loss once the directory is synced; unsynced ones do not', () => {
    for (const sync of [true, false]) {
      const fs = new FaultFileSystem();
      const all = randomVersions(new Rng(17), 300, 1000, 0.1, 50);
      const input = writeInput(fs, 1, all);
      fs.syncDir(DIR);
      const job = compactionJob(ctxFor(fs), [input], { outputLevel: 1, bottommost: false, targetFileBytes: 4096 }, [], sync);
      runToEnd(job, 1000);
      const contents = job.outputs.map((t) => fs.readAll(joinPath(DIR, tableFileName(t.id))));
      fs.syncDir(DIR);
      fs.crash();
      for (let i = 0; i < contents.length; i++) {
        const after = fs.readAll(joinPath(DIR, tableFileName(job.outputs[i]!.id)));
        if (sync) assert.ok(Buffer.from(after).equals(Buffer.from(contents[i]!)), `output ${i} survives`);
        else assert.equal(after.length, 0, `output ${i} was never synced`);
      }
    }
  });

  it('reads inputs without filling the block cache', () => {
    const fs = new FaultFileSystem();
    const path = joinPath(DIR, tableFileName(1));
    const tb = new TableBuilder(fs, path, 1, SMALL_BLOCKS);
    for (let i = 0; i < 1000; i++) tb.add(b(key(i)), 0, key(i).length, i + 1, KIND_PUT, b('x'.repeat(50)), 0, 50);
    tb.finish();
    const cache = new BlockCache(1 << 20);
    const input = TableReader.open(fs, path, 1, cache);
    runToEnd(compactionJob(ctxFor(fs), [input], { outputLevel: 1, bottommost: false, targetFileBytes: 1 << 20 }, [], false), 1000);
    assert.equal(cache.size, 0);
    assert.ok(input.blockReads >= input.blockCount);
    // A foreground iterator still fills it.
    const it = input.iterator();
    for (it.seekFirst(); it.valid(); it.next());
    assert.ok(cache.size > 0);
  });
});

describe('flush job', () => {
  it('writes one L0 table: several versions per key, GC by stripes, tombstones kept', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const rng = new Rng(seed * 7919);
      const fs = new FaultFileSystem();
      const nKeys = 1 + rng.int(50);
      const all = randomVersions(rng, nKeys, 1 + rng.int(400), 0.3, 60);
      const mem = new Memtable(4096, 64);
      for (const v of all) mem.add(b(v.key), v.seq, v.kind, v.kind === KIND_PUT ? b(v.value) : undefined);
      const snapshots: number[] = [];
      for (let i = rng.int(5); i > 0; i--) snapshots.push(1 + rng.int(all.length));
      snapshots.sort((p, q) => p - q);
      const ctx = ctxFor(fs);
      const job = flushJob(ctx, mem, snapshots, true);
      runToEnd(job, [1, 64, 1e9][rng.int(3)]!);
      assert.equal(job.outputs.length, 1, `seed ${seed}`);
      assert.deepEqual(ctx.allocated, [100]);
      checkOutputs(fs, job, all, { snapshots, bottommost: false, level: 0, target: Infinity, keys: Array.from({ length: nKeys }, (_, i) => key(i)) });
    }
  });

  it('keeps a tombstone even with no snapshot below it, and never splits the table', () => {
    const fs = new FaultFileSystem();
    const mem = new Memtable();
    const vs: Version[] = [];
    let seq = 1;
    for (let i = 0; i < 20_000; i++) vs.push({ key: key(i), seq: seq++, kind: KIND_PUT, value: 'v'.repeat(100) });
    for (let i = 0; i < 20_000; i += 10) vs.push({ key: key(i), seq: seq++, kind: KIND_DELETE, value: '' });
    for (const v of vs) mem.add(b(v.key), v.seq, v.kind, v.kind === KIND_PUT ? b(v.value) : undefined);
    const job = flushJob(ctxFor(fs), mem, [], false);
    runToEnd(job, 16 * 1024);
    assert.equal(job.outputs.length, 1);
    assert.ok(job.outputs[0]!.size > 2_000_000);
    const rows = readTable(fs, job.outputs[0]!);
    assert.equal(rows.length, 20_000);
    assert.equal(rows.filter((r) => r.kind === KIND_DELETE).length, 2000);
    assert.equal(job.entriesDropped, 2000);
  });

  it('an empty memtable writes nothing', () => {
    const fs = new FaultFileSystem();
    const job = flushJob(ctxFor(fs), new Memtable(), [5], true);
    assert.equal(job.step(1), true);
    assert.deepEqual(job.outputs, []);
    assert.deepEqual(sstFiles(fs), []);
  });
});

describe('memtable sortSlice', () => {
  const order = (mem: Memtable): string[] => {
    const out: string[] = [];
    const it = mem.iterator();
    for (it.seekFirst(); it.valid(); it.next()) out.push(`${s(it.keyBuf.subarray(it.keyOff, it.keyOff + it.keyLen))}@${it.seq}`);
    return out;
  };
  const fill = (mem: Memtable, rng: Rng, n: number, seq0: number, nKeys: number, sorted = false): void => {
    // Keys longer than 16 bytes now and then, so the arena tie-break is exercised too.
    for (let i = 0; i < n; i++) {
      const k = sorted ? key(seq0 + i) : rng.int(4) === 0 ? `${key(rng.int(nKeys))}-long-suffix-${rng.int(3)}` : key(rng.int(nKeys));
      mem.add(b(k), seq0 + i, KIND_PUT, b('v'));
    }
  };

  it('sorting in slices of any size gives the order iterator() gives', () => {
    for (const n of [0, 1, 2, 31, 32, 33, 64, 65, 1000, 5000]) {
      for (const moves of [1, 7, 100, 100_000]) {
        const sliced = new Memtable(4096, 64);
        const plain = new Memtable(4096, 64);
        fill(sliced, new Rng(n + 1), n, 1, Math.max(1, n >> 2));
        fill(plain, new Rng(n + 1), n, 1, Math.max(1, n >> 2));
        let calls = 1;
        while (!sliced.sortSlice(moves)) calls++;
        assert.ok(sliced.sortSlice(moves), 'stays sorted');
        if (n >= 1000 && moves <= 100) assert.ok(calls > n / moves, `${calls} slices for ${n} ids at ${moves} moves`);
        assert.deepEqual(order(sliced), order(plain), `n ${n}, moves ${moves}`);
      }
    }
  });

  it('an iterator mid-sort finishes it; adds mid-sort restart it; earlier runs are merged with the result', () => {
    const rng = new Rng(99);
    const plain = new Memtable(4096, 64);
    const mem = new Memtable(4096, 64);
    const both = (n: number, seq0: number): void => {
      const seed = rng.next();
      fill(plain, new Rng(seed), n, seq0, 300);
      fill(mem, new Rng(seed), n, seq0, 300);
    };
    both(2000, 1);
    mem.sortSlice(500);
    assert.deepEqual(order(mem), order(plain), 'iterator() in the middle of a sliced sort');
    both(3000, 2001);
    assert.equal(mem.sortSlice(200), false);
    both(500, 5001);
    while (!mem.sortSlice(300));
    assert.deepEqual(order(mem), order(plain), 'adds between slices, runs from an earlier iterator');
    // Keys added in order: the sortedness check alone finishes.
    const asc = new Memtable(4096, 64);
    fill(asc, rng, 10_000, 1, 0, true);
    assert.equal(asc.sortSlice(10_000), true);
  });

  it('a flush job sorts in slices: early steps consume no entries, and the table is the same', () => {
    const make = (): Memtable => {
      const mem = new Memtable(4096, 64);
      fill(mem, new Rng(5), 20_000, 1, 5000);
      return mem;
    };
    const fsA = new FaultFileSystem();
    const sliced = flushJob(ctxFor(fsA), make(), [], true);
    let sortSteps = 0;
    while (!sliced.step(256) && sliced.bytesRead === 0) sortSteps++;
    assert.ok(sortSteps > 100, `${sortSteps} sort steps`);
    runToEnd(sliced, 256);
    const fsB = new FaultFileSystem();
    const whole = flushJob(ctxFor(fsB), make(), [], true);
    assert.equal(whole.step(Infinity), true);
    const path = joinPath(DIR, tableFileName(100));
    assert.ok(Buffer.from(fsA.readAll(path)).equals(Buffer.from(fsB.readAll(path))));
  });
});
