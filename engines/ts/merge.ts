/**
 * The merging iterator: a heap merge of memtable and table iterators that yields, for
 * each user key, the newest version visible at a snapshot, and hides tombstones.
 *
 * Forward, the heap is ordered by internal order (key ascending, seq descending), so
 * the first version of a key to surface is the newest; older versions are skipped.
 * Backward, versions of a key surface oldest first, so the newest visible one is
 * remembered (its value copied) until the key is exhausted.
 *
 * Nothing is allocated per entry: the current key lives in a scratch buffer of exactly
 * the key's length (reused while lengths repeat), and the value is exposed as a region.
 */
import { compareRegions, equalRegions, KIND_PUT } from './coding.js';
import { EMPTY, type InternalIterator } from './iterator.js';

/** Reusable byte arrays of an exact length, so a view handed to a caller needs no subarray. */
export class ExactBuffers {
  private readonly pool = new Map<number, Uint8Array>();
  private last: Uint8Array = EMPTY;
  get(length: number): Uint8Array {
    if (this.last.length === length) return this.last;
    let b = this.pool.get(length);
    if (b === undefined) {
      b = new Uint8Array(length);
      if (this.pool.size < 256) this.pool.set(length, b);
    }
    this.last = b;
    return b;
  }
}

/**
 * Copies regions into exact-length reusable arrays without allocating: four bytes at a
 * time through Int32Array views when the region starts on a 4-byte boundary of its
 * buffer (the memtable arena's 16-byte keys and 100-byte values always do), else through
 * DataViews. A JS byte loop costs ~1 ns per byte, set(subarray()) allocates a view per
 * call; for a 100-byte value the Int32Array copy took ~20 ns against ~36 ns through
 * DataViews (node 20, one process, 3M copies each). A source's views are made once per
 * source buffer (a block or an arena), not per entry.
 */
export class RegionCopier {
  private src: Uint8Array = EMPTY;
  private srcView: DataView = new DataView(new ArrayBuffer(0));
  /** Int32 view of `src` when src starts on a 4-byte boundary of its buffer, else undefined. */
  private src32: Int32Array | undefined = undefined;
  private dst: Uint8Array = EMPTY;
  private dstView: DataView = new DataView(new ArrayBuffer(0));
  private dst32: Int32Array = new Int32Array(0);
  private readonly pool = new Map<number, { bytes: Uint8Array; view: DataView; words: Int32Array }>();

  copy(src: Uint8Array, off: number, len: number): Uint8Array {
    if (src !== this.src) {
      this.src = src;
      this.srcView = new DataView(src.buffer, src.byteOffset, src.byteLength);
      this.src32 = (src.byteOffset & 3) === 0 ? new Int32Array(src.buffer, src.byteOffset, src.byteLength >> 2) : undefined;
    }
    if (this.dst.length !== len) {
      let d = this.pool.get(len);
      if (d === undefined) {
        const bytes = new Uint8Array(len);
        d = { bytes, view: new DataView(bytes.buffer), words: new Int32Array(bytes.buffer, 0, len >> 2) };
        if (this.pool.size < 256) this.pool.set(len, d);
      }
      this.dst = d.bytes;
      this.dstView = d.view;
      this.dst32 = d.words;
    }
    const dst = this.dst;
    let i = 0;
    const s32 = this.src32;
    if (s32 !== undefined && (off & 3) === 0) {
      const d32 = this.dst32;
      const base = off >> 2;
      const words = len >> 2;
      for (let w = 0; w < words; w++) d32[w] = s32[base + w]!;
      i = words << 2;
    } else {
      const sv = this.srcView;
      const dv = this.dstView;
      for (; i + 4 <= len; i += 4) dv.setInt32(i, sv.getInt32(off + i, true), true);
    }
    for (; i < len; i++) dst[i] = src[off + i]!;
    return dst;
  }
}

export function copyRegion(dst: Uint8Array, src: Uint8Array, off: number, len: number): void {
  if (len <= 128) for (let i = 0; i < len; i++) dst[i] = src[off + i]!;
  else dst.set(src.subarray(off, off + len));
}

function cmpIter(a: InternalIterator, b: InternalIterator): number {
  const c = compareRegions(a.keyBuf, a.keyOff, a.keyLen, b.keyBuf, b.keyOff, b.keyLen);
  if (c !== 0) return c;
  return a.seq > b.seq ? -1 : a.seq < b.seq ? 1 : 0;
}

export class MergeIterator {
  /** The current user key: an exact-length scratch array. REQUIRES: valid(). */
  key: Uint8Array = EMPTY;
  valBuf: Uint8Array = EMPTY;
  valOff = 0;
  valLen = 0;

  private readonly heap: InternalIterator[] = [];
  private size = 0;
  /**
   * The smaller of the root's children (undefined below two sources): while the top
   * source stays below it, advancing the top needs one comparison and no sift. A scan
   * where one source supplies long runs of keys pays no heap operation per entry.
   */
  private second: InternalIterator | undefined = undefined;
  private reverse = false;
  private isValid = false;
  private readonly keys = new ExactBuffers();
  private copiedValue = new Uint8Array(256);

  private readonly sources: readonly InternalIterator[];

  /**
   * `sources` newest first; `snapshot` hides versions with a larger sequence number.
   * Sources that know they are empty are left out, so sourceCount says how many can
   * contribute (a store read back from its tables has an empty memtable: one source).
   */
  constructor(
    sources: readonly InternalIterator[],
    private readonly snapshot: number,
  ) {
    this.sources = sources.some((s) => s.knownEmpty?.() === true) ? sources.filter((s) => s.knownEmpty?.() !== true) : sources;
  }

  valid(): boolean {
    return this.isValid;
  }

  get sourceCount(): number {
    return this.sources.length;
  }

  /** REQUIRES: sourceCount > 0. */
  firstSource(): InternalIterator {
    return this.sources[0]!;
  }

  private less(a: InternalIterator, b: InternalIterator): boolean {
    const c = cmpIter(a, b);
    return this.reverse ? c > 0 : c < 0;
  }

  private siftDown(i: number): void {
    const h = this.heap;
    const n = this.size;
    const x = h[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      let m = l;
      const r = l + 1;
      if (r < n && this.less(h[r]!, h[l]!)) m = r;
      if (!this.less(h[m]!, x)) break;
      h[i] = h[m]!;
      i = m;
    }
    h[i] = x;
  }

  private build(): void {
    const h = this.heap;
    h.length = 0;
    for (const s of this.sources) if (s.valid()) h.push(s);
    this.size = h.length;
    for (let i = (this.size >> 1) - 1; i >= 0; i--) this.siftDown(i);
    this.findSecond();
  }

  private findSecond(): void {
    const h = this.heap;
    const n = this.size;
    this.second = n >= 3 ? (this.less(h[2]!, h[1]!) ? h[2] : h[1]) : n === 2 ? h[1] : undefined;
  }

  /** Advances the heap's top source one step in the iteration direction. */
  private advanceTop(): void {
    const top = this.heap[0]!;
    if (this.reverse) top.prev();
    else top.next();
    if (!top.valid()) {
      this.size--;
      if (this.size === 0) {
        this.second = undefined;
        return;
      }
      this.heap[0] = this.heap[this.size]!;
    } else {
      const second = this.second;
      // The children are untouched, so a top still below the smaller of them stays the top.
      if (second === undefined || this.less(top, second)) return;
    }
    if (this.size > 1) this.siftDown(0);
    this.findSecond();
  }

  private topHasKey(key: Uint8Array): boolean {
    const t = this.heap[0]!;
    return equalRegions(t.keyBuf, t.keyOff, t.keyLen, key, 0, key.length);
  }

  seekFirst(): void {
    this.reverse = false;
    for (const s of this.sources) s.seekFirst();
    this.build();
    this.findForward();
  }

  /** Positions at the first visible key >= key. */
  seek(key: Uint8Array): void {
    this.reverse = false;
    for (const s of this.sources) s.seek(key, 0, key.length, Infinity);
    this.build();
    this.findForward();
  }

  seekLast(): void {
    this.reverse = true;
    for (const s of this.sources) s.seekLast();
    this.build();
    this.findBackward();
  }

  /** Positions at the last visible key < key. */
  seekBefore(key: Uint8Array): void {
    this.reverse = true;
    for (const s of this.sources) s.seekBefore(key, 0, key.length);
    this.build();
    this.findBackward();
  }

  /** Moves to the next visible key in the direction of the last seek. REQUIRES: valid(). */
  next(): void {
    if (this.reverse) this.findBackward();
    else {
      // findForward left the top source on this key: step it without comparing, then
      // skip the key's other versions and its copies in other sources.
      this.advanceTop();
      this.skipKey(this.key);
      this.findForward();
    }
  }

  private skipKey(key: Uint8Array): void {
    while (this.size > 0 && this.topHasKey(key)) this.advanceTop();
  }

  private findForward(): void {
    const snapshot = this.snapshot;
    while (this.size > 0) {
      const t = this.heap[0]!;
      if (t.seq > snapshot) {
        this.advanceTop();
        continue;
      }
      const k = this.keys.get(t.keyLen);
      copyRegion(k, t.keyBuf, t.keyOff, t.keyLen);
      this.key = k;
      if (t.kind === KIND_PUT) {
        // The value stays valid until this source moves, which next() does only after the caller is done.
        this.valBuf = t.valBuf;
        this.valOff = t.valOff;
        this.valLen = t.valLen;
        this.isValid = true;
        return;
      }
      this.skipKey(k);
    }
    this.isValid = false;
  }

  private findBackward(): void {
    const snapshot = this.snapshot;
    while (this.size > 0) {
      const t = this.heap[0]!;
      const k = this.keys.get(t.keyLen);
      copyRegion(k, t.keyBuf, t.keyOff, t.keyLen);
      let found = false;
      let kind = 0;
      // Versions of k arrive oldest first; the last one at or below the snapshot is visible.
      while (this.size > 0 && this.topHasKey(k)) {
        const v = this.heap[0]!;
        if (v.seq <= snapshot) {
          found = true;
          kind = v.kind;
          if (kind === KIND_PUT) {
            if (this.copiedValue.length < v.valLen) this.copiedValue = new Uint8Array(v.valLen * 2);
            copyRegion(this.copiedValue, v.valBuf, v.valOff, v.valLen);
            this.valLen = v.valLen;
          }
        }
        this.advanceTop();
      }
      if (found && kind === KIND_PUT) {
        this.key = k;
        this.valBuf = this.copiedValue;
        this.valOff = 0;
        this.isValid = true;
        return;
      }
    }
    this.isValid = false;
  }
}

/**
 * Merges sources into one stream in internal order, every version and tombstone
 * included: what compaction writes when no version may be dropped.
 */
export class RawMergeIterator {
  private readonly heap: InternalIterator[] = [];
  private size = 0;

  constructor(sources: readonly InternalIterator[]) {
    for (const s of sources) {
      s.seekFirst();
      if (s.valid()) this.heap.push(s);
    }
    this.size = this.heap.length;
    for (let i = (this.size >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  private siftDown(i: number): void {
    const h = this.heap;
    const n = this.size;
    const x = h[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      let m = l;
      if (l + 1 < n && cmpIter(h[l + 1]!, h[l]!) < 0) m = l + 1;
      if (cmpIter(h[m]!, x) >= 0) break;
      h[i] = h[m]!;
      i = m;
    }
    h[i] = x;
  }

  valid(): boolean {
    return this.size > 0;
  }

  /** The source holding the current entry. REQUIRES: valid(). */
  current(): InternalIterator {
    return this.heap[0]!;
  }

  /** REQUIRES: valid(). */
  next(): void {
    const top = this.heap[0]!;
    top.next();
    if (!top.valid()) {
      this.size--;
      if (this.size === 0) return;
      this.heap[0] = this.heap[this.size]!;
    }
    if (this.size > 1) this.siftDown(0);
  }
}
