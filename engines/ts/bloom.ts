/**
 * A bloom filter over the user keys of one SSTable, ~10 bits per key by default.
 * Layout: the bit array, then one byte holding the number of probes k.
 * Probes use double hashing from one 32-bit hash (h, h + delta, h + 2*delta, ...), as
 * LevelDB does, so a query hashes the key once, in JS, without allocating.
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

  get keys(): number {
    return this.count;
  }

  finish(): Uint8Array {
    const k = Math.max(1, Math.min(30, Math.round(this.bitsPerKey * 0.69)));
    const bits = Math.max(64, this.count * this.bitsPerKey);
    const bytes = Math.ceil(bits / 8);
    const nbits = bytes * 8;
    const out = new Uint8Array(bytes + 1);
    for (let i = 0; i < this.count; i++) {
      let h = this.hashes[i]!;
      const delta = ((h >>> 17) | (h << 15)) >>> 0;
      for (let j = 0; j < k; j++) {
        const pos = modU32(h, nbits);
        out[pos >>> 3] = out[pos >>> 3]! | (1 << (pos & 7));
        h = (h + delta) >>> 0;
      }
    }
    out[bytes] = k;
    return out;
  }
}

/** A filter read back from a table. REQUIRES: `filter` came from BloomBuilder.finish(). */
export class Bloom {
  private readonly nbits: number;
  private readonly k: number;
  constructor(private readonly filter: Uint8Array) {
    this.nbits = (filter.length - 1) * 8;
    this.k = filter[filter.length - 1] ?? 0;
  }

  /** False means the key is certainly absent; true means it may be present. */
  mayContain(key: Uint8Array, off: number, len: number): boolean {
    if (this.nbits === 0 || this.k === 0 || this.k > 30) return true;
    let h = hashKey(key, off, len);
    const delta = ((h >>> 17) | (h << 15)) >>> 0;
    const f = this.filter;
    const nbits = this.nbits;
    for (let j = 0; j < this.k; j++) {
      const pos = modU32(h, nbits);
      if ((f[pos >>> 3]! & (1 << (pos & 7))) === 0) return false;
      h = (h + delta) >>> 0;
    }
    return true;
  }
}
