/**
 * An in-memory FileSystem that can simulate what a crash leaves behind, for tests.
 *
 * It keeps two views of every file and directory: what the OS has (every append,
 * visible to readers at once) and what the disk has (only what sync() and syncDir()
 * made durable). `crash()` throws away the OS view: unsynced bytes are dropped (or
 * the last unsynced stretch is torn to a random prefix), and creations, renames and
 * removals not followed by syncDir() are undone. `flip()` corrupts a byte in place.
 */
import type { FileSystem, ReadableFile, WritableFile } from './fs.js';

class Inode {
  data: Uint8Array = new Uint8Array(256);
  length = 0;
  durable: Uint8Array = new Uint8Array(0);

  ensure(capacity: number): void {
    if (capacity <= this.data.length) return;
    let n = this.data.length * 2;
    while (n < capacity) n *= 2;
    const grown = new Uint8Array(n);
    grown.set(this.data.subarray(0, this.length));
    this.data = grown;
  }
  contents(): Uint8Array {
    return this.data.slice(0, this.length);
  }
}

export class FaultInjectionError extends Error {
  override readonly name = 'FaultInjectionError';
}

function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '.' : path.slice(0, i);
}

export interface CrashOptions {
  /** Keep a random prefix of each file's unsynced bytes instead of dropping them all. */
  readonly tear?: boolean;
  /** Random source in [0, 1) for tearing; defaults to Math.random. */
  readonly random?: () => number;
}

export class FaultFileSystem implements FileSystem {
  private entries = new Map<string, Inode>();
  private durableEntries = new Map<string, Inode>();
  private dirs = new Set<string>();
  /** Handles opened before a crash stop working: the process they belonged to is gone. */
  private generation = 0;
  /** When set, every write/sync call decrements it and throws once it reaches zero. */
  failAfterWrites = Infinity;
  bytesWritten = 0;

  private checkFault(): void {
    if (this.failAfterWrites !== Infinity && --this.failAfterWrites < 0) throw new FaultInjectionError('injected I/O failure');
  }

  private inode(path: string): Inode {
    const f = this.entries.get(path);
    if (f === undefined) throw Object.assign(new Error(`ENOENT: no such file ${path}`), { code: 'ENOENT' });
    return f;
  }

  private writable(path: string, f: Inode): WritableFile {
    const fs = this;
    const gen = this.generation;
    return {
      get size() {
        return f.length;
      },
      append(data: Uint8Array, offset: number, length: number): void {
        if (gen !== fs.generation) throw new FaultInjectionError(`stale handle for ${path}`);
        fs.checkFault();
        f.ensure(f.length + length);
        f.data.set(data.subarray(offset, offset + length), f.length);
        f.length += length;
        fs.bytesWritten += length;
      },
      sync(): void {
        if (gen !== fs.generation) throw new FaultInjectionError(`stale handle for ${path}`);
        fs.checkFault();
        f.durable = f.contents();
      },
      close(): void {},
    };
  }

  create(path: string): WritableFile {
    this.checkFault();
    const f = new Inode();
    this.entries.set(path, f);
    return this.writable(path, f);
  }
  openAppend(path: string): WritableFile {
    return this.writable(path, this.inode(path));
  }
  openRead(path: string): ReadableFile {
    const f = this.inode(path);
    const size = f.length;
    return {
      size,
      read(position: number, length: number, into: Uint8Array, intoOffset: number): number {
        const end = Math.min(position + length, f.length);
        if (end <= position) return 0;
        into.set(f.data.subarray(position, end), intoOffset);
        return end - position;
      },
      close(): void {},
    };
  }
  readAll(path: string): Uint8Array {
    return this.inode(path).contents();
  }
  exists(path: string): boolean {
    return this.entries.has(path) || this.dirs.has(path);
  }
  list(dir: string): string[] {
    const prefix = dir.endsWith('/') ? dir : `${dir}/`;
    const out: string[] = [];
    for (const p of this.entries.keys()) if (p.startsWith(prefix) && !p.slice(prefix.length).includes('/')) out.push(p.slice(prefix.length));
    return out.sort();
  }
  rename(from: string, to: string): void {
    this.checkFault();
    const f = this.inode(from);
    this.entries.delete(from);
    this.entries.set(to, f);
  }
  remove(path: string): void {
    this.entries.delete(path);
  }
  truncate(path: string, length: number): void {
    const f = this.inode(path);
    if (length < f.length) f.length = length;
    // Truncation is treated as durable at once, like a metadata update followed by fsync.
    if (f.durable.length > length) f.durable = f.durable.slice(0, length);
  }
  mkdirp(dir: string): void {
    this.dirs.add(dir);
  }
  syncDir(dir: string): void {
    this.checkFault();
    for (const p of [...this.durableEntries.keys()]) if (dirOf(p) === dir && !this.entries.has(p)) this.durableEntries.delete(p);
    for (const [p, f] of this.entries) if (dirOf(p) === dir) this.durableEntries.set(p, f);
  }

  /** Simulates power loss: only what was synced survives (see CrashOptions). */
  crash(options: CrashOptions = {}): void {
    const random = options.random ?? Math.random;
    this.generation++;
    this.failAfterWrites = Infinity;
    const survivors = new Map<string, Inode>();
    for (const [p, f] of this.durableEntries) {
      const kept = new Inode();
      let bytes = f.durable;
      if (options.tear && f.length > f.durable.length && startsWithBytes(f.data, f.length, f.durable)) {
        const extra = Math.floor(random() * (f.length - f.durable.length + 1));
        bytes = f.data.slice(0, f.durable.length + extra);
      }
      kept.ensure(bytes.length);
      kept.data.set(bytes);
      kept.length = bytes.length;
      kept.durable = bytes.slice();
      survivors.set(p, kept);
    }
    this.entries = survivors;
    this.durableEntries = new Map(survivors);
  }

  /** Simulates a process kill: everything handed to the OS survives, open handles die. */
  kill(): void {
    this.generation++;
    this.failAfterWrites = Infinity;
  }

  /** XORs one byte of a file (in both views) with `mask`. */
  flip(path: string, offset: number, mask = 0xff): void {
    const f = this.inode(path);
    if (offset >= f.length) throw new RangeError(`offset ${offset} beyond ${path} (${f.length} bytes)`);
    f.data[offset] = f.data[offset]! ^ mask;
    if (offset < f.durable.length) f.durable[offset] = f.durable[offset]! ^ mask;
  }

  /** Replaces a file's contents outright (durably), e.g. to cut it at an offset. */
  setContents(path: string, bytes: Uint8Array): void {
    const f = this.entries.get(path) ?? new Inode();
    f.length = 0;
    f.ensure(bytes.length);
    f.data.set(bytes);
    f.length = bytes.length;
    f.durable = bytes.slice();
    this.entries.set(path, f);
    this.durableEntries.set(path, f);
  }

  /** A deep copy, to rerun recovery many times from one crashed state. */
  clone(): FaultFileSystem {
    const c = new FaultFileSystem();
    const copies = new Map<Inode, Inode>();
    const copy = (f: Inode): Inode => {
      let g = copies.get(f);
      if (g === undefined) {
        g = new Inode();
        g.ensure(f.length);
        g.data.set(f.data.subarray(0, f.length));
        g.length = f.length;
        g.durable = f.durable.slice();
        copies.set(f, g);
      }
      return g;
    };
    for (const [p, f] of this.entries) c.entries.set(p, copy(f));
    for (const [p, f] of this.durableEntries) c.durableEntries.set(p, copy(f));
    for (const d of this.dirs) c.dirs.add(d);
    return c;
  }
}

function startsWithBytes(data: Uint8Array, length: number, prefix: Uint8Array): boolean {
  if (length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (data[i] !== prefix[i]) return false;
  return true;
}
