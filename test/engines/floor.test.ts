/** The floor engine: a yardstick that writes each acknowledgement through at once, and says so. */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Durability, Engine, SyncStore } from '../../src/engine.js';
import { findEngine } from '../../src/registry.js';
import { floorEngine } from '../../engines/floor/index.js';
import { scratchDir } from '../scratch.js';
import { lsmbench } from '../cli-helpers.js';

const b = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (u: Uint8Array | undefined): string | undefined => (u === undefined ? undefined : new TextDecoder().decode(u));

describe('floor engine', () => {
  let engine: Engine;
  let root = '';
  let counter = 0;
  const open = async (durability: Durability, dir?: string): Promise<{ store: SyncStore; dir: string }> => {
    const at = dir ?? join(root, `store-${counter++}`);
    mkdirSync(at, { recursive: true });
    const store = await engine.open({ dir: at, durability, options: {} });
    assert.equal(store.api, 'sync');
    return { store: store as SyncStore, dir: at };
  };
  const logSize = (dir: string): number => (existsSync(join(dir, 'floor.log')) ? statSync(join(dir, 'floor.log')).size : 0);

  before(async () => {
    engine = await floorEngine.load();
    root = await scratchDir('lsmbench-floor-test-');
  });

  it('is registered and marked as a yardstick', () => {
    const found = findEngine('floor');
    assert.ok(found !== undefined);
    assert.ok(typeof found.yardstick === 'string' && found.yardstick.length > 0);
    assert.equal(findEngine('ts')?.yardstick, undefined, 'a store is not a yardstick');
  });

  it('lsmbench engines shows it as a yardstick, and no store as one', () => {
    const r = lsmbench(['engines', '--json']);
    assert.equal(r.code, 0);
    const rows = JSON.parse(r.stdout) as Array<{ name: string; yardstick?: string }>;
    assert.ok((rows.find((e) => e.name === 'floor')?.yardstick ?? '').length > 0);
    assert.deepEqual(rows.filter((e) => e.yardstick !== undefined).map((e) => e.name), ['floor']);
    assert.match(lsmbench(['engines']).stdout, /│ floor\s+│.*│ \(yardstick\) /);
  });

  it('os: each put and delete reaches the file before it returns, one record each', async () => {
    const { store, dir } = await open('os');
    store.put(b('key'), b('value'));
    assert.equal(logSize(dir), 8 + 3 + 5);
    store.delete(b('key'));
    assert.equal(logSize(dir), 16 + 8 + 3);
    store.batch([
      { type: 'put', key: b('a'), value: b('1') },
      { type: 'delete', key: b('b') },
    ]);
    assert.equal(logSize(dir), 27 + 10 + 9);
    assert.equal(store.stats().extra?.syncs, 0, 'os mode never syncs before close');
    await store.close();
  });

  it('fsync: one fdatasync per put and one per batch', async () => {
    const { store } = await open('fsync');
    store.put(b('a'), b('1'));
    store.put(b('b'), b('2'));
    store.batch([
      { type: 'put', key: b('c'), value: b('3') },
      { type: 'put', key: b('d'), value: b('4') },
      { type: 'delete', key: b('a') },
    ]);
    assert.equal(store.stats().extra?.syncs, 3);
    await store.close();
  });

  it('none: writes nothing until close, then keeps only the live entries', async () => {
    const { store, dir } = await open('none');
    for (let i = 0; i < 10; i++) store.put(b(`k${i}`), b(`v${i}`));
    store.delete(b('k3'));
    assert.equal(logSize(dir), 0);
    await store.close();
    assert.equal(logSize(dir), 9 * (8 + 2 + 2));
    const { store: again } = await open('os', dir);
    assert.equal(text(again.get(b('k9'))), 'v9');
    assert.equal(again.has(b('k3')), false);
    await again.close();
  });

  it('ignores an incomplete last record on reopen and appends after the last complete one', async () => {
    const { store, dir } = await open('os');
    store.put(b('kept'), b('yes'));
    await store.close();
    const complete = logSize(dir);
    appendFileSync(join(dir, 'floor.log'), Uint8Array.from([4, 0, 0, 0, 9, 0, 0, 0, 0x6c]));
    const { store: again } = await open('os', dir);
    assert.equal(logSize(dir), complete, 'the torn record is cut off');
    assert.equal(text(again.get(b('kept'))), 'yes');
    again.put(b('next'), b('1'));
    await again.close();
    const { store: third } = await open('os', dir);
    assert.equal(text(third.get(b('next'))), '1');
    assert.equal(text(third.get(b('kept'))), 'yes');
    await third.close();
  });

  it('refuses options it does not know', async () => {
    const dir = join(root, 'options');
    mkdirSync(dir);
    await assert.rejects(engine.open({ dir, durability: 'os', options: { blockSize: '1' } }), /floor has no option 'blockSize'/);
  });
});
