/**
 * The `memory` engine: an in-memory ordered map with no persistence. It is the oracle
 * in tests and a store with no I/O to compare the others with: no serialization,
 * synchronous calls. (It is not yet a ceiling: the ts tree's memtable is faster on point operations.)
 *
 * Point operations use an open-addressing hash table over the key bytes themselves
 * (hashed and compared in JS, no string made per operation). Entry i is keys[i] ->
 * values[i]; a deleted entry keeps its key with value `undefined`, so the table never
 * needs tombstones, and is reused if the key comes back. Scans use `order`, the entry
 * ids sorted by key: entries created since the last scan are sorted and merged in by
 * the next scan, and deleted entries are skipped. When deleted entries outnumber live
 * ones, everything is rebuilt without them.
 *
 * V8 notes: keys/values are dense arrays of one type; the table is an Int32Array.
 */
import {
  compareBytes,
  scanBounds,
  startsWith,
  type BatchOp,
  type Engine,
  type EngineDescriptor,
  type ScanRange,
  type ScanVisitor,
  type StoreStats,
  type SyncStore,
} from '../../src/engine.js';

/** The version of this engine's own implementation; bump it when its behaviour or speed changes on purpose. */
const MEMORY_ENGINE_VERSION = 'memory-3';

function hashBytes(key: Uint8Array): number {
  let h = 0x811c9dc5 ^ key.length;
  const n = key.length;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const word = key[i]! | (key[i + 1]! << 8) | (key[i + 2]! << 16) | (key[i + 3]! << 24);
    h = Math.imul(h ^ word, 0x9e3779b1);
    h ^= h >>> 15;
  }
  for (; i < n; i++) h = Math.imul(h ^ key[i]!, 0x01000193);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  return (h ^ (h >>> 13)) >>> 0;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  const n = a.length;
  if (n !== b.length) return false;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

const EMPTY_SLOT = -1;
const SLAB_BYTES = 1 << 20;

/**
 * Copies of keys and values, packed into 1 MiB chunks. A typed array over 64 bytes gets
 * its own off-heap backing store, which costs far more to allocate and collect than
 * the copy itself; a view into a shared chunk does not. Space of overwritten values is
 * not reused: the memory engine trades memory for speed.
 */
class Slab {
  private chunk = new Uint8Array(SLAB_BYTES);
  private used = 0;
  copy(bytes: Uint8Array): Uint8Array {
    const n = bytes.length;
    if (n > SLAB_BYTES / 4) return bytes.slice();
    if (this.used + n > SLAB_BYTES) {
      this.chunk = new Uint8Array(SLAB_BYTES);
      this.used = 0;
    }
    const at = this.used;
    this.chunk.set(bytes, at);
    this.used = at + n;
    return this.chunk.subarray(at, at + n);
  }
}

export class MemoryStore implements SyncStore {
  readonly api = 'sync' as const;
  private slab = new Slab();
  private keys: Uint8Array[] = [];
  private values: Array<Uint8Array | undefined> = [];
  private table = new Int32Array(1024).fill(EMPTY_SLOT);
  private mask = 1023;
  private live = 0;
  /** Entry ids sorted by key, covering ids below `sortedUpTo`. */
  private order = new Int32Array(0);
  private sortedUpTo = 0;

  /** The entry id of `key`, or -1. */
  private find(key: Uint8Array): number {
    let slot = hashBytes(key) & this.mask;
    for (;;) {
      const id = this.table[slot]!;
      if (id === EMPTY_SLOT) return -1;
      if (sameBytes(this.keys[id]!, key)) return id;
      slot = (slot + 1) & this.mask;
    }
  }

  private insertSlot(id: number, key: Uint8Array): void {
    let slot = hashBytes(key) & this.mask;
    while (this.table[slot] !== EMPTY_SLOT) slot = (slot + 1) & this.mask;
    this.table[slot] = id;
  }

  /** Rebuilds the table at a capacity of at least twice the entries, optionally dropping deleted entries. */
  private rebuild(dropDeleted: boolean): void {
    if (dropDeleted) {
      const keys: Uint8Array[] = [];
      const values: Uint8Array[] = [];
      // Keep sorted entries in sorted order so the rebuilt `order` is the identity.
      this.sortOrder();
      for (let j = 0; j < this.order.length; j++) {
        const id = this.order[j]!;
        const v = this.values[id];
        if (v !== undefined) {
          keys.push(this.keys[id]!);
          values.push(v);
        }
      }
      this.keys = keys;
      this.values = values;
      this.order = Int32Array.from({ length: keys.length }, (_, i) => i);
      this.sortedUpTo = keys.length;
    }
    let capacity = 1024;
    while (capacity < this.keys.length * 2) capacity *= 2;
    this.table = new Int32Array(capacity).fill(EMPTY_SLOT);
    this.mask = capacity - 1;
    for (let id = 0; id < this.keys.length; id++) this.insertSlot(id, this.keys[id]!);
  }

  put(key: Uint8Array, value: Uint8Array): void {
    const id = this.find(key);
    if (id >= 0) {
      if (this.values[id] === undefined) this.live++;
      this.values[id] = this.slab.copy(value);
      return;
    }
    const newId = this.keys.length;
    const copy = this.slab.copy(key);
    this.keys.push(copy);
    this.values.push(this.slab.copy(value));
    this.live++;
    if (this.keys.length * 2 > this.table.length) this.rebuild(false);
    else this.insertSlot(newId, copy);
  }
  get(key: Uint8Array): Uint8Array | undefined {
    const id = this.find(key);
    return id < 0 ? undefined : this.values[id];
  }
  delete(key: Uint8Array): void {
    const id = this.find(key);
    if (id < 0 || this.values[id] === undefined) return;
    this.values[id] = undefined;
    this.live--;
    if (this.keys.length > 4096 && this.live * 2 < this.keys.length) this.rebuild(true);
  }
  has(key: Uint8Array): boolean {
    const id = this.find(key);
    return id >= 0 && this.values[id] !== undefined;
  }
  batch(ops: readonly BatchOp[]): void {
    // Nothing below can fail half-way, so applying in order is atomic.
    for (const op of ops) {
      if (op.type === 'put') this.put(op.key, op.value);
      else this.delete(op.key);
    }
  }

  /**
   * Brings `order` up to date. A few new entries are inserted one by one (a binary search
   * and a memmove each), so scans between occasional inserts stay cheap; many are sorted
   * and merged in one pass.
   */
  private sortOrder(): Int32Array {
    const total = this.keys.length;
    if (this.sortedUpTo === total) return this.order;
    const keys = this.keys;
    const freshCount = total - this.sortedUpTo;
    if (freshCount <= 64) {
      const grown = new Int32Array(total);
      grown.set(this.order);
      let length = this.order.length;
      for (let id = this.sortedUpTo; id < total; id++) {
        const pos = this.lowerBound(grown.subarray(0, length), keys[id]!);
        grown.copyWithin(pos + 1, pos, length);
        grown[pos] = id;
        length++;
      }
      this.order = grown;
      this.sortedUpTo = total;
      return grown;
    }
    const fresh = Int32Array.from({ length: freshCount }, (_, i) => this.sortedUpTo + i);
    fresh.sort((a, b) => compareBytes(keys[a]!, keys[b]!));
    const old = this.order;
    const merged = new Int32Array(total);
    let i = 0;
    let j = 0;
    let k = 0;
    while (i < old.length && j < fresh.length) merged[k++] = compareBytes(keys[old[i]!]!, keys[fresh[j]!]!) < 0 ? old[i++]! : fresh[j++]!;
    while (i < old.length) merged[k++] = old[i++]!;
    while (j < fresh.length) merged[k++] = fresh[j++]!;
    this.order = merged;
    this.sortedUpTo = total;
    return merged;
  }

  /** Position in `order` of the first key >= bound. */
  private lowerBound(order: Int32Array, bound: Uint8Array): number {
    let lo = 0;
    let hi = order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareBytes(this.keys[order[mid]!]!, bound) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  scan(range: ScanRange, visit: ScanVisitor): number {
    const order = this.sortOrder();
    const { start, end } = scanBounds(range);
    const prefix = range.prefix;
    const limit = range.limit ?? Infinity;
    if (limit <= 0) return 0;
    const from = start === undefined ? 0 : this.lowerBound(order, start);
    const to = end === undefined ? order.length : this.lowerBound(order, end);
    const keys = this.keys;
    const values = this.values;
    let count = 0;
    if (range.reverse) {
      for (let p = to - 1; p >= from; p--) {
        const id = order[p]!;
        const v = values[id];
        if (v === undefined) continue;
        const k = keys[id]!;
        if (prefix !== undefined && !startsWith(k, prefix)) {
          if (end !== undefined) break;
          continue; // an open-ended prefix scan starts above the prefix's keys
        }
        count++;
        if (visit(k, v) === false || count >= limit) break;
      }
      return count;
    }
    for (let p = from; p < to; p++) {
      const id = order[p]!;
      const v = values[id];
      if (v === undefined) continue;
      const k = keys[id]!;
      if (prefix !== undefined && !startsWith(k, prefix)) break;
      count++;
      if (visit(k, v) === false || count >= limit) break;
    }
    return count;
  }
  async settle(): Promise<void> {}
  stats(): StoreStats {
    return { extra: { entries: this.live, deletedKept: this.keys.length - this.live } };
  }
  async close(): Promise<void> {
    this.keys = [];
    this.values = [];
    this.slab = new Slab();
    this.order = new Int32Array(0);
    this.sortedUpTo = 0;
    this.live = 0;
  }
}

const memoryEngineModule: Engine = {
  storeVersion: MEMORY_ENGINE_VERSION,
  persistent: false,
  durability: ['none'],
  operations: { put: 'native', get: 'native', delete: 'native', has: 'native', batch: 'emulated', range: 'native', prefix: 'emulated' },
  api: 'sync',
  threads: {
    shared: false,
    reason: "its data lives in one thread's JavaScript heap, which worker threads do not share: each thread's open() would be a separate, empty store",
  },
  async open() {
    return new MemoryStore();
  },
};

export const memoryEngine: EngineDescriptor = {
  name: 'memory',
  description: 'in-memory hash table plus sorted index, no persistence: the oracle in tests',
  async load() {
    return memoryEngineModule;
  },
};
