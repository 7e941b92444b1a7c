/**
 * A blocked bloom filter over the user keys of one SSTable, ~10 bits per key by default.
 * Layout: lines of 64 bytes (512 bits, one cache line each), then one byte holding the
 * number of probes k. A key's hash picks one line; all k probes fall inside it, by
 * double hashing on 9-bit positions. A query hashes the key once, in JS, without
 * allocating, and touches one cache line instead of k (the cost is a slightly higher
 * false-positive rate than k probes over the whole array: ~1.2% against ~0.8%).
 */

import { hashKey } from './hash.js';

/**
 * h % n for integers 0 <= h, n < 2^32, n > 0. A uint32 above 2^31 is no small integer,
 * so `h % n` is a floating-point remainder (fmod): ~2x slower per probe than a division.
 * Exact: h / n is within 1/n of the next integer, far above double rounding error.
 */
export function modU32(h: number, n: number): number {
  return h - Math.floor(h / n) * n;
}

export const LINE_BYTES = 64;
const LINE_BITS = LINE_BYTES * 8;

/** The line (of `lines`) key hash `h` maps to. */
export function lineOf(h: number, lines: number): number {
  return modU32(h, lines);
}

/** The second hash the in-line positions come from: first position `g & 511`, step `((g >>> 9) & 511) | 1`. */
export function lineHash(h: number): number {
  let g = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  g ^= g >>> 13;
  g = Math.imul(g, 0xc2b2ae35);
  return (g ^ (g >>> 16)) >>> 0;
}

/** Collects key hashes, then lays out the filter. */
export class BloomBuilder {
  private hashes = new Uint32Array(1024);
  private count = 0;
  constructor(private readonly bitsPerKey = 10) {}

  addKey(key: Uint8Array, off: number, len: number): void {
    if (this.count === this.hashes.length) {
      const grown = new Uint32Array(this.hashes.length * 2);
      grown.set(this.hashes);
      this.hashes = grown;
    }
    this.hashes[this.count++] = hashKey(key, off, len);
  }

  /** The hash of the i-th key added. */
  hashAt(i: number): number {
    return this.hashes[i]!;
  }

  get keys(): number {
    return this.count;
  }

  finish(): Uint8Array {
    let out: Uint8Array | undefined;
    while ((out = this.finishSlice(Infinity)) === undefined);
    return out;
  }

  /** The filter being filled by finishSlice, and how many keys are in it. */
  private out: Uint8Array | undefined;
  private filled = 0;

  /**
   * finish() in slices of `keys` keys (a 32 MiB table has ~220,000): undefined until
   * the last slice, which returns the filter.
   */
  finishSlice(keys: number): Uint8Array | undefined {
    const k = Math.max(1, Math.min(30, Math.round(this.bitsPerKey * 0.69)));
    const lines = Math.max(1, Math.ceil((this.count * this.bitsPerKey) / LINE_BITS));
    const out = (this.out ??= new Uint8Array(lines * LINE_BYTES + 1));
    const end = Math.min(this.count, this.filled + keys);
    for (let i = this.filled; i < end; i++) {
      const h = this.hashes[i]!;
      const base = lineOf(h, lines) * LINE_BYTES;
      const g = lineHash(h);
      const step = ((g >>> 9) & 511) | 1;
      let p = g & 511;
      for (let j = 0; j < k; j++) {
        out[base + (p >>> 3)] = out[base + (p >>> 3)]! | (1 << (p & 7));
        p = (p + step) & 511;
      }
    }
    this.filled = end;
    if (end < this.count) return undefined;
    out[lines * LINE_BYTES] = k;
    return out;
  }
}

/** A filter read back from a table. REQUIRES: `filter` came from BloomBuilder.finish(). */
export class Bloom {
  private readonly lines: number;
  private readonly k: number;
  constructor(private readonly filter: Uint8Array) {
    this.lines = Math.floor((filter.length - 1) / LINE_BYTES);
    this.k = filter[filter.length - 1] ?? 0;
  }

  /** False means the key is certainly absent; true means it may be present. */
  mayContain(key: Uint8Array, off: number, len: number): boolean {
    if (this.lines === 0 || this.k === 0 || this.k > 30) return true;
    const h = hashKey(key, off, len);
    const base = lineOf(h, this.lines) * LINE_BYTES;
    const g = lineHash(h);
    const step = ((g >>> 9) & 511) | 1;
    let p = g & 511;
    const f = this.filter;
    for (let j = 0; j < this.k; j++) {
      if ((f[base + (p >>> 3)]! & (1 << (p & 7))) === 0) return false;
      p = (p + step) & 511;
    }
    return true;
  }
}
