/**
 * The `memory` engine: an in-memory ordered map with no persistence. It is the oracle
 * in tests and the ceiling in reports: no I/O, no serialization, synchronous calls.
 *
 * Point operations go through a Map keyed by the key's latin1 string (one code unit per
 * byte, so string order is byte order). Scans use an array of entries sorted by that
 * string; keys created since the last scan wait in an unsorted tail that the next scan
 * sorts and merges in, and deleted entries are dropped at that merge. Loading then
 * scanning costs one sort; a workload that interleaves inserts and scans pays a merge
 * per scan, which is the price of a simple ceiling.
 */
import {
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
const MEMORY_ENGINE_VERSION = 'memory-2';

class Entry {
  constructor(
    readonly id: string,
    readonly key: Uint8Array,
    public value: Uint8Array,
    public live: boolean,
  ) {}
}

/** A key's latin1 string: code unit i is byte i. */
function keyId(key: Uint8Array): string {
  // fromCharCode over a typed array: no intermediate array, and V8 makes a one-byte string.
  return String.fromCharCode.apply(null, key as unknown as number[]);
}

/** Index of the first entry whose id is >= id (or > id when `after`). */
function lowerBound(sorted: readonly Entry[], id: string, after: boolean): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const e = sorted[mid]!.id;
    if (e < id || (after && e === id)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

class MemoryStore implements SyncStore {
  readonly api = 'sync' as const;
  private readonly map = new Map<string, Entry>();
  private sorted: Entry[] = [];
  private tail: Entry[] = [];
  private deadInSorted = 0;

  put(key: Uint8Array, value: Uint8Array): void {
    const id = keyId(key);
    const found = this.map.get(id);
    if (found !== undefined) {
      found.value = value.slice();
      return;
    }
    const entry = new Entry(id, key.slice(), value.slice(), true);
    this.map.set(id, entry);
    this.tail.push(entry);
  }
  get(key: Uint8Array): Uint8Array | undefined {
    return this.map.get(keyId(key))?.value;
  }
  delete(key: Uint8Array): void {
    const id = keyId(key);
    const found = this.map.get(id);
    if (found === undefined) return;
    found.live = false;
    this.map.delete(id);
    this.deadInSorted++;
  }
  has(key: Uint8Array): boolean {
    return this.map.has(keyId(key));
  }
  batch(ops: readonly BatchOp[]): void {
    // Nothing below can fail half-way, so applying in order is atomic.
    for (const op of ops) {
      if (op.type === 'put') this.put(op.key, op.value);
      else this.delete(op.key);
    }
  }

  /** Brings `sorted` up to date: merges the sorted tail in and drops deleted entries. */
  private order(): Entry[] {
    if (this.tail.length === 0 && this.deadInSorted === 0) return this.sorted;
    const tail = this.tail.filter((e) => e.live).sort((a, b) => (a.id < b.id ? -1 : 1));
    const merged: Entry[] = [];
    const old = this.sorted;
    let i = 0;
    let j = 0;
    while (i < old.length || j < tail.length) {
      const a = old[i];
      const b = tail[j];
      if (b === undefined || (a !== undefined && a.id < b.id)) {
        if (a!.live) merged.push(a!);
        i++;
      } else {
        merged.push(b);
        j++;
      }
    }
    this.sorted = merged;
    this.tail = [];
    this.deadInSorted = 0;
    return merged;
  }

  scan(range: ScanRange, visit: ScanVisitor): number {
    const sorted = this.order();
    const { start, end } = scanBounds(range);
    const prefix = range.prefix;
    const limit = range.limit ?? Infinity;
    if (limit <= 0) return 0;
    const from = start === undefined ? 0 : lowerBound(sorted, keyId(start), false);
    const to = end === undefined ? sorted.length : lowerBound(sorted, keyId(end), false);
    let count = 0;
    if (range.reverse) {
      for (let i = to - 1; i >= from; i--) {
        const e = sorted[i]!;
        if (prefix !== undefined && !startsWith(e.key, prefix)) {
          if (end !== undefined) break;
          continue; // an open-ended prefix scan starts above the prefix's keys
        }
        count++;
        if (visit(e.key, e.value) === false || count >= limit) break;
      }
      return count;
    }
    for (let i = from; i < to; i++) {
      const e = sorted[i]!;
      if (prefix !== undefined && !startsWith(e.key, prefix)) break;
      count++;
      if (visit(e.key, e.value) === false || count >= limit) break;
    }
    return count;
  }
  async settle(): Promise<void> {}
  stats(): StoreStats {
    return { extra: { entries: this.map.size } };
  }
  async close(): Promise<void> {
    this.map.clear();
    this.sorted = [];
    this.tail = [];
  }
}

const memoryEngineModule: Engine = {
  storeVersion: MEMORY_ENGINE_VERSION,
  persistent: false,
  durability: ['none'],
  operations: { put: 'native', get: 'native', delete: 'native', has: 'native', batch: 'emulated', range: 'native', prefix: 'emulated' },
  api: 'sync',
  async open() {
    return new MemoryStore();
  },
};

export const memoryEngine: EngineDescriptor = {
  name: 'memory',
  description: 'in-memory hash map plus sorted index, no persistence: the oracle and the ceiling',
  async load() {
    return memoryEngineModule;
  },
};
