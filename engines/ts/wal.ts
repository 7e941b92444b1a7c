/**
 * The write-ahead log: every write batch, framed as one log record (log.ts) before it
 * is acknowledged. One WAL file belongs to one memtable; it is deleted once that
 * memtable is in an SSTable recorded by the manifest.
 *
 * Batch payload:
 *   seq    u64 LE   sequence number of the first operation; operation i gets seq + i
 *   count  u32 LE
 *   count times: kind u8 (0 delete, 1 put), key length varint, key,
 *                and for a put: value length varint, value
 *
 * Durability: `os` hands each record to the OS with write(2) before the ack; `fsync`
 * also calls fdatasync before the ack. A batch is one record and one fdatasync: the
 * group commit a synchronous API allows.
 */
import { ByteReader, KIND_DELETE, KIND_PUT } from './coding.js';
import { WalCorruptionError } from './errors.js';
import type { FileSystem } from './fs.js';
import { LogWriter, readLog, RECORD_WAL_BATCH, type LogRecoveryMode } from './log.js';

export type WalSyncMode = 'os' | 'fsync';

/** A write as a batch carries it. */
export interface WriteOp {
  readonly kind: number;
  readonly key: Uint8Array;
  readonly value?: Uint8Array | undefined;
}

export class WalWriter {
  private readonly log: LogWriter;
  constructor(
    fs: FileSystem,
    readonly path: string,
    readonly number: number,
    private readonly sync: WalSyncMode,
  ) {
    this.log = new LogWriter(fs.create(path));
  }

  get size(): number {
    return this.log.file.size;
  }

  /** Logs one operation; durable per the sync mode when it returns. */
  addOne(seq: number, kind: number, key: Uint8Array, value: Uint8Array | undefined): void {
    const w = this.log.begin();
    w.u64(seq);
    w.u32(1);
    w.u8(kind);
    w.varint(key.length);
    w.raw(key, 0, key.length);
    if (kind === KIND_PUT && value !== undefined) {
      w.varint(value.length);
      w.raw(value, 0, value.length);
    }
    this.log.finish(RECORD_WAL_BATCH);
    if (this.sync === 'fsync') this.log.sync();
  }

  /** Logs a batch as one record with one sync. */
  addBatch(seq: number, ops: readonly WriteOp[]): void {
    const w = this.log.begin();
    w.u64(seq);
    w.u32(ops.length);
    for (const op of ops) {
      w.u8(op.kind);
      w.varint(op.key.length);
      w.raw(op.key, 0, op.key.length);
      if (op.kind === KIND_PUT) {
        const v = op.value!;
        w.varint(v.length);
        w.raw(v, 0, v.length);
      }
    }
    this.log.finish(RECORD_WAL_BATCH);
    if (this.sync === 'fsync') this.log.sync();
  }

  syncNow(): void {
    this.log.sync();
  }
  close(): void {
    this.log.close();
  }
}

export interface WalReplay {
  /** Highest sequence number replayed, 0 if none. */
  readonly lastSeq: number;
  readonly records: number;
  /** Length of the valid prefix; the file should be truncated to it. */
  readonly validLength: number;
  /** True when a record was dropped for corruption (truncate mode); later logs must be ignored. */
  readonly stoppedAtCorruption: boolean;
  /** Bytes of the file after the damage that stopped a `truncate` replay (0 otherwise). */
  readonly skippedBytes: number;
}

/**
 * Replays a WAL file's batches in order through `apply`. A torn tail (nothing valid
 * after it) ends the replay; damage in the middle (a bad checksum, undecodable contents,
 * or an incomplete record with a valid one after it) throws WalCorruptionError in
 * `strict` mode and ends the replay in `truncate` mode, counting the bytes skipped.
 */
export function replayWal(
  fs: FileSystem,
  path: string,
  mode: LogRecoveryMode,
  apply: (seq: number, kind: number, key: Uint8Array, value: Uint8Array | undefined) => void,
): WalReplay {
  const bytes = fs.readAll(path);
  const parsed = readLog(bytes, mode, (offset, reason) => new WalCorruptionError(path, offset, reason));
  let lastSeq = 0;
  let records = 0;
  for (const rec of parsed.records) {
    let ops: Array<{ seq: number; kind: number; key: Uint8Array; value: Uint8Array | undefined }>;
    try {
      if (rec.type !== RECORD_WAL_BATCH) throw new RangeError(`unknown record type ${rec.type}`);
      // Decode the whole record before applying any of it: a batch is atomic.
      const r = new ByteReader(rec.payload);
      const seq = r.u64();
      const count = r.u32();
      ops = [];
      for (let i = 0; i < count; i++) {
        const kind = r.u8();
        if (kind !== KIND_PUT && kind !== KIND_DELETE) throw new RangeError(`unknown kind ${kind}`);
        const key = r.take(r.varint());
        const value = kind === KIND_PUT ? r.take(r.varint()) : undefined;
        ops.push({ seq: seq + i, kind, key, value });
      }
      if (r.remaining !== 0) throw new RangeError(`${r.remaining} trailing bytes`);
    } catch (err) {
      if (!(err instanceof RangeError)) throw err;
      if (mode === 'strict') throw new WalCorruptionError(path, rec.offset, `undecodable batch: ${err.message}`);
      return { lastSeq, records, validLength: rec.offset, stoppedAtCorruption: true, skippedBytes: bytes.length - rec.offset };
    }
    for (const op of ops) {
      apply(op.seq, op.kind, op.key, op.value);
      if (op.seq > lastSeq) lastSeq = op.seq;
    }
    records++;
  }
  return { lastSeq, records, validLength: parsed.validLength, stoppedAtCorruption: parsed.corruptAt !== undefined, skippedBytes: parsed.skippedBytes };
}
