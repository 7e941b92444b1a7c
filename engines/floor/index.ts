/**
 * The `floor` engine: a yardstick, not a store. Per durability mode it does the least
 * work that mode requires of any engine on this machine, so a report can say how close
 * a real store comes to what the machine allows:
 *
 * - `none`:  the data lives in memory only (a hash table for point operations, a sorted
 *            array of entry ids for scans: the memory engine's structures);
 * - `os`:    one write(2) of the record per acknowledged put or delete, one per batch;
 * - `fsync`: that write and one fdatasync per acknowledgement (one per batch: group commit).
 *
 * It is verified like every engine (conformance suite, workload verification), and it keeps
 * its data across a clean close and reopen: the log in `floor.log` is replayed on open.
 * What it leaves out on purpose, because a floor must not pay for it: no checksums, no
 * compaction of the log while open (a `none`-mode close rewrites it), no torn-record
 * repair beyond ignoring an incomplete last record, no bound on memory.
 *
 * Record: keyLength u32 LE, valueLength u32 LE (0xffffffff for a deletion), key, value.
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import { rejectUnknownOptions, type BatchOp, type Durability, type Engine, type EngineDescriptor, type OpenOptions, type ScanRange, type ScanVisitor, type StoreStats, type SyncStore } from '../../src/engine.js';
import { MemoryStore } from '../memory/index.js';

/** The version of this engine's own implementation; bump it when its behaviour or cost changes on purpose. */
const FLOOR_ENGINE_VERSION = 'floor-1';
const LOG_NAME = 'floor.log';
const HEADER_BYTES = 8;
const DELETION = 0xffffffff;

/** Applies every complete record of `log` to `into`; returns the bytes those records span. */
export function replayLog(log: Uint8Array, into: MemoryStore): number {
  const view = new DataView(log.buffer, log.byteOffset, log.byteLength);
  let at = 0;
  while (at + HEADER_BYTES <= log.length) {
    const keyLength = view.getUint32(at, true);
    const valueLength = view.getUint32(at + 4, true);
    const body = keyLength + (valueLength === DELETION ? 0 : valueLength);
    if (at + HEADER_BYTES + body > log.length) break;
    const key = log.subarray(at + HEADER_BYTES, at + HEADER_BYTES + keyLength);
    if (valueLength === DELETION) into.delete(key);
    else into.put(key, log.subarray(at + HEADER_BYTES + keyLength, at + HEADER_BYTES + body));
    at += HEADER_BYTES + body;
  }
  return at;
}

function writeAll(fd: number, bytes: Uint8Array, length: number): void {
  let done = 0;
  while (done < length) done += fs.writeSync(fd, bytes, done, length - done);
}

class FloorStore implements SyncStore {
  readonly api = 'sync' as const;
  /** Records are encoded here before their write(2); it grows to the largest batch seen. */
  private buffer = new Uint8Array(1 << 16);
  private view = new DataView(this.buffer.buffer);
  private bytesWritten = 0;
  private syncs = 0;

  constructor(
    private readonly memory: MemoryStore,
    private readonly dir: string,
    private readonly durability: Durability,
    /** The log's descriptor, open for append; -1 in `none` mode. */
    private fd: number,
  ) {}

  private reserve(bytes: number): void {
    if (bytes <= this.buffer.length) return;
    let size = this.buffer.length;
    while (size < bytes) size *= 2;
    const grown = new Uint8Array(size);
    this.buffer = grown;
    this.view = new DataView(grown.buffer);
  }

  /** Encodes one record at `at`; REQUIRES: the buffer has room. Returns the end. */
  private encode(at: number, key: Uint8Array, value: Uint8Array | undefined): number {
    this.view.setUint32(at, key.length, true);
    this.view.setUint32(at + 4, value === undefined ? DELETION : value.length, true);
    this.buffer.set(key, at + HEADER_BYTES);
    if (value === undefined) return at + HEADER_BYTES + key.length;
    this.buffer.set(value, at + HEADER_BYTES + key.length);
    return at + HEADER_BYTES + key.length + value.length;
  }

  /** The one write(2) (and, in `fsync` mode, the one fdatasync) of an acknowledgement. */
  private persist(length: number): void {
    writeAll(this.fd, this.buffer, length);
    this.bytesWritten += length;
    if (this.durability === 'fsync') {
      fs.fdatasyncSync(this.fd);
      this.syncs++;
    }
  }

  put(key: Uint8Array, value: Uint8Array): void {
    if (this.fd >= 0) {
      this.reserve(HEADER_BYTES + key.length + value.length);
      this.persist(this.encode(0, key, value));
    }
    this.memory.put(key, value);
  }
  get(key: Uint8Array): Uint8Array | undefined {
    return this.memory.get(key);
  }
  delete(key: Uint8Array): void {
    if (this.fd >= 0) {
      this.reserve(HEADER_BYTES + key.length);
      this.persist(this.encode(0, key, undefined));
    }
    this.memory.delete(key);
  }
  has(key: Uint8Array): boolean {
    return this.memory.has(key);
  }
  batch(ops: readonly BatchOp[]): void {
    if (this.fd >= 0 && ops.length > 0) {
      let bytes = 0;
      for (const op of ops) bytes += HEADER_BYTES + op.key.length + (op.type === 'put' ? op.value.length : 0);
      this.reserve(bytes);
      let at = 0;
      for (const op of ops) at = this.encode(at, op.key, op.type === 'put' ? op.value : undefined);
      this.persist(at);
    }
    this.memory.batch(ops);
  }
  scan(range: ScanRange, visit: ScanVisitor): number {
    return this.memory.scan(range, visit);
  }
  async settle(): Promise<void> {}
  stats(): StoreStats {
    return { bytesWritten: this.bytesWritten, files: 1, extra: { ...this.memory.stats().extra, syncs: this.syncs } };
  }

  /** A clean close makes every acknowledged write durable: `none` writes its contents out here. */
  async close(): Promise<void> {
    if (this.fd >= 0) {
      fs.fdatasyncSync(this.fd);
      fs.closeSync(this.fd);
      this.fd = -1;
    } else {
      const path = join(this.dir, LOG_NAME);
      const temporary = `${path}.tmp`;
      const fd = fs.openSync(temporary, 'w');
      let at = 0;
      this.memory.scan({}, (key, value) => {
        const bytes = HEADER_BYTES + key.length + value.length;
        if (at + bytes > this.buffer.length) {
          writeAll(fd, this.buffer, at);
          at = 0;
          this.reserve(bytes);
        }
        at = this.encode(at, key, value);
      });
      writeAll(fd, this.buffer, at);
      fs.fdatasyncSync(fd);
      fs.closeSync(fd);
      fs.renameSync(temporary, path);
      const dirFd = fs.openSync(this.dir, 'r');
      fs.fsyncSync(dirFd);
      fs.closeSync(dirFd);
    }
    await this.memory.close();
  }
}

const floorEngineModule: Engine = {
  storeVersion: FLOOR_ENGINE_VERSION,
  persistent: true,
  durability: ['none', 'os', 'fsync'],
  operations: { put: 'native', get: 'native', delete: 'native', has: 'native', batch: 'native', range: 'native', prefix: 'emulated' },
  api: 'sync',
  threads: {
    shared: false,
    reason: "its index lives in one thread's JavaScript heap and its log has one writer: a second open would be a second, independent index appending to the same log",
  },
  async open(options: OpenOptions) {
    rejectUnknownOptions('floor', options.options);
    const memory = new MemoryStore();
    const path = join(options.dir, LOG_NAME);
    let logBytes = 0;
    if (fs.existsSync(path)) {
      const log = fs.readFileSync(path);
      logBytes = replayLog(log, memory);
      // An incomplete last record (a write cut short by a crash) was never acknowledged.
      if (logBytes < log.length) fs.truncateSync(path, logBytes);
    }
    const fd = options.durability === 'none' ? -1 : fs.openSync(path, 'a');
    return new FloorStore(memory, options.dir, options.durability, fd);
  },
};

export const floorEngine: EngineDescriptor = {
  name: 'floor',
  description: 'not a store: per durability mode the least work the mode requires (a write(2) per put in os, plus an fdatasync in fsync; a hash table and a sorted array in memory)',
  yardstick: 'the least work each durability mode requires on this machine, to measure stores against',
  async load() {
    return floorEngineModule;
  },
};
