/**
 * The FileSystem interface: every byte the tree reads or writes goes through it, so
 * tests can swap in a fault-injecting implementation (fault-fs.ts).
 *
 * All calls are synchronous: the tree's hot path must not pay for a promise.
 * Paths are plain strings joined with '/'.
 */
import * as nodeFs from 'node:fs';

/** A file being written from start to end. */
export interface WritableFile {
  /** Bytes appended so far (including any the file held when opened for append). */
  readonly size: number;
  /** Hands `data[offset, offset+length)` to the OS (write(2)); it survives a process kill, not power loss. */
  append(data: Uint8Array, offset: number, length: number): void;
  /** Makes everything appended so far survive power loss (fdatasync). */
  sync(): void;
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
  constructor(private fd: number, initialSize: number) {
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
  close(): void {
    if (this.fd >= 0) nodeFs.closeSync(this.fd);
    this.fd = -1;
  }
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
  create(path: string): WritableFile {
    return new NodeWritableFile(nodeFs.openSync(path, 'w'), 0);
  }
  openAppend(path: string): WritableFile {
    const fd = nodeFs.openSync(path, 'a');
    return new NodeWritableFile(fd, nodeFs.fstatSync(fd).size);
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
