/**
 * The conformance suite: what every engine must do, as a list of checks. `lsmbench
 * check <engine>` runs it against any engine (external ones included); an engine
 * author's tests run it with `describeConformance(descriptor)` from
 * 'lsmbench/conformance', and the bundled engines run it in this repository's tests.
 * A check throws (an assertion error) when the engine misbehaves, and returns a
 * reason string when it does not apply to the engine.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Engine, EngineDescriptor, Store, ScanRange, Durability } from './engine.js';
import { errorMessage } from './errors.js';

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

/** What a check is handed: the loaded engine and a way to open a store in a new directory. */
export interface CheckContext {
  readonly engine: Engine;
  /** Opens a store in a fresh directory, in `durability` or the engine's first mode. */
  openFresh(durability?: Durability): Promise<{ store: Store; dir: string }>;
}

export interface ConformanceCheck {
  readonly name: string;
  /** Throws when the engine fails the check; returns a reason when the check does not apply. */
  run(ctx: CheckContext): Promise<string | void>;
}

export const CONFORMANCE_CHECKS: readonly ConformanceCheck[] = [
    {
      name: 'declares itself consistently',
      run: async ({ engine }) => {
      assert.ok(engine.storeVersion.length > 0, 'storeVersion is set');
      assert.ok(engine.durability.length > 0, 'honours at least one durability mode');
      if (!engine.persistent) assert.deepEqual([...engine.durability], ['none'], 'a store without persistence honours only `none`');
      },
    },

    {
      name: 'put, get, overwrite, delete, has',
      run: async ({ engine, openFresh }) => {
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
      },
    },

    {
      name: 'copies the buffers it is handed',
      run: async ({ engine, openFresh }) => {
      const { store } = await openFresh();
      const key = b('key1');
      const value = b('value1');
      await store.put(key, value);
      key[3] = 0x32; // now "key2"
      value.fill(0x78);
      assert.equal(s(await store.get(b('key1'))), 'value1');
      assert.equal(await store.get(b('key2')), undefined);
      await store.close();
      },
    },

    {
      name: 'handles empty values and binary keys',
      run: async ({ engine, openFresh }) => {
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
      },
    },

    {
      name: 'orders keys bytewise (unsigned, shorter prefix first)',
      run: async ({ engine, openFresh }) => {
      const { store } = await openFresh();
      const keys = [[0x61, 0x62], [0x61], [0xff], [0x00], [0x61, 0x00], [0x80]];
      for (const k of keys) await store.put(Uint8Array.from(k), Uint8Array.from([1]));
      const seen: number[][] = [];
      await store.scan({}, (k) => {
        seen.push([...k]);
      });
      assert.deepEqual(seen, [[0x00], [0x61], [0x61, 0x00], [0x61, 0x62], [0x80], [0xff]]);
      await store.close();
      },
    },

    {
      name: 'range scans: bounds, limit, reverse, early stop',
      run: async ({ engine, openFresh }) => {
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
      },
    },

    {
      name: 'prefix scans',
      run: async ({ engine, openFresh }) => {
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
      },
    },

    {
      name: 'scans hide deleted keys and show overwritten values',
      run: async ({ engine, openFresh }) => {
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
      },
    },

    {
      name: 'batches apply in order',
      run: async ({ engine, openFresh }) => {
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
      },
    },

    {
      name: 'matches a Map oracle over seeded random operations',
      run: async ({ engine, openFresh }) => {
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
      },
    },

    {
      name: 'reopens with its data in every durability mode it honours',
      run: async ({ engine, openFresh }) => {
      if (!engine.persistent) return 'not a persistent engine';
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
      },
    },
];

export type Verdict =
  | { readonly check: string; readonly outcome: 'pass' }
  | { readonly check: string; readonly outcome: 'skip'; readonly reason: string }
  | { readonly check: string; readonly outcome: 'fail'; readonly reason: string };

/**
 * A context whose stores live under one scratch directory; `dispose()` removes it.
 * Each store gets a directory of its own, so checks do not see each other's data.
 */
export async function checkContext(engine: Engine, prefix = 'lsmbench-conformance-'): Promise<CheckContext & { dispose(): Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), prefix));
  let counter = 0;
  return {
    engine,
    async openFresh(durability?: Durability) {
      const dir = join(root, `store-${counter++}`);
      await mkdir(dir);
      const mode = durability ?? engine.durability[0] ?? 'none';
      return { store: await engine.open({ dir, durability: mode, options: {} }), dir };
    },
    async dispose() {
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** Runs one check, turning a throw into a failed verdict with its message. */
export async function runCheck(check: ConformanceCheck, ctx: CheckContext): Promise<Verdict> {
  try {
    const skipped = await check.run(ctx);
    return typeof skipped === 'string' ? { check: check.name, outcome: 'skip', reason: skipped } : { check: check.name, outcome: 'pass' };
  } catch (err) {
    return { check: check.name, outcome: 'fail', reason: errorMessage(err) };
  }
}

/** Loads the engine and yields a verdict per check, in order; the scratch directory is removed after. */
export async function* runConformance(descriptor: EngineDescriptor, checks: readonly ConformanceCheck[] = CONFORMANCE_CHECKS): AsyncGenerator<Verdict> {
  const engine = await descriptor.load();
  const ctx = await checkContext(engine, `lsmbench-check-${descriptor.name.replace(/[^a-z0-9-]/gi, '_')}-`);
  try {
    for (const check of checks) yield await runCheck(check, ctx);
  } finally {
    await ctx.dispose();
  }
}
