/**
 * A worker thread of a threaded run (src/runner/threads.ts explains the whole): either a
 * client that makes its share of a workload's calls, or the read-while-writing writer.
 * Each opens the store itself, with its own open(), and closes it when its part is done.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import type { Engine, Store } from '../engine.js';
import { errorMessage } from '../errors.js';
import { findEngine } from '../registry.js';
import { planFor } from './plans.js';
import { WRITER_DONE, WRITER_STARTED, WRITER_STOP, writerLoop } from './mixed.js';
import { Barrier, ThreadsAborted, roundRange, sharedNow, type FromThread, type ThreadData, type ToThread } from './threads.js';
import { RecordMaker, Slots } from './plan-kit.js';

const data = workerData as ThreadData;
const port = parentPort!;
const reply = (m: FromThread, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);

async function openStore(engine: Engine, dir: string): Promise<Store> {
  return engine.open({ dir, durability: data.durability, options: data.options, sharedBy: data.sharedBy });
}

async function client(engine: Engine, d: Extract<ThreadData, { role: 'client' }>): Promise<(m: ToThread) => Promise<void>> {
  const plan = planFor(d.workload, d.scenario);
  const barrier = new Barrier(d.barrier, d.threads);
  const times = new Float64Array(d.times);
  const chunk = plan.chunkCalls;
  return async (m) => {
    if (m.type === 'write') throw new Error('a client thread does not write on its own');
    const store = await openStore(engine, m.dir);
    try {
      if (m.type === 'latency') {
        const n = d.range.end - d.range.begin;
        const lat = new Float64Array(n);
        const completedAt = new Float64Array(n);
        barrier.wait();
        const startedAt = sharedNow();
        if (store.api === 'sync') plan.latencySync(store, lat, m.targetRate, completedAt, d.range);
        else await plan.latencyAsync(store, lat, m.targetRate, completedAt, d.range);
        barrier.wait();
        reply({ type: 'latency', lat, completedAt, startedAt }, [lat.buffer as ArrayBuffer, completedAt.buffer as ArrayBuffer]);
        return;
      }
      let digest = 0;
      let ms = 0;
      for (let r = 0; r < d.rounds; r++) {
        const { begin, end } = roundRange(d.range, r, chunk);
        if (end > begin) plan.fill(begin, end);
        barrier.wait(() => {
          times[0] = sharedNow();
        });
        if (end > begin) {
          const share = store.api === 'sync' ? plan.loopSync(store, begin, end) : await plan.loopAsync(store, begin, end, d.scenario.concurrency);
          digest = (digest + share) | 0;
        }
        times[1 + d.index] = sharedNow();
        barrier.wait();
        // Every thread has finished the round: thread 0 adds its wall time, start to last finish.
        if (d.index === 0) {
          let last = times[1]!;
          for (let w = 1; w < d.threads; w++) last = Math.max(last, times[1 + w]!);
          ms += last - times[0]!;
        }
      }
      let settleMs: number | null = null;
      if (plan.mutates) {
        const t0 = performance.now();
        await store.settle();
        settleMs = performance.now() - t0;
      }
      reply({ type: 'ran', digest, ms, settleMs, problem: plan.checkAnswers?.(d.range.begin, d.range.end) });
    } finally {
      await store.close();
    }
  };
}

/** Writes per chunk the writer prepares at once (keys and values made untimed, between chunks). */
const WRITER_CHUNK = 4096;

async function writer(engine: Engine, d: Extract<ThreadData, { role: 'writer' }>): Promise<(m: ToThread) => Promise<void>> {
  const { records } = writerLoop(d.scenario);
  const n = records.length;
  const space = new RecordMaker(d.scenario);
  const slots = new Slots(space, Math.min(n, WRITER_CHUNK), true);
  const { keys, values } = slots;
  const control = new Int32Array(d.progress);
  const interval = d.writerRate === undefined ? 0 : 1000 / d.writerRate;
  return async (m) => {
    if (m.type !== 'write') throw new Error('the writer thread only writes');
    const store = await openStore(engine, m.dir);
    try {
      if (store.api !== 'sync') throw new Error('the writer thread drives synchronous stores only');
      const versions = new Uint32Array(n);
      let j = 0;
      const fill = (): number => {
        // Write j onwards: record records[j mod n], with that record's next version.
        const size = Math.min(WRITER_CHUNK, slots.keys.length);
        for (let s = 0; s < size; s++) {
          const i = records[(j + s) % n]!;
          slots.setEntry(s, i, ++versions[i]!);
        }
        return size;
      };
      let size = fill();
      reply({ type: 'writing' });
      const start = performance.now();
      let s = 0;
      while (Atomics.load(control, WRITER_STOP) === 0) {
        if (s === size) {
          size = fill();
          s = 0;
        }
        if (interval > 0) {
          const due = start + j * interval;
          while (performance.now() < due && Atomics.load(control, WRITER_STOP) === 0) Atomics.wait(control, WRITER_STOP, 0, Math.min(1, due - performance.now()));
          if (Atomics.load(control, WRITER_STOP) !== 0) break;
        }
        Atomics.store(control, WRITER_STARTED, j + 1);
        store.put(keys[s]!, values[s]!);
        j++;
        s++;
        Atomics.store(control, WRITER_DONE, j);
      }
      const ms = performance.now() - start;
      reply({ type: 'wrote', writes: j, ms });
    } finally {
      await store.close();
    }
  };
}

async function main(): Promise<void> {
  const descriptor = findEngine(data.engine);
  if (descriptor === undefined) throw new Error(`unknown engine ${data.engine}`);
  const engine = await descriptor.load();
  const handle = data.role === 'client' ? await client(engine, data) : await writer(engine, data);
  port.on('message', (m: ToThread) => {
    handle(m).catch((err: unknown) => {
      if (data.role === 'client' && !(err instanceof ThreadsAborted)) new Barrier(data.barrier, data.threads).abort();
      reply({ type: 'error', message: errorMessage(err), aborted: err instanceof ThreadsAborted });
    });
  });
  reply({ type: 'ready' });
}

main().catch((err: unknown) => reply({ type: 'error', message: errorMessage(err), aborted: false }));
