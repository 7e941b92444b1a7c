/** The leveldb adapter: `os` and `fsync` become WriteOptions.sync; `none` is refused (LevelDB always logs). */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { nearestDurability, type Engine, type Store } from '../../src/engine.js';
import { probeEngine } from '../../src/registry.js';
import { levelDurability, leveldbEngine } from '../../engines/leveldb/index.js';
import { scratchDir } from '../scratch.js';

describe('leveldb durability mapping', () => {
  it('maps os to sync=false and fsync to sync=true', () => {
    assert.equal(levelDurability('os').sync, false);
    assert.equal(levelDurability('fsync').sync, true);
    assert.throws(() => levelDurability('none'), /not honoured/);
  });

  let engine: Engine | undefined;
  let reason = '';
  let root = '';
  before(async () => {
    const probe = await probeEngine(leveldbEngine);
    if (probe.available) engine = probe.engine;
    else reason = probe.reason;
    root = await scratchDir('lsmbench-leveldb-test-');
  });
  after(() => rm(root, { recursive: true, force: true }));

  it('declares exactly the modes it maps, is async, and marks has and prefix emulated', (t) => {
    if (engine === undefined) return t.skip(reason);
    assert.deepEqual([...engine.durability], ['os', 'fsync']);
    assert.equal(nearestDurability('none', engine.durability), 'os');
    assert.equal(engine.api, 'async');
    assert.equal(engine.operations.has, 'emulated');
    assert.equal(engine.operations.prefix, 'emulated');
  });

  it('records the write options it used', async (t) => {
    if (engine === undefined) return t.skip(reason);
    for (const mode of ['os', 'fsync'] as const) {
      const dir = join(root, mode);
      await mkdir(dir);
      const store: Store = await engine.open({ dir, durability: mode, options: { compression: 'false' } });
      await store.put(Uint8Array.of(1), Uint8Array.of(2));
      const extra: Readonly<Record<string, number | string>> = store.stats().extra ?? {};
      assert.equal(extra.durability, mode);
      assert.match(String(extra.writeOptions), mode === 'fsync' ? /sync=true/ : /sync=false/);
      await store.close();
    }
    await assert.rejects(engine.open({ dir: join(root, 'bad'), durability: 'os', options: { compression: 'zstd' } }), /compression must be 'true' or 'false'/);
  });
});
