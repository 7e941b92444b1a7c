/**
 * Writes test/vectors/keyspace.json from src/keyspace.ts. The vectors are committed; the
 * test in test/keyspace.test.ts checks that the implementation still produces them, and
 * an implementation in another language checks itself against the same file.
 * Run: node dist/scripts/make-vectors.js > test/vectors/keyspace.json
 *  and node dist/scripts/make-vectors.js distributions > test/vectors/distributions.json
 */
import {
  Stream,
  Xoshiro128,
  containsQueries,
  deriveSeed,
  key,
  mix32,
  permutation,
  prefixScanGroups,
  rangeScanStarts,
  value,
} from '../src/keyspace.js';
import { DISTRIBUTIONS, keyChooser } from '../src/distributions.js';

const hex = (u: Uint8Array): string => Buffer.from(u).toString('hex');
const ascii = (u: Uint8Array): string => Buffer.from(u).toString('latin1');
const seed = 42;

const rng = new Xoshiro128(seed);
const vectors = {
  description: 'lsmbench keyspace test vectors; see docs/keyspace.md. All integers are unsigned 32-bit unless noted.',
  mix32: [0, 1, 42, 0xdeadbeef, 0xffffffff].map((x) => ({ input: x, output: mix32(x) })),
  deriveSeed: Object.entries(Stream).map(([name, stream]) => ({ seed, stream, name, output: deriveSeed(seed, stream) })),
  xoshiro128: { seed, first8: Array.from({ length: 8 }, () => rng.next()) },
  below: (() => {
    const r = new Xoshiro128(7);
    return { seed: 7, n: 10_000_000, first8: Array.from({ length: 8 }, () => r.below(10_000_000)) };
  })(),
  keys: [0, 1, 42, 99_999, 1_234_567_890].map((i) => ({ i, keySize: 16, key: ascii(key(i, 16)) })),
  values: [0, 1, 2, 99_999].map((i) => ({ seed, i, valueSize: 100, hex: hex(value(seed, i, 100)) })),
  valuesShort: [0, 1].map((i) => ({ seed, i, valueSize: 7, hex: hex(value(seed, i, 7)) })),
  valuesVersioned: [
    [0, 1],
    [0, 2],
    [42, 1],
    [99_999, 7],
  ].map(([i, version]) => ({ seed, i, version, valueSize: 20, hex: hex(value(seed, i!, 20, version)) })),
  permutation: { n: 20, streamSeed: deriveSeed(seed, Stream.randomWrites), order: [...permutation(20, deriveSeed(seed, Stream.randomWrites))] },
  randomWritesFirst10: { n: 100_000, seed, order: [...permutation(100_000, deriveSeed(seed, Stream.randomWrites)).subarray(0, 10)] },
  randomReadsFirst10: { n: 100_000, seed, order: [...permutation(100_000, deriveSeed(seed, Stream.randomReads)).subarray(0, 10)] },
  rangeScanStarts: { n: 100_000, scanLength: 1000, seed, count: rangeScanStarts(100_000, 1000, deriveSeed(seed, Stream.rangeScan)).length, first10: [...rangeScanStarts(100_000, 1000, deriveSeed(seed, Stream.rangeScan)).subarray(0, 10)] },
  prefixScanGroups: (() => {
    const { groups, groupSize } = prefixScanGroups(100_000, 16, 13, deriveSeed(seed, Stream.prefixScan));
    return { n: 100_000, keySize: 16, prefixLength: 13, seed, groupSize, count: groups.length, first10: [...groups.subarray(0, 10)] };
  })(),
  containsQueries: (() => {
    const q = containsQueries(20, 0.25, deriveSeed(seed, Stream.contains));
    return { n: 20, missRatio: 0.25, seed, present: q.present, order: [...q.order] };
  })(),
};
const distributions = {
  description: 'First 20 record indexes drawn by each request distribution from xoshiro128**(seed), 1000 records, zipfian constant 0.99, hotspot 20%/80%; see docs/keyspace.md.',
  count: 1000,
  seed,
  first20: Object.fromEntries(
    DISTRIBUTIONS.map((name) => {
      const chooser = keyChooser(name, new Xoshiro128(seed), 1000, { zipfianConstant: 0.99, hotsetFraction: 0.2, hotOperationFraction: 0.8 });
      return [name, Array.from({ length: 20 }, () => chooser.next(1000))];
    }),
  ),
};
const which = process.argv[2] ?? 'keyspace';
process.stdout.write(JSON.stringify(which === 'distributions' ? distributions : vectors, null, 2) + '\n');
