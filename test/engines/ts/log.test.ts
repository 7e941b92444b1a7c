import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import { crc32Bytes, crc32Region } from '../../../engines/ts/crc32.js';
import { LogWriter, readLog, RECORD_WAL_BATCH } from '../../../engines/ts/log.js';
import { FaultFileSystem } from '../../../engines/ts/fault-fs.js';
import { replayWal, WalWriter } from '../../../engines/ts/wal.js';
import { WalCorruptionError } from '../../../engines/ts/errors.js';
import { KIND_DELETE, KIND_PUT } from '../../../engines/ts/coding.js';
import { b, Rng, s } from './helpers.js';

const err = (offset: number, reason: string): Error => new WalCorruptionError('f', offset, reason);

describe('crc32', () => {
  it('the JS region CRC equals zlib.crc32, including continuation', () => {
    const r = new Rng(3);
    for (let len = 0; len < 300; len += 7) {
      const data = new Uint8Array(len + 10);
      for (let i = 0; i < data.length; i++) data[i] = r.int(256);
      const region = data.subarray(5, 5 + len);
      assert.equal(crc32Region(data, 5, len), zlib.crc32(region) >>> 0);
      assert.equal(crc32Bytes(region), zlib.crc32(region) >>> 0);
      const half = len >> 1;
      assert.equal(crc32Region(data, 5 + half, len - half, crc32Region(data, 5, half)), zlib.crc32(region) >>> 0);
    }
  });
});

describe('log framing', () => {
  const fs = new FaultFileSystem();
  const w = new LogWriter(fs.create('/log'));
  const payloads = [b('first'), new Uint8Array(0), b('x'.repeat(1000))];
  for (const p of payloads) w.addRecord(7, p);
  const bytes = fs.readAll('/log');

  it('reads back what was written', () => {
    const r = readLog(bytes, 'strict', err);
    assert.deepEqual(r.records.map((x) => s(x.payload)), payloads.map((p) => s(p)));
    assert.deepEqual(r.records.map((x) => x.type), [7, 7, 7]);
    assert.equal(r.validLength, bytes.length);
    assert.equal(r.tornTail, false);
  });

  it('a torn tail ends the log without error', () => {
    const r = readLog(bytes.subarray(0, bytes.length - 1), 'strict', err);
    assert.equal(r.records.length, 2);
    assert.equal(r.tornTail, true);
    assert.equal(r.validLength, 9 + 5 + 9);
  });

  it('a zero-filled tail (a crash can extend a file with zeros) is a torn tail', () => {
    const padded = new Uint8Array(bytes.length + 100);
    padded.set(bytes);
    const r = readLog(padded, 'strict', err);
    assert.equal(r.records.length, 3);
    assert.equal(r.tornTail, true);
  });

  it('a bad checksum is an error in strict mode and the end of the log in truncate mode', () => {
    const bad = bytes.slice();
    bad[14 + 8] = bad[14 + 8]! ^ 1; // the second record's type byte: covered by its CRC
    assert.throws(() => readLog(bad, 'strict', err), (e: unknown) => e instanceof WalCorruptionError && e.offset === 14);
    const r = readLog(bad, 'truncate', err);
    assert.equal(r.records.length, 1);
    assert.equal(r.corruptAt, 14);
  });
});

describe('wal', () => {
  it('replays single writes and batches with their sequence numbers', () => {
    const fs = new FaultFileSystem();
    const w = new WalWriter(fs, '/d/w.log', 1, 'fsync');
    fs.syncDir('/d');
    w.addOne(1, KIND_PUT, b('a'), b('1'));
    w.addOne(2, KIND_DELETE, b('b'), undefined);
    w.addBatch(3, [
      { kind: KIND_PUT, key: b('c'), value: b('3') },
      { kind: KIND_DELETE, key: b('a') },
    ]);
    fs.crash(); // fsync mode: everything acknowledged is durable
    const seen: string[] = [];
    const r = replayWal(fs, '/d/w.log', 'strict', (seq, kind, key, value) => seen.push(`${seq}:${kind}:${s(key)}:${s(value)}`));
    assert.deepEqual(seen, ['1:1:a:1', '2:0:b:undefined', '3:1:c:3', '4:0:a:undefined']);
    assert.equal(r.lastSeq, 4);
    assert.equal(r.records, 3);
  });

  it('os mode writes reach the OS but not the disk', () => {
    const fs = new FaultFileSystem();
    const w = new WalWriter(fs, '/d/w.log', 1, 'os');
    fs.syncDir('/d');
    w.addOne(1, KIND_PUT, b('a'), b('1'));
    const killed = fs.clone();
    killed.kill();
    assert.equal(replayWal(killed, '/d/w.log', 'strict', () => {}).records, 1, 'survives a process kill');
    fs.crash();
    assert.equal(replayWal(fs, '/d/w.log', 'strict', () => {}).records, 0, 'not a power loss');
  });

  it('a record that passes its checksum but does not decode is corruption', () => {
    const fs = new FaultFileSystem();
    const lw = new LogWriter(fs.create('/w.log'));
    lw.addRecord(RECORD_WAL_BATCH, Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0])); // claims 5 ops, holds none
    assert.throws(() => replayWal(fs, '/w.log', 'strict', () => {}), WalCorruptionError);
    const r = replayWal(fs, '/w.log', 'truncate', () => {});
    assert.equal(r.stoppedAtCorruption, true);
    assert.equal(r.validLength, 0);
  });
});
