/**
 * The FileSystem interface: every byte the tree reads or writes goes through it, so
 * tests can swap in a fault-injecting implementation (fault-fs.ts).
 *
 * All calls are synchronous: the tree's hot path must not pay for a promise.
 * Paths are plain strings joined with '/'.
 */
import * as nodeFs from 'node:fs';
import { constants as osConstants } from 'node:os';
import { Worker } from 'node:worker_threads';

/** A sync started by WritableFile.syncStart, running on another thread. */
export interface PendingSync {
  /** True once the sync has completed; throws its error if it failed. Never blocks. */
  done(): boolean;
  /** Blocks until the sync has completed; throws its error if it failed. */
  wait(): void;
}

/** A file being written from start to end. */
export interface WritableFile {
  /** Bytes appended so far (including any the file held when opened for append). */
  readonly size: number;
  /** Hands `data[offset, offset+length)` to the OS (write(2)); it survives a process kill, not power loss. */
  append(data: Uint8Array, offset: number, length: number): void;
  /** Makes everything appended so far survive power loss (fdatasync). */
  sync(): void;
  /**
   * Starts sync() on another thread where the file system can, so that the caller's
   * thread goes on working meanwhile; undefined where it cannot (call sync()). The
   * file must stay open until the sync is done. Optional.
   */
  syncStart?(): PendingSync | undefined;
  close(): void;
}

/** A file read at arbitrary offsets. */
export interface ReadableFile {
  readonly size: number;
  /** Reads up to `length` bytes at `position` into `into[intoOffset..]`; returns the bytes read. */
  read(position: number, length: number, into: Uint8Array, intoOffset: number): number;
  close(): void;
}

export interface FileSystem {
  /** Creates the file, or truncates it if it exists. */
  create(path: string): WritableFile;
  /** Opens an existing file to append to it. */
  openAppend(path: string): WritableFile;
  openRead(path: string): ReadableFile;
  /** The whole file; REQUIRES: the file exists. */
  readAll(path: string): Uint8Array;
  exists(path: string): boolean;
  /** Names (not paths) of the entries in `dir`. */
  list(dir: string): string[];
  /** Atomically replaces `to` with `from`; durable only after syncDir. */
  rename(from: string, to: string): void;
  remove(path: string): void;
  truncate(path: string, length: number): void;
  mkdirp(dir: string): void;
  /** Makes creations, renames and removals in `dir` survive power loss. */
  syncDir(dir: string): void;
}

export function joinPath(dir: string, name: string): string {
  return dir.endsWith('/') ? dir + name : `${dir}/${name}`;
}

class NodeWritableFile implements WritableFile {
  size: number;
  constructor(
    private fd: number,
    initialSize: number,
    private readonly syncElsewhere: boolean,
  ) {
    this.size = initialSize;
  }
  append(data: Uint8Array, offset: number, length: number): void {
    let done = 0;
    while (done < length) done += nodeFs.writeSync(this.fd, data, offset + done, length - done);
    this.size += length;
  }
  sync(): void {
    nodeFs.fdatasyncSync(this.fd);
  }
  syncStart(): PendingSync | undefined {
    return this.syncElsewhere ? startSync(this.fd) : undefined;
  }
  close(): void {
    if (this.fd >= 0) nodeFs.closeSync(this.fd);
    this.fd = -1;
  }
}

/**
 * fdatasync on a worker thread: a request is the descriptor and a slot of shared
 * memory, where the worker stores 1 when the sync succeeded or the error's (negative)
 * errno, and which the caller polls without a turn of the event loop (the tree's
 * callers never yield). A table's fsync held the write that paid for it for up to
 * 164 ms when the disk was busy; the write path now only polls.
 */
const SYNC_SLOTS = 256;
/** What the worker stores for an error without an errno. */
const NOT_AN_OS_ERROR = -(1 << 20);
/** How long a sync may run before it is reported as failed. */
const SYNC_TIMEOUT_MS = 120_000;
let syncWorker: { worker: Worker; flags: Int32Array; free: number[] } | undefined;

const SYNC_WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const flags = new Int32Array(workerData);
parentPort.on('message', ({ fd, slot }) => {
  let result = 1;
  try {
    fs.fdatasyncSync(fd);
  } catch (err) {
    result = typeof err.errno === 'number' && err.errno < 0 ? err.errno : ${NOT_AN_OS_ERROR};
  }
  Atomics.store(flags, slot, result);
  Atomics.notify(flags, slot);
});
`;

function startSync(fd: number): PendingSync | undefined {
  if (syncWorker === undefined) {
    const shared = new SharedArrayBuffer(4 * SYNC_SLOTS);
    // stdout and stderr of its own: left to default, the worker would pipe them into the
    // parent's, which makes the process's fd 1 and 2 non-blocking (a writeSync to a
    // full pipe then fails with EAGAIN).
    // No execArgv of the parent's: --input-type=module would make this CommonJS source
    // ESM (and the worker die at start), --cpu-prof would profile it too.
    const worker = new Worker(SYNC_WORKER_SOURCE, { eval: true, workerData: shared, stdout: true, stderr: true, execArgv: [] });
    // An idle worker must not keep the process alive.
    worker.unref();
    syncWorker = { worker, flags: new Int32Array(shared), free: Array.from({ length: SYNC_SLOTS }, (_, i) => SYNC_SLOTS - 1 - i) };
  }
  const w = syncWorker;
  const slot = w.free.pop();
  if (slot === undefined) return undefined;
  Atomics.store(w.flags, slot, 0);
  w.worker.postMessage({ fd, slot });
  const started = performance.now();
  let finished = false;
  const settle = (): boolean => {
    if (finished) return true;
    const v = Atomics.load(w.flags, slot);
    if (v === 0) {
      // A worker that died cannot answer: fail rather than wait for ever. (The slot is
      // not reused: a late answer would land in it.)
      if (performance.now() - started > SYNC_TIMEOUT_MS) throw new Error(`fdatasync on the worker thread has not completed in ${SYNC_TIMEOUT_MS / 1000} s`);
      return false;
    }
    finished = true;
    w.free.push(slot);
    if (v < 0) {
      if (v === NOT_AN_OS_ERROR) throw new Error('fdatasync failed (not an OS error: a bad descriptor?)');
      const name = Object.entries(osConstants.errno).find(([, n]) => n === -v)?.[0] ?? `errno ${-v}`;
      throw new Error(`fdatasync failed: ${name}`);
    }
    return true;
  };
  return {
    done: settle,
    wait(): void {
      while (!settle()) Atomics.wait(w.flags, slot, 0, 1000);
    },
  };
}

class NodeReadableFile implements ReadableFile {
  constructor(
    private fd: number,
    readonly size: number,
  ) {}
  read(position: number, length: number, into: Uint8Array, intoOffset: number): number {
    let done = 0;
    while (done < length) {
      const n = nodeFs.readSync(this.fd, into, intoOffset + done, length - done, position + done);
      if (n === 0) break;
      done += n;
    }
    return done;
  }
  close(): void {
    if (this.fd >= 0) nodeFs.closeSync(this.fd);
    this.fd = -1;
  }
}

/** The real file system, through node:fs's synchronous calls. */
export class NodeFileSystem implements FileSystem {
  /**
   * `syncElsewhere`: files start their fdatasyncs on a thread of their own
   * (WritableFile.syncStart). False for a caller that is itself a background thread
   * (the job worker, job-worker.ts), which can as well wait for them.
   */
  constructor(private readonly syncElsewhere = true) {}
  create(path: string): WritableFile {
    return new NodeWritableFile(nodeFs.openSync(path, 'w'), 0, this.syncElsewhere);
  }
  openAppend(path: string): WritableFile {
    const fd = nodeFs.openSync(path, 'a');
    return new NodeWritableFile(fd, nodeFs.fstatSync(fd).size, this.syncElsewhere);
  }
  openRead(path: string): ReadableFile {
    const fd = nodeFs.openSync(path, 'r');
    return new NodeReadableFile(fd, nodeFs.fstatSync(fd).size);
  }
  readAll(path: string): Uint8Array {
    const b = nodeFs.readFileSync(path);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  }
  exists(path: string): boolean {
    return nodeFs.existsSync(path);
  }
  list(dir: string): string[] {
    return nodeFs.readdirSync(dir);
  }
  rename(from: string, to: string): void {
    nodeFs.renameSync(from, to);
  }
  remove(path: string): void {
    nodeFs.rmSync(path, { force: true });
  }
  truncate(path: string, length: number): void {
    nodeFs.truncateSync(path, length);
  }
  mkdirp(dir: string): void {
    nodeFs.mkdirSync(dir, { recursive: true });
  }
  syncDir(dir: string): void {
    const fd = nodeFs.openSync(dir, 'r');
    try {
      nodeFs.fsyncSync(fd);
    } finally {
      nodeFs.closeSync(fd);
    }
  }
}
