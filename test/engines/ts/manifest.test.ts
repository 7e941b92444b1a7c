import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyEdit, decodeEdit, EMPTY_VERSION, encodeEdit, Manifest, recoverManifest, type TableEntry } from '../../../engines/ts/manifest.js';
import { FaultFileSystem } from '../../../engines/ts/fault-fs.js';
import { ManifestCorruptionError } from '../../../engines/ts/errors.js';
import { b } from './helpers.js';

const table = (id: number): TableEntry => ({ id, level: 0, size: 100 * id, entries: id, smallest: b(`a${id}`), largest: b(`z${id}`), minSeq: id, maxSeq: id * 10 });

describe('manifest', () => {
  it('applyEdit is pure and folds adds, removes and counters', () => {
    const s1 = applyEdit(EMPTY_VERSION, { add: [table(3), table(4)], logNumber: 5, nextFile: 6, lastSeq: 40 });
    const s2 = applyEdit(s1, { remove: [3], add: [table(7)], logNumber: 2 });
    assert.equal(EMPTY_VERSION.tables.size, 0, 'the input is not changed');
    assert.deepEqual([...s1.tables.keys()], [3, 4]);
    assert.deepEqual([...s2.tables.keys()].sort(), [4, 7]);
    assert.equal(s2.logNumber, 5, 'the log number never goes back');
    assert.equal(s2.lastSeq, 40);
  });

  it('edits round-trip through their encoding', () => {
    const e = { add: [table(9)], remove: [1, 2], logNumber: 3, nextFile: 10, lastSeq: 2 ** 40 };
    assert.deepEqual(decodeEdit(encodeEdit(e)), e);
    assert.throws(() => decodeEdit(b('{"add":[{"id":-1}]}')), RangeError);
    assert.throws(() => decodeEdit(b('not json')), RangeError);
  });

  it('CURRENT switches atomically and survives power loss once created', () => {
    const fs = new FaultFileSystem();
    fs.mkdirp('/db');
    const m = Manifest.create(fs, '/db', 1, applyEdit(EMPTY_VERSION, { add: [table(2)], nextFile: 3 }));
    m.append({ add: [table(4)], nextFile: 5 });
    fs.crash();
    const r = recoverManifest(fs, '/db', 'strict');
    assert.equal(r.file, 'MANIFEST-000001');
    assert.deepEqual([...r.state.tables.keys()], [2, 4]);
    const m2 = Manifest.create(fs, '/db', 6, r.state);
    m2.append({ remove: [2] });
    fs.crash();
    const r2 = recoverManifest(fs, '/db', 'strict');
    assert.equal(r2.file, 'MANIFEST-000006');
    assert.deepEqual([...r2.state.tables.keys()], [4]);
  });

  it('a manifest whose CURRENT was never written is a new store', () => {
    const fs = new FaultFileSystem();
    assert.equal(recoverManifest(fs, '/db', 'strict').file, undefined);
  });

  it('CURRENT naming a missing manifest is a typed error', () => {
    const fs = new FaultFileSystem();
    fs.setContents('/db/CURRENT', b('MANIFEST-000009\n'));
    assert.throws(() => recoverManifest(fs, '/db', 'strict'), ManifestCorruptionError);
  });
});
