/**
 * The record log framing shared by the WAL and the manifest.
 *
 * A log is a sequence of records, each:
 *   crc32   u32 LE   CRC-32 of the 5 bytes [length, type] followed by the payload
 *   length  u32 LE   payload bytes
 *   type    u8       what the payload is (RECORD_* below)
 *   payload length bytes
 *
 * Reading stops at the first record that is not complete (the header or the payload
 * runs past the end of the file, or the rest of the file is zeros). That is a torn tail,
 * as a crash leaves behind, only when no valid record follows it: a crash never leaves a
 * whole record after a partial one. When one does follow (a damaged length field makes
 * an intact record look like it runs past the end), it is damage in the middle, as is a
 * complete record whose checksum does not match. `strict` reading reports damage in the
 * middle, with the bytes it would lose; `truncate` reading (point-in-time recovery)
 * keeps the records before it, drops the rest and says how many bytes it skipped.
 */
import { crc32Region } from './crc32.js';
import { ByteWriter, readU32, writeU32 } from './coding.js';
import type { WritableFile } from './fs.js';

export const HEADER_SIZE = 9;
export const RECORD_WAL_BATCH = 1;
export const RECORD_MANIFEST_EDIT = 2;

export type LogRecoveryMode = 'strict' | 'truncate';

export interface LogRecord {
  readonly type: number;
  /** A view into the log's bytes. */
  readonly payload: Uint8Array;
  /** Offset of the record's header in the file. */
  readonly offset: number;
}

export interface LogReadResult {
  readonly records: LogRecord[];
  /** Bytes of the file made of complete, valid records: the file is truncated to this. */
  readonly validLength: number;
  /** Set when the log is damaged in the middle (only in `truncate` mode; `strict` throws). */
  readonly corruptAt?: number;
  /** Bytes after `validLength` dropped because of that damage (0 for a torn tail). */
  readonly skippedBytes: number;
  /** True when the file ends in an incomplete record. */
  readonly tornTail: boolean;
}

function allZero(bytes: Uint8Array, from: number): boolean {
  for (let i = from; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  return true;
}

/**
 * Parses a log. `onCorrupt(offset, reason)` builds the typed error thrown in strict mode.
 */
export function readLog(bytes: Uint8Array, mode: LogRecoveryMode, onCorrupt: (offset: number, reason: string) => Error): LogReadResult {
  const records: LogRecord[] = [];
  let pos = 0;
  const damaged = (reason: string): LogReadResult => {
    const skippedBytes = bytes.length - pos;
    if (mode === 'strict') throw onCorrupt(pos, `${reason}; ${skippedBytes} bytes from here on would be lost (open with recovery 'truncate' to keep the records before it)`);
    return { records, validLength: pos, corruptAt: pos, skippedBytes, tornTail: false };
  };
  const incomplete = (what: string): LogReadResult => {
    const next = nextValidRecord(bytes, pos + 1);
    if (next >= 0) return damaged(`${what}, yet a valid record follows at offset ${next}`);
    return { records, validLength: pos, skippedBytes: 0, tornTail: true };
  };
  while (pos < bytes.length) {
    if (bytes.length - pos < HEADER_SIZE) return incomplete('a partial record header');
    if (allZeroHeader(bytes, pos)) {
      // A zero header followed by non-zero bytes is not what a crash leaves behind.
      if (!allZero(bytes, pos)) return damaged('zero record header inside the log');
      return { records, validLength: pos, skippedBytes: 0, tornTail: true };
    }
    const length = readU32(bytes, pos + 4);
    if (length > bytes.length - pos - HEADER_SIZE) {
      return incomplete(`record length ${length} runs past the end of the file`);
    }
    const stored = readU32(bytes, pos);
    const actual = crc32Region(bytes, pos + 4, HEADER_SIZE - 4 + length);
    if (stored !== actual) return damaged(`record checksum mismatch (stored ${stored.toString(16)}, computed ${actual.toString(16)})`);
    records.push({ type: bytes[pos + 8]!, payload: bytes.subarray(pos + HEADER_SIZE, pos + HEADER_SIZE + length), offset: pos });
    pos += HEADER_SIZE + length;
  }
  return { records, validLength: pos, skippedBytes: 0, tornTail: false };
}

/**
 * The offset of the first complete record with a known type and a matching checksum at
 * or after `from`, or -1. Only run once reading has stopped early, so its cost (a
 * checksum per candidate offset) is paid only by a log that ends badly.
 */
function nextValidRecord(bytes: Uint8Array, from: number): number {
  for (let q = from; q + HEADER_SIZE <= bytes.length; q++) {
    const type = bytes[q + 8];
    if (type !== RECORD_WAL_BATCH && type !== RECORD_MANIFEST_EDIT) continue;
    const length = readU32(bytes, q + 4);
    if (length > bytes.length - q - HEADER_SIZE) continue;
    if (readU32(bytes, q) === crc32Region(bytes, q + 4, HEADER_SIZE - 4 + length)) return q;
  }
  return -1;
}

function allZeroHeader(bytes: Uint8Array, pos: number): boolean {
  const end = Math.min(bytes.length, pos + HEADER_SIZE);
  for (let i = pos; i < end; i++) if (bytes[i] !== 0) return false;
  return true;
}

/**
 * Appends records to a log file. The payload is encoded straight into `buffer` after
 * the header space (begin → encode → finish), so framing a record allocates nothing.
 */
export class LogWriter {
  readonly buffer = new ByteWriter(1 << 16);
  constructor(readonly file: WritableFile) {}

  /** Starts a record; encode the payload into the returned writer, then call finish(). */
  begin(): ByteWriter {
    const b = this.buffer;
    b.reset();
    b.ensure(HEADER_SIZE);
    b.length = HEADER_SIZE;
    return b;
  }

  /** Frames the record begun with begin() and hands it to the OS (write(2)). */
  finish(type: number): void {
    const b = this.buffer;
    const bytes = b.bytes;
    writeU32(bytes, 4, b.length - HEADER_SIZE);
    bytes[8] = type;
    writeU32(bytes, 0, crc32Region(bytes, 4, b.length - 4));
    this.file.append(bytes, 0, b.length);
  }

  addRecord(type: number, payload: Uint8Array): void {
    const w = this.begin();
    w.raw(payload, 0, payload.length);
    this.finish(type);
  }

  sync(): void {
    this.file.sync();
  }
  close(): void {
    this.file.close();
  }
}
