/**
 * One iterator over a level >= 1: its tables are sorted by key and their user-key
 * ranges do not overlap (a compaction never cuts a file between two versions of one
 * user key), so the level reads as one sorted run. Only the table under the cursor
 * has an open TableIterator; a seek binary-searches the tables' key ranges, so a scan
 * merges one source per level instead of one per table.
 */
import { compareRegions } from './coding.js';
import { EMPTY, type InternalIterator } from './iterator.js';
import type { TableIterator, TableReader } from './table.js';

export interface LevelTable {
  readonly reader: TableReader;
  readonly smallest: Uint8Array;
  readonly largest: Uint8Array;
}

export class LevelIterator implements InternalIterator {
  keyBuf: Uint8Array = EMPTY;
  keyOff = 0;
  keyLen = 0;
  seq = 0;
  kind = 0;
  valBuf: Uint8Array = EMPTY;
  valOff = 0;
  valLen = 0;

  private index = -1;
  private cur: TableIterator | undefined;

  /** `tables` sorted by smallest key, non-overlapping. */
  constructor(private readonly tables: readonly LevelTable[]) {}

  valid(): boolean {
    return this.cur !== undefined && this.cur.valid();
  }

  private open(i: number): TableIterator | undefined {
    if (i < 0 || i >= this.tables.length) {
      this.index = -1;
      this.cur = undefined;
      return undefined;
    }
    if (i !== this.index || this.cur === undefined) {
      this.index = i;
      this.cur = this.tables[i]!.reader.iterator();
    }
    return this.cur;
  }

  private load(): void {
    const c = this.cur!;
    this.keyBuf = c.keyBuf;
    this.keyOff = c.keyOff;
    this.keyLen = c.keyLen;
    this.seq = c.seq;
    this.kind = c.kind;
    this.valBuf = c.valBuf;
    this.valOff = c.valOff;
    this.valLen = c.valLen;
  }

  /** Moves forward from table `i` (already positioned) to the first valid entry. */
  private forwardFrom(i: number): void {
    let c = this.cur;
    while (c !== undefined && !c.valid()) {
      c = this.open(i + 1);
      i++;
      c?.seekFirst();
    }
    if (c !== undefined) this.load();
  }

  private backwardFrom(i: number): void {
    let c = this.cur;
    while (c !== undefined && !c.valid()) {
      c = this.open(i - 1);
      i--;
      c?.seekLast();
    }
    if (c !== undefined) this.load();
  }

  seekFirst(): void {
    const c = this.open(0);
    if (c === undefined) return;
    c.seekFirst();
    this.forwardFrom(0);
  }

  seekLast(): void {
    const n = this.tables.length;
    const c = this.open(n - 1);
    if (c === undefined) return;
    c.seekLast();
    this.backwardFrom(n - 1);
  }

  /** The first table whose largest key is >= key (tables.length if none). */
  private firstNotBelow(key: Uint8Array, off: number, len: number): number {
    const t = this.tables;
    let lo = 0;
    let hi = t.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const l = t[mid]!.largest;
      if (compareRegions(l, 0, l.length, key, off, len) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  seek(key: Uint8Array, off: number, len: number, seq: number): void {
    const i = this.firstNotBelow(key, off, len);
    const c = this.open(i);
    if (c === undefined) return;
    c.seek(key, off, len, seq);
    this.forwardFrom(i);
  }

  seekBefore(key: Uint8Array, off: number, len: number): void {
    // The last table whose smallest key is < key holds the answer, or an earlier one.
    const t = this.tables;
    let lo = 0;
    let hi = t.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const s = t[mid]!.smallest;
      if (compareRegions(s, 0, s.length, key, off, len) < 0) lo = mid + 1;
      else hi = mid;
    }
    const i = lo - 1;
    const c = this.open(i);
    if (c === undefined) return;
    c.seekBefore(key, off, len);
    this.backwardFrom(i);
  }

  next(): void {
    const c = this.cur!;
    c.next();
    if (c.valid()) this.load();
    else this.forwardFrom(this.index);
  }

  prev(): void {
    const c = this.cur!;
    c.prev();
    if (c.valid()) this.load();
    else this.backwardFrom(this.index);
  }
}
