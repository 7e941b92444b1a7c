/**
 * Byte helpers shared by the formats: little-endian fixed ints, varints, the
 * internal key order, and a growable output buffer. Everything here runs on the hot
 * path, so it works on (buffer, offset, length) triples and allocates nothing.
 */

/** Entry kinds stored with every version of a key. */
export const KIND_DELETE = 0;
export const KIND_PUT = 1;

/** The largest sequence number: a lookup at this snapshot sees every write. */
export const MAX_SEQ = 2 ** 53 - 1;

/**
 * Unsigned bytewise comparison of a[aOff, aOff+aLen) and b[bOff, bOff+bLen), shorter
 * first when one is a prefix of the other. Pure JS: no call into C++ per compare.
 */
export function compareRegions(a: Uint8Array, aOff: number, aLen: number, b: Uint8Array, bOff: number, bLen: number): number {
  const n = aLen < bLen ? aLen : bLen;
  for (let i = 0; i < n; i++) {
    const d = a[aOff + i]! - b[bOff + i]!;
    if (d !== 0) return d;
  }
  return aLen - bLen;
}

/**
 * Whether a[aOff, aOff+aLen) and b[bOff, bOff+bLen) hold the same bytes. Compares from
 * the last byte: adjacent keys in sorted order usually share a prefix and differ near
 * the end, so telling them apart takes one or two steps instead of a walk over the prefix.
 */
export function equalRegions(a: Uint8Array, aOff: number, aLen: number, b: Uint8Array, bOff: number, bLen: number): boolean {
  if (aLen !== bLen) return false;
  for (let i = aLen - 1; i >= 0; i--) if (a[aOff + i] !== b[bOff + i]) return false;
  return true;
}

/**
 * The internal order: user key ascending, then sequence number descending, so the
 * newest version of a key comes first. The pair is compared, never a concatenation.
 */
export function compareInternal(
  a: Uint8Array, aOff: number, aLen: number, aSeq: number,
  b: Uint8Array, bOff: number, bLen: number, bSeq: number,
): number {
  const c = compareRegions(a, aOff, aLen, b, bOff, bLen);
  if (c !== 0) return c;
  return aSeq > bSeq ? -1 : aSeq < bSeq ? 1 : 0;
}

export function writeU32(buf: Uint8Array, off: number, v: number): void {
  buf[off] = v & 0xff;
  buf[off + 1] = (v >>> 8) & 0xff;
  buf[off + 2] = (v >>> 16) & 0xff;
  buf[off + 3] = (v >>> 24) & 0xff;
}

export function readU32(buf: Uint8Array, off: number): number {
  return (buf[off]! | (buf[off + 1]! << 8) | (buf[off + 2]! << 16) | (buf[off + 3]! << 24)) >>> 0;
}

/** Writes a non-negative integer below 2^53 as 8 little-endian bytes. */
export function writeU64(buf: Uint8Array, off: number, v: number): void {
  writeU32(buf, off, v >>> 0);
  writeU32(buf, off + 4, Math.floor(v / 4294967296));
}

export function readU64(buf: Uint8Array, off: number): number {
  return readU32(buf, off) + readU32(buf, off + 4) * 4294967296;
}

/**
 * The 8-byte trailer stored after each key in a table: kind in the low byte, the
 * sequence number in the upper 56 bits (as LevelDB packs it).
 */
export function writeTrailer(buf: Uint8Array, off: number, seq: number, kind: number): void {
  const lo = ((seq % 16777216) * 256 + kind) >>> 0;
  writeU32(buf, off, lo);
  writeU32(buf, off + 4, Math.floor(seq / 16777216));
}

/** Bytes a varint of `v` takes (v < 2^32). */
export function varintLength(v: number): number {
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
}

/** Writes `v` (< 2^32) as a varint; returns the offset after it. */
export function writeVarint(buf: Uint8Array, off: number, v: number): number {
  while (v >= 0x80) {
    buf[off++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[off++] = v;
  return off;
}

/** A growable byte buffer that encoders append to; `bytes` is reused between uses. */
export class ByteWriter {
  bytes: Uint8Array;
  length = 0;
  constructor(initial = 4096) {
    this.bytes = new Uint8Array(initial);
  }
  reset(): void {
    this.length = 0;
  }
  ensure(extra: number): void {
    const need = this.length + extra;
    if (need <= this.bytes.length) return;
    let n = this.bytes.length * 2;
    while (n < need) n *= 2;
    const grown = new Uint8Array(n);
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }
  u8(v: number): void {
    this.ensure(1);
    this.bytes[this.length++] = v;
  }
  u32(v: number): void {
    this.ensure(4);
    writeU32(this.bytes, this.length, v);
    this.length += 4;
  }
  u64(v: number): void {
    this.ensure(8);
    writeU64(this.bytes, this.length, v);
    this.length += 8;
  }
  varint(v: number): void {
    this.ensure(5);
    this.length = writeVarint(this.bytes, this.length, v);
  }
  raw(src: Uint8Array, off: number, len: number): void {
    this.ensure(len);
    const dst = this.bytes;
    let o = this.length;
    // Short copies in JS beat crossing into C++ for set(subarray()), and allocate nothing.
    if (len <= 64) for (let i = 0; i < len; i++) dst[o++] = src[off + i]!;
    else dst.set(len === src.length && off === 0 ? src : src.subarray(off, off + len), o);
    this.length += len;
  }
  view(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }
}

/** A reader over a byte region that throws a RangeError past its end (callers turn it into a typed corruption error). */
export class ByteReader {
  pos: number;
  constructor(
    readonly bytes: Uint8Array,
    start = 0,
    readonly end = bytes.length,
  ) {
    this.pos = start;
  }
  private need(n: number): void {
    if (this.pos + n > this.end) throw new RangeError(`read past end at ${this.pos}`);
  }
  u8(): number {
    this.need(1);
    return this.bytes[this.pos++]!;
  }
  u32(): number {
    this.need(4);
    const v = readU32(this.bytes, this.pos);
    this.pos += 4;
    return v;
  }
  u64(): number {
    this.need(8);
    const v = readU64(this.bytes, this.pos);
    this.pos += 8;
    return v;
  }
  varint(): number {
    let v = 0;
    let shift = 0;
    for (;;) {
      this.need(1);
      const b = this.bytes[this.pos++]!;
      if (shift === 28 && b > 0x0f) throw new RangeError(`varint too long at ${this.pos}`);
      v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return v;
      shift += 7;
    }
  }
  take(n: number): Uint8Array {
    this.need(n);
    const v = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
  get remaining(): number {
    return this.end - this.pos;
  }
}
