/**
 * The keyspace: keys, values and orders that every engine, in any language, can
 * reproduce byte for byte. docs/keyspace.md is the specification, and
 * test/vectors/keyspace.json holds vectors an implementation can be checked against.
 *
 * All arithmetic is on unsigned 32-bit integers.
 */

const GOLDEN = 0x9e3779b9;

/** MurmurHash3's 32-bit finalizer: a bijective mix of a uint32. */
export function mix32(x: number): number {
  x = (x ^ (x >>> 16)) >>> 0;
  x = Math.imul(x, 0x85ebca6b) >>> 0;
  x = (x ^ (x >>> 13)) >>> 0;
  x = Math.imul(x, 0xc2b2ae35) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

/** The seed of stream `stream` (a small integer naming a phase) under the run seed. */
export function deriveSeed(seed: number, stream: number): number {
  return mix32((seed ^ Math.imul(stream + 1, GOLDEN)) >>> 0);
}

/** The streams: each phase draws from its own, so changing one phase never shifts another. */
export const Stream = {
  values: 1,
  randomWrites: 2,
  randomReads: 3,
  rangeScan: 4,
  prefixScan: 5,
  contains: 6,
  /** The mixed workloads: operation types, scan lengths and update versions. */
  mixedOperations: 7,
  /** The mixed workloads: which record each operation touches. */
  mixedKeys: 8,
} as const;

/**
 * xoshiro128** 1.0 (Blackman and Vigna), seeded from a uint32 by
 * s[k] = mix32(seed + (k + 1) * 0x9e3779b9 mod 2^32), k = 0..3.
 */
export class Xoshiro128 {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: number) {
    this.s0 = mix32((seed + GOLDEN) >>> 0);
    this.s1 = mix32((seed + Math.imul(2, GOLDEN)) >>> 0);
    this.s2 = mix32((seed + Math.imul(3, GOLDEN)) >>> 0);
    this.s3 = mix32((seed + Math.imul(4, GOLDEN)) >>> 0);
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // the all-zero state is a fixed point
  }

  /** The next uint32. */
  next(): number {
    const s1 = this.s1;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A uniform integer in [0, n) for 1 <= n <= 2^32: floor(next() * n / 2^32). */
  below(n: number): number {
    return mulHi32(this.next(), n);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** floor(a * b / 2^32) for uint32 a and b, exactly (the product may exceed 2^53). */
export function mulHi32(a: number, b: number): number {
  const hi = (a >>> 16) * b;
  const lo = (a & 0xffff) * b;
  return Math.floor((hi + Math.floor(lo / 65536)) / 65536);
}

/** key(i): the ASCII decimal of i, zero-padded to `keySize` bytes. */
export function writeKey(i: number, keySize: number, out: Uint8Array, offset: number): void {
  let v = i;
  for (let p = offset + keySize - 1; p >= offset; p--) {
    out[p] = 0x30 + (v % 10);
    v = Math.floor(v / 10);
  }
}

export function key(i: number, keySize: number): Uint8Array {
  const out = new Uint8Array(keySize);
  writeKey(i, keySize, out, 0);
  return out;
}

/** How many decimal digits key(i) needs; a scenario's keySize must be at least this for its largest i. */
export function digitsNeeded(maxIndex: number): number {
  return Math.max(1, String(Math.max(0, maxIndex)).length);
}

/**
 * value(i): `valueSize` bytes from rng = Xoshiro128(mix32(valueSeed XOR mix32(i))), where
 * valueSeed = deriveSeed(seed, Stream.values): the successive outputs, each written
 * little-endian, the last one truncated. Version v > 0 of value(i) (the v-th update of a
 * record in the mixed workloads) uses mix32(valueSeed XOR mix32(i) XOR mix32(v + 0x9e3779b9)).
 */
export function writeValue(valueSeed: number, i: number, valueSize: number, out: Uint8Array, offset: number, version = 0): void {
  let seed = (valueSeed ^ mix32(i >>> 0)) >>> 0;
  if (version !== 0) seed = (seed ^ mix32((version + GOLDEN) >>> 0)) >>> 0;
  seed = mix32(seed);
  // Xoshiro128 (above) inlined: its state in locals, each word stored as 4 bytes at once.
  // The harness makes a value per put and per verified read; as a method call per word it
  // took about 0.3 s per million 100-byte values, inlined 0.17–0.23 s.
  let s0 = mix32((seed + GOLDEN) >>> 0);
  let s1 = mix32((seed + Math.imul(2, GOLDEN)) >>> 0);
  let s2 = mix32((seed + Math.imul(3, GOLDEN)) >>> 0);
  let s3 = mix32((seed + Math.imul(4, GOLDEN)) >>> 0);
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1;
  let p = offset;
  const end = offset + valueSize;
  const whole = offset + (valueSize & ~3);
  while (p < end) {
    const word = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    if (p < whole) {
      out[p] = word;
      out[p + 1] = word >>> 8;
      out[p + 2] = word >>> 16;
      out[p + 3] = word >>> 24;
      p += 4;
    } else {
      for (let w = word; p < end; w >>>= 8) out[p++] = w;
    }
  }
}

export function value(seed: number, i: number, valueSize: number, version = 0): Uint8Array {
  const out = new Uint8Array(valueSize);
  writeValue(deriveSeed(seed, Stream.values), i, valueSize, out, 0, version);
  return out;
}

/** A permutation of 0..n-1: Fisher-Yates from the top, j = below(i + 1) for i = n-1 down to 1. */
export function permutation(n: number, streamSeed: number): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const rng = new Xoshiro128(streamSeed);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.below(i + 1);
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}

/** Start indexes of range scans: ceil(n / length) draws of below(n - length + 1). */
export function rangeScanStarts(n: number, scanLength: number, streamSeed: number): Uint32Array {
  const length = Math.min(scanLength, n);
  const count = Math.ceil(n / length);
  const rng = new Xoshiro128(streamSeed);
  const starts = new Uint32Array(count);
  for (let s = 0; s < count; s++) starts[s] = rng.below(n - length + 1);
  return starts;
}

/**
 * Prefix groups for prefix scans. A prefix of `prefixLength` bytes of a key of `keySize`
 * digits covers groupSize = 10^(keySize - prefixLength) consecutive keys; group g holds keys
 * g*groupSize .. min(n, (g+1)*groupSize) - 1. Groups are drawn with below(groupCount) until
 * the drawn groups hold at least n entries in total.
 */
export function prefixScanGroups(n: number, keySize: number, prefixLength: number, streamSeed: number): { groups: Uint32Array; groupSize: number } {
  const groupSize = 10 ** (keySize - prefixLength);
  const groupCount = Math.ceil(n / groupSize);
  const rng = new Xoshiro128(streamSeed);
  const drawn: number[] = [];
  let entries = 0;
  while (entries < n) {
    const g = rng.below(groupCount);
    drawn.push(g);
    entries += Math.min(n, (g + 1) * groupSize) - g * groupSize;
  }
  return { groups: Uint32Array.from(drawn), groupSize };
}

/**
 * The queries of the contains workload: m = round(n * missRatio) of the n checks ask for
 * absent keys. Query q (0 <= q < n) is key(q) for q < n - m, else key(n + q - (n - m)),
 * which lies beyond the loaded keys; the queries are asked in permutation(n) order.
 */
export function containsQueries(n: number, missRatio: number, streamSeed: number): { order: Uint32Array; present: number } {
  const misses = Math.round(n * missRatio);
  const order = permutation(n, streamSeed);
  const present = n - misses;
  for (let j = 0; j < n; j++) {
    const q = order[j]!;
    if (q >= present) order[j] = n + (q - present);
  }
  return { order, present };
}
