/** The rocksdb adapter: `os` and `fsync` become WriteOptions.sync; `none` is refused (the binding always writes its WAL). */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { nearestDurability, type Engine } from '../../src/engine.js';
import { probeEngine } from '../../src/registry.js';
import { rocksDurability, rocksdbEngine } from '../../engines/rocksdb/index.js';
import { scratchDir } from '../scratch.js';

describe('rocksdb durability mapping', () => {
  it('maps os to sync=false and fsync to sync=true', () => {
    assert.equal(rocksDurability('os').sync, false);
    assert.equal(rocksDurability('fsync').sync, true);
    assert.throws(() => rocksDurability('none'), /not honoured/);
  });

  let engine: Engine | undefined;
  let reason = '';
  let root = '';
  before(async () => {
    const probe = await probeEngine(rocksdbEngine);
    if (probe.available) engine = probe.engine;
    else reason = probe.reason;
    root = await scratchDir('lsmbench-rocksdb-test-');
  });
  after(() => rm(root, { recursive: true, force: true }));

  it('declares exactly the modes it maps and is synchronous', (t) => {
    if (engine === undefined) return t.skip(reason);
    assert.deepEqual([...engine.durability], ['os', 'fsync']);
    assert.equal(nearestDurability('none', engine.durability), 'os');
    assert.equal(engine.api, 'sync');
  });

  it('records its write options and level shape, and scans past its query chunk', async (t) => {
    if (engine === undefined) return t.skip(reason);
    for (const mode of ['os', 'fsync'] as const) {
      const dir = join(root, mode);
      await mkdir(dir);
      const store = await engine.open({ dir, durability: mode, options: {} });
      if (store.api !== 'sync') throw new Error('rocksdb is a sync store');
      const n = mode === 'os' ? 2500 : 10;
      const key = (i: number): Uint8Array => new TextEncoder().encode(String(i).padStart(6, '0'));
      store.batch(Array.from({ length: n }, (_, i) => ({ type: 'put' as const, key: key(i), value: Uint8Array.of(i & 255) })));
      let seen = 0;
      let last = -1;
      const visited = store.scan({}, (k) => {
        const i = Number(new TextDecoder().decode(k));
        assert.equal(i, last + 1, 'in order, none skipped or repeated across query chunks');
        last = i;
        seen++;
      });
      assert.equal(visited, n);
      assert.equal(seen, n);
      let back = 0;
      store.scan({ reverse: true, limit: 1500 }, () => {
        back++;
      });
      assert.equal(back, Math.min(1500, n));
      await store.settle();
      const stats = store.stats();
      assert.equal(stats.extra?.durability, mode);
      assert.match(String(stats.extra?.writeOptions), mode === 'fsync' ? /sync=true/ : /sync=false/);
      assert.ok(Array.isArray(stats.levels));
      await store.close();
    }
  });
});
