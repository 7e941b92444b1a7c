/**
 * Read-path micro-benchmark of the ts tree (engines/ts): random gets, contains and
 * range scans against a store loaded like lsmbench loads one (key(0..n-1) ascending,
 * 16-byte keys, 100-byte values, batches of 1000, then settle).
 *
 *   node dist/scripts/bench-reads.js load <dir> [n=2000000]
 *   node dist/scripts/bench-reads.js read <dir> [n=2000000] [cacheBytes=16777216] [rounds=3] [gets=500000] [scans=300]
 *   node dist/scripts/bench-reads.js ab <dirA>,<dirB> <treeJsA>,<treeJsB> [n] [cacheBytes] [rounds] [gets] [scans]
 *
 * BENCH_TREE_OPTIONS='{"restartInterval":4}' (JSON) adds tree options to `load`.
 * BENCH_CLOCK=cpu times each phase in CPU time instead of wall time (a busy machine).
 *
 * `ab` compares two builds side by side in one process: it imports tree.js from each
 * (e.g. an older checkout's dist/engines/ts/tree.js), opens one copy of the store with
 * each (copy the loaded directory: a store is opened by one tree at a time) and
 * alternates their rounds, so machine noise hits both alike.
 *
 * `load` builds the store in <dir> and closes it; `read` opens it (settles first),
 * then alternates rounds of: `gets` random gets (keys in a permutation, as the
 * random-reads workload draws them), `gets` has() calls, and `scans` range scans of
 * 1,000 entries from random starts. It prints ops/s per round and the medians, and the
 * block cache counters. Run it under `node --cpu-prof` to profile the read path.
 *
 * Results (2 shared, busy cores; 2026-11-30, at f916034; medians of rounds):
 *   2M keys (229 MB of tables), 16 MiB cache (the default's ratio to the data at 10M):
 *     get ~110k/s, has ~105-122k/s, scan 2.3-2.5M entries/s; 93% of block lookups miss,
 *     and 4M reads cost 34-45 mark-compacts and ~840 scavenges (a 4 KiB buffer per miss).
 *   2M keys, 256 MiB cache (holds the data): get ~222k/s, has 250-276k/s, scan 3.4M/s.
 *   10M keys (1.14 GB), 1.5 GiB cache, 1M gets per round, warm rounds: get 158-190k/s,
 *     has 185-200k/s, scan 2.1-3.2M/s; 21 mark-compacts of ~80 ms.
 *   Profile of a miss (16 MiB cache): the pread itself ~34% of the time, allocating the
 *     block ~17%, GC ~8%, zlib.crc32 ~7% (~1.1 us per 4 KiB). Of a hit (one 20 MB table,
 *     isolated): lookup ~1.8 us = bloom ~60 ns + index search ~350 ns + cache Map ~60 ns
 *     + the in-block seek (restart search, then up to 16 entries decoded one by one).
 */
import { Tree } from '../engines/ts/tree.js';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { deriveSeed, permutation, rangeScanStarts, Stream, writeKey, writeValue } from '../src/keyspace.js';

const args = process.argv.slice(2);
// ab takes one more argument (the two tree.js paths) after the directories.
const modules = args[0] === 'ab' ? args.splice(2, 1)[0] : undefined;
const [mode, dir, nArg, cacheArg, roundsArg, getsArg, scansArg] = args;
if ((mode !== 'load' && mode !== 'read' && mode !== 'ab') || dir === undefined) {
  console.error('usage: bench-reads load|read|ab <dir> [n] [cacheBytes] [rounds] [gets] [scans]');
  process.exit(2);
}
const n = Number(nArg ?? 2_000_000);
const KEY = 16;
const VALUE = 100;
const SEED = 42;
const valueSeed = deriveSeed(SEED, Stream.values);

/**
 * Milliseconds of this process's CPU time (user + system) with BENCH_CLOCK=cpu, else wall
 * time. On a machine shared with other work, CPU time is what a preempted run still
 * measures fairly; it leaves out waiting for the disk, so use it for cached reads.
 */
const now = process.env.BENCH_CLOCK === 'cpu' ? (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
} : (): number => performance.now();

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

if (mode === 'load') {
  // BENCH_TREE_OPTIONS='{"restartInterval":4}' loads with other table options.
  const tree = Tree.open(dir, { durability: 'os', ...(JSON.parse(process.env.BENCH_TREE_OPTIONS ?? '{}') as object) });
  const t0 = performance.now();
  const B = 1000;
  const keys = Array.from({ length: B }, () => new Uint8Array(KEY));
  const values = Array.from({ length: B }, () => new Uint8Array(VALUE));
  for (let from = 0; from < n; from += B) {
    const to = Math.min(n, from + B);
    const ops = [];
    for (let i = from; i < to; i++) {
      writeKey(i, KEY, keys[i - from]!, 0);
      writeValue(valueSeed, i, VALUE, values[i - from]!, 0);
      ops.push({ type: 'put' as const, key: keys[i - from]!, value: values[i - from]! });
    }
    tree.write(ops);
  }
  await tree.settle();
  const s = tree.stats();
  console.log(`loaded ${n} in ${((performance.now() - t0) / 1000).toFixed(1)} s; levels ${s.levelFiles.join('/')} bytes ${s.tableBytes}`);
  tree.close();
} else {
  const cacheBytes = Number(cacheArg ?? 16 * 1024 * 1024);
  const rounds = Number(roundsArg ?? 3);
  const gets = Math.min(n, Number(getsArg ?? 500_000));
  const scans = Number(scansArg ?? 300);
  type TreeLike = Pick<Tree, 'get' | 'has' | 'scan' | 'settle' | 'stats' | 'close'> & Partial<Pick<Tree, 'getTransient'>>;
  const trees: Array<{ name: string; tree: TreeLike }> = [];
  if (mode === 'read') {
    trees.push({ name: 'tree', tree: Tree.open(dir, { durability: 'os', blockCacheBytes: cacheBytes }) });
  } else {
    // ab: <dirA>,<dirB> in `dir`, <treeJsA>,<treeJsB> in the argument after it.
    const dirs = dir.split(',');
    const mods = (modules ?? '').split(',');
    for (let i = 0; i < 2; i++) {
      const mod = (await import(pathToFileURL(resolve(mods[i]!)).href)) as { Tree: typeof Tree };
      trees.push({ name: i === 0 ? 'A' : 'B', tree: mod.Tree.open(dirs[i]!, { durability: 'os', blockCacheBytes: cacheBytes }) });
    }
  }
  for (const { tree } of trees) await tree.settle();
  console.log(`levels ${trees[0]!.tree.stats().levelFiles.join('/')}, cache ${cacheBytes} bytes`);
  const order = permutation(n, deriveSeed(SEED, Stream.randomReads));
  const keyBuf = new Uint8Array(gets * KEY);
  const keys = Array.from({ length: gets }, (_, s) => keyBuf.subarray(s * KEY, (s + 1) * KEY));
  const starts = rangeScanStarts(n, 1000, deriveSeed(SEED, Stream.rangeScan));
  const res = trees.map(() => ({ get: [] as number[], has: [] as number[], scan: [] as number[] }));
  let sink = 0;
  let offset = 0;
  let scanFrom = 0;
  for (let r = 0; r < rounds; r++) {
    const scanRanges = Array.from({ length: Math.min(scans, starts.length) }, (_, j) => {
      const start = new Uint8Array(KEY);
      writeKey(starts[(scanFrom + j) % starts.length]!, KEY, start, 0);
      return { start, limit: 1000 };
    });
    scanFrom += scanRanges.length;
    const getFrom = offset;
    offset += 2 * gets;
    for (let ti = 0; ti < trees.length; ti++) {
      const tree = trees[ti]!.tree;
      const out = res[ti]!;
      for (let s = 0; s < gets; s++) writeKey(order[(getFrom + s) % n]!, KEY, keys[s]!, 0);
      // getTransient (what the engine adapter calls) where the build has it, else get.
      const get = tree.getTransient !== undefined ? tree.getTransient.bind(tree) : tree.get.bind(tree);
      let t = now();
      for (let s = 0; s < gets; s++) {
        const v = get(keys[s]!);
        if (v === undefined) throw new Error(`key ${s} missing`);
        sink += v[0]!;
      }
      out.get.push(gets / ((now() - t) / 1000));
      for (let s = 0; s < gets; s++) writeKey(order[(getFrom + gets + s) % n]!, KEY, keys[s]!, 0);
      t = now();
      for (let s = 0; s < gets; s++) if (tree.has(keys[s]!)) sink++;
      out.has.push(gets / ((now() - t) / 1000));
      t = now();
      let entries = 0;
      for (const range of scanRanges) entries += tree.scan(range, (k, v) => void (sink += k[15]! + v[0]!));
      out.scan.push(entries / ((now() - t) / 1000));
      console.log(
        `round ${r} ${trees[ti]!.name}: get ${Math.round(out.get.at(-1)!)} ops/s, has ${Math.round(out.has.at(-1)!)} ops/s, scan ${Math.round(out.scan.at(-1)!)} entries/s`,
      );
    }
  }
  for (let ti = 0; ti < trees.length; ti++) {
    const st = trees[ti]!.tree.stats();
    const out = res[ti]!;
    console.log(
      `median ${trees[ti]!.name}: get ${Math.round(median(out.get))} has ${Math.round(median(out.has))} scan ${Math.round(median(out.scan))} ` +
        `(cache hits ${st.blockCacheHits} misses ${st.blockCacheMisses}, sink ${sink & 1})`,
    );
    trees[ti]!.tree.close();
  }
  if (trees.length === 2) {
    const ratio = (k: 'get' | 'has' | 'scan'): string => (median(res[1]![k]) / median(res[0]![k])).toFixed(3);
    console.log(`B/A: get ${ratio('get')} has ${ratio('has')} scan ${ratio('scan')}`);
  }
}
