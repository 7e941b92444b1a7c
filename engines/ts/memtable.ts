/**
 * The memtable: entries in typed arrays and one byte arena, a hash index for point
 * operations, and sorted runs of node ids for ordered iteration.
 *
 * Why this shape (measured, N=100,000 16-byte keys, 100-byte values, see the commit
 * that introduced it): a skiplist or a B+tree pays a cache miss or two per key
 * comparison on every random put and get (~20-30 comparisons each), which capped
 * them at ~200-370k random puts/s and ~220-290k random gets/s. Here a put appends to
 * the arena and updates an open-addressing hash table; a get hashes the key once and
 * usually touches one node. Order is only needed by iterators and flushes, so it is
 * built lazily: new node ids are sorted when an iterator is created and merged into a
 * sorted tail, and the tail into the main run once it grows past a quarter of it.
 *
 * Internal order: user key ascending, then sequence number descending. Every write is
 * a new node (an overwrite or tombstone does not replace the older version); the hash
 * table points at a key's newest node, which links to the older ones, so a lookup at
 * an older sequence number sees the state as of that number.
 *
 * Comparisons stay in JS: the first 16 key bytes are kept in the node as four
 * big-endian words (biased so signed compare is unsigned order); only longer keys
 * that tie on them look at the arena.
 */
import { compareRegions, KIND_DELETE } from './coding.js';
import { hashKey } from './hash.js';
import type { InternalIterator } from './iterator.js';
import { EMPTY } from './iterator.js';

const NIL = -1;
/** Int32 slots per node; slots 12-13 hold the sequence number as a float64, next to the key words. */
const STRIDE = 14;
const SEQ_STRIDE = STRIDE / 2;
const F_SEQ64 = 6; // float64 index within a node: int32 slots 12 and 13 (slot 11 is unused padding)
const F_KEY_OFF = 0;
const F_KEY_LEN = 1;
const F_VAL_OFF = 2;
const F_VAL_LEN = 3;
const F_KIND = 4;
const F_OLDER = 5; // previous version of the same key, or NIL
const F_HASH = 6;
const F_W0 = 7; // F_W0..F_W0+3: key bytes 0..15, big-endian, XOR 0x80000000
/** Bytes a node costs beyond its key and value (node fields, seq, hash slot, order arrays). */
const NODE_OVERHEAD = STRIDE * 4 + 8 + 8;
const BIAS = -0x80000000;
const EMPTY_IDS = new Int32Array(0);
/**
 * Ids per sorted run of sortSlice(), and a run's cost in moves per id (~1.4 log2
 * SORT_RUN comparisons). A run's ids are consecutive, so are their node records: the
 * run sorts touch little memory, and the merges compare copies of the first 16 key
 * bytes laid out in merge order. Measured on a 32 MiB memtable of 178k random 16-byte
 * keys: ~0.3 ms a 1024-id run, ~25 ns a merge move, ~100 ms in all, about the one-shot
 * quicksort's time (merging with node comparisons instead took ~2-3x). A run is done
 * whole inside one write's slice, so it sets the longest sort step: 1024-id runs were
 * the largest single cost in the write latency tail (p99.9), and 128-id runs (~40 us,
 * one every third step) still made most of the steps over 10x the median write
 * (scripts/bench-write-tail.ts). 32-id runs (~7 us) cost two more merge passes, ~10 ms
 * per 32 MiB flush.
 */
const SORT_RUN = 32;
const SORT_RUN_COST = 7;

/** The phases of a sort in slices, in order. */
const PHASE_CHECK = 0; // checking whether the ids are already in order
const PHASE_RUNS = 1; // sorting runs of SORT_RUN ids
const PHASE_MERGE = 2; // merge passes
const PHASE_DONE = 3;
type SortPhase = typeof PHASE_CHECK | typeof PHASE_RUNS | typeof PHASE_MERGE | typeof PHASE_DONE;

interface SortSlicing {
  readonly from: number;
  readonly to: number;
  src: Int32Array;
  dst: Int32Array;
  /** Key bytes 0..15 of src[x] / dst[x] (the node's four words) at 4x..4x+3. */
  srcKeys: Int32Array;
  dstKeys: Int32Array;
  phase: SortPhase;
  width: number;
  base: number;
  i: number;
  j: number;
  k: number;
  /** Moves paid for by earlier slices but not yet spent (a run is sorted whole). */
  credit: number;
}

/** Word w (0..3) of key[off, off+len): bytes 4w..4w+3, big-endian, zero-padded, biased. */
function keyWord(key: Uint8Array, off: number, len: number, w: number): number {
  const p = 4 * w;
  const b0 = p < len ? key[off + p]! : 0;
  const b1 = p + 1 < len ? key[off + p + 1]! : 0;
  const b2 = p + 2 < len ? key[off + p + 2]! : 0;
  const b3 = p + 3 < len ? key[off + p + 3]! : 0;
  return ((b0 << 24) | (b1 << 16) | (b2 << 8) | b3) ^ BIAS;
}

/**
 * The memory of a flushed memtable, handed to the next one (Memtable.release): a
 * memtable of 32 MiB allocated ~45 MB of arrays at each switch, and that much new
 * external memory made V8 collect (scavenges and weak callbacks of 15-19 ms each), so
 * the write that switched memtables took 40-45 ms at N = 10,000,000 deletions.
 */
export interface MemtableMemory {
  readonly arena: Uint8Array;
  readonly nodes: ArrayBufferLike;
  readonly slots: Int32Array;
}

/**
 * A frozen memtable's entries as another thread sees them (Memtable.image, fromImage):
 * its arena and node array in shared memory, which nothing writes once it is frozen.
 */
export interface MemtableImage {
  readonly arena: Uint8Array;
  readonly nodes: Int32Array;
  readonly count: number;
  readonly arenaUsed: number;
  readonly maxSeq: number;
}

/** Memory for a memtable's arena or nodes: shared (another thread flushes it) or not. */
function memory(bytes: number, shared: boolean): ArrayBufferLike {
  return shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
}

export class Memtable {
  arena: Uint8Array;
  arenaUsed = 0;
  /** Node records; `seqs` views the same memory as float64s (node n's seq is seqs[n * SEQ_STRIDE + F_SEQ64]). */
  nodes: Int32Array;
  seqs: Float64Array;
  count = 0;
  /**
   * Open-addressing table of the newest node per distinct key: slot s is two int32,
   * node + 1 at 2s (0 is empty: a fresh, lazily zeroed array needs no fill) and the
   * key's hash at 2s + 1, so a probe past another key's slot compares hashes in the
   * slot's own cache line instead of reading that key's node (a cache miss each, about
   * 1.5 of them for an absent key at the table's load of at most one half).
   */
  private slots: Int32Array;
  private mask: number;
  private distinct = 0;
  /** Sorted node ids: the main run and a smaller tail; ids >= sortedUpTo are in neither yet. */
  private main: Int32Array = EMPTY_IDS;
  private tail: Int32Array = EMPTY_IDS;
  private sortedUpTo = 0;
  /** State of an incremental sort of the ids [from, to) (sortSlice), or undefined. */
  private slicing: SortSlicing | undefined;
  /** The probe key's words, filled by setProbe(). */
  private readonly probe = new Int32Array(4);
  /** Largest sequence number stored, 0 when empty. */
  maxSeq = 0;
  /** WAL file number holding this memtable's writes (0 when there is no WAL). */
  logNumber = 0;

  /**
   * An empty memtable with room for `initialArena` bytes of keys and values and
   * `initialNodes` entries before it grows. With `memory` (a released memtable's) it
   * reuses the arena and node array when large enough, and the hash table when of the
   * size wanted (a larger one would make every lookup touch more memory); only the hash
   * table is cleared.
   */
  constructor(
    initialArena = 1 << 20,
    initialNodes = 1 << 12,
    spare?: MemtableMemory,
    /** Arena and nodes in shared memory, so that a job thread can flush the memtable from its image(). */
    private readonly shared = false,
  ) {
    let slotCount = 16;
    while (slotCount < initialNodes * 2) slotCount *= 2;
    const reuse =
      spare !== undefined &&
      spare.nodes instanceof SharedArrayBuffer === shared &&
      spare.arena.length >= initialArena &&
      spare.nodes.byteLength >= initialNodes * STRIDE * 4;
    this.arena = reuse ? spare.arena : new Uint8Array(memory(initialArena, shared));
    const buf = reuse ? spare.nodes : memory(initialNodes * STRIDE * 4, shared);
    if (spare !== undefined && spare.slots.length === 2 * slotCount) {
      this.slots = spare.slots;
      this.slots.fill(0);
    } else this.slots = new Int32Array(2 * slotCount);
    this.nodes = new Int32Array(buf);
    this.seqs = new Float64Array(buf);
    this.mask = slotCount - 1;
  }

  /**
   * Gives this memtable's arrays to the next one (new Memtable(..., memory)) and
   * empties it. REQUIRES: nothing reads it again, and no caller holds a view of its
   * arena (Tree.get copies values it finds in a memtable).
   */
  release(): MemtableMemory {
    const memory = { arena: this.arena, nodes: this.nodes.buffer, slots: this.slots };
    this.arena = new Uint8Array(0);
    this.nodes = new Int32Array(0);
    this.seqs = new Float64Array(0);
    this.slots = new Int32Array(32);
    this.mask = 15;
    this.count = this.arenaUsed = this.distinct = this.sortedUpTo = 0;
    this.main = this.tail = EMPTY_IDS;
    this.slicing = undefined;
    return memory;
  }

  /** Bytes of memory the memtable accounts for: its flush threshold is compared with this. */
  get approximateBytes(): number {
    return this.arenaUsed + this.count * NODE_OVERHEAD;
  }

  /**
   * The entries, for a job thread to flush (Memtable.fromImage there). REQUIRES: the
   * memtable was made `shared` and is frozen (nothing is added to it any more).
   */
  image(): MemtableImage {
    if (!this.shared) throw new Error('memtable image of a memtable not in shared memory');
    return { arena: this.arena, nodes: this.nodes, count: this.count, arenaUsed: this.arenaUsed, maxSeq: this.maxSeq };
  }

  /** A memtable over another thread's image: for its iterator (a flush), not for lookups or adds. */
  static fromImage(img: MemtableImage): Memtable {
    const m = new Memtable(16, 16);
    m.arena = img.arena;
    m.nodes = img.nodes;
    m.seqs = new Float64Array(img.nodes.buffer, img.nodes.byteOffset, img.nodes.length / 2);
    m.count = img.count;
    m.arenaUsed = img.arenaUsed;
    m.maxSeq = img.maxSeq;
    return m;
  }

  private growNodes(): void {
    const buf = memory(this.nodes.length * 2 * 4, this.shared);
    const n = new Int32Array(buf);
    n.set(this.nodes);
    this.nodes = n;
    this.seqs = new Float64Array(buf);
  }

  /** Sequence number of node n. */
  seqOf(n: number): number {
    return this.seqs[n * SEQ_STRIDE + F_SEQ64]!;
  }

  private growSlots(): void {
    const old = this.slots;
    const slots = new Int32Array(old.length * 2);
    const mask = slots.length / 2 - 1;
    for (let i = 0; i < old.length; i += 2) {
      const n1 = old[i]!;
      if (n1 === 0) continue;
      const h = old[i + 1]!;
      let s = h & mask;
      while (slots[2 * s] !== 0) s = (s + 1) & mask;
      slots[2 * s] = n1;
      slots[2 * s + 1] = h;
    }
    this.slots = slots;
    this.mask = mask;
  }

  private copyIn(src: Uint8Array, len: number): number {
    if (this.arenaUsed + len > this.arena.length) {
      let n = this.arena.length * 2;
      while (n < this.arenaUsed + len) n *= 2;
      // The old arena stays intact: views handed out by get() keep pointing at it.
      const grown = new Uint8Array(memory(n, this.shared));
      grown.set(this.arena.subarray(0, this.arenaUsed));
      this.arena = grown;
    }
    const off = this.arenaUsed;
    const a = this.arena;
    if (len <= 64) for (let i = 0; i < len; i++) a[off + i] = src[i]!;
    else a.set(src, off);
    this.arenaUsed = off + len;
    return off;
  }

  private setProbe(key: Uint8Array, off: number, len: number): void {
    const p = this.probe;
    p[0] = keyWord(key, off, len, 0);
    p[1] = keyWord(key, off, len, 1);
    p[2] = keyWord(key, off, len, 2);
    p[3] = keyWord(key, off, len, 3);
  }

  /** True when node n's user key equals the probe key (set by setProbe) of length len. */
  private sameKey(n: number, key: Uint8Array, off: number, len: number): boolean {
    const nodes = this.nodes;
    const b = n * STRIDE;
    const p = this.probe;
    if (nodes[b + F_KEY_LEN] !== len) return false;
    if (nodes[b + F_W0] !== p[0] || nodes[b + F_W0 + 1] !== p[1] || nodes[b + F_W0 + 2] !== p[2] || nodes[b + F_W0 + 3] !== p[3]) return false;
    if (len <= 16) return true;
    const arena = this.arena;
    const ko = nodes[b + F_KEY_OFF]!;
    for (let i = 16; i < len; i++) if (arena[ko + i] !== key[off + i]) return false;
    return true;
  }

  /** Internal-order comparison of nodes a and b. */
  private cmpNodes(a: number, b: number): number {
    const nodes = this.nodes;
    const ba = a * STRIDE;
    const bb = b * STRIDE;
    for (let w = F_W0; w < F_W0 + 4; w++) {
      const x = nodes[ba + w]!;
      const y = nodes[bb + w]!;
      if (x !== y) return x < y ? -1 : 1;
    }
    const la = nodes[ba + F_KEY_LEN]!;
    const lb = nodes[bb + F_KEY_LEN]!;
    if (la > 16 || lb > 16) {
      const c = compareRegions(this.arena, nodes[ba + F_KEY_OFF]! + 16, la > 16 ? la - 16 : 0, this.arena, nodes[bb + F_KEY_OFF]! + 16, lb > 16 ? lb - 16 : 0);
      if (c !== 0) return c;
    } else if (la !== lb) return la - lb;
    const sa = this.seqs[a * SEQ_STRIDE + F_SEQ64]!;
    const sb = this.seqs[b * SEQ_STRIDE + F_SEQ64]!;
    return sa > sb ? -1 : sa < sb ? 1 : 0;
  }

  /** Compares node n with the probe key (setProbe) key[off, off+len) at sequence seq. */
  private cmpProbe(n: number, key: Uint8Array, off: number, len: number, seq: number): number {
    const nodes = this.nodes;
    const b = n * STRIDE;
    const p = this.probe;
    for (let w = 0; w < 4; w++) {
      const x = nodes[b + F_W0 + w]!;
      const y = p[w]!;
      if (x !== y) return x < y ? -1 : 1;
    }
    const ln = nodes[b + F_KEY_LEN]!;
    if (ln > 16 || len > 16) {
      const c = compareRegions(this.arena, nodes[b + F_KEY_OFF]! + 16, ln > 16 ? ln - 16 : 0, key, off + 16, len > 16 ? len - 16 : 0);
      if (c !== 0) return c;
    } else if (ln !== len) return ln - len;
    const s = this.seqs[n * SEQ_STRIDE + F_SEQ64]!;
    return s > seq ? -1 : s < seq ? 1 : 0;
  }

  /**
   * Adds a version of `key`. The key and value are copied; the caller may reuse them.
   * REQUIRES: seq is larger than every sequence number already stored.
   */
  add(key: Uint8Array, seq: number, kind: number, value: Uint8Array | undefined): void {
    const keyLen = key.length;
    const n = this.count;
    if ((n + 1) * STRIDE > this.nodes.length) this.growNodes();
    const nodes = this.nodes;
    const b = n * STRIDE;
    this.setProbe(key, 0, keyLen);
    const p = this.probe;
    const h = hashKey(key, 0, keyLen) | 0;
    nodes[b + F_KEY_OFF] = this.copyIn(key, keyLen);
    nodes[b + F_KEY_LEN] = keyLen;
    if (value !== undefined && kind !== KIND_DELETE) {
      nodes[b + F_VAL_OFF] = this.copyIn(value, value.length);
      nodes[b + F_VAL_LEN] = value.length;
    } else {
      nodes[b + F_VAL_OFF] = 0;
      nodes[b + F_VAL_LEN] = 0;
    }
    nodes[b + F_KIND] = kind;
    nodes[b + F_HASH] = h;
    nodes[b + F_W0] = p[0]!;
    nodes[b + F_W0 + 1] = p[1]!;
    nodes[b + F_W0 + 2] = p[2]!;
    nodes[b + F_W0 + 3] = p[3]!;
    nodes[b + F_OLDER] = NIL;
    this.seqs[n * SEQ_STRIDE + F_SEQ64] = seq;
    const slots = this.slots;
    const mask = this.mask;
    let s = h & mask;
    for (;;) {
      const e1 = slots[2 * s]!;
      if (e1 === 0) {
        slots[2 * s] = n + 1;
        slots[2 * s + 1] = h;
        this.distinct++;
        break;
      }
      const e = e1 - 1;
      if (slots[2 * s + 1] === h && this.sameKey(e, key, 0, keyLen)) {
        nodes[b + F_OLDER] = e;
        slots[2 * s] = n + 1;
        break;
      }
      s = (s + 1) & mask;
    }
    this.count = n + 1;
    if (seq > this.maxSeq) this.maxSeq = seq;
    if (this.distinct * 4 > slots.length) this.growSlots();
  }

  /**
   * The newest version of `key` at or below `seq`: returns the node, or NIL when the
   * memtable holds no such version. The caller checks the node's kind for a tombstone.
   */
  lookup(key: Uint8Array, seq: number): number {
    const len = key.length;
    const h = hashKey(key, 0, len) | 0;
    const slots = this.slots;
    const mask = this.mask;
    const nodes = this.nodes;
    let s = h & mask;
    let probed = false;
    for (;;) {
      const n1 = slots[2 * s]!;
      if (n1 === 0) return NIL;
      let n = n1 - 1;
      if (slots[2 * s + 1] === h) {
        if (!probed) {
          this.setProbe(key, 0, len);
          probed = true;
        }
        if (this.sameKey(n, key, 0, len)) {
          const seqs = this.seqs;
          while (n !== NIL && seqs[n * SEQ_STRIDE + F_SEQ64]! > seq) n = nodes[n * STRIDE + F_OLDER]!;
          return n;
        }
      }
      s = (s + 1) & mask;
    }
  }

  kindOf(n: number): number {
    return this.nodes[n * STRIDE + F_KIND]!;
  }
  valueOffset(n: number): number {
    return this.nodes[n * STRIDE + F_VAL_OFF]!;
  }
  valueLength(n: number): number {
    return this.nodes[n * STRIDE + F_VAL_LEN]!;
  }

  // ---- order ----

  private insertionSort(a: Int32Array, lo: number, hi: number): void {
    for (let i = lo + 1; i <= hi; i++) {
      const x = a[i]!;
      let j = i - 1;
      while (j >= lo && this.cmpNodes(a[j]!, x) > 0) {
        a[j + 1] = a[j]!;
        j--;
      }
      a[j + 1] = x;
    }
  }

  /** Quicksort (median of three, insertion sort for short ranges) of node ids in internal order. */
  private sortIds(a: Int32Array, lo: number, hi: number): void {
    while (hi - lo > 16) {
      const mid = (lo + hi) >>> 1;
      if (this.cmpNodes(a[mid]!, a[lo]!) < 0) swap(a, mid, lo);
      if (this.cmpNodes(a[hi]!, a[lo]!) < 0) swap(a, hi, lo);
      if (this.cmpNodes(a[hi]!, a[mid]!) < 0) swap(a, hi, mid);
      const pivot = a[mid]!;
      let i = lo;
      let j = hi;
      while (i <= j) {
        while (this.cmpNodes(a[i]!, pivot) < 0) i++;
        while (this.cmpNodes(a[j]!, pivot) > 0) j--;
        if (i <= j) {
          swap(a, i, j);
          i++;
          j--;
        }
      }
      // Recurse into the smaller side, loop on the larger: stack depth stays O(log n).
      if (j - lo < hi - i) {
        this.sortIds(a, lo, j);
        lo = i;
      } else {
        this.sortIds(a, i, hi);
        hi = j;
      }
    }
    this.insertionSort(a, lo, hi);
  }

  private merge(a: Int32Array, b: Int32Array): Int32Array {
    if (a.length === 0) return b;
    if (b.length === 0) return a;
    const out = new Int32Array(a.length + b.length);
    if (this.cmpNodes(a[a.length - 1]!, b[0]!) < 0) {
      out.set(a);
      out.set(b, a.length);
      return out;
    }
    let i = 0;
    let j = 0;
    let k = 0;
    while (i < a.length && j < b.length) {
      const x = a[i]!;
      const y = b[j]!;
      if (this.cmpNodes(x, y) <= 0) {
        out[k++] = x;
        i++;
      } else {
        out[k++] = y;
        j++;
      }
    }
    while (i < a.length) out[k++] = a[i++]!;
    while (j < b.length) out[k++] = b[j++]!;
    return out;
  }

  /**
   * Brings every node into the sorted runs. New arrays are built rather than changing
   * ones in place, so an iterator keeps a consistent view of the runs it started on.
   */
  private ensureSorted(): void {
    const from = this.sortedUpTo;
    const to = this.count;
    if (from === to) return;
    const slice = this.slicing;
    if (slice !== undefined) {
      if (slice.from === from && slice.to === to) {
        this.sortSlice(Infinity);
        return;
      }
      this.slicing = undefined;
    }
    const fresh = new Int32Array(to - from);
    let sorted = true;
    for (let i = 0; i < fresh.length; i++) {
      fresh[i] = from + i;
      if (sorted && i > 0 && this.cmpNodes(from + i - 1, from + i) > 0) sorted = false;
    }
    if (!sorted) this.sortIds(fresh, 0, fresh.length - 1);
    this.addSortedRun(fresh, to);
  }

  /** Installs `fresh`, the sorted ids [sortedUpTo, to), into the runs. */
  private addSortedRun(fresh: Int32Array, to: number): void {
    this.sortedUpTo = to;
    let tail = this.merge(this.tail, fresh);
    if (tail.length > 4096 && tail.length * 4 > this.main.length) {
      this.main = this.merge(this.main, tail);
      tail = EMPTY_IDS;
    }
    this.tail = tail;
  }

  /**
   * The sort iterator() would do at once, in slices: does about `moves` element moves
   * (one node comparison each) and returns true once iterator() has no sorting left
   * (it may still merge the result into runs left by earlier iterators, O(n) once).
   * Meant for a frozen memtable, so a flush spreads its sort over bounded steps; an add
   * between slices restarts it. Bottom-up merge sort: a sortedness check, quick-
   * sorted runs of SORT_RUN consecutive ids, then merge passes ping-ponging between two arrays.
   */
  sortSlice(moves: number): boolean {
    const to = this.count;
    if (this.sortedUpTo === to) return true;
    const st = this.slicingOf(to);
    let left = moves;
    if (st.phase === PHASE_CHECK) {
      left = this.checkSortedSlice(st, left);
      if (st.phase === PHASE_CHECK) return false;
    }
    if (st.phase === PHASE_RUNS) {
      left = this.sortRunsSlice(st, left);
      if (st.phase === PHASE_RUNS) return false;
    }
    if (st.phase === PHASE_MERGE) {
      this.mergeSlice(st, left);
      if (st.phase === PHASE_MERGE) return false;
    }
    return this.finishSlicing(st.src, st.to);
  }

  /** The sort in progress of the ids [sortedUpTo, to), started afresh if nodes were added since. */
  private slicingOf(to: number): SortSlicing {
    const st = this.slicing;
    if (st !== undefined && st.from === this.sortedUpTo && st.to === to) return st;
    const n = to - this.sortedUpTo;
    const fresh: SortSlicing = {
      from: this.sortedUpTo,
      to,
      src: new Int32Array(n),
      dst: EMPTY_IDS,
      srcKeys: EMPTY_IDS,
      dstKeys: EMPTY_IDS,
      phase: PHASE_CHECK,
      width: SORT_RUN,
      base: 0,
      i: 0,
      j: 0,
      k: 0,
      credit: 0,
    };
    for (let x = 0; x < n; x++) fresh.src[x] = fresh.from + x;
    this.slicing = fresh;
    return fresh;
  }

  /**
   * Phase PHASE_CHECK: are the ids already in order (keys written ascending)? Then
   * there is nothing to sort (PHASE_DONE). Returns the moves left.
   */
  private checkSortedSlice(st: SortSlicing, moves: number): number {
    const n = st.to - st.from;
    const from = st.from;
    let left = moves;
    let i = st.i;
    while (left > 0 && i + 1 < n) {
      if (this.cmpNodes(from + i, from + i + 1) > 0) break;
      i++;
      left--;
    }
    if (i + 1 >= n) st.phase = PHASE_DONE;
    else if (left <= 0) st.i = i;
    else {
      st.phase = PHASE_RUNS;
      st.i = 0;
      st.srcKeys = new Int32Array(4 * n);
    }
    return left;
  }

  /**
   * Phase PHASE_RUNS: sorts runs of SORT_RUN consecutive ids. A run is sorted whole,
   * once the slices since the last one have paid for it. Returns the moves left.
   */
  private sortRunsSlice(st: SortSlicing, moves: number): number {
    const n = st.to - st.from;
    let left = moves + st.credit;
    st.credit = 0;
    while (st.base < n) {
      const hi = Math.min(st.base + SORT_RUN, n) - 1;
      const cost = (hi - st.base + 1) * SORT_RUN_COST;
      if (left < cost) break;
      // Consecutive ids have adjacent node records: sorting a run touches little memory.
      this.sortIds(st.src, st.base, hi);
      this.copyRunKeys(st.src, st.srcKeys, st.base, hi);
      left -= cost;
      st.base = hi + 1;
    }
    if (st.base < n) {
      st.credit = left;
      return 0;
    }
    if (n <= SORT_RUN) {
      st.phase = PHASE_DONE;
      return left;
    }
    st.phase = PHASE_MERGE;
    st.dst = new Int32Array(n);
    st.dstKeys = new Int32Array(4 * n);
    st.base = 0;
    st.i = 0;
    st.j = Math.min(SORT_RUN, n);
    st.k = 0;
    return left;
  }

  /** The merges compare the first 16 key bytes from a copy laid out in merge order: keys[4x..4x+3] for ids[x], x in [lo, hi]. */
  private copyRunKeys(ids: Int32Array, keys: Int32Array, lo: number, hi: number): void {
    const nodes = this.nodes;
    for (let x = lo; x <= hi; x++) {
      const b = ids[x]! * STRIDE + F_W0;
      keys[4 * x] = nodes[b]!;
      keys[4 * x + 1] = nodes[b + 1]!;
      keys[4 * x + 2] = nodes[b + 2]!;
      keys[4 * x + 3] = nodes[b + 3]!;
    }
  }

  /**
   * Phase PHASE_MERGE: merge passes, src[base, base+width) with src[base+width,
   * base+2*width) into dst, the arrays swapping after each pass, until one run holds
   * every id (PHASE_DONE).
   */
  private mergeSlice(st: SortSlicing, moves: number): void {
    const n = st.to - st.from;
    let left = moves;
    for (;;) {
      const w = st.width;
      const mid = Math.min(st.base + w, n);
      const end = Math.min(st.base + 2 * w, n);
      left = this.mergeRuns(st, mid, end, left);
      if (st.k < end) return;
      if (end < n) {
        st.base = end;
      } else {
        const src = st.src;
        const sk = st.srcKeys;
        st.src = st.dst;
        st.dst = src;
        st.srcKeys = st.dstKeys;
        st.dstKeys = sk;
        st.width = w * 2;
        st.base = 0;
        if (st.width >= n) {
          st.phase = PHASE_DONE;
          return;
        }
      }
      st.i = st.base;
      st.j = Math.min(st.base + st.width, n);
      st.k = st.base;
      if (left <= 0) return;
    }
  }

  /** Merges src[i, mid) and src[j, end) into dst from k, at most `moves` moves; returns the moves left. */
  private mergeRuns(st: SortSlicing, mid: number, end: number, moves: number): number {
    const src = st.src;
    const dst = st.dst;
    const sk = st.srcKeys;
    const dk = st.dstKeys;
    let i = st.i;
    let j = st.j;
    let k = st.k;
    let left = moves;
    while (left > 0 && k < end) {
      let from: number;
      if (j >= end) from = i++;
      else if (i >= mid) from = j++;
      else {
        const a = 4 * i;
        const c = 4 * j;
        let takeLeft: boolean;
        if (sk[a] !== sk[c]) takeLeft = sk[a]! < sk[c]!;
        else if (sk[a + 1] !== sk[c + 1]) takeLeft = sk[a + 1]! < sk[c + 1]!;
        else if (sk[a + 2] !== sk[c + 2]) takeLeft = sk[a + 2]! < sk[c + 2]!;
        else if (sk[a + 3] !== sk[c + 3]) takeLeft = sk[a + 3]! < sk[c + 3]!;
        else takeLeft = this.cmpNodes(src[i]!, src[j]!) <= 0;
        from = takeLeft ? i++ : j++;
      }
      dst[k] = src[from]!;
      const d = 4 * k;
      const f = 4 * from;
      dk[d] = sk[f]!;
      dk[d + 1] = sk[f + 1]!;
      dk[d + 2] = sk[f + 2]!;
      dk[d + 3] = sk[f + 3]!;
      k++;
      left--;
    }
    st.i = i;
    st.j = j;
    st.k = k;
    return left;
  }

  private finishSlicing(sorted: Int32Array, to: number): boolean {
    this.slicing = undefined;
    this.addSortedRun(sorted, to);
    return true;
  }

  /** Iterates the memtable as of now; entries added later are not seen. */
  iterator(): MemtableIterator {
    this.ensureSorted();
    return new MemtableIterator(this, this.main, this.tail);
  }

  /** First index in `run` whose node is >= the probe (key, seq). */
  lowerBound(run: Int32Array, key: Uint8Array, off: number, len: number, seq: number): number {
    this.setProbe(key, off, len);
    let lo = 0;
    let hi = run.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cmpProbe(run[mid]!, key, off, len, seq) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Internal-order comparison of two nodes, for iterators merging the runs. */
  compare(a: number, b: number): number {
    return this.cmpNodes(a, b);
  }
}

function swap(a: Int32Array, i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}

/**
 * Iterates a memtable by merging its two sorted runs.
 * REQUIRES: next() only after seekFirst/seek/next, prev() only after seekLast/seekBefore/prev
 * (the merging iterator never changes direction without seeking).
 */
export class MemtableIterator implements InternalIterator {
  keyBuf: Uint8Array = EMPTY;
  keyOff = 0;
  keyLen = 0;
  seq = 0;
  kind = 0;
  valBuf: Uint8Array = EMPTY;
  valOff = 0;
  valLen = 0;
  /** Forward: next candidates in each run. Backward: previous candidates. */
  private i = 0;
  private j = 0;
  private node = NIL;
  private fromMain = true;
  /** Keys of up to 16 bytes are rebuilt here from the node's words: no trip to the arena. */
  private readonly shortKey = new Uint8Array(16);

  constructor(
    private readonly mem: Memtable,
    private readonly main: Int32Array,
    private readonly tail: Int32Array,
  ) {}

  private load(n: number): void {
    this.node = n;
    if (n === NIL) return;
    const m = this.mem;
    const nodes = m.nodes;
    const b = n * STRIDE;
    const keyLen = nodes[b + F_KEY_LEN]!;
    if (keyLen <= 16) {
      const k = this.shortKey;
      for (let w = 0; w < 4; w++) {
        const x = nodes[b + F_W0 + w]! ^ BIAS;
        k[4 * w] = x >>> 24;
        k[4 * w + 1] = x >>> 16;
        k[4 * w + 2] = x >>> 8;
        k[4 * w + 3] = x;
      }
      this.keyBuf = k;
      this.keyOff = 0;
    } else {
      this.keyBuf = m.arena;
      this.keyOff = nodes[b + F_KEY_OFF]!;
    }
    this.keyLen = keyLen;
    this.valBuf = m.arena;
    this.valOff = nodes[b + F_VAL_OFF]!;
    this.valLen = nodes[b + F_VAL_LEN]!;
    this.kind = nodes[b + F_KIND]!;
    this.seq = m.seqs[n * SEQ_STRIDE + F_SEQ64]!;
  }

  private pickForward(): void {
    const main = this.main;
    const tail = this.tail;
    const i = this.i;
    const j = this.j;
    if (i < main.length) {
      if (j < tail.length && this.mem.compare(tail[j]!, main[i]!) < 0) {
        this.fromMain = false;
        this.load(tail[j]!);
      } else {
        this.fromMain = true;
        this.load(main[i]!);
      }
    } else if (j < tail.length) {
      this.fromMain = false;
      this.load(tail[j]!);
    } else this.load(NIL);
  }

  private pickBackward(): void {
    const main = this.main;
    const tail = this.tail;
    const i = this.i;
    const j = this.j;
    if (i >= 0) {
      if (j >= 0 && this.mem.compare(tail[j]!, main[i]!) > 0) {
        this.fromMain = false;
        this.load(tail[j]!);
      } else {
        this.fromMain = true;
        this.load(main[i]!);
      }
    } else if (j >= 0) {
      this.fromMain = false;
      this.load(tail[j]!);
    } else this.load(NIL);
  }

  valid(): boolean {
    return this.node !== NIL;
  }
  knownEmpty(): boolean {
    return this.main.length === 0 && this.tail.length === 0;
  }
  seekFirst(): void {
    this.i = 0;
    this.j = 0;
    this.pickForward();
  }
  seekLast(): void {
    this.i = this.main.length - 1;
    this.j = this.tail.length - 1;
    this.pickBackward();
  }
  seek(key: Uint8Array, off: number, len: number, seq: number): void {
    this.i = this.mem.lowerBound(this.main, key, off, len, seq);
    this.j = this.mem.lowerBound(this.tail, key, off, len, seq);
    this.pickForward();
  }
  seekBefore(key: Uint8Array, off: number, len: number): void {
    this.i = this.mem.lowerBound(this.main, key, off, len, Infinity) - 1;
    this.j = this.mem.lowerBound(this.tail, key, off, len, Infinity) - 1;
    this.pickBackward();
  }
  next(): void {
    if (this.fromMain) this.i++;
    else this.j++;
    this.pickForward();
  }
  prev(): void {
    if (this.fromMain) this.i--;
    else this.j--;
    this.pickBackward();
  }
}
