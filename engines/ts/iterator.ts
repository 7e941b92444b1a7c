/**
 * The one iterator shape every source (memtable, block, table, merge) meets at.
 *
 * The current entry is exposed as fields rather than methods or fresh Uint8Arrays:
 * the user key is keyBuf[keyOff, keyOff+keyLen), the value valBuf[valOff, valOff+valLen).
 * REQUIRES: valid() before reading them. They stay valid only until the iterator moves.
 */
export interface InternalIterator {
  keyBuf: Uint8Array;
  keyOff: number;
  keyLen: number;
  seq: number;
  kind: number;
  valBuf: Uint8Array;
  valOff: number;
  valLen: number;

  valid(): boolean;
  /**
   * True when the source holds no entry at all, whatever it is positioned at (an empty
   * memtable): a merge leaves it out. Optional: a source that cannot tell cheaply omits it.
   */
  knownEmpty?(): boolean;
  /** Positions at the first entry, in internal order. */
  seekFirst(): void;
  /** Positions at the last entry. */
  seekLast(): void;
  /** Positions at the first entry >= (key, seq) in internal order. */
  seek(key: Uint8Array, off: number, len: number, seq: number): void;
  /** Positions at the last entry whose user key is < key. */
  seekBefore(key: Uint8Array, off: number, len: number): void;
  /** REQUIRES: valid(), and the last positioning call was seekFirst, seek or next. */
  next(): void;
  /** REQUIRES: valid(), and the last positioning call was seekLast, seekBefore or prev. */
  prev(): void;
}

export const EMPTY = new Uint8Array(0);
