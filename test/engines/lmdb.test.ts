/** The lmdb adapter: `os` and `fsync` become noSync and synchronous commits; `none` is refused. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { nearestDurability, type Engine, type Store } from '../../src/engine.js';
import { probeEngine } from '../../src/registry.js';
import { lmdbDurability, lmdbEngine } from '../../engines/lmdb/index.js';
import { Worker } from 'node:worker_threads';
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

  it('after settle, reads see a write another thread made after this thread last read', async (t) => {
    // lmdb-js keeps one read transaction until a timer of the next event-loop turn: the
    // read-while-writing check read the final state through the old snapshot when that timer
    // had not yet fired, and failed a correct store. Waiting synchronously keeps the timer
    // from firing here, so without the renewal in settle this fails every time.
    if (engine === undefined) return t.skip(reason);
    const dir = join(root, 'threads');
    await mkdir(dir);
    const store: Store = await engine.open({ dir, durability: 'os', options: {} });
    if (store.api !== 'sync') throw new Error('lmdb is a sync store');
    const key = Uint8Array.of(5);
    store.put(key, Uint8Array.of(1));
    assert.deepEqual([...store.get(key)!], [1]);
    const signal = new Int32Array(new SharedArrayBuffer(4));
    const adapter = new URL('../../engines/lmdb/index.js', import.meta.url).href;
    const worker = new Worker(
      `const { workerData } = require('node:worker_threads');
      (async () => {
        const { lmdbEngine } = await import(workerData.adapter);
        const engine = await lmdbEngine.load();
        const store = await engine.open({ dir: workerData.dir, durability: 'os', options: {} });
        store.put(Uint8Array.of(5), Uint8Array.of(2));
        const signal = new Int32Array(workerData.signal);
        Atomics.store(signal, 0, 1);
        Atomics.notify(signal, 0);
        await store.close();
      })().catch((err) => {
        const signal = new Int32Array(workerData.signal);
        Atomics.store(signal, 0, 2);
        Atomics.notify(signal, 0);
        throw err;
      });`,
      { eval: true, workerData: { adapter, dir, signal: signal.buffer } },
    );
    const exited = new Promise<number>((resolve, reject) => {
      worker.once('error', reject);
      worker.once('exit', resolve);
    });
    // Block this thread (no timer runs) until the other thread has committed its write.
    assert.notEqual(Atomics.wait(signal, 0, 0, 30_000), 'timed-out', 'the other thread wrote in time');
    assert.equal(Atomics.load(signal, 0), 1, 'the other thread wrote without error');
    await store.settle();
    assert.deepEqual([...store.get(key)!], [2], 'the read after settle sees the other thread\'s write');
    assert.equal(await exited, 0);
    await store.close();
  });
});
