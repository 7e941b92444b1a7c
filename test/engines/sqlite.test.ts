/** The sqlite adapter: each durability mode becomes the pragmas it names, and SQLite confirms them. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DURABILITY_MODES, type Engine, type Store } from '../../src/engine.js';
import { probeEngine } from '../../src/registry.js';
import { sqliteDurability, sqliteEngine } from '../../engines/sqlite/index.js';
import { scratchDir } from '../scratch.js';

describe('sqlite durability mapping', () => {
  it('maps none, os and fsync to journal and synchronous pragmas', () => {
    assert.deepEqual([sqliteDurability('none').journalMode, sqliteDurability('none').synchronous], ['OFF', 'OFF']);
    assert.deepEqual([sqliteDurability('os').journalMode, sqliteDurability('os').synchronous], ['WAL', 'OFF']);
    assert.deepEqual([sqliteDurability('fsync').journalMode, sqliteDurability('fsync').synchronous], ['WAL', 'FULL']);
  });

  let engine: Engine | undefined;
  let reason = '';
  let root = '';
  before(async () => {
    const probe = await probeEngine(sqliteEngine);
    if (probe.available) engine = probe.engine;
    else reason = probe.reason;
    root = await scratchDir('lsmbench-sqlite-test-');
  });
  after(() => rm(root, { recursive: true, force: true }));

  it('opens in every mode with those pragmas in force, and records them', async (t) => {
    if (engine === undefined) return t.skip(reason);
    assert.deepEqual([...engine.durability], [...DURABILITY_MODES]);
    for (const mode of DURABILITY_MODES) {
      const dir = join(root, mode);
      await mkdir(dir);
      const store: Store = await engine.open({ dir, durability: mode, options: {} });
      const extra: Readonly<Record<string, number | string>> = store.stats().extra ?? {};
      const want = sqliteDurability(mode);
      assert.equal(extra.durability, mode);
      assert.equal(String(extra.journalMode).toUpperCase(), want.journalMode, `${mode}: journal_mode in force`);
      assert.equal(extra.synchronous, want.synchronous, `${mode}: synchronous in force`);
      await store.close();
    }
  });

  it('refuses an unknown option and a bad value', async (t) => {
    if (engine === undefined) return t.skip(reason);
    const dir = join(root, 'options');
    await mkdir(dir);
    await assert.rejects(engine.open({ dir, durability: 'os', options: { journal: 'x' } }), /sqlite has no option 'journal'/);
    await assert.rejects(engine.open({ dir, durability: 'os', options: { cacheSizeKiB: '-3' } }), /cacheSizeKiB must be a positive integer/);
  });
});
