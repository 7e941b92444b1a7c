/**
 * The memtable: a skiplist whose nodes live in typed arrays and whose keys and values
 * are copied into one byte arena. A put costs one copy of the key and value into the
 * arena and no JS object; links are int32 indices, so the GC sees a handful of large
 * arrays instead of an object per entry.
 *
 * Chosen by measurement over a B+tree with wide array nodes (sorted-btree) and sorted
 * runs: see the commit that introduced this file for the figures.
 *
 * Order: user key ascending, then sequence number descending. Every write is a new
 * node (an overwrite or a tombstone does not replace the older version), so a lookup
 * at an older sequence number sees the state as of that number.
 */
import { compareRegions, KIND_DELETE } from './coding.js';
import type { InternalIterator } from './iterator.js';
import { EMPTY } from './iterator.js';

const MAX_HEIGHT = 12;
const NIL = -1;
/** Node 0 is the head sentinel; it holds no entry. */
const HEAD = 0;
/** Per-node int32 fields, see the F_* offsets. */
const STRIDE = 7;
const F_KEY_OFF = 0;
const F_KEY_LEN = 1;
const F_VAL_OFF = 2;
const F_VAL_LEN = 3;
const F_KIND = 4;
const F_LINKS = 5; // index into `links` of this node's level-0 successor
const F_PREV = 6; // level-0 predecessor (HEAD for the first node)
/** Approximate bytes a node costs beyond its key and value, for the flush threshold. */
const NODE_OVERHEAD = STRIDE * 4 + 8 + 4 * 1.34;

export class Memtable {
  arena: Uint8Array;
  arenaUsed = 0;
  nodes: Int32Array;
  seqs: Float64Array;
  links: Int32Array;
  private linksUsed = 0;
  count = 0;
  private height = 1;
  /** The last node at each level: an append past the largest key splices there directly. */
  private readonly tails = new Int32Array(MAX_HEIGHT);
  private readonly update = new Int32Array(MAX_HEIGHT);
  private rng = 0x2545f491;
  /** Largest sequence number stored, 0 when empty. */
  maxSeq = 0;
  /** WAL file number holding this memtable's writes (0 when there is no WAL). */
  logNumber = 0;

  constructor(initialArena = 1 << 20, initialNodes = 1 << 12) {
    this.arena = new Uint8Array(initialArena);
    this.nodes = new Int32Array(initialNodes * STRIDE);
    this.seqs = new Float64Array(initialNodes);
    this.links = new Int32Array(initialNodes * 2);
    this.nodes[HEAD * STRIDE + F_LINKS] = 0;
    this.nodes[HEAD * STRIDE + F_PREV] = NIL;
    this.links.fill(NIL, 0, MAX_HEIGHT);
    this.linksUsed = MAX_HEIGHT;
    this.tails.fill(HEAD);
  }

  /** Bytes of memory the memtable accounts for: its flush threshold is compared with this. */
  get approximateBytes(): number {
    return this.arenaUsed + this.count * NODE_OVERHEAD;
  }

  private randomHeight(): number {
    let x = this.rng;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.rng = x;
    let h = 1;
    // p = 1/4 per extra level
    while (h < MAX_HEIGHT && (x & 3) === 0) {
      h++;
      x >>>= 2;
    }
    return h;
  }

  private growNodes(): void {
    const n = new Int32Array(this.nodes.length * 2);
    n.set(this.nodes);
    this.nodes = n;
    const s = new Float64Array(this.seqs.length * 2);
    s.set(this.seqs);
    this.seqs = s;
  }

  private copyIn(src: Uint8Array, len: number): number {
    if (this.arenaUsed + len > this.arena.length) {
      let n = this.arena.length * 2;
      while (n < this.arenaUsed + len) n *= 2;
      const grown = new Uint8Array(n);
      grown.set(this.arena.subarray(0, this.arenaUsed));
      this.arena = grown;
    }
    const off = this.arenaUsed;
    const a = this.arena;
    if (len <= 48) for (let i = 0; i < len; i++) a[off + i] = src[i]!;
    else a.set(src, off);
    this.arenaUsed = off + len;
    return off;
  }

  /** Compares node n's (key, seq) with (key, seq). */
  private cmpNode(n: number, key: Uint8Array, keyLen: number, seq: number): number {
    const base = n * STRIDE;
    const c = compareRegions(this.arena, this.nodes[base + F_KEY_OFF]!, this.nodes[base + F_KEY_LEN]!, key, 0, keyLen);
    if (c !== 0) return c;
    const s = this.seqs[n]!;
    return s > seq ? -1 : s < seq ? 1 : 0;
  }

  /**
   * Adds a version of `key`. The key and value are copied; the caller may reuse them.
   * REQUIRES: seq is larger than every sequence number already stored for `key`.
   */
  add(key: Uint8Array, seq: number, kind: number, value: Uint8Array | undefined): void {
    const keyLen = key.length;
    const update = this.update;
    const tails = this.tails;
    const lastNode = tails[0]!;
    // Fast path: an append past the largest entry (sequential loads) needs no search.
    if (lastNode !== HEAD && this.cmpNode(lastNode, key, keyLen, seq) < 0) {
      for (let l = 0; l < this.height; l++) update[l] = tails[l]!;
    } else if (lastNode === HEAD) {
      for (let l = 0; l < this.height; l++) update[l] = HEAD;
    } else {
      let x = HEAD;
      const links = this.links;
      const nodes = this.nodes;
      for (let l = this.height - 1; l >= 0; l--) {
        for (;;) {
          const nx = links[nodes[x * STRIDE + F_LINKS]! + l]!;
          if (nx === NIL || this.cmpNode(nx, key, keyLen, seq) >= 0) break;
          x = nx;
        }
        update[l] = x;
      }
    }
    const h = this.randomHeight();
    if (h > this.height) {
      for (let l = this.height; l < h; l++) update[l] = HEAD;
      this.height = h;
    }
    const n = this.count + 1;
    if ((n + 1) * STRIDE > this.nodes.length) this.growNodes();
    if (this.linksUsed + h > this.links.length) {
      const grown = new Int32Array(this.links.length * 2);
      grown.set(this.links);
      this.links = grown;
    }
    const base = n * STRIDE;
    const nodes = this.nodes;
    const links = this.links;
    nodes[base + F_KEY_OFF] = this.copyIn(key, keyLen);
    nodes[base + F_KEY_LEN] = keyLen;
    if (value !== undefined && kind !== KIND_DELETE) {
      nodes[base + F_VAL_OFF] = this.copyIn(value, value.length);
      nodes[base + F_VAL_LEN] = value.length;
    } else {
      nodes[base + F_VAL_OFF] = 0;
      nodes[base + F_VAL_LEN] = 0;
    }
    nodes[base + F_KIND] = kind;
    this.seqs[n] = seq;
    const myLinks = this.linksUsed;
    nodes[base + F_LINKS] = myLinks;
    this.linksUsed += h;
    for (let l = 0; l < h; l++) {
      const p = update[l]!;
      const pl = nodes[p * STRIDE + F_LINKS]! + l;
      const succ = links[pl]!;
      links[myLinks + l] = succ;
      links[pl] = n;
      if (succ === NIL) tails[l] = n;
    }
    const succ0 = links[myLinks]!;
    nodes[base + F_PREV] = update[0]!;
    if (succ0 !== NIL) nodes[succ0 * STRIDE + F_PREV] = n;
    this.count = n;
    if (seq > this.maxSeq) this.maxSeq = seq;
  }

  /** The first node >= (key[off, off+len), seq), or NIL. */
  findGE(key: Uint8Array, off: number, len: number, seq: number): number {
    let x = HEAD;
    const links = this.links;
    const nodes = this.nodes;
    const arena = this.arena;
    const seqs = this.seqs;
    let nx = NIL;
    for (let l = this.height - 1; l >= 0; l--) {
      for (;;) {
        nx = links[nodes[x * STRIDE + F_LINKS]! + l]!;
        if (nx === NIL) break;
        const b = nx * STRIDE;
        let c = compareRegions(arena, nodes[b + F_KEY_OFF]!, nodes[b + F_KEY_LEN]!, key, off, len);
        if (c === 0) {
          const s = seqs[nx]!;
          c = s > seq ? -1 : s < seq ? 1 : 0;
        }
        if (c >= 0) break;
        x = nx;
      }
    }
    return nx;
  }

  /**
   * The newest version of `key` at or below `seq`: returns the node, or NIL when the
   * memtable holds no such version. The caller checks the node's kind for a tombstone.
   */
  lookup(key: Uint8Array, seq: number): number {
    const n = this.findGE(key, 0, key.length, seq);
    if (n === NIL) return NIL;
    const b = n * STRIDE;
    const len = key.length;
    if (this.nodes[b + F_KEY_LEN] !== len) return NIL;
    const arena = this.arena;
    const off = this.nodes[b + F_KEY_OFF]!;
    for (let i = 0; i < len; i++) if (arena[off + i] !== key[i]) return NIL;
    return n;
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

  iterator(): MemtableIterator {
    return new MemtableIterator(this);
  }

  /** Level-0 successor of n (NIL at the end). */
  nextOf(n: number): number {
    return this.links[this.nodes[n * STRIDE + F_LINKS]!]!;
  }
  /** Level-0 predecessor of n (NIL before the first). */
  prevOf(n: number): number {
    const p = this.nodes[n * STRIDE + F_PREV]!;
    return p === HEAD ? NIL : p;
  }
  lastNode(): number {
    const t = this.tails[0]!;
    return t === HEAD ? NIL : t;
  }
}

/** Iterates a memtable. Entries added while iterating may or may not be seen. */
export class MemtableIterator implements InternalIterator {
  keyBuf: Uint8Array = EMPTY;
  keyOff = 0;
  keyLen = 0;
  seq = 0;
  kind = 0;
  valBuf: Uint8Array = EMPTY;
  valOff = 0;
  valLen = 0;
  private node = NIL;

  constructor(private readonly mem: Memtable) {}

  private load(n: number): void {
    this.node = n;
    if (n === NIL) return;
    const m = this.mem;
    const nodes = m.nodes;
    const b = n * STRIDE;
    this.keyBuf = m.arena;
    this.valBuf = m.arena;
    this.keyOff = nodes[b + F_KEY_OFF]!;
    this.keyLen = nodes[b + F_KEY_LEN]!;
    this.valOff = nodes[b + F_VAL_OFF]!;
    this.valLen = nodes[b + F_VAL_LEN]!;
    this.kind = nodes[b + F_KIND]!;
    this.seq = m.seqs[n]!;
  }

  valid(): boolean {
    return this.node !== NIL;
  }
  seekFirst(): void {
    this.load(this.mem.nextOf(HEAD));
  }
  seekLast(): void {
    this.load(this.mem.lastNode());
  }
  seek(key: Uint8Array, off: number, len: number, seq: number): void {
    this.load(this.mem.findGE(key, off, len, seq));
  }
  seekBefore(key: Uint8Array, off: number, len: number): void {
    // The first version of `key` in internal order is (key, +inf); its predecessor is the answer.
    const n = this.mem.findGE(key, off, len, Infinity);
    this.load(n === NIL ? this.mem.lastNode() : this.mem.prevOf(n));
  }
  next(): void {
    this.load(this.mem.nextOf(this.node));
  }
  prev(): void {
    this.load(this.mem.prevOf(this.node));
  }
}
