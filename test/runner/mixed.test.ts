import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SyncStore } from '../../src/engine.js';
import { memoryEngine } from '../../engines/memory/index.js';
import { OP_INSERT, OP_READ, OP_SCAN, OP_UPDATE, planMixed } from '../../src/runner/mixed.js';
import { loadStore } from '../../src/runner/plan-kit.js';
import { YCSB_WORKLOADS, loadScenarioFile, resolveScenario, type Scenario } from '../../src/scenario.js';

async function scenario(overrides: Partial<Scenario> = {}): Promise<Scenario> {
  const { source, file } = await loadScenarioFile('seed');
  return { ...resolveScenario(source, file, { ops: 4000, workloads: [...YCSB_WORKLOADS] }), ...overrides };
}
async function loaded(sc: Scenario): Promise<SyncStore> {
  const store = (await (await memoryEngine.load()).open({ dir: '/nonexistent', durability: 'none', options: {} })) as SyncStore;
  await loadStore(store, sc, sc.ops);
  return store;
}
const share = (types: Uint8Array, type: number): number => types.reduce((n, t) => n + (t === type ? 1 : 0), 0) / types.length;

describe('mixed workloads', () => {
  for (const workload of [...YCSB_WORKLOADS, 'read-while-writing'] as const)
    it(`${workload}: a correct store matches the model's digest and final state`, async () => {
      const sc = await scenario();
      const plan = planMixed(workload, sc);
      const store = await loaded(sc);
      const { digest } = plan.runSync(store);
      assert.equal(digest, plan.expectedDigest);
      assert.equal(await plan.verify(store), undefined);
    });

  it('has the YCSB operation mixes', async () => {
    const sc = await scenario({ ops: 20_000 });
    const a = planMixed('ycsb-a', sc).callTypes;
    assert.ok(Math.abs(share(a, OP_READ) - 0.5) < 0.02 && Math.abs(share(a, OP_UPDATE) - 0.5) < 0.02);
    const c = planMixed('ycsb-c', sc).callTypes;
    assert.equal(share(c, OP_READ), 1);
    const d = planMixed('ycsb-d', sc);
    assert.ok(Math.abs(share(d.callTypes, OP_INSERT) - 0.05) < 0.01);
    assert.equal(d.mutates, true);
    const e = planMixed('ycsb-e', sc).callTypes;
    assert.ok(Math.abs(share(e, OP_SCAN) - 0.95) < 0.01);
    const rww = planMixed('read-while-writing', { ...sc, writesPerRead: 3 });
    assert.equal(rww.unitsPerRepetition, 20_000, 'only reads are counted');
    assert.equal(rww.callsPerRepetition, 80_000);
    assert.equal(share(rww.callTypes, OP_READ), 0.25);
  });

  it('catches a store that loses updates, and one whose scans skip entries', async () => {
    const sc = await scenario();
    const store = await loaded(sc);
    const put = store.put.bind(store);
    let n = 0;
    store.put = (k, v) => {
      if (++n % 50 !== 0) put(k, v);
    };
    const plan = planMixed('ycsb-a', sc);
    assert.notEqual(plan.runSync(store).digest, plan.expectedDigest);
    assert.match((await plan.verify(store)) ?? '', /wrong value/);

    const scanning = await loaded(sc);
    const scan = scanning.scan.bind(scanning);
    scanning.scan = (range, visit) => scan({ ...range, limit: Math.max(1, (range.limit ?? 2) - 1) }, visit);
    const e = planMixed('ycsb-e', sc);
    assert.notEqual(e.runSync(scanning).digest, e.expectedDigest);
  });

  it('measures every call in the latency pass, open loop at a target rate', async () => {
    const sc = await scenario({ ops: 2000 });
    const plan = planMixed('ycsb-b', sc);
    const store = await loaded(sc);
    const lat = new Float64Array(plan.callsPerRepetition);
    const t0 = performance.now();
    plan.latencySync(store, lat, 20_000);
    const elapsed = performance.now() - t0;
    assert.ok(elapsed >= 2000 / 20_000 * 1000 * 0.95, `the schedule paces the calls (${elapsed.toFixed(1)} ms)`);
    assert.ok(lat.every((x) => x >= 0));
  });
});
