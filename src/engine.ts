/**
 * The engine contract: the only thing the harness knows about a store, and the only
 * part of the harness an engine may import.
 *
 * Buffers: every Uint8Array handed to a store (keys, values, batch entries) belongs to
 * the caller and may be reused after the call returns, so a store copies what it keeps.
 * A value returned by `get` stays valid until the next call on the store. Keys and
 * values passed to a scan visitor are valid only during that visitor call.
 */

/** What an acknowledged write survives. Ordered from weakest to strongest. */
export type Durability = 'none' | 'os' | 'fsync';
export const DURABILITY_MODES: readonly Durability[] = ['none', 'os', 'fsync'];

/** The operations the workloads use; an engine says for each whether it is native or emulated. */
export type Operation = 'put' | 'get' | 'delete' | 'has' | 'batch' | 'range' | 'prefix';
export const OPERATIONS: readonly Operation[] = ['put', 'get', 'delete', 'has', 'batch', 'range', 'prefix'];
export type Support = 'native' | 'emulated';

export type BatchOp =
  | { readonly type: 'put'; readonly key: Uint8Array; readonly value: Uint8Array }
  | { readonly type: 'delete'; readonly key: Uint8Array };

/**
 * A scan in ascending key order (descending with `reverse`).
 * `start` is inclusive, `end` exclusive; `prefix` restricts the scan to keys that
 * begin with those bytes and combines with the bounds; `limit` caps the entries visited.
 */
export interface ScanRange {
  readonly start?: Uint8Array;
  readonly end?: Uint8Array;
  readonly prefix?: Uint8Array;
  readonly limit?: number;
  readonly reverse?: boolean;
}

/** Called once per entry. Returning `false` stops the scan. */
export type ScanVisitor = (key: Uint8Array, value: Uint8Array) => boolean | void;

/** What a store knows of itself. Every field is optional: report what is known, invent nothing. */
export interface StoreStats {
  /** Bytes the store wrote to its files (WAL, tables, manifest), if it counts them. */
  readonly bytesWritten?: number;
  /** Files the store holds open or on disk. */
  readonly files?: number;
  /** Entries per level, or files per level, as the store reports them. */
  readonly levels?: readonly number[];
  /** Time writers were stalled by back-pressure, in milliseconds. */
  readonly stallMs?: number;
  /** Anything else worth recording, as plain numbers or strings. */
  readonly extra?: Readonly<Record<string, number | string>>;
}

interface StoreLifecycle {
  /**
   * Waits until background flush and compaction are done. After it, a read sees every write
   * acknowledged before the call, in this thread or any other sharing the store.
   */
  settle(): Promise<void>;
  stats(): StoreStats;
  /** Closes the store; after a clean close every acknowledged write is durable in every mode. */
  close(): Promise<void>;
}

/** A store with a synchronous API: the hot path pays for no promise per operation. */
export interface SyncStore extends StoreLifecycle {
  readonly api: 'sync';
  put(key: Uint8Array, value: Uint8Array): void;
  get(key: Uint8Array): Uint8Array | undefined;
  delete(key: Uint8Array): void;
  has(key: Uint8Array): boolean;
  /** Applies all operations atomically, in order. */
  batch(ops: readonly BatchOp[]): void;
  /** Visits the entries of the range in order and returns how many were visited. */
  scan(range: ScanRange, visit: ScanVisitor): number;
}

/** A store whose operations complete asynchronously. */
export interface AsyncStore extends StoreLifecycle {
  readonly api: 'async';
  put(key: Uint8Array, value: Uint8Array): Promise<void>;
  get(key: Uint8Array): Promise<Uint8Array | undefined>;
  delete(key: Uint8Array): Promise<void>;
  has(key: Uint8Array): Promise<boolean>;
  batch(ops: readonly BatchOp[]): Promise<void>;
  scan(range: ScanRange, visit: ScanVisitor): Promise<number>;
}

export type Store = SyncStore | AsyncStore;

export interface OpenOptions {
  /** A directory the store owns; it exists and is empty on the first open. */
  readonly dir: string;
  /** The mode to honour; always one of the engine's `durability` modes. */
  readonly durability: Durability;
  /** Engine-specific options from the scenario or the command line (`--engine-option k=v`). */
  readonly options: Readonly<Record<string, string>>;
  /**
   * How many threads of this process will have the store in `dir` open at once, each with
   * its own open() (default 1). More than 1 only for engines whose `threads.shared` is true;
   * such an engine must then allow the other opens (e.g. no exclusive lock).
   */
  readonly sharedBy?: number;
}

/**
 * Whether several threads of one process (node:worker_threads) may each open the same store
 * directory and use it at once. `how` says what each thread does (it is recorded with the
 * results); `reason` says, for a user, why the store cannot be shared.
 */
export type ThreadSharing =
  | { readonly shared: true; readonly how: string }
  | { readonly shared: false; readonly reason: string };

/** What an engine is, whichever way it runs. */
export interface EngineTraits {
  /** Version of the store it wraps (the package version, or the library's own). */
  readonly storeVersion: string;
  /** True if the store keeps data across close and reopen. */
  readonly persistent: boolean;
  /** The durability modes the engine honours for real. */
  readonly durability: readonly Durability[];
  readonly operations: Readonly<Record<Operation, Support>>;
  readonly api: 'sync' | 'async';
  /** Whether `lsmbench run --threads N` (and a read-while-writing writer thread) can use it. */
  readonly threads: ThreadSharing;
  /** Options the engine understands, with a one-line description each. */
  readonly optionHelp?: Readonly<Record<string, string>>;
  /** Throws, with a message naming the option, when an option's value is unusable: the runner calls it before anything runs. */
  checkOptions?(options: Readonly<Record<string, string>>): void;
}

/** A loaded engine: what it is and how to open it. */
export interface Engine extends EngineTraits {
  open(options: OpenOptions): Promise<Store>;
}

/**
 * A registered engine whose stores the harness opens in its own (child) process. `load`
 * imports the engine's module; it throws `EngineUnavailableError` when a package it needs is
 * not installed. (Engines in other languages run out of process instead: src/job.ts.)
 */
export interface EngineDescriptor {
  /** How it runs; absent means in process, so descriptors written before the field stay valid. */
  readonly runs?: 'in-process';
  readonly name: string;
  readonly description: string;
  /**
   * Set (to one line saying what it measures) on an engine that is a yardstick, not a
   * store: e.g. the floor engine, the least work each durability mode requires. Listings
   * and reports show it as a yardstick, never as a store to pick.
   */
  readonly yardstick?: string;
  load(context?: LoadContext): Promise<Engine>;
}

/** What a run tells an engine's loader: its time limit (an external engine's describe keeps to it). */
export interface LoadContext {
  readonly timeoutSeconds?: number;
}

export class EngineUnavailableError extends Error {
  override readonly name = 'EngineUnavailableError';
}

/**
 * Throws when `options` names an option that `known` (an engine's optionHelp) does not
 * describe. Engines call it in open(); the runner calls it before anything runs.
 */
export function rejectUnknownOptions(engine: string, options: Readonly<Record<string, string>>, known: Readonly<Record<string, string>> = {}): void {
  for (const name of Object.keys(options))
    if (!(name in known)) {
      const list = Object.keys(known);
      throw new Error(`${engine} has no option '${name}' (${list.length > 0 ? `known: ${list.join(', ')}` : 'it takes no options'})`);
    }
}

/** The weakest mode at least as strong as `wanted` that the engine honours, or undefined. */
export function nearestDurability(wanted: Durability, honoured: readonly Durability[]): Durability | undefined {
  const from = DURABILITY_MODES.indexOf(wanted);
  return DURABILITY_MODES.slice(from).find((mode) => honoured.includes(mode));
}

/** Unsigned bytewise order, a shorter key first when it is a prefix of the other: the order every engine scans in. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/**
 * The smallest key greater than every key that starts with `prefix`, or undefined
 * when there is none (an empty prefix, or one made only of 0xff bytes).
 */
export function prefixEnd(prefix: Uint8Array): Uint8Array | undefined {
  for (let i = prefix.length - 1; i >= 0; i--) {
    if (prefix[i]! !== 0xff) {
      const end = prefix.slice(0, i + 1);
      end[i] = end[i]! + 1;
      return end;
    }
  }
  return undefined;
}

/**
 * Folds a scan's `prefix` into its bounds: the tightest [start, end) that covers the
 * range. A prefix without a successor leaves `end` open, so a scan must still stop at
 * the first key that does not start with the prefix; `startsWith` does that check.
 */
export function scanBounds(range: ScanRange): { start: Uint8Array | undefined; end: Uint8Array | undefined } {
  let start = range.start;
  let end = range.end;
  const prefix = range.prefix;
  if (prefix !== undefined && prefix.length > 0) {
    if (start === undefined || compareBytes(prefix, start) > 0) start = prefix;
    const pEnd = prefixEnd(prefix);
    if (pEnd !== undefined && (end === undefined || compareBytes(pEnd, end) < 0)) end = pEnd;
  }
  return { start, end };
}

export function startsWith(key: Uint8Array, prefix: Uint8Array): boolean {
  if (key.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (key[i] !== prefix[i]) return false;
  return true;
}

/**
 * The version of an installed npm package, read from its package.json, for engines
 * to report as `storeVersion`. Throws EngineUnavailableError when it is not installed.
 */
export async function installedPackageVersion(name: string): Promise<string> {
  const { createRequire } = await import('node:module');
  const { readFile } = await import('node:fs/promises');
  const { dirname, join } = await import('node:path');
  const require = createRequire(import.meta.url);
  let entry: string;
  try {
    entry = require.resolve(name);
  } catch {
    throw new EngineUnavailableError(`npm package ${name} is not installed (npm install ${name})`);
  }
  for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === name && pkg.version !== undefined) return pkg.version;
    } catch {
      // no package.json at this level: keep walking up
    }
  }
  throw new EngineUnavailableError(`cannot find the version of npm package ${name}`);
}
