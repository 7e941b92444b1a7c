/**
 * The `ts` engine: lsmbench's adapter for the native TypeScript LSM tree. This is the
 * only file under engines/ts that imports the harness (its engine contract).
 */
import { rejectUnknownOptions, type BatchOp, type Engine, type EngineDescriptor, type OpenOptions, type ScanRange, type ScanVisitor, type StoreStats, type SyncStore } from '../../src/engine.js';
import { checkTreeOptions } from './options.js';
import { Tree, VERSION, type TreeOptions } from './tree.js';

const OPTION_HELP = {
  memtableBytes: 'bytes a memtable holds before it is flushed to an L0 table (default 33554432)',
  blockCacheBytes: 'bytes of data blocks cached in memory (default 134217728)',
  blockSize: 'target data block size in bytes (default 4096)',
  restartInterval: 'keys between restart points in a data block (default 1: every key whole, and each table keeps a hash index of its keys for point reads; above 1 keys share prefixes, tables are smaller and have no such index)',
  bloomBitsPerKey: 'bloom filter bits per key (default 10)',
  maxImmutableMemtables: 'frozen memtables waiting for their flush: at this many writes slow down, beyond it they stop until a flush finishes (default 2)',
  l0CompactionTrigger: 'L0 tables that trigger an L0 -> L1 compaction (default 4)',
  l0SlowdownTrigger: 'L0 tables at which each write does a larger slice of compaction (default 12; with the background thread, writes are paced from l0CompactionTrigger up instead)',
  l0StopTrigger: 'L0 tables at which a write runs compaction until L0 is below it (default 24)',
  baseLevelBytes: 'target bytes of L1; each deeper level is levelMultiplier times larger (default 268435456)',
  levelMultiplier: 'size ratio between adjacent levels (default 10)',
  targetFileBytes: 'compaction output tables are cut at this size (default 33554432)',
  maxLevels: 'levels including L0 (default 7)',
  dynamicLevelBytes: "'true' (default): level targets sized from the last level up; 'false': static targets from baseLevelBytes down",
  autoCompaction: "'true' (default) or 'false': whether the leveled policy schedules compactions at all",
  backgroundThread: "'true' (default) or 'false': run the flushes and compactions writes start on a thread of their own, writes paced to it; 'false': on the caller's thread, in slices each write pays for",
  recovery: "'strict' (default) or 'truncate': what recovery does with a checksum-failing WAL or manifest record",
} as const;

function parseOptions(raw: Readonly<Record<string, string>>): Omit<TreeOptions, 'durability' | 'fs'> {
  rejectUnknownOptions('ts', raw, OPTION_HELP);
  const out: Record<string, number | string | boolean> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (k === 'dynamicLevelBytes' || k === 'autoCompaction' || k === 'backgroundThread') {
      if (v !== 'true' && v !== 'false') throw new Error(`ts engine: ${k} must be true or false, not ${v}`);
      out[k] = v === 'true';
      continue;
    }
    if (k === 'recovery') {
      if (v !== 'strict' && v !== 'truncate') throw new Error(`ts engine: recovery must be strict or truncate, not ${v}`);
      out[k] = v;
      continue;
    }
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < 0) throw new Error(`ts engine: option ${k} must be a non-negative integer, not ${v}`);
    out[k] = n;
  }
  return out as Omit<TreeOptions, 'durability' | 'fs'>;
}

class TsStore implements SyncStore {
  readonly api = 'sync' as const;
  constructor(private readonly tree: Tree) {}
  put(key: Uint8Array, value: Uint8Array): void {
    this.tree.put(key, value);
  }
  get(key: Uint8Array): Uint8Array | undefined {
    // The contract keeps a returned value valid only until the next call on the store.
    return this.tree.getTransient(key);
  }
  delete(key: Uint8Array): void {
    this.tree.delete(key);
  }
  has(key: Uint8Array): boolean {
    return this.tree.has(key);
  }
  batch(ops: readonly BatchOp[]): void {
    this.tree.write(ops);
  }
  scan(range: ScanRange, visit: ScanVisitor): number {
    return this.tree.scan(range, visit);
  }
  settle(): Promise<void> {
    return this.tree.settle();
  }
  stats(): StoreStats {
    const s = this.tree.stats();
    return {
      bytesWritten: s.bytesWritten,
      files: s.tables,
      levels: s.levelFiles,
      stallMs: s.stallMs,
      extra: {
        tableBytes: s.tableBytes,
        levelBytes: s.levelBytes.join(','),
        memtableBytes: s.memtableBytes,
        immutableMemtables: s.immutableMemtables,
        flushes: s.flushes,
        flushMs: s.flushMs,
        compactions: s.compactions,
        moves: s.moves,
        compactionMs: s.compactionMs,
        compactionBytesRead: s.compactionBytesRead,
        compactionBytesWritten: s.compactionBytesWritten,
        entriesDropped: s.entriesDropped,
        compactionDebt: s.compactionDebt,
        slowdowns: s.slowdowns,
        stops: s.stops,
        stallMs: s.stallMs,
        blockCacheHits: s.blockCacheHits,
        blockCacheMisses: s.blockCacheMisses,
        blockReads: s.blockReads,
      },
    };
  }
  async close(): Promise<void> {
    this.tree.close();
  }
}

const tsEngineModule: Engine = {
  storeVersion: VERSION,
  persistent: true,
  durability: ['none', 'os', 'fsync'],
  operations: { put: 'native', get: 'native', delete: 'native', has: 'native', batch: 'native', range: 'native', prefix: 'native' },
  api: 'sync',
  threads: {
    shared: false,
    reason: "the tree (memtable, block cache, table list) lives in one thread's JavaScript heap and has no locking: a second open of the directory would be a second, independent tree writing the same files",
  },
  optionHelp: OPTION_HELP,
  checkOptions(options) {
    checkTreeOptions(parseOptions(options));
  },
  async open(options: OpenOptions) {
    return new TsStore(Tree.open(options.dir, { ...parseOptions(options.options), durability: options.durability }));
  },
};

export const tsEngine: EngineDescriptor = {
  name: 'ts',
  description: 'native TypeScript LSM tree (engines/ts): hash-indexed memtable, WAL, SSTables with bloom filters, leveled compaction on a background thread (or in bounded slices), MVCC snapshots',
  async load() {
    return tsEngineModule;
  },
};
