/**
 * SSTables: an immutable sorted file of entries in internal order (FORMAT.md has the
 * byte layout). TableBuilder writes one; TableReader answers point lookups reading
 * only the block that can hold the key (none when the bloom filter says no), and
 * TableIterator walks it in either direction.
 */
import { crc32Bytes, crc32Region } from './crc32.js';
import { BlockBuilder, BlockHit, BlockIterator, blockGet, ENTRY_FOUND, ENTRY_NEWER, wholeEntryEnd, wholeEntryGet } from './block.js';
import { Bloom, BloomBuilder, modU32 } from './bloom.js';
import { ByteReader, ByteWriter, compareRegions, readU32, readU64, writeU32, writeU64 } from './coding.js';
import { TableCorruptionError } from './errors.js';
import { hashKey } from './hash.js';
import type { FileSystem, PendingSync, ReadableFile, WritableFile } from './fs.js';
import { EMPTY, type InternalIterator } from './iterator.js';

export const TABLE_MAGIC = 'tsLSMsst';
/**
 * 4: each point index slot carries the CRC-32 of its key's entry.
 * 3 (point index without entry checksums), 2 (no point index, 48-byte footer) and 1
 * (whole-array bloom) are refused with a clear error.
 */
export const TABLE_VERSION = 4;
export const FOOTER_SIZE = 60;
/** The format version sits 16 bytes before the end of the file in every version's footer. */
const VERSION_FROM_END = 16;
const MAGIC_BYTES = new TextEncoder().encode(TABLE_MAGIC);

export interface TableOptions {
  /** Target uncompressed size of a data block. */
  readonly blockSize: number;
  /**
   * Entries between restart points (entries stored whole). At 1 every key is whole, so
   * the table can carry a point index; above 1 keys share prefixes and it cannot.
   */
  readonly restartInterval: number;
  readonly bloomBitsPerKey: number;
}

export const DEFAULT_TABLE_OPTIONS: TableOptions = { blockSize: 4096, restartInterval: 1, bloomBitsPerKey: 10 };

/**
 * The point index: an open-addressed hash table of a table's user keys, three u32 per
 * slot: the key's 32-bit hash (hash.ts hashKey), where the first (newest) entry of
 * the key starts, block * 65536 + offset in the block (POINT_EMPTY marks a free slot),
 * and the CRC-32 of that entry's bytes (from its first byte to its value's last), so
 * that a lookup can read the entry alone from the file and still verify every byte it
 * uses (TableReader.readEntry).
 * A key's home slot is hash mod slots, and a lookup probes forward from there to the
 * first free slot. With at most POINT_LOAD keys per slot a lookup reads one or two
 * cache lines of it, then the entry itself: no bloom probe, no index search, no search
 * inside the block. Written only when every entry is stored whole (restartInterval 1)
 * and every key's block and offset fit in 16 bits each; otherwise lookups take the
 * bloom filter and the index.
 */
export const POINT_EMPTY = 0xffffffff;
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
/** TableBuilder.finishSlice's phases. */
const FINISH_BLOCK = 0;
const FINISH_FILTER = 1;
const FINISH_FILTER_WRITE = 2;
const FINISH_POINTS = 3;
const FINISH_POINTS_WRITE = 4;
const FINISH_TAIL = 5;
/** A finish slice of `keys` keys writes up to keys * this many bytes of filter or point index (1 MiB at 32,768 keys). */
const WRITE_BYTES_PER_KEY = 32;
/** Words of a point index marked empty per key of a finish slice (24: 3 MiB a slice of 32,768 keys). */
const CLEAR_WORDS_PER_KEY = 24;
/** u32 words per point index slot: hash, location, entry CRC. */
const POINT_WORDS = 3;
export const POINT_LOAD = 0.8;
const POINT_MAX_BLOCKS = 65535;
const POINT_MAX_OFFSET = 65536;

/** The slot count of a point index holding `keys` keys. */
export function pointSlots(keys: number): number {
  return Math.ceil(keys / POINT_LOAD) + 1;
}

/**
 * A table's filter, point index and index blocks as its builder wrote them, so that
 * the table's first open need not read them back (TableReader.openWritten): a compaction's
 * output was written minutes before its install, and at N = 10,000,000 reading its
 * point index back from the disk held a delete for up to 171 ms.
 */
export interface TableBlocks {
  readonly filter: Uint8Array;
  readonly point: Uint8Array;
  readonly index: Uint8Array;
  /** The footer's bytes, and the file's size once finished. */
  readonly footer: Uint8Array;
  readonly fileSize: number;
  /** The index decoded (by the job thread, which wrote the table), so that an open need not decode it. */
  readonly decoded?: DecodedIndex;
}

/** What the manifest records about a table. */
export interface TableMeta {
  readonly id: number;
  readonly size: number;
  readonly entries: number;
  readonly smallest: Uint8Array;
  readonly largest: Uint8Array;
  readonly minSeq: number;
  readonly maxSeq: number;
}

/**
 * Bytes a TableBuilder collects before handing them to the file (one write(2)). The
 * append is paid by whichever write's slice fills it: 256 KiB cost ~0.1-0.3 ms, 32 KiB
 * ~20-40 us (both beyond 10x the median write); 8 KiB appends are two blocks each, a
 * cost of a few microseconds spread over four times as many steps
 * (scripts/bench-write-tail.ts).
 */
export const TABLE_APPEND_BYTES = 8192;

export class TableBuilder {
  private readonly file: WritableFile;
  private readonly data: BlockBuilder;
  private readonly index = new BlockBuilder(1);
  private readonly bloom: BloomBuilder;
  /** Bytes waiting to be handed to the file: blocks are written in appends of TABLE_APPEND_BYTES. */
  private readonly pending = new ByteWriter(1 << 18);
  private offset = 0;
  private entries = 0;
  private smallest: Uint8Array | undefined;
  private lastKey = new Uint8Array(64);
  private lastKeyLen = 0;
  private lastSeq = 0;
  private minSeq = Infinity;
  private maxSeq = 0;
  private readonly handle = new ByteWriter(16);
  /** Data blocks written so far: the number of the block being filled. */
  private blocks = 0;
  /** Per distinct user key, where its first entry starts (block * 65536 + offset); its hash is the bloom builder's of the same index. */
  private keyLocs = new Uint32Array(1024);
  /** Per distinct user key, the CRC-32 of its first entry's bytes. */
  private keyCrcs = new Uint32Array(1024);
  private keyCount = 0;
  /** Whether a point index can be written: entries whole, blocks and offsets within 16 bits. */
  private pointable: boolean;
  /** finishSlice's progress: its next phase, the point index table being filled and how many keys are in it. */
  private finishPhase = FINISH_BLOCK;
  private points: Uint32Array | undefined;
  /** Words of `points` marked empty so far (a slice at a time), and keys inserted. */
  private pointsCleared = 0;
  private pointsFilled = 0;
  private filterHandle = { offset: 0, size: 0 };
  /** The block writeRawSlice is writing, how much of it is written, where it starts and its CRC so far. */
  private writing: Uint8Array = EMPTY;
  private writingAt = 0;
  private writingOffset = 0;
  private writingCrc = 0;
  private pointHandle = { offset: 0, size: 0 };
  /** The filter, point index and index blocks written (finishSlice), for the table's open. */
  private filterBlock: Uint8Array = EMPTY;
  private pointBlock: Uint8Array = EMPTY;
  private indexBlock: Uint8Array = EMPTY;
  private footerBlock: Uint8Array = EMPTY;
  /** Bytes handed to the file and made durable by syncWrittenStart(). */
  private synced = 0;

  constructor(
    fs: FileSystem,
    readonly path: string,
    private readonly id: number,
    private readonly options: TableOptions = DEFAULT_TABLE_OPTIONS,
  ) {
    this.file = fs.create(path);
    this.data = new BlockBuilder(options.restartInterval);
    this.bloom = new BloomBuilder(options.bloomBitsPerKey);
    this.pointable = options.restartInterval === 1;
  }

  private addPointKey(): void {
    const at = this.data.out.length;
    if (this.blocks >= POINT_MAX_BLOCKS || at >= POINT_MAX_OFFSET) {
      this.pointable = false;
      return;
    }
    if (this.keyCount === this.keyLocs.length) {
      const l = new Uint32Array(this.keyCount * 2);
      l.set(this.keyLocs);
      this.keyLocs = l;
      const c = new Uint32Array(this.keyCount * 2);
      c.set(this.keyCrcs);
      this.keyCrcs = c;
    }
    this.keyLocs[this.keyCount] = this.blocks * POINT_MAX_OFFSET + at;
    this.keyCount++;
  }

  /**
   * Fills `keys` more keys into the point index table (POINT_EMPTY-filled slots);
   * true once every key is in. REQUIRES: pointable and keyCount > 0.
   */
  private fillPoints(keys: number): boolean {
    const slots = pointSlots(this.keyCount);
    const table = (this.points ??= new Uint32Array(POINT_WORDS * slots));
    if (this.pointsCleared < table.length) {
      // Marking the slots empty comes first, a slice at a time too: filling a fresh 18 MB
      // table (a million tombstones) at once took 19 ms here, mostly first-touch page faults.
      const to = Math.min(table.length, this.pointsCleared + keys * CLEAR_WORDS_PER_KEY);
      table.fill(POINT_EMPTY, this.pointsCleared, to);
      this.pointsCleared = to;
      return false;
    }
    const end = Math.min(this.keyCount, this.pointsFilled + keys);
    for (let i = this.pointsFilled; i < end; i++) {
      const h = this.bloom.hashAt(i);
      let s = modU32(h, slots);
      while (table[POINT_WORDS * s + 1] !== POINT_EMPTY) s = s + 1 === slots ? 0 : s + 1;
      table[POINT_WORDS * s] = h;
      table[POINT_WORDS * s + 1] = this.keyLocs[i]!;
      table[POINT_WORDS * s + 2] = this.keyCrcs[i]!;
    }
    this.pointsFilled = end;
    return end === this.keyCount;
  }

  /** The filled point index as its block's bytes (u32 little-endian). */
  private pointBytes(): Uint8Array {
    const table = this.points!;
    if (LITTLE_ENDIAN) return new Uint8Array(table.buffer, table.byteOffset, table.byteLength);
    const out = new Uint8Array(4 * table.length);
    for (let i = 0; i < table.length; i++) writeU32(out, 4 * i, table[i]!);
    return out;
  }

  /** Bytes written so far and the current block, plus the point index the keys so far need. */
  get estimatedSize(): number {
    const points = this.pointable && this.keyCount > 0 ? 4 * POINT_WORDS * pointSlots(this.keyCount) : 0;
    return this.offset + this.pending.length + this.data.estimatedSize + points;
  }

  /** REQUIRES: entries arrive in internal order with no duplicate (key, seq). */
  add(key: Uint8Array, keyOff: number, keyLen: number, seq: number, kind: number, val: Uint8Array, valOff: number, valLen: number): void {
    const sameUserKey = this.entries > 0 && compareRegions(this.lastKey, 0, this.lastKeyLen, key, keyOff, keyLen) === 0;
    const entryAt = this.data.out.length;
    let pointKey = false;
    if (!sameUserKey) {
      this.bloom.addKey(key, keyOff, keyLen);
      if (this.pointable) this.addPointKey();
      pointKey = this.pointable;
    }
    if (this.smallest === undefined) this.smallest = key.slice(keyOff, keyOff + keyLen);
    this.data.add(key, keyOff, keyLen, seq, kind, val, valOff, valLen);
    if (pointKey) this.keyCrcs[this.keyCount - 1] = crc32Region(this.data.out.bytes, entryAt, this.data.out.length - entryAt);
    if (keyLen > this.lastKey.length) this.lastKey = new Uint8Array(keyLen * 2);
    const lk = this.lastKey;
    for (let i = 0; i < keyLen; i++) lk[i] = key[keyOff + i]!;
    this.lastKeyLen = keyLen;
    this.lastSeq = seq;
    if (seq < this.minSeq) this.minSeq = seq;
    if (seq > this.maxSeq) this.maxSeq = seq;
    this.entries++;
    if (this.data.estimatedSize >= this.options.blockSize) this.flushBlock();
  }

  /** Bytes handed to the file since the last syncWrittenStart(). */
  get unsyncedBytes(): number {
    return this.offset - this.synced;
  }

  /**
   * Makes the bytes handed to the file so far durable (fdatasync), on another thread
   * where the file system can (WritableFile.syncStart): the returned sync covers them.
   * Undefined when it synced here instead. A job calls it every few MiB, so the fsync
   * after finish has little left to write (here an fdatasync of 32 MiB took 23 ms).
   * REQUIRES: no finishSlice closes the file before the returned
   * sync is done.
   */
  syncWrittenStart(): PendingSync | undefined {
    const pending = this.file.syncStart?.();
    if (pending === undefined) this.file.sync();
    this.synced = this.offset;
    return pending;
  }

  /**
   * One slice of writing `writing` (the filter or the point index, megabytes for a
   * table of a million tombstones) as a block and its CRC: up to `bytes` bytes go to
   * the file, the CRC carried over; the block's handle once it is all written.
   */
  private writeRawSlice(bytes: number): { offset: number; size: number } | undefined {
    const data = this.writing;
    if (this.writingAt === 0) {
      this.writingOffset = this.offset + this.pending.length;
      this.writingCrc = 0;
    }
    this.drain();
    const from = this.writingAt;
    const end = Math.min(data.length, from + Math.max(1, bytes));
    if (end > from) {
      this.file.append(data, from, end - from);
      this.offset += end - from;
      this.writingCrc = crc32Bytes(data.subarray(from, end), this.writingCrc);
    }
    this.writingAt = end;
    if (end < data.length) return undefined;
    this.pending.u32(this.writingCrc);
    this.writingAt = 0;
    this.writing = EMPTY;
    return { offset: this.writingOffset, size: data.length };
  }

  private writeRaw(bytes: Uint8Array): { offset: number; size: number } {
    const at = this.offset + this.pending.length;
    this.pending.raw(bytes, 0, bytes.length);
    this.pending.u32(crc32Bytes(bytes));
    if (this.pending.length >= TABLE_APPEND_BYTES) this.drain();
    return { offset: at, size: bytes.length };
  }

  private drain(): void {
    if (this.pending.length === 0) return;
    this.file.append(this.pending.bytes, 0, this.pending.length);
    this.offset += this.pending.length;
    this.pending.reset();
  }

  private flushBlock(): void {
    if (this.data.empty) return;
    const { offset, size } = this.writeRaw(this.data.finish());
    this.data.reset();
    this.blocks++;
    const h = this.handle;
    h.reset();
    h.varint(offset);
    h.varint(size);
    this.index.add(this.lastKey, 0, this.lastKeyLen, this.lastSeq, 0, h.bytes, 0, h.length);
  }

  /**
   * Writes filter, index and footer, syncs the file (unless `sync` is false: then the
   * bytes are only handed to the OS) and closes it.
   */
  finish(sync = true): TableMeta {
    let meta: TableMeta | undefined;
    while ((meta = this.finishSlice(Infinity, sync)) === undefined);
    return meta;
  }

  /**
   * finish() in slices, so that no write that pays for background work pays for a
   * whole table's finish (for a 32 MiB table, ~40 ms in one piece): the last data
   * block; the bloom filter and the point index, each `keys` keys a slice; the point
   * index's write; the index block and footer. Undefined until the last slice, which
   * syncs (when `sync`), closes the file and returns the table's metadata.
   */
  finishSlice(keys: number, sync = false): TableMeta | undefined {
    switch (this.finishPhase) {
      case FINISH_BLOCK:
        this.flushBlock();
        this.finishPhase = FINISH_FILTER;
        return undefined;
      case FINISH_FILTER: {
        const filter = this.bloom.finishSlice(keys);
        if (filter === undefined) return undefined;
        this.writing = this.filterBlock = filter;
        this.finishPhase = FINISH_FILTER_WRITE;
        return undefined;
      }
      case FINISH_FILTER_WRITE: {
        const handle = this.writeRawSlice(keys * WRITE_BYTES_PER_KEY);
        if (handle === undefined) return undefined;
        this.filterHandle = handle;
        this.finishPhase = this.pointable && this.keyCount > 0 ? FINISH_POINTS : FINISH_TAIL;
        return undefined;
      }
      case FINISH_POINTS:
        if (this.fillPoints(keys)) {
          this.writing = this.pointBlock = this.pointBytes();
          this.points = undefined;
          this.finishPhase = FINISH_POINTS_WRITE;
        }
        return undefined;
      case FINISH_POINTS_WRITE: {
        const handle = this.writeRawSlice(keys * WRITE_BYTES_PER_KEY);
        if (handle === undefined) return undefined;
        this.pointHandle = handle;
        this.finishPhase = FINISH_TAIL;
        return undefined;
      }
    }
    const filter = this.filterHandle;
    const point = this.pointHandle;
    this.indexBlock = this.index.finish();
    const index = this.writeRaw(this.indexBlock);
    const footer = new Uint8Array(FOOTER_SIZE);
    writeU64(footer, 0, filter.offset);
    writeU32(footer, 8, filter.size);
    writeU64(footer, 12, index.offset);
    writeU32(footer, 20, index.size);
    writeU64(footer, 24, point.offset);
    writeU32(footer, 32, point.size);
    writeU64(footer, 36, this.entries);
    writeU32(footer, 44, TABLE_VERSION);
    writeU32(footer, 48, crc32Bytes(footer.subarray(0, 48)));
    footer.set(MAGIC_BYTES, 52);
    this.footerBlock = footer;
    this.pending.raw(footer, 0, FOOTER_SIZE);
    this.drain();
    if (sync) this.file.sync();
    this.file.close();
    return {
      id: this.id,
      size: this.offset,
      entries: this.entries,
      smallest: this.smallest ?? new Uint8Array(0),
      largest: this.lastKey.slice(0, this.lastKeyLen),
      minSeq: this.entries === 0 ? 0 : this.minSeq,
      maxSeq: this.maxSeq,
    };
  }

  /** After the last finishSlice: the blocks the table's open would read back (TableReader.openWritten). */
  get writtenBlocks(): TableBlocks {
    return { filter: this.filterBlock, point: this.pointBlock, index: this.indexBlock, footer: this.footerBlock, fileSize: this.offset };
  }

  /** Gives up on the table (the caller removes the file). */
  abandon(): void {
    this.file.close();
  }
}

/** One table's view of the block cache: per data block, its cache slot (-1: not cached) and the block itself. */
export class CachedBlocks {
  readonly slots: Int32Array;
  readonly blocks: (Uint8Array | undefined)[];
  constructor(count: number) {
    this.slots = new Int32Array(count).fill(-1);
    this.blocks = new Array<Uint8Array | undefined>(count).fill(undefined);
  }
}

/** Spare buffers the block cache keeps at most (1,024 of 4.5 KiB: 4.5 MiB); more go to the garbage collector. */
const MAX_SPARE_BUFFERS = 1024;
/** Slots of BlockCache.admit's table of recent misses (a power of two). */
const GHOST_SLOTS = 4096;

/**
 * A cache of verified data blocks shared by the tables of one tree, bounded in bytes.
 * Eviction is CLOCK (second chance): a hit sets a slot's reference bit, the hand
 * clears set bits and evicts the first slot whose bit is clear. Each table keeps its
 * own CachedBlocks (`forTable`): a hit is one read of the table's `blocks` array, not a
 * Map lookup (at N = 1,000,000 the Map's get was a quarter of the table lookup's own
 * time in a CPU profile of random reads), nor a slot number and then the slot's block
 * (two dependent cache misses; the reference bit's write, off that path, does not
 * stall the read). Evicting a slot clears its entry in the owning table's view.
 *
 * Recycled memory. A point read that misses reads its block into a buffer the cache
 * owns (`buffer`), and evicting that block hands the buffer to the next miss, so a
 * read that misses allocates no block memory (at N = 10,000,000 nine reads in ten
 * miss, and a fresh 4 KiB array per miss cost more than the pread: allocation,
 * first-touch page faults and the collections they bring). Memory is reused only
 * while nothing outside the cache can still see it: a block handed to an iterator,
 * or whose value get() returned to a caller, is `share`d, and a shared block's
 * memory is left to the garbage collector when it is evicted.
 */
export class BlockCache {
  /** Per slot: the table view owning it (null when free) and the block's number in that table. */
  private readonly slotOwners: (CachedBlocks | null)[] = [];
  private readonly slotBlock: number[] = [];
  private readonly slotRef: number[] = [];
  /** Per slot: the cache-owned buffer holding the block, or null (memory not the cache's to reuse). */
  private readonly slotBuffer: (Uint8Array | null)[] = [];
  /** Per slot: the bytes it counts against the capacity (its buffer's length, or the block's). */
  private readonly slotBytes: number[] = [];
  private readonly free: number[] = [];
  /** admit()'s recent misses: table * 65536 + block, direct-mapped. */
  private readonly ghost = new Float64Array(GHOST_SLOTS).fill(-1);
  /** Buffers of evicted blocks, for the next misses. */
  private readonly spare: Uint8Array[] = [];
  private hand = 0;
  private occupied = 0;
  private bytes = 0;
  hits = 0;
  misses = 0;
  constructor(readonly capacity: number) {}

  /** A table's view of the cache: nothing cached yet. */
  static forTable(blocks: number): CachedBlocks {
    return new CachedBlocks(blocks);
  }

  /** Block `i` of the table whose view is `owner`, or undefined. */
  get(owner: CachedBlocks, i: number): Uint8Array | undefined {
    const block = owner.blocks[i];
    if (block === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.slotRef[owner.slots[i]!] = 1;
    return block;
  }

  /**
   * Marks cached block `i` as seen outside the cache (an iterator holds it, or a
   * caller holds a value in it): its memory is never reused.
   */
  share(owner: CachedBlocks, i: number): void {
    const slot = owner.slots[i]!;
    if (slot >= 0) this.slotBuffer[slot] = null;
  }

  /**
   * A buffer of at least `size` bytes for a block to be read into and then inserted
   * with insert(..., buffer): a spare one when it is large enough. Sizes are rounded
   * up to 512 bytes so that blocks of a tree, which differ by an entry or two, fit
   * each other's buffers.
   */
  buffer(size: number): Uint8Array {
    const s = this.spare.pop();
    if (s !== undefined && s.length >= size) return s;
    return new Uint8Array((size + 511) & ~511);
  }

  /**
   * Whether a lookup that missed block `bi` of table `table` should read the whole
   * block into the cache, rather than only the entry it needs (which a table with a
   * point index allows). Yes while the cache has room; once it is full, only on the
   * block's second miss in a short window (a direct-mapped table of the last misses'
   * blocks). A run of reads in one block (sequential keys) or a hot block brings the
   * block in on its second miss; a miss on a block nobody has read lately, the usual
   * case under uniform reads of data many times the cache, reads about 130 bytes
   * instead of a 4 KiB block, skips the block's checksum and evicts nothing. At
   * N = 10,000,000 with the default cache nine random reads in ten miss.
   */
  admit(table: number, bi: number, size: number): boolean {
    if (this.bytes + size <= this.capacity) return true;
    const tag = table * POINT_MAX_OFFSET + bi;
    const g = (Math.imul(table, 0x9e3779b1) + Math.imul(bi, 0x85ebca6b)) & (GHOST_SLOTS - 1);
    if (this.ghost[g] === tag) return true;
    this.ghost[g] = tag;
    return false;
  }

  private evict(slot: number): void {
    const owner = this.slotOwners[slot]!;
    const i = this.slotBlock[slot]!;
    const buf = this.slotBuffer[slot]!;
    if (buf !== null && this.spare.length < MAX_SPARE_BUFFERS) this.spare.push(buf);
    this.bytes -= this.slotBytes[slot]!;
    owner.slots[i] = -1;
    owner.blocks[i] = undefined;
    this.slotOwners[slot] = null;
    this.slotBuffer[slot] = null;
    this.slotRef[slot] = 0;
    this.occupied--;
    this.free.push(slot);
  }

  /**
   * Caches `block` as block `i` of `owner`. With `buffer` (from buffer(), holding the
   * block at its start) the memory is the cache's, reused once the block is evicted
   * unless share() was called; without, the block is never reused.
   */
  insert(owner: CachedBlocks, i: number, block: Uint8Array, buffer: Uint8Array | null = null): void {
    if (this.capacity <= 0 || owner.slots[i]! >= 0) return;
    const size = buffer === null ? block.length : buffer.length;
    const n = this.slotOwners.length;
    while (this.bytes + size > this.capacity && this.occupied > 0) {
      const h = this.hand;
      this.hand = h + 1 === n ? 0 : h + 1;
      if (this.slotOwners[h] === null) continue;
      if (this.slotRef[h] === 1) {
        this.slotRef[h] = 0;
        continue;
      }
      this.evict(h);
    }
    let slot = this.free.pop();
    if (slot === undefined) {
      slot = this.slotOwners.length;
      this.slotOwners.push(owner);
      this.slotBlock.push(i);
      this.slotRef.push(0);
      this.slotBuffer.push(buffer);
      this.slotBytes.push(size);
    } else {
      this.slotOwners[slot] = owner;
      this.slotBlock[slot] = i;
      this.slotRef[slot] = 0;
      this.slotBuffer[slot] = buffer;
      this.slotBytes[slot] = size;
    }
    owner.slots[i] = slot;
    owner.blocks[i] = block;
    this.occupied++;
    this.bytes += size;
  }

  /** Drops a table's blocks (after the table is deleted). */
  evictTable(owner: CachedBlocks): void {
    for (let i = 0; i < owner.slots.length; i++) if (owner.slots[i]! >= 0) this.evict(owner.slots[i]!);
  }

  get size(): number {
    return this.bytes;
  }
}

/** Bytes [at, at+4) of `bytes` (stopping at `end`) as a big-endian word, zero-padded. */
function headWord(bytes: Uint8Array, at: number, end: number): number {
  if (at + 4 <= end) return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
  let w = 0;
  for (let i = 0; i < 4; i++) w = (w << 8) | (at + i < end ? bytes[at + i]! : 0);
  return w >>> 0;
}

export const LOOKUP_ABSENT = 0;
export const LOOKUP_PUT = 1;
export const LOOKUP_DELETE = 2;
/** pointLookup: the key's newest entry is newer than the snapshot asked for. */
const POINT_NEWER = -1;

/** valBlock of a value in entryBuf (read by readEntry), not in a block. */
const ENTRY_BLOCK = -2;
/** What readEntry reads first: an entry of a 16-byte key and 100-byte value is about 130 bytes. */
const ENTRY_READ_BYTES = 512;


export class TableReader {
  readonly blockCount: number;
  /** This table's view of the block cache (BlockCache.forTable). */
  readonly cacheSlots: CachedBlocks;
  /** Last user key of each block, concatenated; block i's key is lastKeys[keyStarts[i], keyStarts[i+1]). */
  private readonly lastKeys: Uint8Array;
  private readonly keyStarts: Uint32Array;
  private readonly lastSeqs: Float64Array;
  private readonly blockOffsets: Float64Array;
  private readonly blockSizes: Uint32Array;
  /**
   * Bytes every block's last key starts with (the common prefix of the first and the
   * last, hence of all), and after them the next 8 bytes of each, as two big-endian
   * words zero-padded (heads[2i], heads[2i+1]): the index search compares integers and
   * reads the key bytes only when both words tie.
   */
  private readonly headSkip: number;
  private readonly heads: Uint32Array;
  private readonly bloom: Bloom;
  /** The point index (slot i: hash at 2i, location at 2i+1), empty when the table has none. */
  private readonly points: Uint32Array;
  private readonly pointCount: number;
  readonly entries: number;
  /** The last block lookup() read when there is no block cache, for runs of nearby keys. */
  private probeBlock = -1;
  private probeData: Uint8Array = EMPTY;
  private readonly hit = new BlockHit();
  /** Value found by the last lookup() that returned LOOKUP_PUT, in data block valBlock. */
  valBuf: Uint8Array = EMPTY;
  private valBlock = -1;
  /** Where readEntry puts the entries it reads: the last one is valid until the next lookup. */
  private entryBuf = new Uint8Array(ENTRY_READ_BYTES + 4);
  valOff = 0;
  valLen = 0;
  /** Counters for stats and tests: data blocks read from the file; lookups the point index or the bloom filter answered 'absent' without reading one. */
  blockReads = 0;
  filterNegatives = 0;
  /** Lookups that read one entry from the file instead of its block (readEntry). */
  entryReads = 0;

  private constructor(
    private readonly file: ReadableFile,
    readonly path: string,
    readonly id: number,
    private readonly cache: BlockCache | undefined,
    footerFields: FooterFields,
    /** The blocks as the table's builder wrote them (openWritten), or undefined to read them from the file. */
    written?: TableBlocks,
  ) {
    this.entries = footerFields.entries;
    this.bloom = new Bloom(written?.filter ?? this.readChecked(footerFields.filterOffset, footerFields.filterSize, 'filter block'));
    if (footerFields.pointSize % (4 * POINT_WORDS) !== 0) throw new TableCorruptionError(path, footerFields.pointOffset, `point index of ${footerFields.pointSize} bytes is not whole slots`);
    const pointBytes = footerFields.pointSize === 0 ? EMPTY : (written?.point ?? this.readChecked(footerFields.pointOffset, footerFields.pointSize, 'point index'));
    if (LITTLE_ENDIAN && pointBytes.byteOffset % 4 === 0) {
      // The file's u32s are little-endian, as this machine's: view them in place (a 32 MiB
      // table's point index is 3 MiB; decoding it word by word held a write for ~5 ms).
      this.points = new Uint32Array(pointBytes.buffer, pointBytes.byteOffset, pointBytes.length / 4);
    } else {
      this.points = new Uint32Array(pointBytes.length / 4);
      for (let i = 0; i < this.points.length; i++) this.points[i] = readU32(pointBytes, 4 * i);
    }
    this.pointCount = this.points.length / POINT_WORDS;
    // The index decoded into flat arrays a lookup binary-searches: by the job thread
    // for a table it wrote (TableBlocks.decoded), else here.
    const index =
      written?.decoded ??
      decodeIndex(written?.index ?? this.readChecked(footerFields.indexOffset, footerFields.indexSize, 'index block'), path, footerFields.indexOffset, footerFields.filterOffset);
    this.lastKeys = index.lastKeys;
    this.keyStarts = index.keyStarts;
    this.lastSeqs = index.lastSeqs;
    this.blockOffsets = index.blockOffsets;
    this.blockSizes = index.blockSizes;
    this.headSkip = index.headSkip;
    this.heads = index.heads;
    const count = index.blockOffsets.length;
    this.blockCount = count;
    this.cacheSlots = BlockCache.forTable(count);
    const locEnd = count * POINT_MAX_OFFSET;
    // A point index read from the file has each slot's block checked; one its builder
    // just wrote names only blocks it wrote (the loop over 1.5M slots took ~15 ms).
    if (written === undefined) {
      for (let i = 1; i < this.points.length; i += POINT_WORDS) {
        const loc = this.points[i]!;
        if (loc !== POINT_EMPTY && loc >= locEnd)
          throw new TableCorruptionError(path, footerFields.pointOffset, `point index names block ${Math.floor(loc / POINT_MAX_OFFSET)} of ${count}`);
      }
    }
  }

  /** The index as decoded at open, for a TableBlocks's `decoded` (the job thread's outputs). */
  get decodedIndex(): DecodedIndex {
    return { lastKeys: this.lastKeys, keyStarts: this.keyStarts, lastSeqs: this.lastSeqs, blockOffsets: this.blockOffsets, blockSizes: this.blockSizes, headSkip: this.headSkip, heads: this.heads };
  }

  /**
   * Opens a table: checks the footer (magic, version, checksum) and reads the filter
   * and index blocks. Throws TableCorruptionError naming the file and offset.
   */
  static open(fs: FileSystem, path: string, id: number, cache?: BlockCache): TableReader {
    const file = fs.openRead(path);
    try {
      return new TableReader(file, path, id, cache, TableReader.readFooter(file, path));
    } catch (err) {
      file.close();
      throw err;
    }
  }

  /**
   * Opens a table from the blocks its builder wrote (TableBuilder.writtenBlocks),
   * reading nothing from the file: only its size is checked against the size written,
   * and the footer against the blocks. For the install of a job's output, written
   * minutes before: reading its blocks back could wait on the disk.
   */
  static openWritten(fs: FileSystem, path: string, id: number, cache: BlockCache | undefined, blocks: TableBlocks): TableReader {
    const file = fs.openRead(path);
    try {
      if (file.size !== blocks.fileSize) throw new TableCorruptionError(path, file.size, `file of ${file.size} bytes; ${blocks.fileSize} were written`);
      const f = TableReader.readFooter(file, path, blocks.footer);
      if (blocks.point.length !== f.pointSize || blocks.filter.length !== f.filterSize || blocks.index.length !== f.indexSize)
        throw new TableCorruptionError(path, file.size - FOOTER_SIZE, 'footer does not describe the blocks the table was written with');
      return new TableReader(file, path, id, cache, f, blocks);
    } catch (err) {
      file.close();
      throw err;
    }
  }

  /**
   * The footer's fields, checked (version first, then magic, CRC and block handles):
   * read from the file, or from `written`, the footer's bytes as the table's builder
   * wrote them (TableBlocks).
   */
  static readFooter(file: ReadableFile, path: string, written?: Uint8Array): FooterFields {
    const size = file.size;
    // Every version ends with the format version, the footer's CRC and the magic: read
    // the version before trusting the rest, so an older table gets the version error.
    if (size < VERSION_FROM_END) throw new TableCorruptionError(path, 0, `file of ${size} bytes is shorter than a footer`);
    let tail: Uint8Array;
    if (written !== undefined) tail = written.subarray(FOOTER_SIZE - VERSION_FROM_END);
    else {
      tail = new Uint8Array(VERSION_FROM_END);
      file.read(size - VERSION_FROM_END, VERSION_FROM_END, tail, 0);
    }
    for (let i = 0; i < 8; i++) if (tail[8 + i] !== MAGIC_BYTES[i]) throw new TableCorruptionError(path, size - 8, 'bad magic number');
    const version = readU32(tail, 0);
    if (version !== TABLE_VERSION)
      throw new TableCorruptionError(
        path,
        size - VERSION_FROM_END,
        version < TABLE_VERSION
          ? `table format version ${version} was written by an older ts engine; this one reads version ${TABLE_VERSION} only (engines/ts/FORMAT.md): load the store again`
          : `unsupported table version ${version} (this ts engine reads version ${TABLE_VERSION})`,
      );
    if (size < FOOTER_SIZE) throw new TableCorruptionError(path, 0, `file of ${size} bytes is shorter than a footer`);
    const at = size - FOOTER_SIZE;
    let footer = written;
    if (footer === undefined) {
      footer = new Uint8Array(FOOTER_SIZE);
      file.read(at, FOOTER_SIZE, footer, 0);
    }
    if (readU32(footer, 48) !== crc32Bytes(footer.subarray(0, 48))) throw new TableCorruptionError(path, at, 'footer checksum mismatch');
    const fields = {
      filterOffset: readU64(footer, 0),
      filterSize: readU32(footer, 8),
      indexOffset: readU64(footer, 12),
      indexSize: readU32(footer, 20),
      pointOffset: readU64(footer, 24),
      pointSize: readU32(footer, 32),
      entries: readU64(footer, 36),
    };
    if (
      fields.filterOffset + fields.filterSize + 4 > at ||
      fields.indexOffset + fields.indexSize + 4 > at ||
      (fields.pointSize > 0 && fields.pointOffset + fields.pointSize + 4 > at)
    )
      throw new TableCorruptionError(path, at, 'footer block handles point past the footer');
    return fields;
  }

  /** Reads [offset, offset+size) and its trailing CRC-32; throws TableCorruptionError on mismatch. */
  private readChecked(offset: number, size: number, what: string): Uint8Array {
    // A large block (a point index of megabytes) need not be zeroed first: the read fills it.
    const buf = size < 65536 ? new Uint8Array(size + 4) : new Uint8Array(Buffer.allocUnsafeSlow(size + 4).buffer, 0, size + 4);
    return this.readCheckedInto(buf, offset, size, what);
  }

  /** readChecked into `buf` (at least size + 4 bytes); returns the view of the block in it. */
  private readCheckedInto(buf: Uint8Array, offset: number, size: number, what: string): Uint8Array {
    const n = this.file.read(offset, size + 4, buf, 0);
    if (n !== size + 4) throw new TableCorruptionError(this.path, offset, `${what} truncated`);
    const block = buf.subarray(0, size);
    const stored = readU32(buf, size);
    if (stored !== crc32Bytes(block)) throw new TableCorruptionError(this.path, offset, `${what} checksum mismatch`);
    return block;
  }

  /**
   * Data block i for an iterator, from the cache or the file (verified). The iterator
   * holds it across calls, so a cached block is shared (its memory never reused) and a
   * block read from the file is fresh memory. With `fillCache` false a miss is not
   * inserted: compaction reads every block once, and caching them would evict the
   * blocks foreground reads use.
   */
  block(i: number, fillCache = true): Uint8Array {
    const hit = this.cachedForIterator(i);
    if (hit !== undefined) return hit;
    const b = this.readData(i);
    if (fillCache) this.cache?.insert(this.cacheSlots, i, b);
    return b;
  }

  /** Block i from the cache for an iterator, which holds it across calls: shared, so its memory is never reused. */
  private cachedForIterator(i: number): Uint8Array | undefined {
    const cache = this.cache;
    if (cache === undefined) return undefined;
    const hit = cache.get(this.cacheSlots, i);
    if (hit !== undefined) cache.share(this.cacheSlots, i);
    return hit;
  }

  /**
   * Data block i for a compaction's iterator, which is done with a block when it moves
   * to the next: a cached block (shared), or the block from the iterator's read-ahead
   * buffer, filled COMPACTION_READ_AHEAD bytes a pread, reused from read to read and
   * not cached. No allocation and no pread per block, so compaction makes less garbage
   * and fewer system calls.
   */
  blockOnce(i: number, holder: ReadAhead): Uint8Array {
    const hit = this.cachedForIterator(i);
    if (hit !== undefined) return hit;
    if (i < holder.first || i >= holder.end) this.readAhead(i, COMPACTION_READ_AHEAD, holder);
    return this.aheadBlock(i, holder);
  }

  /**
   * Data block i for an iterator moving forward (it left block i - 1): from the cache,
   * else from the blocks `ra` read ahead, else read with the blocks after it in one
   * pread. The read-ahead starts at two blocks and doubles with each read up to
   * MAX_READ_AHEAD bytes (a scan that stops early wastes at most what its last read
   * took), and seek() starts it over. One pread of many blocks instead of one per block:
   * at N = 10,000,000 the pread syscalls were 39% of a range scan's CPU profile. A block
   * served from the read-ahead is verified when served, and a copy goes into the cache
   * (memory the cache owns and may reuse) when the cache admits it: while it has room,
   * or once full on the block's second miss (admit()), so a long scan does not evict
   * the blocks point reads use for blocks it will not read again. The
   * iterator's read-ahead buffer is reused from read to read: its caller is done with
   * an entry when it moves the iterator on (scan's visitor gets views valid only during
   * the call; the merge moves a source only after its entry is used), and a block left
   * behind is never read again from the buffer.
   */
  blockForward(i: number, ra: ReadAhead): Uint8Array {
    const hit = this.cachedForIterator(i);
    if (hit !== undefined) return hit;
    if (i < ra.first || i >= ra.end) {
      this.readAhead(i, ra.bytes, ra);
      ra.bytes = Math.min(ra.bytes * 2, MAX_READ_AHEAD);
    }
    const b = this.aheadBlock(i, ra);
    const cache = this.cache;
    if (cache !== undefined && cache.capacity > 0 && cache.admit(this.id, i, b.length)) {
      const buf = cache.buffer(b.length);
      buf.set(b);
      cache.insert(this.cacheSlots, i, buf.subarray(0, b.length), buf);
    }
    return b;
  }

  /**
   * Reads block `first` and the blocks after it, up to `bytes` in all (at least block
   * `first`), into `ra`'s buffer (grown when too small) in one pread.
   */
  private readAhead(first: number, bytes: number, ra: ReadAhead): void {
    const offsets = this.blockOffsets;
    const sizes = this.blockSizes;
    const from = offsets[first]!;
    let end = first + 1;
    while (end < this.blockCount && offsets[end]! + sizes[end]! + 4 - from <= bytes) end++;
    const len = offsets[end - 1]! + sizes[end - 1]! + 4 - from;
    let buf = ra.buf;
    if (buf.length < len) buf = ra.buf = len < 4096 ? new Uint8Array(len) : new Uint8Array(Buffer.allocUnsafeSlow(len).buffer, 0, len);
    ra.first = ra.end = 0; // until the read succeeds
    const n = this.file.read(from, len, buf, 0);
    if (n !== len) {
      // A short read: keep the blocks read whole; the first block cut short is the error.
      let whole = first;
      while (whole < end && offsets[whole]! + sizes[whole]! + 4 - from <= n) whole++;
      if (whole === first) throw new TableCorruptionError(this.path, from, `data block ${first} truncated`);
      end = whole;
    }
    ra.first = first;
    ra.end = end;
    ra.from = from;
  }

  /** Block i (read ahead into `ra`), checked against its CRC. */
  private aheadBlock(i: number, ra: ReadAhead): Uint8Array {
    this.blockReads++;
    const at = this.blockOffsets[i]! - ra.from;
    const size = this.blockSizes[i]!;
    const block = ra.buf.subarray(at, at + size);
    if (readU32(ra.buf, at + size) !== crc32Bytes(block)) throw new TableCorruptionError(this.path, this.blockOffsets[i]!, `data block ${i} checksum mismatch`);
    return block;
  }

  private readData(i: number): Uint8Array {
    this.blockReads++;
    return this.readChecked(this.blockOffsets[i]!, this.blockSizes[i]!, `data block ${i}`);
  }

  /**
   * Data block i for a point lookup, which is done with it before the next call on the
   * tree: a miss is read into memory the cache owns and reuses (BlockCache). Without
   * a cache, or one of 0 bytes, the last block read is kept for the next lookup.
   */
  private probe(bi: number): Uint8Array {
    const cache = this.cache;
    if (cache !== undefined && cache.capacity > 0) {
      const hit = cache.get(this.cacheSlots, bi);
      if (hit !== undefined) return hit;
      this.blockReads++;
      const size = this.blockSizes[bi]!;
      const buf = cache.buffer(size + 4);
      const b = this.readCheckedInto(buf, this.blockOffsets[bi]!, size, `data block ${bi}`);
      cache.insert(this.cacheSlots, bi, b, buf);
      return b;
    }
    if (bi !== this.probeBlock) {
      this.probeData = this.readData(bi);
      this.probeBlock = bi;
    }
    return this.probeData;
  }

  /**
   * Keeps the value the last lookup() found valid for good: the block holding it is
   * shared, so the cache never reuses its memory (Tree.get hands the value out). False
   * when the value was read alone into entryBuf, which the next lookup overwrites: the
   * caller copies it.
   */
  shareValue(): boolean {
    if (this.valBlock === ENTRY_BLOCK) return false;
    if (this.cache !== undefined && this.valBlock >= 0) this.cache.share(this.cacheSlots, this.valBlock);
    return true;
  }

  /** The first block whose last entry is >= (key, seq), or blockCount. */
  findBlock(key: Uint8Array, off: number, len: number, seq: number): number {
    const skip = this.headSkip;
    if (len < skip || compareRegions(key, off, skip, this.lastKeys, 0, skip) !== 0) return this.findBlockByBytes(key, off, len, seq);
    const p0 = headWord(key, off + skip, off + len);
    const p1 = headWord(key, off + skip + 4, off + len);
    const heads = this.heads;
    let lo = 0;
    let hi = this.blockCount;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const h0 = heads[2 * mid]!;
      let c: number;
      if (h0 !== p0) c = h0 < p0 ? -1 : 1;
      else {
        const h1 = heads[2 * mid + 1]!;
        c = h1 !== p1 ? (h1 < p1 ? -1 : 1) : this.compareBlockKey(mid, key, off, len, seq);
      }
      if (c < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Block `i`'s last entry against (key, seq), in internal order. */
  private compareBlockKey(i: number, key: Uint8Array, off: number, len: number, seq: number): number {
    const starts = this.keyStarts;
    const s = starts[i]!;
    const c = compareRegions(this.lastKeys, s, starts[i + 1]! - s, key, off, len);
    if (c !== 0) return c;
    const bs = this.lastSeqs[i]!;
    return bs > seq ? -1 : bs < seq ? 1 : 0;
  }

  /** findBlock for a key outside the shared prefix: a plain binary search over the key bytes. */
  private findBlockByBytes(key: Uint8Array, off: number, len: number, seq: number): number {
    let lo = 0;
    let hi = this.blockCount;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compareBlockKey(mid, key, off, len, seq) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Whether the table carries a point index (FORMAT.md): written at restart interval 1. */
  get hasPointIndex(): boolean {
    return this.pointCount > 0;
  }

  mayContain(key: Uint8Array): boolean {
    return this.bloom.mayContain(key, 0, key.length);
  }

  /**
   * The newest version of `key` at or below `seq`. On LOOKUP_PUT the value is
   * valBuf[valOff, valOff+valLen), a view of an immutable block.
   */
  lookup(key: Uint8Array, seq: number): number {
    if (this.pointCount > 0) {
      const found = this.pointLookup(key, seq);
      if (found !== POINT_NEWER) return found;
      return this.indexLookup(key, seq);
    }
    if (!this.bloom.mayContain(key, 0, key.length)) {
      this.filterNegatives++;
      return LOOKUP_ABSENT;
    }
    return this.indexLookup(key, seq);
  }

  /**
   * lookup() through the point index: LOOKUP_* when the index settles it, POINT_NEWER
   * when the key's newest entry is above `seq` (its older versions follow it, so the
   * index search finds the right one).
   */
  private pointLookup(key: Uint8Array, seq: number): number {
    const len = key.length;
    const h = hashKey(key, 0, len);
    const points = this.points;
    const slots = this.pointCount;
    let s = modU32(h, slots);
    for (;;) {
      const loc = points[POINT_WORDS * s + 1]!;
      if (loc === POINT_EMPTY) {
        this.filterNegatives++;
        return LOOKUP_ABSENT;
      }
      if (points[POINT_WORDS * s] === h) {
        let bi = Math.floor(loc / POINT_MAX_OFFSET);
        let p = loc - bi * POINT_MAX_OFFSET;
        let b: Uint8Array;
        const cache = this.cache;
        if (cache !== undefined && cache.capacity > 0 && this.cacheSlots.blocks[bi] === undefined && !cache.admit(this.id, bi, this.blockSizes[bi]!)) {
          p = this.readEntry(bi, p, points[POINT_WORDS * s + 2]!);
          b = this.entryBuf;
          bi = ENTRY_BLOCK;
        } else b = this.probe(bi);
        const hit = this.hit;
        const found = wholeEntryGet(b, p, key, 0, len, seq, hit);
        if (found === ENTRY_FOUND) {
          if (hit.kind === 0) return LOOKUP_DELETE;
          this.valBuf = b;
          this.valBlock = bi;
          this.valOff = hit.valOff;
          this.valLen = hit.valLen;
          return LOOKUP_PUT;
        }
        if (found === ENTRY_NEWER) return POINT_NEWER;
      }
      s = s + 1 === slots ? 0 : s + 1;
    }
  }

  /**
   * Reads the whole entry at offset `at` of data block `bi` from the file, without the
   * rest of its block, into entryBuf, checks it against `crc` (its point index slot's)
   * and returns where it starts in entryBuf. The entry keeps its position modulo 4, so
   * its value's alignment (block.ts) reads the same. A 4 KiB block's pread and
   * checksum cost about 2.8 us and 1.4 us here; the entry's, 1.7 us and 0.15 us.
   */
  private readEntry(bi: number, at: number, crc: number): number {
    this.entryReads++;
    const blockOff = this.blockOffsets[bi]!;
    const room = this.blockSizes[bi]! - at;
    const start = at & 3;
    let buf = this.entryBuf;
    let got = this.file.read(blockOff + at, room < ENTRY_READ_BYTES ? room : ENTRY_READ_BYTES, buf, start);
    let end = wholeEntryEnd(buf, start);
    // end is NaN-safe checked: garbage lengths fail here or at the checksum.
    if (!(end > start && end - start <= room)) throw new TableCorruptionError(this.path, blockOff + at, `data block ${bi}: entry at ${at} is malformed`);
    if (end - start > got) {
      if (end > buf.length) {
        buf = new Uint8Array(end + 64);
        this.entryBuf = buf;
      }
      got = this.file.read(blockOff + at, end - start, buf, start);
      if (got !== end - start) throw new TableCorruptionError(this.path, blockOff + at, `data block ${bi} truncated`);
    }
    if (crc32Region(buf, start, end - start) !== crc) throw new TableCorruptionError(this.path, blockOff + at, `data block ${bi}: entry at ${at} checksum mismatch`);
    return start;
  }

  /** lookup() through the index block and a search of one data block (bloom already passed). */
  private indexLookup(key: Uint8Array, seq: number): number {
    const bi = this.findBlock(key, 0, key.length, seq);
    if (bi >= this.blockCount) return LOOKUP_ABSENT;
    const hit = this.hit;
    const b = this.probe(bi);
    if (!blockGet(b, key, 0, key.length, seq, hit)) return LOOKUP_ABSENT;
    if (hit.kind === 0) return LOOKUP_DELETE;
    this.valBuf = b;
    this.valBlock = bi;
    this.valOff = hit.valOff;
    this.valLen = hit.valLen;
    return LOOKUP_PUT;
  }

  /**
   * `fillCache` false (compaction): blocks read from the file are not added to the
   * block cache, and each is read into the iterator's own buffer, valid until it moves
   * to another block.
   */
  iterator(fillCache = true): TableIterator {
    return new TableIterator(this, fillCache);
  }

  close(): void {
    this.file.close();
  }
}

/** A table's index block decoded (decodeIndex): what TableReader searches. */
export interface DecodedIndex {
  /** Last user key of each block, concatenated; block i's key is lastKeys[keyStarts[i], keyStarts[i+1]). */
  readonly lastKeys: Uint8Array;
  readonly keyStarts: Uint32Array;
  readonly lastSeqs: Float64Array;
  readonly blockOffsets: Float64Array;
  readonly blockSizes: Uint32Array;
  /** See TableReader.heads. */
  readonly headSkip: number;
  readonly heads: Uint32Array;
}

/**
 * Decodes an index block (at `indexOffset` in `path`, for errors) whose block handles
 * must end before `dataEnd`. Throws TableCorruptionError. Decoding a 32 MiB table's
 * index (~9,000 blocks) took up to ~12 ms on the write path at N = 10,000,000, so the
 * job thread decodes the index of each table it writes.
 */
export function decodeIndex(indexBlock: Uint8Array, path: string, indexOffset: number, dataEnd: number): DecodedIndex {
  const it = new BlockIterator();
  it.reset(indexBlock);
  const keys = new ByteWriter(1024);
  const starts: number[] = [0];
  const seqs: number[] = [];
  const offsets: number[] = [];
  const sizes: number[] = [];
  try {
    for (it.seekFirst(); it.valid(); it.next()) {
      keys.raw(it.keyBuf, it.keyOff, it.keyLen);
      starts.push(keys.length);
      seqs.push(it.seq);
      const r = new ByteReader(indexBlock, it.valOff, it.valOff + it.valLen);
      const off = r.varint();
      const size = r.varint();
      if (off + size + 4 > dataEnd) throw new RangeError(`block handle ${off}+${size} past the data`);
      offsets.push(off);
      sizes.push(size);
    }
  } catch (err) {
    if (err instanceof RangeError) throw new TableCorruptionError(path, indexOffset, `bad index block: ${err.message}`);
    throw err;
  }
  const lastKeys = keys.bytes.slice(0, keys.length);
  const keyStarts = Uint32Array.from(starts);
  const count = offsets.length;
  let skip = 0;
  if (count > 0) {
    const firstLen = keyStarts[1]!;
    const lastAt = keyStarts[count - 1]!;
    const lastLen = keyStarts[count]! - lastAt;
    const n = firstLen < lastLen ? firstLen : lastLen;
    while (skip < n && lastKeys[skip] === lastKeys[lastAt + skip]) skip++;
  }
  const heads = new Uint32Array(2 * count);
  for (let i = 0; i < count; i++) {
    const at = keyStarts[i]! + skip;
    const end = keyStarts[i + 1]!;
    heads[2 * i] = headWord(lastKeys, at, end);
    heads[2 * i + 1] = headWord(lastKeys, at + 4, end);
  }
  return { lastKeys, keyStarts, lastSeqs: Float64Array.from(seqs), blockOffsets: Float64Array.from(offsets), blockSizes: Uint32Array.from(sizes), headSkip: skip, heads };
}

interface FooterFields {
  readonly filterOffset: number;
  readonly filterSize: number;
  readonly indexOffset: number;
  readonly indexSize: number;
  readonly pointOffset: number;
  readonly pointSize: number;
  readonly entries: number;
}

/** An iterator's first read-ahead (two 4 KiB blocks), doubled by each read up to MAX_READ_AHEAD. */
const FIRST_READ_AHEAD = 8 << 10;
const MAX_READ_AHEAD = 128 << 10;
/** A compaction's iterator reads its input this much at a time. */
const COMPACTION_READ_AHEAD = 64 << 10;

/**
 * Blocks an iterator read ahead: blocks [first, end) of its table, read from file
 * offset `from` into `buf`; `bytes` is the size of its next read-ahead.
 */
export interface ReadAhead {
  buf: Uint8Array;
  first: number;
  end: number;
  from: number;
  bytes: number;
}

/** Walks a table block by block; one BlockIterator is reused across blocks. */
export class TableIterator implements InternalIterator, ReadAhead {
  keyBuf: Uint8Array = EMPTY;
  keyOff = 0;
  keyLen = 0;
  seq = 0;
  kind = 0;
  valBuf: Uint8Array = EMPTY;
  valOff = 0;
  valLen = 0;
  private readonly it = new BlockIterator();
  private blockIndex = -1;
  /** The blocks read ahead (ReadAhead): TableReader.blockForward, and blockOnce for a compaction's iterator (fillCache false). */
  buf: Uint8Array = EMPTY;
  first = 0;
  end = 0;
  from = 0;
  bytes = FIRST_READ_AHEAD;

  constructor(
    private readonly table: TableReader,
    private readonly fillCache = true,
  ) {}

  private load(): void {
    const it = this.it;
    if (this.blockIndex < 0 || this.blockIndex >= this.table.blockCount || !it.valid()) {
      this.blockIndex = -1;
      return;
    }
    this.keyBuf = it.keyBuf;
    this.keyOff = it.keyOff;
    this.keyLen = it.keyLen;
    this.seq = it.seq;
    this.kind = it.kind;
    this.valBuf = it.valBuf;
    this.valOff = it.valOff;
    this.valLen = it.valLen;
  }

  /** Enters block i; `forward` when it follows the block the iterator is leaving (read ahead). */
  private enter(i: number, forward = false): boolean {
    if (i < 0 || i >= this.table.blockCount) {
      this.blockIndex = -1;
      return false;
    }
    this.blockIndex = i;
    const t = this.table;
    if (!this.fillCache) this.it.reset(t.blockOnce(i, this));
    else if (forward) this.it.reset(t.blockForward(i, this));
    else {
      this.bytes = FIRST_READ_AHEAD;
      this.it.reset(t.block(i));
    }
    return true;
  }

  valid(): boolean {
    return this.blockIndex >= 0;
  }
  seekFirst(): void {
    if (this.enter(0)) {
      this.it.seekFirst();
      this.skipForward();
    }
  }
  seekLast(): void {
    if (this.enter(this.table.blockCount - 1)) {
      this.it.seekLast();
      this.skipBackward();
    }
  }
  seek(key: Uint8Array, off: number, len: number, seq: number): void {
    if (this.enter(this.table.findBlock(key, off, len, seq))) {
      this.it.seek(key, off, len, seq);
      this.skipForward();
    }
  }
  seekBefore(key: Uint8Array, off: number, len: number): void {
    const bi = this.table.findBlock(key, off, len, Infinity);
    if (bi >= this.table.blockCount) {
      this.seekLast();
      return;
    }
    if (this.enter(bi)) {
      this.it.seekBefore(key, off, len);
      this.skipBackward();
    }
  }
  next(): void {
    this.it.next();
    if (this.it.valid()) this.load();
    else this.skipForward();
  }
  prev(): void {
    this.it.prev();
    this.skipBackward();
  }
  private skipForward(): void {
    while (!this.it.valid()) {
      if (!this.enter(this.blockIndex + 1, true)) return;
      this.it.seekFirst();
    }
    this.load();
  }
  private skipBackward(): void {
    while (!this.it.valid()) {
      if (!this.enter(this.blockIndex - 1)) return;
      this.it.seekLast();
    }
    this.load();
  }
}
