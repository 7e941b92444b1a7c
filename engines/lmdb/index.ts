/**
 * The `lmdb` engine: LMDB through lmdb-js. A copy-on-write B+tree in a memory map,
 * not an LSM tree, but what many Node users pick for an embedded ordered store.
 *
 * Everything here is synchronous: reads come straight from the map, and writes use
 * putSync/removeSync, each its own transaction, or one transactionSync per batch
 * (lmdb-js's default asynchronous write batching would turn every put into a promise).
 */
import {
  EngineUnavailableError,
  rejectUnknownOptions,
  installedPackageVersion,
  scanBounds,
  startsWith,
  compareBytes,
  type BatchOp,
  type Durability,
  type Engine,
  type EngineDescriptor,
  type OpenOptions,
  type ScanRange,
  type ScanVisitor,
  type StoreStats,
  type SyncStore,
} from '../../src/engine.js';

/** The npm package this engine wraps; a variable so that TypeScript does not need its typings. */
const PACKAGE: string = 'lmdb';

/** What the durability modes become in lmdb-js open options. */
export interface LmdbDurability {
  readonly noSync: boolean;
  readonly overlappingSync: boolean;
  readonly description: string;
}

/**
 * Every LMDB commit writes its pages to the OS, so `none` cannot be had: the harness runs it in `os`.
 * `os`: noSync (commit without fsync); `fsync`: fsync at every commit, and not overlapped with the next
 * transaction, so a write is on disk when the call returns.
 */
export function lmdbDurability(mode: Durability): LmdbDurability {
  switch (mode) {
    case 'none':
      throw new Error("lmdb writes every commit to the OS: durability 'none' is not honoured");
    case 'os':
      return { noSync: true, overlappingSync: false, description: 'noSync=true: each commit handed to the OS, never fsynced' };
    case 'fsync':
      return { noSync: false, overlappingSync: false, description: 'noSync=false, overlappingSync=false: each commit fsynced before the call returns' };
  }
}

export const LMDB_OPTIONS: Readonly<Record<string, string>> = {
  mapSize: 'initial memory map size in bytes (lmdb-js grows it as needed)',
  pageSize: 'page size in bytes for a new database (default: the OS page size)',
  useWritemap: "'true' to write through the memory map instead of write(2) (default 'false')",
};

interface RangeEntry {
  readonly key: Uint8Array;
  readonly value: Uint8Array;
}
interface LmdbDb {
  putSync(key: Uint8Array, value: Uint8Array): void;
  removeSync(key: Uint8Array): boolean;
  getBinaryFast(key: Uint8Array): Uint8Array | undefined;
  doesExist(key: Uint8Array): boolean;
  transactionSync<T>(action: () => T): T;
  resetReadTxn(): void;
  getRange(options: Record<string, unknown>): Iterable<RangeEntry>;
  getStats(): Record<string, unknown>;
  close(): Promise<void>;
}
type OpenFn = (options: Record<string, unknown>) => LmdbDb;

class LmdbStore implements SyncStore {
  readonly api = 'sync' as const;
  constructor(
    private readonly db: LmdbDb,
    private readonly settings: LmdbDurability,
    private readonly mode: Durability,
  ) {}

  put(key: Uint8Array, value: Uint8Array): void {
    this.db.putSync(key, value);
  }
  get(key: Uint8Array): Uint8Array | undefined {
    // getBinaryFast answers with lmdb-js's shared read buffer, whose `length` is the value's but
    // whose byteLength is the whole buffer's: a view of the value's bytes makes it a plain Uint8Array.
    // The view is overwritten by the next read, which the contract allows.
    const shared = this.db.getBinaryFast(key);
    return shared === undefined ? undefined : shared.subarray(0, shared.length);
  }
  delete(key: Uint8Array): void {
    this.db.removeSync(key);
  }
  has(key: Uint8Array): boolean {
    return this.db.doesExist(key);
  }
  batch(ops: readonly BatchOp[]): void {
    if (ops.length === 0) return;
    this.db.transactionSync(() => {
      for (const op of ops) {
        if (op.type === 'put') this.db.putSync(op.key, op.value);
        else this.db.removeSync(op.key);
      }
    });
  }
  scan(range: ScanRange, visit: ScanVisitor): number {
    const { start, end } = scanBounds(range);
    const limit = range.limit ?? Infinity;
    if (limit <= 0) return 0;
    if (start !== undefined && end !== undefined && compareBytes(start, end) >= 0) return 0;
    const prefix = range.prefix;
    // lmdb-js iterates from `start` (inclusive) towards `end` (exclusive) in the scan's direction,
    // so a reverse scan starts at the upper bound; the bound checks below keep the contract's
    // [start, end) whichever way round.
    const options: Record<string, unknown> = range.reverse
      ? { reverse: true, ...(end !== undefined ? { start: end } : {}) }
      : { ...(start !== undefined ? { start } : {}), ...(end !== undefined ? { end } : {}) };
    let count = 0;
    for (const { key, value } of this.db.getRange(options)) {
      if (range.reverse) {
        if (end !== undefined && compareBytes(key, end) >= 0) continue;
        if (start !== undefined && compareBytes(key, start) < 0) break;
      }
      // Inside [start, end) every key starts with the prefix (scanBounds makes the bounds tight,
      // and a prefix with no successor has no key above its range), so this only guards the contract.
      if (prefix !== undefined && !startsWith(key, prefix)) break;
      count++;
      if (visit(key, value) === false || count >= limit) break;
    }
    return count;
  }
  async settle(): Promise<void> {
    // Synchronous commits leave nothing in the background. But lmdb-js reads through one read
    // transaction until a timer of the next event-loop turn renews it, so a thread that read
    // before another thread wrote keeps seeing the older snapshot until then: renew it now, so
    // reads after settle see every write acknowledged before it, in any thread.
    this.db.resetReadTxn();
  }
  stats(): StoreStats {
    const s = this.db.getStats();
    const num = (k: string): number | undefined => (typeof s[k] === 'number' ? (s[k] as number) : undefined);
    const extra: Record<string, number | string> = { durability: this.mode, settings: this.settings.description };
    for (const k of ['entryCount', 'treeDepth', 'treeBranchPageCount', 'treeLeafPageCount', 'overflowPages', 'mapSize', 'lastPageNumber', 'pageSize']) {
      const v = num(k);
      if (v !== undefined) extra[k] = v;
    }
    return { extra };
  }
  close(): Promise<void> {
    return this.db.close();
  }
}

export const lmdbEngine: EngineDescriptor = {
  name: 'lmdb',
  description: 'LMDB through lmdb-js: a B+tree, not an LSM (synchronous reads and writes)',
  async load(): Promise<Engine> {
    const version = await installedPackageVersion(PACKAGE);
    let open: OpenFn;
    try {
      open = ((await import(PACKAGE)) as unknown as { open: OpenFn }).open;
    } catch (err) {
      throw new EngineUnavailableError(`lmdb ${version} is installed but does not load: ${err instanceof Error ? err.message : String(err)}`);
    }
    return {
      storeVersion: `lmdb ${version}`,
      persistent: true,
      durability: ['os', 'fsync'],
      operations: { put: 'native', get: 'native', delete: 'native', has: 'native', batch: 'native', range: 'native', prefix: 'emulated' },
      api: 'sync',
      // lmdb-js supports worker threads: each opens the environment, and LMDB's own reader
      // table and write mutex coordinate them (one writer at a time, readers never blocked).
      threads: { shared: true, how: 'each thread opens the same LMDB environment (lmdb-js); LMDB serialises writers and never blocks readers' },
      optionHelp: LMDB_OPTIONS,
      async open({ dir, durability, options }: OpenOptions) {
        rejectUnknownOptions('lmdb', options, LMDB_OPTIONS);
        const settings = lmdbDurability(durability);
        const lmdbOptions: Record<string, unknown> = {
          path: dir,
          keyEncoding: 'binary',
          encoding: 'binary',
          noSync: settings.noSync,
          overlappingSync: settings.overlappingSync,
          // lmdb-js caches decoded values in JS by default; the benchmark measures the store.
          cache: false,
        };
        for (const name of ['mapSize', 'pageSize'] as const) {
          const text = options[name];
          if (text === undefined) continue;
          const n = Number(text);
          if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`lmdb option ${name} must be a positive integer, got '${text}'`);
          lmdbOptions[name] = n;
        }
        if (options.useWritemap !== undefined) {
          if (options.useWritemap !== 'true' && options.useWritemap !== 'false') throw new Error(`lmdb option useWritemap must be 'true' or 'false'`);
          lmdbOptions.useWritemap = options.useWritemap === 'true';
        }
        return new LmdbStore(open(lmdbOptions), settings, durability);
      },
    };
  },
};
