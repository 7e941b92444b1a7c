/**
 * The key hash shared by the memtable's index and the tables' bloom filters: 32 bits,
 * computed in JS over a region of a byte array, without allocating.
 */

/** A 32-bit hash of key[off, off+len) (murmur-style mixing, 4 bytes per round). */
export function hashKey(key: Uint8Array, off: number, len: number): number {
  const m = 0x5bd1e995;
  let h = (0x9747b28c ^ len) | 0;
  let i = off;
  const end4 = off + (len & ~3);
  while (i < end4) {
    let k = key[i]! | (key[i + 1]! << 8) | (key[i + 2]! << 16) | (key[i + 3]! << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
    i += 4;
  }
  const rest = len & 3;
  if (rest === 3) h ^= key[i + 2]! << 16;
  if (rest >= 2) h ^= key[i + 1]! << 8;
  if (rest >= 1) {
    h ^= key[i]!;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h >>> 0;
}
