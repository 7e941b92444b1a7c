/**
 * Micro-benchmark of engines/ts/bloom.ts, two builds side by side in one process:
 * BloomBuilder.finish over a flush's worth of keys, and Bloom.mayContain probes
 * (half present, half absent keys).
 *
 *   node dist/scripts/bench-bloom.js <bloomJsA> <bloomJsB> [keys=250000] [rounds=7]
 *
 * A and B are paths to compiled bloom.js files (e.g. an older checkout's
 * dist/engines/ts/bloom.js and this one's); rounds alternate A and B and the medians
 * are printed, with the check that both builds lay out identical filters.
 */
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import type * as BloomModule from '../engines/ts/bloom.js';

const [pathA, pathB, keysArg, roundsArg] = process.argv.slice(2);
if (pathA === undefined || pathB === undefined) {
  console.error('usage: bench-bloom <bloomJsA> <bloomJsB> [keys] [rounds]');
  process.exit(2);
}
const n = Number(keysArg ?? 250_000);
const rounds = Number(roundsArg ?? 7);
const mods = [
  (await import(pathToFileURL(resolve(pathA)).href)) as typeof BloomModule,
  (await import(pathToFileURL(resolve(pathB)).href)) as typeof BloomModule,
];
const keyOf = (i: number): Uint8Array => new TextEncoder().encode(String(i).padStart(16, '0'));
const keys = Array.from({ length: n }, (_, i) => keyOf(i * 2));
const probes = Array.from({ length: n }, (_, i) => keyOf(i));
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const finishMs: number[][] = [[], []];
const probeNs: number[][] = [[], []];
let sink = 0;
for (let r = 0; r < rounds; r++) {
  const filters: Uint8Array[] = [];
  for (let m = 0; m < 2; m++) {
    const { BloomBuilder, Bloom } = mods[m]!;
    const builder = new BloomBuilder(10);
    for (const k of keys) builder.addKey(k, 0, k.length);
    let t = performance.now();
    const filter = builder.finish();
    finishMs[m]!.push(performance.now() - t);
    filters.push(filter);
    const bloom = new Bloom(filter);
    t = performance.now();
    for (const k of probes) if (bloom.mayContain(k, 0, k.length)) sink++;
    probeNs[m]!.push(((performance.now() - t) * 1e6) / n);
  }
  if (Buffer.compare(filters[0]!, filters[1]!) !== 0) throw new Error('the two builds lay out different filters');
}
for (let m = 0; m < 2; m++) {
  console.log(`${m === 0 ? 'A' : 'B'}: finish ${median(finishMs[m]!).toFixed(2)} ms, mayContain ${median(probeNs[m]!).toFixed(1)} ns/probe`);
}
console.log(`B/A time: finish ${(median(finishMs[1]!) / median(finishMs[0]!)).toFixed(3)}, mayContain ${(median(probeNs[1]!) / median(probeNs[0]!)).toFixed(3)} (sink ${sink & 1})`);
