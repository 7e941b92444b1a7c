/**
 * The `leveldb` engine: Google's LevelDB through classic-level 3.
 *
 * classic-level writes only asynchronously (put, del and batch go through the libuv
 * thread pool), so this is an AsyncStore. Reads use `getSync`, which the package
 * offers and which skips the thread pool; has() is a getSync (emulated: LevelDB has
 * no existence check that skips the value), prefix scans are range scans (emulated).
 */
import {
  EngineUnavailableError,
  rejectUnknownOptions,
  installedPackageVersion,
  scanBounds,
  startsWith,
  type AsyncStore,
  type BatchOp,
  type Durability,
  type Engine,
  type EngineDescriptor,
  type OpenOptions,
  type ScanRange,
  type ScanVisitor,
  type StoreStats,
} from '../../src/engine.js';

/** The npm package this engine wraps; a variable so that TypeScript does not need its typings. */
const PACKAGE: string = 'classic-level';

/** What the three durability modes become in LevelDB's options. */
export interface LevelDurability {
  /** leveldb::WriteOptions::sync on every write and batch. */
  readonly sync: boolean;
  readonly description: string;
}

/**
 * LevelDB always writes its log, so `none` cannot be had: the harness runs it in `os`.
 * `os`: the log record is handed to the OS (write(2)) before the ack; `fsync`: the log is fsynced first.
 */
export function levelDurability(mode: Durability): LevelDurability {
  switch (mode) {
    case 'none':
      throw new Error("leveldb cannot run without its log: durability 'none' is not honoured");
    case 'os':
      return { sync: false, description: 'WriteOptions.sync=false: log written to the OS before each ack' };
    case 'fsync':
      return { sync: true, description: 'WriteOptions.sync=true: log fsynced before each ack' };
  }
}

export const LEVELDB_OPTIONS: Readonly<Record<string, string>> = {
  cacheSize: 'LRU block cache in bytes (classic-level default 8 MiB)',
  writeBufferSize: 'memtable size in bytes before it is written to a table (default 4 MiB)',
  blockSize: 'uncompressed table block size in bytes (default 4096)',
  compression: "'true' (Snappy, default) or 'false'",
};

// The slice of classic-level's API this adapter uses (its own typings are generic over encodings).
interface LevelIterator {
  nextv(size: number): Promise<Array<[Buffer, Buffer]>>;
  close(): Promise<void>;
}
interface LevelDb {
  open(): Promise<void>;
  close(): Promise<void>;
  put(key: Uint8Array, value: Uint8Array, options: { sync: boolean }): Promise<void>;
  del(key: Uint8Array, options: { sync: boolean }): Promise<void>;
  batch(ops: Array<{ type: 'put'; key: Uint8Array; value: Uint8Array } | { type: 'del'; key: Uint8Array }>, options: { sync: boolean }): Promise<void>;
  getSync(key: Uint8Array): Buffer | undefined;
  iterator(options: Record<string, unknown>): LevelIterator;
  compactRange?(start: Uint8Array, end: Uint8Array): Promise<void>;
  approximateSize?(start: Uint8Array, end: Uint8Array): Promise<number>;
}
type LevelCtor = new (location: string, options: Record<string, unknown>) => LevelDb;

function parseNumber(options: Readonly<Record<string, string>>, name: string): number | undefined {
  const text = options[name];
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`leveldb option ${name} must be a positive integer, got '${text}'`);
  return n;
}

/** How many entries one iterator round trip fetches when the scan has no limit. */
const CHUNK = 1000;

class LevelStore implements AsyncStore {
  readonly api = 'async' as const;
  private readonly writeOptions: { sync: boolean };

  constructor(
    private readonly db: LevelDb,
    private readonly durability: LevelDurability,
    private readonly mode: Durability,
  ) {
    this.writeOptions = { sync: durability.sync };
  }

  put(key: Uint8Array, value: Uint8Array): Promise<void> {
    return this.db.put(key, value, this.writeOptions);
  }
  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    return this.db.getSync(key);
  }
  delete(key: Uint8Array): Promise<void> {
    return this.db.del(key, this.writeOptions);
  }
  async has(key: Uint8Array): Promise<boolean> {
    return this.db.getSync(key) !== undefined;
  }
  batch(ops: readonly BatchOp[]): Promise<void> {
    // classic-level copies keys and values into its write batch before batch() returns.
    const mapped = ops.map((op) => (op.type === 'put' ? { type: 'put' as const, key: op.key, value: op.value } : { type: 'del' as const, key: op.key }));
    return this.db.batch(mapped, this.writeOptions);
  }
  async scan(range: ScanRange, visit: ScanVisitor): Promise<number> {
    const { start, end } = scanBounds(range);
    const limit = range.limit ?? Infinity;
    if (limit <= 0) return 0;
    const options: Record<string, unknown> = { reverse: range.reverse === true, keyEncoding: 'view', valueEncoding: 'view' };
    if (start !== undefined) options.gte = start;
    if (end !== undefined) options.lt = end;
    if (Number.isFinite(limit)) options.limit = limit;
    const it = this.db.iterator(options);
    const prefix = range.prefix;
    let count = 0;
    try {
      for (;;) {
        const want = Number.isFinite(limit) ? Math.min(limit - count, CHUNK) : CHUNK;
        const entries = await it.nextv(want);
        if (entries.length === 0) return count;
        for (const [k, v] of entries) {
          if (prefix !== undefined && !startsWith(k, prefix)) return count;
          count++;
          if (visit(k, v) === false || count >= limit) return count;
        }
      }
    } finally {
      await it.close();
    }
  }
  async settle(): Promise<void> {
    // LevelDB compacts in one background thread and offers no way to wait for it;
    // there is nothing to wait for that a reader could observe.
  }
  stats(): StoreStats {
    return { extra: { durability: this.mode, writeOptions: this.durability.description } };
  }
  close(): Promise<void> {
    return this.db.close();
  }
}

async function loadLevel(): Promise<{ ctor: LevelCtor; version: string }> {
  const version = await installedPackageVersion(PACKAGE);
  try {
    const mod = (await import(PACKAGE)) as unknown as { ClassicLevel: LevelCtor };
    return { ctor: mod.ClassicLevel, version };
  } catch (err) {
    throw new EngineUnavailableError(`classic-level ${version} is installed but does not load: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export const leveldbEngine: EngineDescriptor = {
  name: 'leveldb',
  description: 'Google LevelDB through classic-level 3 (async writes, getSync reads)',
  async load(): Promise<Engine> {
    const { ctor, version } = await loadLevel();
    return {
      storeVersion: `classic-level ${version}`,
      persistent: true,
      durability: ['os', 'fsync'],
      operations: { put: 'native', get: 'native', delete: 'native', has: 'emulated', batch: 'native', range: 'native', prefix: 'emulated' },
      api: 'async',
      threads: {
        shared: false,
        reason: "LevelDB holds an exclusive LOCK file per open, so a second thread's open of the same directory fails, and a classic-level handle cannot be passed to another thread",
      },
      optionHelp: LEVELDB_OPTIONS,
      async open({ dir, durability, options }: OpenOptions) {
        rejectUnknownOptions('leveldb', options, LEVELDB_OPTIONS);
        const settings = levelDurability(durability);
        const dbOptions: Record<string, unknown> = { keyEncoding: 'view', valueEncoding: 'view', createIfMissing: true };
        for (const name of ['cacheSize', 'writeBufferSize', 'blockSize'] as const) {
          const n = parseNumber(options, name);
          if (n !== undefined) dbOptions[name] = n;
        }
        if (options.compression !== undefined) {
          if (options.compression !== 'true' && options.compression !== 'false') throw new Error(`leveldb option compression must be 'true' or 'false'`);
          dbOptions.compression = options.compression === 'true';
        }
        const db = new ctor(dir, dbOptions);
        await db.open();
        return new LevelStore(db, settings, durability);
      },
    };
  },
};
