import { Tree } from '../engines/ts/tree.js';
import { deriveSeed, permutation, rangeScanStarts, Stream, writeKey, writeValue } from '../src/keyspace.js';
import { rmSync } from 'node:fs';
const [mode, dir, nArg, reps] = process.argv.slice(2);
const n = Number(nArg);
const dur = (process.env.DUR ?? 'os') as 'os' | 'none';
if (process.env.LOAD === '1') rmSync(dir!, { recursive: true, force: true });
const tree = Tree.open(dir!, { durability: dur });
if (process.env.LOAD === '1') {
  const vs = deriveSeed(42, Stream.values);
  for (let from = 0; from < n; from += 1000) {
    const ops = [];
    for (let i = from; i < Math.min(n, from + 1000); i++) { const k = new Uint8Array(16); const v = new Uint8Array(100); writeKey(i, 16, k, 0); writeValue(vs, i, 100, v, 0); ops.push({ type: 'put' as const, key: k, value: v }); }
    tree.write(ops);
  }
}
await tree.settle();
let sink = 0;
const visit = (k: Uint8Array, v: Uint8Array): void => { sink = (sink + k[15]! + 5 * k[14]! + 11 * v[0]! + 1) | 0; };
const starts = rangeScanStarts(n, 1000, deriveSeed(42, Stream.rangeScan));
const ranges = Array.from(starts, (s) => { const k = new Uint8Array(16); writeKey(s, 16, k, 0); return { start: k, limit: 1000 }; });
const order = permutation(n, deriveSeed(42, Stream.randomReads));
const keys = Array.from({ length: n }, (_, i) => { const k = new Uint8Array(16); writeKey(order[i]!, 16, k, 0); return k; });
for (let r = 0; r < Number(reps); r++) {
  const t = performance.now();
  if (mode === 'scan') {
    let e = 0;
    for (const range of ranges) e += tree.scan(range, visit);
    console.log(`scan ${Math.round(e / ((performance.now() - t) / 1000))} entries/s`);
  } else {
    for (const k of keys) if (tree.get(k) === undefined) throw new Error('missing');
    console.log(`get ${Math.round(n / ((performance.now() - t) / 1000))} /s`);
  }
}
console.log(JSON.stringify({h:tree.stats().blockCacheHits,m:tree.stats().blockCacheMisses, l: tree.stats().levelFiles, mem: tree.stats().memtableBytes}));
tree.close();
console.log(sink & 1);
