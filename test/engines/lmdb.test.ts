/** The lmdb adapter: `os` and `fsync` become noSync and synchronous commits; `none` is refused. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { nearestDurability, type Engine, type Store } from '../../src/engine.js';
import { probeEngine } from '../../src/registry.js';
import { lmdbDurability, lmdbEngine } from '../../engines/lmdb/index.js';
import { scratchDir } from '../scratch.js';

describe('lmdb durability mapping', () => {
  it('maps os to noSync and fsync to flushed, non-overlapped commits', () => {
    assert.equal(lmdbDurability('os').noSync, true);
    assert.equal(lmdbDurability('fsync').noSync, false);
    assert.equal(lmdbDurability('fsync').overlappingSync, false);
    assert.throws(() => lmdbDurability('none'), /not honoured/);
  });

  let engine: Engine | undefined;
  let reason = '';
  let root = '';
  before(async () => {
    const probe = await probeEngine(lmdbEngine);
    if (probe.available) engine = probe.engine;
    else reason = probe.reason;
    root = await scratchDir('lsmbench-lmdb-test-');
  });
  after(() => rm(root, { recursive: true, force: true }));

  it('declares exactly the modes it maps, so none runs as os', (t) => {
    if (engine === undefined) return t.skip(reason);
    assert.deepEqual([...engine.durability], ['os', 'fsync']);
    assert.equal(nearestDurability('none', engine.durability), 'os');
  });

  it('records the settings it opened with', async (t) => {
    if (engine === undefined) return t.skip(reason);
    for (const mode of ['os', 'fsync'] as const) {
      const dir = join(root, mode);
      await mkdir(dir);
      const store: Store = await engine.open({ dir, durability: mode, options: {} });
      const extra: Readonly<Record<string, number | string>> = store.stats().extra ?? {};
      assert.equal(extra.durability, mode);
      assert.equal(extra.settings, lmdbDurability(mode).description);
      await store.close();
    }
  });

  it('gives values as plain byte arrays of their own length', async (t) => {
    if (engine === undefined) return t.skip(reason);
    const dir = join(root, 'values');
    await mkdir(dir);
    const store: Store = await engine.open({ dir, durability: 'os', options: {} });
    if (store.api !== 'sync') throw new Error('lmdb is a sync store');
    store.put(Uint8Array.of(1), Uint8Array.of(7, 8, 9));
    const v = store.get(Uint8Array.of(1))!;
    assert.equal(v.byteLength, 3, 'byteLength is the value\'s, not the shared read buffer\'s');
    assert.deepEqual([...new Uint8Array(v.buffer, v.byteOffset, v.byteLength)], [7, 8, 9]);
    await store.close();
  });
});
