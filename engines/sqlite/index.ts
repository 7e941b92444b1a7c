/**
 * The `sqlite` engine: SQLite through better-sqlite3 12, one table
 * `kv(k BLOB PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID`, so the table is the
 * primary-key B-tree itself. Every call is synchronous; each put, get, delete and
 * check is one prepared statement, each batch one transaction. SQLite compares
 * BLOBs with memcmp and then by length, the contract's order.
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
const PACKAGE: string = 'better-sqlite3';

/** What the durability modes become in SQLite pragmas. */
export interface SqliteDurability {
  readonly journalMode: 'OFF' | 'WAL';
  readonly synchronous: 'OFF' | 'FULL';
  readonly description: string;
}

/**
 * `none`: no journal and no syncs: a crash can lose or corrupt the database, a clean close keeps it.
 * `os`: write-ahead log, synchronous=OFF: each commit is in the WAL file (handed to the OS) before the ack.
 * `fsync`: write-ahead log, synchronous=FULL: the WAL is fsynced at every commit.
 */
export function sqliteDurability(mode: Durability): SqliteDurability {
  switch (mode) {
    case 'none':
      return { journalMode: 'OFF', synchronous: 'OFF', description: 'journal_mode=OFF, synchronous=OFF' };
    case 'os':
      return { journalMode: 'WAL', synchronous: 'OFF', description: 'journal_mode=WAL, synchronous=OFF' };
    case 'fsync':
      return { journalMode: 'WAL', synchronous: 'FULL', description: 'journal_mode=WAL, synchronous=FULL' };
  }
}

/**
 * The same modes when several threads each open a connection to the file (`sharedBy` > 1):
 * always a write-ahead log, so that readers and the writer in different threads do not block
 * each other, with the mode's synchronous setting. `none` therefore keeps a WAL too (a
 * stronger guarantee than asked, and recorded in the results' storeStats).
 */
export function sqliteSharedDurability(mode: Durability): SqliteDurability {
  const own = sqliteDurability(mode);
  if (own.journalMode === 'WAL') return own;
  return { journalMode: 'WAL', synchronous: own.synchronous, description: `journal_mode=WAL (shared by several threads), synchronous=${own.synchronous}` };
}

/** How long a connection shared with other threads waits for another's write lock, in ms. */
export const SHARED_BUSY_TIMEOUT_MS = 10_000;

/** PRAGMA synchronous answers a number. */
const SYNCHRONOUS_NAMES: readonly string[] = ['OFF', 'NORMAL', 'FULL', 'EXTRA'];

export const SQLITE_OPTIONS: Readonly<Record<string, string>> = {
  cacheSizeKiB: 'page cache size in KiB (PRAGMA cache_size=-N; SQLite default 2000 KiB)',
  pageSize: 'page size in bytes for a new database (PRAGMA page_size; default 4096)',
};

interface Statement {
  run(...params: unknown[]): unknown;
  get(...params: unknown[]): unknown;
  iterate(...params: unknown[]): IterableIterator<unknown>;
  pluck(on?: boolean): Statement;
  raw(on?: boolean): Statement;
}
interface Database {
  prepare(sql: string): Statement;
  pragma(sql: string, options?: { simple: boolean }): unknown;
  exec(sql: string): void;
  transaction<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void;
  close(): void;
  unsafeMode(on: boolean): void;
}
type DatabaseCtor = new (path: string) => Database;

class SqliteStore implements SyncStore {
  readonly api = 'sync' as const;
  private readonly putStmt: Statement;
  private readonly getStmt: Statement;
  private readonly hasStmt: Statement;
  private readonly delStmt: Statement;
  private readonly applyBatch: (ops: readonly BatchOp[]) => void;
  /** Scan statements by shape: which bounds, which direction. */
  private readonly scans = new Map<string, Statement>();

  constructor(
    private readonly db: Database,
    private readonly settings: SqliteDurability,
    private readonly mode: Durability,
  ) {
    this.putStmt = db.prepare('INSERT OR REPLACE INTO kv (k, v) VALUES (?, ?)');
    this.getStmt = db.prepare('SELECT v FROM kv WHERE k = ?').pluck();
    this.hasStmt = db.prepare('SELECT 1 FROM kv WHERE k = ?').pluck();
    this.delStmt = db.prepare('DELETE FROM kv WHERE k = ?');
    this.applyBatch = db.transaction((ops: readonly BatchOp[]) => {
      for (const op of ops) {
        if (op.type === 'put') this.putStmt.run(op.key, op.value);
        else this.delStmt.run(op.key);
      }
    });
  }

  put(key: Uint8Array, value: Uint8Array): void {
    this.putStmt.run(key, value);
  }
  get(key: Uint8Array): Uint8Array | undefined {
    return this.getStmt.get(key) as Uint8Array | undefined;
  }
  delete(key: Uint8Array): void {
    this.delStmt.run(key);
  }
  has(key: Uint8Array): boolean {
    return this.hasStmt.get(key) !== undefined;
  }
  batch(ops: readonly BatchOp[]): void {
    if (ops.length > 0) this.applyBatch(ops);
  }
  private scanStatement(hasStart: boolean, hasEnd: boolean, reverse: boolean): Statement {
    const shape = `${+hasStart}${+hasEnd}${+reverse}`;
    let stmt = this.scans.get(shape);
    if (stmt === undefined) {
      const where = [hasStart ? 'k >= @start' : '', hasEnd ? 'k < @end' : ''].filter((c) => c.length > 0).join(' AND ');
      stmt = this.db
        .prepare(`SELECT k, v FROM kv${where ? ` WHERE ${where}` : ''} ORDER BY k ${reverse ? 'DESC' : 'ASC'} LIMIT @limit`)
        .raw(true);
      this.scans.set(shape, stmt);
    }
    return stmt;
  }
  scan(range: ScanRange, visit: ScanVisitor): number {
    const { start, end } = scanBounds(range);
    const limit = range.limit ?? Infinity;
    if (limit <= 0) return 0;
    if (start !== undefined && end !== undefined && compareBytes(start, end) >= 0) return 0;
    const params: Record<string, unknown> = { limit: Number.isFinite(limit) ? limit : -1 };
    if (start !== undefined) params.start = start;
    if (end !== undefined) params.end = end;
    const prefix = range.prefix;
    let count = 0;
    // Leaving the loop early (break or throw) calls the iterator's return(), which resets the statement.
    for (const row of this.scanStatement(start !== undefined, end !== undefined, range.reverse === true).iterate(params)) {
      const [k, v] = row as [Uint8Array, Uint8Array];
      if (prefix !== undefined && !startsWith(k, prefix)) break;
      count++;
      if (visit(k, v) === false) break;
    }
    return count;
  }
  async settle(): Promise<void> {
    // Every commit is complete when the call returns; SQLite has no background work.
  }
  stats(): StoreStats {
    const pages = this.db.pragma('page_count', { simple: true });
    const pageSize = this.db.pragma('page_size', { simple: true });
    // Read back from SQLite, not from what was asked: a pragma it refused would show here.
    const extra: Record<string, number | string> = {
      durability: this.mode,
      pragmas: this.settings.description,
      journalMode: String(this.db.pragma('journal_mode', { simple: true })),
      synchronous: SYNCHRONOUS_NAMES[Number(this.db.pragma('synchronous', { simple: true }))] ?? 'unknown',
    };
    if (typeof pages === 'number') extra.pageCount = pages;
    if (typeof pageSize === 'number') extra.pageSize = pageSize;
    return { extra };
  }
  async close(): Promise<void> {
    this.db.close();
  }
}

export const sqliteEngine: EngineDescriptor = {
  name: 'sqlite',
  description: 'SQLite through better-sqlite3: one WITHOUT ROWID table, synchronous calls',
  async load(): Promise<Engine> {
    const version = await installedPackageVersion(PACKAGE);
    let ctor: DatabaseCtor;
    let libraryVersion: string;
    try {
      ctor = ((await import(PACKAGE)) as unknown as { default: DatabaseCtor }).default;
      // Opening a memory database loads the native addon: a failed build shows here, not mid-run.
      const probe = new ctor(':memory:');
      libraryVersion = String(probe.prepare('SELECT sqlite_version()').pluck().get());
      probe.close();
    } catch (err) {
      throw new EngineUnavailableError(`better-sqlite3 ${version} is installed but does not load: ${err instanceof Error ? err.message : String(err)}`);
    }
    return {
      storeVersion: `better-sqlite3 ${version} (SQLite ${libraryVersion})`,
      persistent: true,
      durability: ['none', 'os', 'fsync'],
      operations: { put: 'native', get: 'native', delete: 'native', has: 'native', batch: 'native', range: 'native', prefix: 'emulated' },
      api: 'sync',
      threads: {
        shared: true,
        how: `each thread opens its own better-sqlite3 connection to the file, in WAL mode with normal locking and a busy timeout of ${SHARED_BUSY_TIMEOUT_MS} ms (SQLite serialises writers)`,
      },
      optionHelp: SQLITE_OPTIONS,
      async open({ dir, durability, options, sharedBy }: OpenOptions) {
        rejectUnknownOptions('sqlite', options, SQLITE_OPTIONS);
        const shared = (sharedBy ?? 1) > 1;
        const settings = shared ? sqliteSharedDurability(durability) : sqliteDurability(durability);
        const { join } = await import('node:path');
        const db = new ctor(join(dir, 'kv.sqlite'));
        try {
          const int = (name: string): number | undefined => {
            const text = options[name];
            if (text === undefined) return undefined;
            const n = Number(text);
            if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`sqlite option ${name} must be a positive integer, got '${text}'`);
            return n;
          };
          const pageSize = int('pageSize');
          if (pageSize !== undefined) db.pragma(`page_size = ${pageSize}`);
          const cache = int('cacheSizeKiB');
          if (cache !== undefined) db.pragma(`cache_size = -${cache}`);
          if (shared) {
            // Other threads have their own connections to the file: normal locking, and a wait
            // (instead of SQLITE_BUSY) while another connection holds the write lock.
            db.pragma(`busy_timeout = ${SHARED_BUSY_TIMEOUT_MS}`);
          } else {
            // One connection owns the file: exclusive locking skips the per-transaction lock dance
            // (and lets WAL mode work without shared memory).
            db.pragma('locking_mode = EXCLUSIVE');
          }
          // better-sqlite3 opens connections in SQLite's defensive mode, which refuses journal_mode=OFF
          // (silently keeping DELETE); it is lifted for that one pragma only.
          db.unsafeMode(true);
          db.pragma(`journal_mode = ${settings.journalMode}`);
          db.unsafeMode(false);
          db.pragma(`synchronous = ${settings.synchronous}`);
          db.exec('CREATE TABLE IF NOT EXISTS kv (k BLOB PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID');
          return new SqliteStore(db, settings, durability);
        } catch (err) {
          db.close();
          throw err;
        }
      },
    };
  },
};
