/**
 * The shared conformance suite. Every registered engine that is installed runs it
 * (test/engines/conformance.test.ts); an engine in development can run it with
 * `describeConformance(descriptor)`.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Engine, EngineDescriptor, Store, ScanRange, Durability } from '../src/engine.js';
import { scratchDir } from './scratch.js';

const enc = new TextEncoder();
const dec = new TextDecoder();
const b = (s: string): Uint8Array => enc.encode(s);
const s = (u: Uint8Array | undefined): string | undefined => (u === undefined ? undefined : dec.decode(u));

async function collect(store: Store, range: ScanRange): Promise<Array<[string, string]>> {
  const out: Array<[string, string]> = [];
  const n = await store.scan(range, (k, v) => {
    out.push([dec.decode(k), dec.decode(v)]);
  });
  assert.equal(n, out.length, 'scan() returns the number of entries visited');
  return out;
}

/** Fills a store with k00..k(n-1) => v00..; keys are zero-padded so byte order is numeric order. */
async function fill(store: Store, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await store.put(b(`k${String(i).padStart(2, '0')}`), b(`v${i}`));
}

export function describeConformance(descriptor: EngineDescriptor): void {
  describe(`conformance: ${descriptor.name}`, () => {
    let engine: Engine;
    let root: string;
    let counter = 0;
    const openFresh = async (durability?: Durability): Promise<{ store: Store; dir: string }> => {
      const dir = join(root, `store-${counter++}`);
      const { mkdir } = await import('node:fs/promises');
      await mkdir(dir);
      const mode = durability ?? engine.durability[0] ?? 'none';
      return { store: await engine.open({ dir, durability: mode, options: {} }), dir };
    };

    before(async () => {
      engine = await descriptor.load();
      root = await scratchDir(`lsmbench-conformance-${descriptor.name}-`);
    });
    after(async () => {
      await rm(root, { recursive: true, force: true });
    });

    it('declares itself consistently', () => {
      assert.ok(engine.storeVersion.length > 0, 'storeVersion is set');
      assert.ok(engine.durability.length > 0, 'honours at least one durability mode');
      if (!engine.persistent) assert.deepEqual([...engine.durability], ['none'], 'a store without persistence honours only `none`');
    });

    it('put, get, overwrite, delete, has', async () => {
      const { store } = await openFresh();
      assert.equal(store.api, engine.api);
      assert.equal(await store.get(b('a')), undefined);
      assert.equal(await store.has(b('a')), false);
      await store.put(b('a'), b('1'));
      assert.equal(s(await store.get(b('a'))), '1');
      assert.equal(await store.has(b('a')), true);
      await store.put(b('a'), b('2'));
      assert.equal(s(await store.get(b('a'))), '2', 'the last write wins');
      await store.delete(b('a'));
      assert.equal(await store.get(b('a')), undefined);
      assert.equal(await store.has(b('a')), false);
      await store.delete(b('never-written'));
      assert.equal(await store.has(b('never-written')), false, 'deleting an absent key is allowed');
      await store.close();
    });

    it('copies the buffers it is handed', async () => {
      const { store } = await openFresh();
      const key = b('key1');
      const value = b('value1');
      await store.put(key, value);
      key[3] = 0x32; // now "key2"
      value.fill(0x78);
      assert.equal(s(await store.get(b('key1'))), 'value1');
      assert.equal(await store.get(b('key2')), undefined);
      await store.close();
    });

    it('handles empty values and binary keys', async () => {
      const { store } = await openFresh();
      await store.put(b('empty'), new Uint8Array(0));
      const got = await store.get(b('empty'));
      assert.ok(got !== undefined, 'an empty value is a value, not an absence');
      assert.equal(got.length, 0);
      assert.equal(await store.has(b('empty')), true);
      const binary = Uint8Array.from([0, 255, 1, 128]);
      await store.put(binary, Uint8Array.from([9, 8]));
      assert.deepEqual([...((await store.get(Uint8Array.from([0, 255, 1, 128]))) ?? [])], [9, 8]);
      await store.close();
    });

    it('orders keys bytewise (unsigned, shorter prefix first)', async () => {
      const { store } = await openFresh();
      const keys = [[0x61, 0x62], [0x61], [0xff], [0x00], [0x61, 0x00], [0x80]];
      for (const k of keys) await store.put(Uint8Array.from(k), Uint8Array.from([1]));
      const seen: number[][] = [];
      await store.scan({}, (k) => {
        seen.push([...k]);
      });
      assert.deepEqual(seen, [[0x00], [0x61], [0x61, 0x00], [0x61, 0x62], [0x80], [0xff]]);
      await store.close();
    });

    it('range scans: bounds, limit, reverse, early stop', async () => {
      const { store } = await openFresh();
      await fill(store, 20);
      const all = await collect(store, {});
      assert.equal(all.length, 20);
      assert.deepEqual(all[0], ['k00', 'v0']);
      assert.deepEqual(all[19], ['k19', 'v19']);
      const mid = await collect(store, { start: b('k05'), end: b('k08') });
      assert.deepEqual(mid.map(([k]) => k), ['k05', 'k06', 'k07'], 'start inclusive, end exclusive');
      const between = await collect(store, { start: b('k055'), end: b('k07x') });
      assert.deepEqual(between.map(([k]) => k), ['k06', 'k07'], 'bounds need not be keys');
      const limited = await collect(store, { start: b('k10'), limit: 4 });
      assert.deepEqual(limited.map(([k]) => k), ['k10', 'k11', 'k12', 'k13']);
      const rev = await collect(store, { start: b('k05'), end: b('k08'), reverse: true });
      assert.deepEqual(rev.map(([k]) => k), ['k07', 'k06', 'k05']);
      const revLimited = await collect(store, { reverse: true, limit: 2 });
      assert.deepEqual(revLimited.map(([k]) => k), ['k19', 'k18']);
      let visited = 0;
      const n = await store.scan({}, () => {
        visited++;
        return visited < 3;
      });
      assert.equal(visited, 3, 'returning false stops the scan');
      assert.equal(n, 3);
      assert.deepEqual(await collect(store, { start: b('k30') }), []);
      assert.deepEqual(await collect(store, { start: b('k08'), end: b('k05') }), [], 'an inverted range is empty');
      await store.close();
    });

    it('prefix scans', async () => {
      const { store } = await openFresh();
      await fill(store, 25);
      await store.put(b('k1'), b('short'));
      await store.put(b('j9'), b('before'));
      await store.put(b('l0'), b('after'));
      const ones = await collect(store, { prefix: b('k1') });
      assert.deepEqual(ones.map(([k]) => k), ['k1', 'k10', 'k11', 'k12', 'k13', 'k14', 'k15', 'k16', 'k17', 'k18', 'k19']);
      const rev = await collect(store, { prefix: b('k2'), reverse: true });
      assert.deepEqual(rev.map(([k]) => k), ['k24', 'k23', 'k22', 'k21', 'k20']);
      const lim = await collect(store, { prefix: b('k0'), limit: 3 });
      assert.deepEqual(lim.map(([k]) => k), ['k00', 'k01', 'k02']);
      assert.deepEqual(await collect(store, { prefix: b('zz') }), []);
      const ff = Uint8Array.from([0xff, 0xff]);
      await store.put(Uint8Array.from([0xff, 0xff, 1]), b('x'));
      await store.put(Uint8Array.from([0xff, 0xfe]), b('y'));
      const high: number[][] = [];
      await store.scan({ prefix: ff }, (k) => {
        high.push([...k]);
      });
      assert.deepEqual(high, [[0xff, 0xff, 1]], 'a prefix of 0xff bytes has no successor and still works');
      await store.close();
    });

    it('scans hide deleted keys and show overwritten values', async () => {
      const { store } = await openFresh();
      await fill(store, 10);
      await store.delete(b('k03'));
      await store.delete(b('k00'));
      await store.delete(b('k09'));
      await store.put(b('k05'), b('new'));
      const got = await collect(store, {});
      assert.deepEqual(got.map(([k]) => k), ['k01', 'k02', 'k04', 'k05', 'k06', 'k07', 'k08']);
      assert.deepEqual(got[3], ['k05', 'new']);
      await store.close();
    });

    it('batches apply in order', async () => {
      const { store } = await openFresh();
      await store.put(b('gone'), b('x'));
      await store.batch([
        { type: 'put', key: b('a'), value: b('1') },
        { type: 'put', key: b('b'), value: b('2') },
        { type: 'delete', key: b('gone') },
        { type: 'put', key: b('a'), value: b('3') },
        { type: 'delete', key: b('b') },
      ]);
      assert.equal(s(await store.get(b('a'))), '3');
      assert.equal(await store.get(b('b')), undefined);
      assert.equal(await store.get(b('gone')), undefined);
      await store.batch([]);
      await store.close();
    });

    it('matches a Map oracle over seeded random operations', async () => {
      const { store } = await openFresh();
      const oracle = new Map<string, string>();
      let x = 12345;
      const rnd = (n: number): number => {
        x = (Math.imul(x, 1103515245) + 12345) >>> 0;
        return (x >>> 8) % n;
      };
      for (let step = 0; step < 3000; step++) {
        const key = `key${String(rnd(300)).padStart(3, '0')}`;
        const op = rnd(10);
        if (op < 5) {
          const value = `val${step}`;
          await store.put(b(key), b(value));
          oracle.set(key, value);
        } else if (op < 7) {
          await store.delete(b(key));
          oracle.delete(key);
        } else if (op < 9) {
          assert.equal(s(await store.get(b(key))), oracle.get(key), `get ${key} at step ${step}`);
          assert.equal(await store.has(b(key)), oracle.has(key));
        } else {
          const got = await collect(store, { start: b(key), limit: 20 });
          const want = [...oracle.entries()].filter(([k]) => k >= key).sort(([p], [q]) => (p < q ? -1 : 1)).slice(0, 20);
          assert.deepEqual(got, want, `scan from ${key} at step ${step}`);
        }
      }
      const everything = await collect(store, {});
      assert.deepEqual(everything, [...oracle.entries()].sort(([p], [q]) => (p < q ? -1 : 1)));
      await store.settle();
      const stats = store.stats();
      assert.equal(typeof stats, 'object');
      await store.close();
    });

    it('reopens with its data in every durability mode it honours', async (t) => {
      if (!engine.persistent) {
        t.skip('not a persistent engine');
        return;
      }
      for (const mode of engine.durability) {
        const { store, dir } = await openFresh(mode);
        await fill(store, 30);
        await store.delete(b('k07'));
        await store.put(b('k08'), b('changed'));
        await store.batch([
          { type: 'put', key: b('batched'), value: b('yes') },
          { type: 'delete', key: b('k09') },
        ]);
        await store.close();
        const again = await engine.open({ dir, durability: mode, options: {} });
        assert.equal(await again.get(b('k07')), undefined, `${mode}: deletion survives reopen`);
        assert.equal(s(await again.get(b('k08'))), 'changed', `${mode}: overwrite survives reopen`);
        assert.equal(s(await again.get(b('batched'))), 'yes', `${mode}: batch survives reopen`);
        assert.equal(await again.has(b('k09')), false);
        const all = await collect(again, {});
        assert.equal(all.length, 30 - 2 + 1, `${mode}: every key is back`);
        await again.put(b('k99'), b('after reopen'));
        assert.equal(s(await again.get(b('k99'))), 'after reopen');
        await again.close();
      }
    });
  });
}
