import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AsyncStore, SyncStore } from '../../src/engine.js';
import { memoryEngine } from '../../engines/memory/index.js';
import { CHUNK_OPS, loadStore } from '../../src/runner/plan-kit.js';
import { planWorkload } from '../../src/runner/workloads.js';
import { planFor } from '../../src/runner/plans.js';
import { DOCUMENT_WORKLOADS, WORKLOADS, loadScenarioFile, resolveScenario, type Scenario, type WorkloadName } from '../../src/scenario.js';

async function scenario(overrides: Partial<Scenario> = {}): Promise<Scenario> {
  const { source, file } = await loadScenarioFile('seed');
  return { ...resolveScenario(source, file, { ops: 3000, keySize: 8, prefixLength: 5, scanLength: 100 }), ...overrides };
}

async function fresh(): Promise<SyncStore> {
  const engine = await memoryEngine.load();
  return (await engine.open({ dir: '/nonexistent', durability: 'none', options: {} })) as SyncStore;
}

/** An async view of a sync store, to drive the async paths of the plans. */
function asAsync(s: SyncStore): AsyncStore {
  return {
    api: 'async',
    put: async (k, v) => s.put(k, v),
    get: async (k) => s.get(k),
    delete: async (k) => s.delete(k),
    has: async (k) => s.has(k),
    batch: async (ops) => s.batch(ops),
    scan: async (r, visit) => s.scan(r, visit),
    settle: () => s.settle(),
    stats: () => s.stats(),
    close: () => s.close(),
  };
}

async function runOnce(sc: Scenario, workload: WorkloadName, mode: 'sync' | 'async', store?: SyncStore) {
  const plan = planFor(workload, sc);
  const s = store ?? (await fresh());
  if (plan.precondition === 'loaded') await loadStore(s, sc, sc.ops);
  const { digest, ms } = mode === 'sync' ? plan.runSync(s) : await plan.runAsync(asAsync(s), sc.concurrency);
  assert.ok(ms > 0, 'the timed part takes time');
  return { plan, digest, problem: await plan.verify(s) };
}

describe('workload plans', () => {
  for (const workload of WORKLOADS)
    for (const mode of ['sync', 'async'] as const)
      it(`${workload} (${mode}) verifies against a correct store, with the expected digest`, async () => {
        const mixed = !(DOCUMENT_WORKLOADS as readonly string[]).includes(workload);
        const sc = await scenario({ missRatio: workload === 'contains' ? 0.2 : 0, concurrency: mode === 'async' && !mixed ? 4 : 1 });
        const { plan, digest, problem } = await runOnce(sc, workload, mode);
        assert.equal(problem, undefined);
        if (plan.expectedDigest !== undefined) assert.equal(digest, plan.expectedDigest);
        assert.ok(plan.unitsPerRepetition >= sc.ops);
      });

  it('batches of B cover every write and every delete', async () => {
    for (const workload of ['sequential-writes', 'random-writes', 'deletions'] as const) {
      const sc = await scenario({ batch: 64 });
      const { plan, problem } = await runOnce(sc, workload, 'sync');
      assert.equal(problem, undefined, workload);
      assert.equal(plan.callsPerRepetition, Math.ceil(3000 / 64));
      assert.equal(plan.unitsPerRepetition, 3000);
    }
  });

  it('runs over several chunks of keys and values, with the same checks', async () => {
    const n = CHUNK_OPS + 1234;
    for (const workload of ['random-writes', 'random-reads', 'contains', 'deletions'] as const) {
      const sc = await scenario({ ops: n, missRatio: 0.1, batch: workload === 'deletions' ? 100 : 1 });
      const { plan, digest, problem } = await runOnce(sc, workload, 'sync');
      assert.equal(problem, undefined, workload);
      if (plan.expectedDigest !== undefined) assert.equal(digest, plan.expectedDigest, workload);
    }
  });

  it('times every call in the latency pass', async () => {
    const sc = await scenario();
    const plan = planWorkload('random-reads', sc);
    const store = await fresh();
    await loadStore(store, sc, sc.ops);
    const out = new Float64Array(plan.callsPerRepetition).fill(-1);
    plan.latencySync(store, out);
    assert.ok(out.every((x) => x >= 0));
  });

  it('catches a store that returns a wrong value', async () => {
    const store = await fresh();
    const get = store.get.bind(store);
    let n = 0;
    store.get = (k) => {
      const v = get(k);
      if (v !== undefined && ++n === 1234) return v.subarray(1);
      return v;
    };
    const sc = await scenario();
    const { plan, digest } = await runOnce(sc, 'random-reads', 'sync', store);
    assert.notEqual(digest, plan.expectedDigest);
  });

  it('catches a scan that skips an entry or returns them out of order', async () => {
    const sc = await scenario();
    const store = await fresh();
    const scan = store.scan.bind(store);
    store.scan = (range, visit) => {
      let i = 0;
      return scan(range, (k, v) => (i++ === 5 ? undefined : visit(k, v)));
    };
    const { plan, digest, problem } = await runOnce(sc, 'range-scan', 'sync', store);
    assert.notEqual(digest, plan.expectedDigest);
    assert.match(problem ?? '', /scan 0 returned/);
    const swapped = await fresh();
    const scan2 = swapped.scan.bind(swapped);
    swapped.scan = (range, visit) => {
      const entries: Array<[Uint8Array, Uint8Array]> = [];
      scan2(range, (k, v) => {
        entries.push([k.slice(), v.slice()]);
      });
      [entries[0], entries[1]] = [entries[1]!, entries[0]!];
      for (const [k, v] of entries) visit(k, v);
      return entries.length;
    };
    const r = await runOnce(sc, 'prefix-scan', 'sync', swapped);
    assert.match(r.problem ?? '', /where .* belongs/);
  });

  it('catches deletions that do not delete and contains answers that lie', async () => {
    const sc = await scenario();
    const store = await fresh();
    const del = store.delete.bind(store);
    store.delete = (k) => {
      if (k[k.length - 1] !== 0x37) del(k);
    };
    const r = await runOnce(sc, 'deletions', 'sync', store);
    assert.match(r.problem ?? '', /still found/);
    const liar = await fresh();
    liar.has = () => true;
    const c = await runOnce({ ...sc, missRatio: 0.1 }, 'contains', 'sync', liar);
    assert.notEqual(c.digest, c.plan.expectedDigest);
    assert.match(c.problem ?? '', /answered true but the key is absent/);
  });
});

describe('runner', () => {
  it('reports the line of a dead process that names its error', async () => {
    const { mostTellingLine } = await import('../../src/runner/run.js');
    const stderr = "file:///x/child.js:11\nimport { A } from './b.js';\n         ^\nSyntaxError: The requested module './b.js' does not provide an export named 'A'\n    at ModuleJob._instantiate (node:internal)\n\nNode.js v20.20.2\n";
    assert.equal(mostTellingLine(stderr), "SyntaxError: The requested module './b.js' does not provide an export named 'A'");
    assert.equal(mostTellingLine('just one line\n'), 'just one line');
    assert.equal(mostTellingLine(''), undefined);
  });
});
