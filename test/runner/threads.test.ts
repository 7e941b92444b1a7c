/**
 * Client threads: the engines' capability, the partition of calls among threads, the shared
 * barrier, and the read-while-writing reader's check of reads made while a writer runs.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, probeEngine, findEngine, withThreadSharing } from '../../src/registry.js';
import { partition, roundRange, roundsFor } from '../../src/runner/threads.js';
import { planReaderWithWriterThread, writerLoop, WRITER_CONTROL_INTS, WRITER_DONE, WRITER_STARTED } from '../../src/runner/mixed.js';
import { RecordMaker, loadStore } from '../../src/runner/plan-kit.js';
import { planWorkload } from '../../src/runner/workloads.js';
import { memoryEngine } from '../../engines/memory/index.js';
import { loadScenarioFile, resolveScenario, type Scenario } from '../../src/scenario.js';
import type { SyncStore } from '../../src/engine.js';
import { join } from 'node:path';
import { projectRoot } from '../../src/paths.js';

async function scenario(ops: number, workloads: Scenario['workloads']): Promise<Scenario> {
  const { source, file } = await loadScenarioFile('seed');
  return resolveScenario(source, file, { ops, workloads: [...workloads] });
}

describe('thread sharing capability', () => {
  it('takes an engine that does not declare it (written before the field existed) as not shareable, with a reason, and still opens it', async () => {
    const memory = await memoryEngine.load();
    const { threads: _declared, ...undeclared } = memory;
    const engine = withThreadSharing(undeclared as typeof memory);
    assert.equal(engine.threads.shared, false);
    assert.match(engine.threads.shared ? '' : engine.threads.reason, /does not declare/);
    const store = await engine.open({ dir: '', durability: 'none', options: {} });
    assert.equal(store.api, 'sync');
    await store.close();
    assert.equal(withThreadSharing(memory), memory, 'a declaring engine is returned as it is');
  });

  it('every registered engine declares whether threads can share its store, with how or why not', async () => {
    const expected: Record<string, boolean> = { memory: false, ts: false, leveldb: false, rocksdb: false, lmdb: true, sqlite: true };
    for (const descriptor of ENGINES) {
      const probe = await probeEngine(descriptor);
      if (!probe.available) continue; // a missing optional package: nothing loaded to ask
      const { threads } = probe.engine;
      assert.ok(threads !== undefined, `${descriptor.name} declares threads`);
      if (threads.shared) assert.ok(threads.how.length > 20, `${descriptor.name} says how threads share it`);
      else assert.ok(threads.reason.length > 20, `${descriptor.name} says why threads cannot share it`);
      if (descriptor.name in expected) assert.equal(threads.shared, expected[descriptor.name], `${descriptor.name}: shared is ${expected[descriptor.name]}`);
    }
    for (const name of Object.keys(expected)) {
      const probe = await probeEngine(findEngine(name)!);
      assert.ok(probe.available, `${name} is installed here, so its capability was checked`);
    }
  });

  it('an external engine is not shared over protocol 1', async () => {
    const probe = await probeEngine(findEngine(`external:${join(projectRoot(), 'test', 'external', 'fixtures', 'reference.mjs')}`)!);
    assert.ok(probe.available, probe.available ? '' : probe.reason);
    assert.equal(probe.engine.threads.shared, false);
    assert.match(probe.engine.threads.shared ? '' : probe.engine.threads.reason, /protocol 1/);
  });
});

describe('partitioning the calls among threads', () => {
  it('covers every call exactly once, in contiguous shares that differ by at most one call', () => {
    for (const calls of [0, 1, 2, 3, 7, 100, 1000, 99_991, 131_073])
      for (const threads of [1, 2, 3, 4, 7, 16]) {
        const ranges = partition(calls, threads);
        assert.equal(ranges.length, threads);
        const seen = new Uint8Array(calls);
        let next = 0;
        for (const r of ranges) {
          assert.equal(r.begin, next, 'shares are contiguous and in order');
          for (let c = r.begin; c < r.end; c++) seen[c]!++;
          next = r.end;
        }
        assert.equal(next, calls);
        assert.ok(seen.every((x) => x === 1), `${calls} calls among ${threads} threads: each exactly once`);
        const sizes = ranges.map((r) => r.end - r.begin);
        assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1);
      }
  });

  it('splits each share into rounds of at most a chunk that together cover it, the same number of rounds in every thread', () => {
    for (const [calls, threads, chunk] of [[10, 3, 2], [1000, 4, 128], [131_073, 2, 131_072], [5, 8, 3]] as const) {
      const ranges = partition(calls, threads);
      const rounds = roundsFor(ranges, chunk);
      for (const range of ranges) {
        let covered = range.begin;
        for (let r = 0; r < rounds; r++) {
          const rr = roundRange(range, r, chunk);
          assert.ok(rr.end - rr.begin <= chunk);
          if (rr.end > rr.begin) {
            assert.equal(rr.begin, covered);
            covered = rr.end;
          }
        }
        assert.equal(covered, range.end, 'every call of the share falls in some round');
      }
    }
  });

  it('digests of the shares sum to the single-thread digest, whatever the split', async () => {
    const s = await scenario(3000, ['random-reads']);
    const engine = await memoryEngine.load();
    const store = (await engine.open({ dir: '', durability: 'none', options: {} })) as SyncStore;
    await loadStore(store, s, s.ops);
    for (const workload of ['random-reads', 'range-scan', 'prefix-scan', 'contains'] as const) {
      const plan = planWorkload(workload, s);
      for (const threads of [2, 3, 5]) {
        let digest = 0;
        for (const r of partition(plan.callsPerRepetition, threads))
          for (let round = 0; round < roundsFor([r], plan.chunkCalls); round++) {
            const { begin, end } = roundRange(r, round, plan.chunkCalls);
            if (end === begin) continue;
            plan.fill(begin, end);
            digest = (digest + plan.loopSync(store, begin, end)) | 0;
          }
        assert.equal(digest, plan.expectedDigest, `${workload} in ${threads} shares`);
        if (plan.checkAnswers !== undefined) assert.equal(plan.checkAnswers(0, plan.callsPerRepetition), undefined);
      }
      // A share left out is noticed: the digest no longer matches.
      const [first] = partition(plan.callsPerRepetition, 2);
      plan.fill(first!.begin, Math.min(first!.end, first!.begin + plan.chunkCalls));
      assert.notEqual(plan.loopSync(store, first!.begin, Math.min(first!.end, first!.begin + plan.chunkCalls)), plan.expectedDigest);
    }
    await store.close();
  });
});

describe('reads checked while a writer thread writes', () => {
  /**
   * Plays the writer in the same thread: before each read, `writesPerRead` updates of the
   * writer's loop are applied to `backing` with the counters moved as the writer moves them.
   * `visible` decides which store the read sees: the live one, a snapshot taken before any
   * write, or one where writes land without the counters saying so (a phantom write).
   */
  async function play(mode: 'live' | 'snapshot' | 'phantom' | 'wrong-value'): Promise<{ problem: string | undefined; stale: number }> {
    const s = await scenario(2000, ['read-while-writing']);
    const engine = await memoryEngine.load();
    const live = (await engine.open({ dir: '', durability: 'none', options: {} })) as SyncStore;
    const frozen = (await engine.open({ dir: '', durability: 'none', options: {} })) as SyncStore;
    await loadStore(live, s, s.ops);
    await loadStore(frozen, s, s.ops);
    const control = new Int32Array(new SharedArrayBuffer(WRITER_CONTROL_INTS * 4));
    const plan = planReaderWithWriterThread(s, control);
    const { records } = writerLoop(s);
    const space = new RecordMaker(s);
    const versions = new Uint32Array(s.ops);
    const key = new Uint8Array(s.keySize);
    const value = new Uint8Array(s.valueSize);
    let j = 0;
    let reads = 0;
    const write = (): void => {
      const i = records[j % records.length]!;
      space.key(i, key);
      space.value(i, value, 0, ++versions[i]!);
      if (mode !== 'phantom') Atomics.store(control, WRITER_STARTED, j + 1);
      live.put(key, value);
      j++;
      if (mode !== 'phantom') Atomics.store(control, WRITER_DONE, j);
    };
    const reader: SyncStore = {
      ...live,
      api: 'sync',
      get(k: Uint8Array) {
        // The writer races ahead: three writes land while this read is in flight.
        for (let w = 0; w < 3; w++) write();
        reads++;
        if (mode === 'wrong-value' && reads === 1500) return value.slice(); // the latest write's value, for another key
        return mode === 'snapshot' ? frozen.get(k) : live.get(k);
      },
    };
    plan.runSync(reader);
    plan.setWrites(mode === 'phantom' ? 0 : j);
    const problem = await plan.verify(live);
    return { problem, stale: plan.staleReads };
  }

  it('accepts reads of the newest version while the writer moves on, with no stale reads', async () => {
    const { problem, stale } = await play('live');
    assert.equal(problem, undefined);
    assert.equal(stale, 0);
  });

  it('accepts reads from a snapshot older than the writes acknowledged before them, and counts them as stale', async () => {
    const { problem, stale } = await play('snapshot');
    assert.equal(problem, undefined);
    assert.ok(stale > 0, `some reads saw an older version than acknowledged (got ${stale})`);
  });

  it('fails a read that returns a version no write had begun to make when it returned', async () => {
    const { problem } = await play('phantom');
    assert.match(problem ?? '', /no version/);
  });

  it('fails a read that returns another record\'s value', async () => {
    const { problem } = await play('wrong-value');
    assert.match(problem ?? '', /read 1499 .* no version/);
  });
});
