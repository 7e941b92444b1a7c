/** Shared test helpers: a seeded PRNG, byte/string conversions, temp dirs, a counting file system. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FileSystem, ReadableFile, WritableFile } from '../../../engines/ts/fs.js';

const enc = new TextEncoder();
const dec = new TextDecoder();
export const b = (s: string): Uint8Array => enc.encode(s);
export const s = (u: Uint8Array | undefined): string | undefined => (u === undefined ? undefined : dec.decode(u));

/** xorshift32: small, seeded, deterministic. */
export class Rng {
  private x: number;
  constructor(seed: number) {
    this.x = seed >>> 0 || 0x9e3779b9;
  }
  next(): number {
    let x = this.x;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.x = x >>> 0;
    return this.x;
  }
  /** Uniform integer in [0, n). */
  int(n: number): number {
    return this.next() % n;
  }
  float(): number {
    return this.next() / 4294967296;
  }
}

export function tempDir(label: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `lsm-ts-${label}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Sorted [key, value] pairs of a string Map, the order the tree scans in (keys are ASCII). */
export function sortedEntries(m: ReadonlyMap<string, string>): Array<[string, string]> {
  return [...m.entries()].sort(([p], [q]) => (p < q ? -1 : p > q ? 1 : 0));
}

/** A FileSystem that counts the calls that cost a system call each: appends, reads and fsyncs (file or directory). */
export class CountingFileSystem implements FileSystem {
  appends = 0;
  reads = 0;
  fileSyncs = 0;
  dirSyncs = 0;
  constructor(private readonly inner: FileSystem) {}
  private wrap(f: WritableFile): WritableFile {
    const counts = this;
    return {
      get size() {
        return f.size;
      },
      append(data, offset, length) {
        counts.appends++;
        f.append(data, offset, length);
      },
      sync() {
        counts.fileSyncs++;
        f.sync();
      },
      close() {
        f.close();
      },
    };
  }
  get syncs(): number {
    return this.fileSyncs + this.dirSyncs;
  }
  create(path: string): WritableFile {
    return this.wrap(this.inner.create(path));
  }
  openAppend(path: string): WritableFile {
    return this.wrap(this.inner.openAppend(path));
  }
  openRead(path: string): ReadableFile {
    const f = this.inner.openRead(path);
    const counts = this;
    return {
      size: f.size,
      read(position, length, into, intoOffset) {
        counts.reads++;
        return f.read(position, length, into, intoOffset);
      },
      close() {
        f.close();
      },
    };
  }
  readAll(path: string): Uint8Array {
    return this.inner.readAll(path);
  }
  exists(path: string): boolean {
    return this.inner.exists(path);
  }
  list(dir: string): string[] {
    return this.inner.list(dir);
  }
  rename(from: string, to: string): void {
    this.inner.rename(from, to);
  }
  remove(path: string): void {
    this.inner.remove(path);
  }
  truncate(path: string, length: number): void {
    this.inner.truncate(path, length);
  }
  mkdirp(dir: string): void {
    this.inner.mkdirp(dir);
  }
  syncDir(dir: string): void {
    this.dirSyncs++;
    this.inner.syncDir(dir);
  }
}
