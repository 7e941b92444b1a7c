/**
 * Data blocks: sorted entries with prefix-compressed keys and restart points.
 *
 * Entry:    shared varint | unshared varint | value length varint
 *           | unshared key bytes | trailer 8 bytes (kind, seq: coding.writeTrailer)
 *           | 0-3 zero bytes, so the value starts on a 4-byte boundary of the block | value
 * Block:    entries | restart offsets u32 LE each | restart count u32 LE
 *
 * At a restart point `shared` is 0, so the full key is stored and a seek can binary
 * search the restart points, then scan at most `restartInterval` entries.
 * The table (table.ts) stores a CRC-32 after each block; this file never sees it.
 */
import { ByteWriter, compareRegions, readU32, varintLength, writeTrailer, writeVarint } from './coding.js';
import { EMPTY, type InternalIterator } from './iterator.js';

export class BlockBuilder {
  readonly out = new ByteWriter(8192);
  private restarts: number[] = [];
  private sinceRestart = 0;
  private lastKey = new Uint8Array(64);
  private lastKeyLen = 0;
  entries = 0;

  constructor(private readonly restartInterval = 16) {
    this.reset();
  }

  reset(): void {
    this.out.reset();
    this.restarts.length = 0;
    this.restarts.push(0);
    this.sinceRestart = 0;
    this.lastKeyLen = 0;
    this.entries = 0;
  }

  /** Size of the block if finished now. */
  get estimatedSize(): number {
    return this.out.length + this.restarts.length * 4 + 4;
  }

  get empty(): boolean {
    return this.entries === 0;
  }

  /** REQUIRES: entries are added in internal order. */
  add(key: Uint8Array, keyOff: number, keyLen: number, seq: number, kind: number, val: Uint8Array, valOff: number, valLen: number): void {
    let shared = 0;
    if (this.sinceRestart >= this.restartInterval) {
      this.restarts.push(this.out.length);
      this.sinceRestart = 0;
    } else {
      const last = this.lastKey;
      const n = keyLen < this.lastKeyLen ? keyLen : this.lastKeyLen;
      while (shared < n && last[shared] === key[keyOff + shared]) shared++;
    }
    const unshared = keyLen - shared;
    const w = this.out;
    w.ensure(15 + unshared + 8 + 3 + valLen);
    const b = w.bytes;
    let p = w.length;
    p = writeVarint(b, p, shared);
    p = writeVarint(b, p, unshared);
    p = writeVarint(b, p, valLen);
    w.length = p;
    w.raw(key, keyOff + shared, unshared);
    writeTrailer(w.bytes, w.length, seq, kind);
    w.length += 8;
    // Values start on a 4-byte boundary of the block (zero padding before them): a block
    // read into a fresh buffer then has them 4-byte aligned, and a scan copies them to its
    // visitor a 32-bit word at a time (RegionCopier).
    while ((w.length & 3) !== 0) w.bytes[w.length++] = 0;
    w.raw(val, valOff, valLen);
    if (keyLen > this.lastKey.length) {
      const grown = new Uint8Array(Math.max(keyLen, this.lastKey.length * 2));
      grown.set(this.lastKey.subarray(0, this.lastKeyLen));
      this.lastKey = grown;
    }
    const lk = this.lastKey;
    for (let i = shared; i < keyLen; i++) lk[i] = key[keyOff + i]!;
    this.lastKeyLen = keyLen;
    this.sinceRestart++;
    this.entries++;
  }

  /** Appends the restart array; the returned view is valid until reset(). */
  finish(): Uint8Array {
    const w = this.out;
    for (const r of this.restarts) w.u32(r);
    w.u32(this.restarts.length);
    return w.view();
  }
}

/** Upper bound of an entry's encoded size, for callers sizing blocks. */
export function entrySizeBound(keyLen: number, valLen: number): number {
  return 2 * varintLength(keyLen) + varintLength(valLen) + keyLen + 8 + 3 + valLen;
}

/**
 * Iterates one block. The key is keyBuf[keyOff, keyOff+keyLen): the block itself for an
 * entry stored whole (shared 0: every entry at restart interval 1), so nothing is
 * copied; the iterator's own scratch for a key rebuilt from a shared prefix. valBuf is
 * the block itself.
 * REQUIRES: the block passed its checksum (entries are trusted to be well formed).
 */
export class BlockIterator implements InternalIterator {
  keyBuf: Uint8Array = EMPTY;
  keyOff = 0;
  keyLen = 0;
  seq = 0;
  kind = 0;
  valBuf: Uint8Array = EMPTY;
  valOff = 0;
  valLen = 0;

  private block: Uint8Array = EMPTY;
  private restartsOff = 0;
  private numRestarts = 0;
  /** Offset of the current entry; restartsOff when past the end, -1 before the start. */
  private current = -1;
  private nextOff = 0;
  /** `shared` of the entry decoded last: the bytes its key has in common with the one before. */
  private lastShared = 0;
  /** Where keys rebuilt from a shared prefix are assembled. */
  private scratch = new Uint8Array(64);

  /** Points the iterator at a new block; it is unpositioned until a seek. */
  reset(block: Uint8Array): void {
    this.block = block;
    this.valBuf = block;
    const n = block.length >= 4 ? readU32(block, block.length - 4) : 0;
    this.numRestarts = n;
    this.restartsOff = block.length - 4 - 4 * n;
    this.current = -1;
  }

  valid(): boolean {
    return this.current >= 0 && this.current < this.restartsOff;
  }

  private restartPoint(i: number): number {
    return readU32(this.block, this.restartsOff + 4 * i);
  }

  /** Decodes the entry at `p`, whose key shares a prefix with the current keyBuf. */
  private decodeAt(p: number): void {
    const b = this.block;
    this.current = p;
    if (p >= this.restartsOff) {
      this.nextOff = p;
      return;
    }
    let shared = b[p++]!;
    if (shared >= 0x80) {
      shared &= 0x7f;
      let s = 7;
      let c: number;
      do {
        c = b[p++]!;
        shared |= (c & 0x7f) << s;
        s += 7;
      } while (c >= 0x80);
    }
    let unshared = b[p++]!;
    if (unshared >= 0x80) {
      unshared &= 0x7f;
      let s = 7;
      let c: number;
      do {
        c = b[p++]!;
        unshared |= (c & 0x7f) << s;
        s += 7;
      } while (c >= 0x80);
    }
    let vlen = b[p++]!;
    if (vlen >= 0x80) {
      vlen &= 0x7f;
      let s = 7;
      let c: number;
      do {
        c = b[p++]!;
        vlen |= (c & 0x7f) << s;
        s += 7;
      } while (c >= 0x80);
    }
    this.lastShared = shared;
    const keyLen = shared + unshared;
    if (shared === 0) {
      this.keyBuf = b;
      this.keyOff = p;
    } else {
      // The prefix is the first `shared` bytes of the key decoded before this one.
      let kb = this.scratch;
      const prev = this.keyBuf;
      const inScratch = prev === kb;
      if (keyLen > kb.length) {
        const grown = new Uint8Array(keyLen * 2);
        if (inScratch) grown.set(kb.subarray(0, shared));
        this.scratch = kb = grown;
      }
      if (!inScratch) {
        const po = this.keyOff;
        for (let i = 0; i < shared; i++) kb[i] = prev[po + i]!;
      }
      for (let i = 0; i < unshared; i++) kb[shared + i] = b[p + i]!;
      this.keyBuf = kb;
      this.keyOff = 0;
    }
    p += unshared;
    this.keyLen = keyLen;
    const lo = (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
    const hi = (b[p + 4]! | (b[p + 5]! << 8) | (b[p + 6]! << 16) | (b[p + 7]! << 24)) >>> 0;
    this.kind = lo & 0xff;
    this.seq = (lo >>> 8) + hi * 16777216;
    p = valueStart(p);
    this.valOff = p;
    this.valLen = vlen;
    this.nextOff = p + vlen;
  }

  seekFirst(): void {
    this.decodeAt(this.numRestarts > 0 ? 0 : this.restartsOff);
  }

  seekLast(): void {
    if (this.numRestarts === 0 || this.restartsOff <= 0) {
      this.current = -1;
      return;
    }
    this.decodeAt(this.restartPoint(this.numRestarts - 1));
    while (this.nextOff < this.restartsOff) this.decodeAt(this.nextOff);
  }

  seek(key: Uint8Array, off: number, len: number, seq: number): void {
    // Last restart point whose key is < target: the target lies in its run or later.
    let lo = 0;
    let hi = this.numRestarts - 1;
    if (hi < 0) {
      this.current = this.restartsOff;
      return;
    }
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (compareRestart(this.block, this.restartsOff, mid, key, off, len, seq) < 0) lo = mid;
      else hi = mid - 1;
    }
    this.decodeAt(this.restartPoint(lo));
    // Walk the run knowing how many leading bytes the current key has in common with the
    // target (`matched`) and which one is larger (`c`): an entry that shares fewer bytes
    // than that with its predecessor is above the target, one that shares more is still
    // below it, and only one that shares exactly that many needs its bytes compared.
    const kb0 = this.keyBuf;
    const ko0 = this.keyOff;
    const n0 = this.keyLen < len ? this.keyLen : len;
    let matched = 0;
    while (matched < n0 && kb0[ko0 + matched] === key[off + matched]) matched++;
    let c = matched < n0 ? kb0[ko0 + matched]! - key[off + matched]! : this.keyLen - len;
    for (;;) {
      if (this.current >= this.restartsOff) return;
      if (c > 0) return;
      if (c === 0 && this.seq <= seq) return;
      this.decodeAt(this.nextOff);
      if (this.current >= this.restartsOff) return;
      const shared = this.lastShared;
      if (shared === 0 || shared === matched) {
        // A restart point (shared 0 by construction) or a key that agrees up to `matched`: compare the rest.
        const kb = this.keyBuf;
        const ko = this.keyOff;
        const kl = this.keyLen;
        const n = kl < len ? kl : len;
        let m = shared;
        while (m < n && kb[ko + m] === key[off + m]) m++;
        matched = m;
        c = m < n ? kb[ko + m]! - key[off + m]! : kl - len;
      } else if (shared < matched) c = 1;
      // shared > matched: the key still differs from the target where its predecessor did, so c < 0 holds.
    }
  }

  seekBefore(key: Uint8Array, off: number, len: number): void {
    this.seek(key, off, len, Infinity);
    if (this.valid()) this.prev();
    else this.seekLast();
  }

  next(): void {
    this.decodeAt(this.nextOff);
  }

  prev(): void {
    const target = this.current;
    if (target <= 0) {
      this.current = -1;
      return;
    }
    // Find the last restart point before the current entry, then walk forward to the entry before it.
    let lo = 0;
    let hi = this.numRestarts - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.restartPoint(mid) < target) lo = mid;
      else hi = mid - 1;
    }
    this.decodeAt(this.restartPoint(lo));
    while (this.nextOff < target) this.decodeAt(this.nextOff);
  }
}

/** Where blockGet found its entry: the kind and the value's region of the block. */
export class BlockHit {
  kind = 0;
  valOff = 0;
  valLen = 0;
}

/** Where blockGet leaves the bytes it touched ahead of its walk, so that the loads are not dropped. */
export let touchSink = 0;
/** The value readVarintAt read last. */
let varintValue = 0;
/** Reads the varint at b[p] into varintValue and returns the offset after it. */
function readVarintAt(b: Uint8Array, p: number): number {
  let v = b[p++]!;
  if (v >= 0x80) {
    v &= 0x7f;
    let s = 7;
    let c: number;
    do {
      c = b[p++]!;
      v |= (c & 0x7f) << s;
      s += 7;
    } while (c >= 0x80);
  }
  varintValue = v;
  return p;
}

/** Where an entry's value starts, given where its trailer starts: after it, at a 4-byte boundary of the block. */
function valueStart(t: number): number {
  return (t + 8 + 3) & ~3;
}

/**
 * Where the whole entry (shared length 0) at b[p] ends, after its value; -1 when
 * b[p] does not start one. The bytes are not yet trusted (TableReader.readEntry reads
 * an entry alone, then checks its checksum over [p, end)): the result may be past
 * b.length, or garbage, and the caller bounds it.
 */
export function wholeEntryEnd(b: Uint8Array, p: number): number {
  if (b[p] !== 0) return -1;
  p = readVarintAt(b, p + 1);
  const klen = varintValue;
  p = readVarintAt(b, p);
  return valueStart(p + klen) + varintValue;
}

/** Block b's entry at restart point r (whose restart array starts at restartsOff) against (key, seq), in internal order. */
function compareRestart(b: Uint8Array, restartsOff: number, r: number, key: Uint8Array, off: number, len: number, seq: number): number {
  let p = readU32(b, restartsOff + 4 * r) + 1; // shared is 0 at a restart point
  p = readVarintAt(b, p);
  const unshared = varintValue;
  p = readVarintAt(b, p); // value length
  const c = compareRegions(b, p, unshared, key, off, len);
  if (c !== 0) return c;
  const eseq = trailerSeq(b, p + unshared);
  return eseq > seq ? -1 : eseq < seq ? 1 : 0;
}

/** The sequence number in the trailer at b[t]. */
function trailerSeq(b: Uint8Array, t: number): number {
  return ((b[t]! | (b[t + 1]! << 8) | (b[t + 2]! << 16) | (b[t + 3]! << 24)) >>> 8) + ((b[t + 4]! | (b[t + 5]! << 8) | (b[t + 6]! << 16) | (b[t + 7]! << 24)) >>> 0) * 16777216;
}

/** wholeEntryGet: the entry is not of the key (or not stored whole), it is (in `hit`), or it is newer than the snapshot. */
export const ENTRY_OTHER = 0;
export const ENTRY_FOUND = 1;
export const ENTRY_NEWER = 2;

/**
 * Whether the entry starting at b[p], if stored whole (shared 0), holds user key
 * key[off, off+len) at a sequence number at or below `seq`: ENTRY_FOUND with its kind
 * and value in `hit`, ENTRY_NEWER when it holds the key above `seq`, else ENTRY_OTHER.
 * The point index (table.ts) names entries by offset; this reads one without a search.
 */
export function wholeEntryGet(b: Uint8Array, p: number, key: Uint8Array, off: number, len: number, seq: number, hit: BlockHit): number {
  if (b[p] !== 0) return ENTRY_OTHER;
  p = readVarintAt(b, p + 1);
  if (varintValue !== len) return ENTRY_OTHER;
  p = readVarintAt(b, p);
  const vlen = varintValue;
  for (let i = 0; i < len; i++) if (b[p + i] !== key[off + i]) return ENTRY_OTHER;
  const t = p + len;
  if (trailerSeq(b, t) > seq) return ENTRY_NEWER;
  hit.kind = b[t]!;
  hit.valOff = valueStart(t);
  hit.valLen = vlen;
  return ENTRY_FOUND;
}

/**
 * Point lookup in one block: the first entry at or after (key, seq) in internal order,
 * when it holds the user key `key` (true, with its kind and value in `hit`); false when
 * the block has no version of `key` at or below `seq`.
 *
 * A BlockIterator seek decodes every entry it passes (the key copied out of its shared
 * prefix, the trailer read). This walk decodes only the three lengths of each entry and
 * compares key bytes in place: knowing how many leading bytes the entry before agreed
 * with the target (`matched`), an entry sharing more than that with it is still below
 * the target, one sharing fewer is above it, and only one sharing exactly that many
 * (or a restart point, stored whole) has bytes to compare. The trailer is read only for
 * an entry of the target's user key. In a CPU profile of random reads at N = 1,000,000
 * the decoding walk was 36% of the time.
 * REQUIRES: the block passed its checksum.
 */
export function blockGet(b: Uint8Array, key: Uint8Array, off: number, len: number, seq: number, hit: BlockHit): boolean {
  const size = b.length;
  if (size < 4) return false;
  const restarts = readU32(b, size - 4);
  if (restarts === 0) return false;
  const restartsOff = size - 4 - 4 * restarts;
  // Last restart point whose entry is < (key, seq): the target lies in its run or later.
  let lo = 0;
  let hi = restarts - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (compareRestart(b, restartsOff, mid, key, off, len, seq) < 0) lo = mid;
    else hi = mid - 1;
  }
  let p = readU32(b, restartsOff + 4 * lo);
  // Touch the lines of the run ahead of the walk: these loads do not depend on each
  // other, so the CPU overlaps their cache misses, where the walk would meet them one
  // after another (each entry's position comes from the lengths of the one before).
  // Measured side by side (bench-reads ab, N = 1,000,000): gets +1.5-3%, has +4-6%.
  const runEnd = lo + 1 < restarts ? readU32(b, restartsOff + 4 * lo + 4) : restartsOff;
  let touched = 0;
  for (let q = p + 64; q < runEnd; q += 64) touched |= b[q]!;
  touchSink = touched;
  let matched = 0;
  while (p < restartsOff) {
    p = readVarintAt(b, p);
    const shared = varintValue;
    p = readVarintAt(b, p);
    const unshared = varintValue;
    p = readVarintAt(b, p);
    const vlen = varintValue;
    // p: the entry's unshared key bytes, which hold its key's bytes [shared, shared + unshared).
    let c: number;
    if (shared === 0 || shared === matched) {
      const kl = shared + unshared;
      const n = kl < len ? kl : len;
      let m = shared;
      const base = p - shared;
      while (m < n && b[base + m] === key[off + m]) m++;
      matched = m;
      c = m < n ? b[base + m]! - key[off + m]! : kl - len;
    } else c = shared < matched ? 1 : -1;
    if (c > 0) return false;
    const t = p + unshared;
    if (c === 0) {
      if (trailerSeq(b, t) <= seq) {
        hit.kind = b[t]!;
        hit.valOff = valueStart(t);
        hit.valLen = vlen;
        return true;
      }
    }
    p = valueStart(t) + vlen;
  }
  return false;
}
