/**
 * The `memory` engine: an ordered in-memory map (a B+tree from sorted-btree) with no
 * persistence. It is the oracle in tests and the ceiling in reports: no I/O, no
 * serialization, synchronous calls.
 */
import sortedBtree from 'sorted-btree';
import {
  compareBytes,
  installedPackageVersion,
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

// sorted-btree is CommonJS; its class is the `default` property of module.exports.
const BTree = sortedBtree.default;
type Tree = InstanceType<typeof BTree<Uint8Array, Uint8Array>>;

class MemoryStore implements SyncStore {
  readonly api = 'sync' as const;
  private readonly tree: Tree = new BTree<Uint8Array, Uint8Array>(undefined, compareBytes, 64);
  private bytesStored = 0;

  put(key: Uint8Array, value: Uint8Array): void {
    this.tree.set(key.slice(), value.slice(), true);
  }
  get(key: Uint8Array): Uint8Array | undefined {
    return this.tree.get(key);
  }
  delete(key: Uint8Array): void {
    this.tree.delete(key);
  }
  has(key: Uint8Array): boolean {
    return this.tree.has(key);
  }
  batch(ops: readonly BatchOp[]): void {
    // Validate nothing can throw half-way: the B+tree operations below cannot fail.
    for (const op of ops) {
      if (op.type === 'put') this.put(op.key, op.value);
      else this.delete(op.key);
    }
  }
  scan(range: ScanRange, visit: ScanVisitor): number {
    const { start, end } = scanBounds(range);
    const prefix = range.prefix;
    const limit = range.limit ?? Infinity;
    if (limit <= 0 || this.tree.size === 0) return 0;
    if (start !== undefined && end !== undefined && compareBytes(start, end) >= 0) return 0;
    let count = 0;
    if (range.reverse) {
      const high = end ?? this.tree.maxKey()!;
      for (const [k, v] of this.tree.entriesReversed(high, undefined, end !== undefined)) {
        if (start !== undefined && compareBytes(k, start) < 0) break;
        if (prefix !== undefined && !startsWith(k, prefix)) {
          if (end !== undefined) break;
          continue; // an open-ended prefix scan starts above the prefix's keys
        }
        count++;
        if (visit(k, v) === false || count >= limit) break;
      }
      return count;
    }
    const low = start ?? this.tree.minKey()!;
    const high = end ?? this.tree.maxKey()!;
    this.tree.editRange(low, high, end === undefined, (k: Uint8Array, v: Uint8Array) => {
      if (prefix !== undefined && !startsWith(k, prefix)) return { break: 0 };
      count++;
      if (visit(k, v) === false || count >= limit) return { break: 0 };
      return undefined;
    });
    return count;
  }
  async settle(): Promise<void> {}
  stats(): StoreStats {
    return { extra: { entries: this.tree.size } };
  }
  async close(): Promise<void> {
    this.tree.clear();
  }
}

const memoryEngineModule = (storeVersion: string): Engine => ({
  storeVersion,
  persistent: false,
  durability: ['none'],
  operations: { put: 'native', get: 'native', delete: 'native', has: 'native', batch: 'emulated', range: 'native', prefix: 'emulated' },
  api: 'sync',
  async open() {
    return new MemoryStore();
  },
});

export const memoryEngine: EngineDescriptor = {
  name: 'memory',
  description: 'in-memory B+tree, no persistence: the oracle and the ceiling',
  async load() {
    return memoryEngineModule(`sorted-btree ${await installedPackageVersion('sorted-btree')}`);
  },
};
