/**
 * CRC-32 (IEEE, the polynomial zlib uses), two ways:
 * - `crc32Region` in JS over a (buffer, offset, length) region: no allocation and no
 *   call into C++, for short records on the write path;
 * - `crc32Bytes` through zlib.crc32 for whole blocks, where native speed wins.
 * Both give the same value as zlib.crc32 over the same bytes.
 */
import * as zlib from 'node:zlib';

const TABLES = new Int32Array(8 * 256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  TABLES[n] = c;
}
for (let n = 0; n < 256; n++) {
  let c = TABLES[n]!;
  for (let t = 1; t < 8; t++) {
    c = TABLES[c & 0xff]! ^ (c >>> 8);
    TABLES[t * 256 + n] = c;
  }
}

/** CRC-32 of buf[off, off+len), continuing from `crc` (0 to start). Slicing-by-8. */
export function crc32Region(buf: Uint8Array, off: number, len: number, crc = 0): number {
  const t = TABLES;
  let c = ~crc;
  let i = off;
  const end = off + len;
  const end8 = end - 7;
  while (i < end8) {
    const lo = c ^ (buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24));
    c =
      t[1792 + (lo & 0xff)]! ^
      t[1536 + ((lo >>> 8) & 0xff)]! ^
      t[1280 + ((lo >>> 16) & 0xff)]! ^
      t[1024 + (lo >>> 24)]! ^
      t[768 + buf[i + 4]!]! ^
      t[512 + buf[i + 5]!]! ^
      t[256 + buf[i + 6]!]! ^
      t[buf[i + 7]!]!;
    i += 8;
  }
  while (i < end) c = t[(c ^ buf[i++]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

const nativeCrc32 = (zlib as unknown as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

/** CRC-32 of a whole byte array, natively when Node has zlib.crc32 (20.15+). */
export function crc32Bytes(data: Uint8Array, crc = 0): number {
  if (nativeCrc32 !== undefined) return nativeCrc32(data, crc) >>> 0;
  return crc32Region(data, 0, data.length, crc);
}
