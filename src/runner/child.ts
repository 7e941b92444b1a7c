/**
 * The child process: runs one workload of one engine, so that its JIT state, heap and
 * RSS are its own, and a crash or hang fails only that workload.
 *
 * Phases per repetition: open (a fresh store when the workload changes it), load
 * (untimed), settle, measure (timed as a whole, no clock read per operation), settle
 * again (timed separately), verify (untimed). tinybench drives warm-up and repetitions;
 * the measured duration is handed to it as `overriddenDuration`.
 */
import { mkdir, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Bench } from 'tinybench';
import type { AsyncStore, Engine, Store, SyncStore } from '../engine.js';
import { errorMessage } from '../errors.js';
import type { WorkloadResult } from '../results.js';
import { findEngine } from '../registry.js';
import { summarize, quantileSorted } from '../stats.js';
import type { ChildJob, ChildMessage } from './protocol.js';
import { loadStore, type Timed, type WorkloadPlan } from './workloads.js';
import { planFor, type AnyPlan } from './plans.js';
import { WRITER_CONTROL_INTS, planReaderWithWriterThread, type ReaderPlan } from './mixed.js';
import { ClientThreads, WriterThread, type ThreadJob } from './threads.js';
import { diskUsage } from './outcomes.js';

const send = (message: ChildMessage): void => {
  process.send?.(message);
};
const progress = (phase: string): void => send({ type: 'progress', phase });
const gc = (globalThis as { gc?: () => void }).gc;

interface IoCounters {
  rchar: number;
  syscr: number;
  syscw: number;
  wchar: number;
  readBytes: number;
  writeBytes: number;
}

function readIo(): IoCounters | null {
  try {
    const text = readFileSync('/proc/self/io', 'utf8');
    const field = (name: string): number => Number(new RegExp(`^${name}: (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
    return { rchar: field('rchar'), wchar: field('wchar'), syscr: field('syscr'), syscw: field('syscw'), readBytes: field('read_bytes'), writeBytes: field('write_bytes') };
  } catch {
    return null;
  }
}
function ioDelta(a: IoCounters | null, b: IoCounters | null): IoCounters | null {
  if (a === null || b === null) return null;
  return { rchar: b.rchar - a.rchar, wchar: b.wchar - a.wchar, syscr: b.syscr - a.syscr, syscw: b.syscw - a.syscw, readBytes: b.readBytes - a.readBytes, writeBytes: b.writeBytes - a.writeBytes };
}


/** A store that does nothing: the same timed loop against it is the harness's own cost. */
const EMPTY = new Uint8Array(0);
const nullSync: SyncStore = {
  api: 'sync',
  put() {},
  get: () => EMPTY,
  delete() {},
  has: () => false,
  batch() {},
  scan: () => 0,
  settle: async () => {},
  stats: () => ({}),
  close: async () => {},
};
const nullAsync: AsyncStore = {
  api: 'async',
  put: async () => {},
  get: async () => EMPTY,
  delete: async () => {},
  has: async () => false,
  batch: async () => {},
  scan: async () => 0,
  settle: async () => {},
  stats: () => ({}),
  close: async () => {},
};

async function timeRun(plan: WorkloadPlan, store: Store, concurrency: number): Promise<Timed> {
  return store.api === 'sync' ? plan.runSync(store) : await plan.runAsync(store, concurrency);
}

async function harnessOverheadNs(plan: WorkloadPlan, api: Engine['api'], concurrency: number): Promise<number> {
  let best = Infinity;
  for (let r = 0; r < 5; r++) best = Math.min(best, (await timeRun(plan, api === 'sync' ? nullSync : nullAsync, concurrency)).ms);
  return (best * 1e6) / plan.unitsPerRepetition;
}

function timerOverheadNs(): number {
  const samples = new Float64Array(10001);
  for (let i = 0; i < samples.length; i++) {
    const t = performance.now();
    samples[i] = performance.now() - t;
  }
  samples.sort();
  return quantileSorted(samples, 0.5) * 1e6;
}

async function run(job: ChildJob): Promise<WorkloadResult> {
  const started = performance.now();
  const descriptor = findEngine(job.engine);
  if (descriptor === undefined) throw new Error(`unknown engine ${job.engine}`);
  const engine = await descriptor.load();
  const { scenario } = job;
  const n = scenario.ops;

  // Client threads (--threads N, document workloads), or a writer thread (read-while-writing on
  // an engine whose store threads may share); in either case every open says how many share it.
  const threads = scenario.threads;
  const writerThread = job.workload === 'read-while-writing' && job.writer === 'thread';
  if ((threads > 1 || writerThread) && !engine.threads.shared) throw new Error(`${job.engine} cannot share a store between threads: ${engine.threads.reason}`);
  const sharedBy = threads > 1 ? threads : writerThread ? 2 : undefined;
  const threadJob: ThreadJob = { engine: job.engine, workload: job.workload, scenario, durability: job.durability, options: job.options, sharedBy: sharedBy ?? 1 };

  progress('preparing the workload');
  const progressBuffer = writerThread ? new SharedArrayBuffer(WRITER_CONTROL_INTS * Int32Array.BYTES_PER_ELEMENT) : undefined;
  const reader: ReaderPlan | undefined = progressBuffer === undefined ? undefined : planReaderWithWriterThread(scenario, new Int32Array(progressBuffer));
  const plan: AnyPlan = reader ?? planFor(job.workload, scenario);
  const overheadNs = await harnessOverheadNs(plan, engine.api, scenario.concurrency);
  let clients: ClientThreads | undefined;
  let writer: WriterThread | undefined;
  if (threads > 1) {
    progress(`starting ${threads} client threads`);
    clients = await ClientThreads.start(threadJob, threads, plan.callsPerRepetition, plan.chunkCalls);
  }
  if (progressBuffer !== undefined) {
    progress('starting the writer thread');
    writer = await WriterThread.start(threadJob, progressBuffer, scenario.writerRate);
  }
  gc?.();
  const baselineRssBytes = process.memoryUsage.rss();

  let storeCounter = 0;
  let store: Store | undefined;
  let storeDir = '';
  const openStore = async (): Promise<Store> => {
    storeDir = join(job.workDir, `store-${storeCounter++}`);
    await mkdir(storeDir, { recursive: true });
    const opened = await engine.open({ dir: storeDir, durability: job.durability, options: job.options, sharedBy });
    if (plan.precondition === 'loaded') {
      progress(`loading ${n} keys`);
      await loadStore(opened, scenario, n);
    }
    return opened;
  };
  /** The store the client threads will open: made (and loaded) here, then closed; `reopen` opens it again to check it. */
  const prepareForClients = async (): Promise<void> => {
    const s = await openStore();
    await s.close();
  };
  const reopen = async (): Promise<Store> => engine.open({ dir: storeDir, durability: job.durability, options: job.options, sharedBy });
  const closeStore = async (): Promise<void> => {
    if (store === undefined) return;
    const s = store;
    store = undefined;
    await s.close();
    if (!job.keep) await rm(storeDir, { recursive: true, force: true });
  };
  const removeStore = async (): Promise<void> => {
    if (!job.keep && storeDir !== '') await rm(storeDir, { recursive: true, force: true });
  };
  let lastSettleMs: number | null = null;
  /** What the timed part threw, if it did. */
  let taskError: unknown;
  let lastProblem: string | undefined;
  /** The writer thread's writes and writes/s in each timed repetition. */
  const writerWrites: number[] = [];
  const writerOpsPerSec: number[] = [];
  let lastWriter: { writes: number; opsPerSec: number } | undefined;
  /** One timed repetition of the reads, with the writer thread writing from before the first read until after the last. */
  const readWhileWriterRuns = async (s: Store, timed: (s: Store) => Promise<Timed | undefined>): Promise<Timed | undefined> => {
    const { totals } = await writer!.begin(storeDir);
    let out: Timed | undefined;
    try {
      out = await timed(s);
    } finally {
      writer!.stop();
    }
    const { writes, ms } = await totals;
    reader!.setWrites(writes);
    lastWriter = { writes, opsPerSec: (writes * 1000) / ms };
    return out;
  };

  const repetitions: WorkloadResult['repetitions'] = [];
  const ioPerRep: IoCounters[] = [];
  let peakHeap = 0;
  let failure: string | undefined;
  let verified = false;
  let diskBytes: number | null = null;
  let storeStats: Record<string, unknown> | null = null;
  let ioBefore: IoCounters | null = null;
  let lastMs = 0;
  let lastDigest = 0;
  let repIndex = 0;
  const totalReps = scenario.warmup + scenario.repetitions;

  const sampleHeap = (): void => {
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  };

  const bench = new Bench({
    iterations: scenario.repetitions,
    time: 0,
    warmup: scenario.warmup > 0,
    warmupIterations: scenario.warmup,
    warmupTime: 0,
    retainSamples: true,
    throws: true,
  });
  bench.add(
    job.workload,
    async () => {
      let ms: number;
      let digest: number;
      try {
        if (clients !== undefined) {
          const r = await clients.run(storeDir);
          ({ ms, digest } = r);
          lastSettleMs = r.settleMs;
          lastProblem = r.problem;
        } else if (writer !== undefined) ({ ms, digest } = (await readWhileWriterRuns(store!, (s) => timeRun(plan, s, scenario.concurrency)))!);
        else ({ ms, digest } = await timeRun(plan, store!, scenario.concurrency));
      } catch (err) {
        taskError = err;
        throw err;
      }
      lastMs = ms;
      lastDigest = digest;
      return { overriddenDuration: ms };
    },
    {
      async: true,
      beforeAll: async () => {
        if (clients !== undefined) {
          if (!plan.mutates) await prepareForClients();
        } else if (!plan.mutates && store === undefined) store = await openStore();
      },
      beforeEach: async () => {
        repIndex++;
        if (clients !== undefined) {
          if (plan.mutates) await prepareForClients();
        } else if (plan.mutates) store = await openStore();
        sampleHeap();
        gc?.();
        progress(repIndex <= scenario.warmup ? `warm-up ${repIndex}/${scenario.warmup}` : `repetition ${repIndex - scenario.warmup}/${scenario.repetitions}`);
        ioBefore = readIo();
      },
      afterEach: async function (this: unknown, mode?: string) {
        // tinybench runs afterEach even when the timed part threw: that error is the result, not a check of half a run.
        if (taskError !== undefined) throw taskError;
        // With client threads the store is closed here; it is opened again to be checked.
        if (clients !== undefined) store = await reopen();
        const s = store!;
        let settleMs: number | null = null;
        if (clients !== undefined) settleMs = lastSettleMs;
        else if (plan.mutates) {
          const t0 = performance.now();
          await s.settle();
          settleMs = performance.now() - t0;
        }
        const io = ioDelta(ioBefore, readIo());
        sampleHeap();
        // A plan that checks recorded answers (contains) has them in the client threads, which checked their own.
        const fullCheck = async (): Promise<string | undefined> => (clients !== undefined && plan.checkAnswers !== undefined ? lastProblem : await plan.verify(s));
        if (plan.expectedDigest !== undefined && lastDigest !== plan.expectedDigest)
          throw new VerificationError(`the answers of the timed part do not match the expected digest (${lastDigest} != ${plan.expectedDigest}); ${(await fullCheck()) ?? 'the full check found nothing wrong on the second read'}`);
        const isLast = mode !== 'warmup' && repIndex === totalReps;
        if (plan.mutates || isLast) {
          progress('verifying');
          const problem = await fullCheck();
          if (problem !== undefined) throw new VerificationError(problem);
          verified = true;
        }
        if (mode !== 'warmup' && lastWriter !== undefined) {
          writerWrites.push(lastWriter.writes);
          writerOpsPerSec.push(lastWriter.opsPerSec);
        }
        if (mode !== 'warmup') {
          repetitions.push({ ms: lastMs, opsPerSec: (plan.unitsPerRepetition * 1000) / lastMs, settleMs });
          if (io !== null) ioPerRep.push(io);
        }
        if (isLast) {
          diskBytes = engine.persistent ? await diskUsage(storeDir) : null;
          storeStats = { ...s.stats() };
          if (reader !== undefined) storeStats.staleReads = reader.staleReads;
        }
        if (plan.mutates) await closeStore();
        else if (clients !== undefined) {
          // The threads open it themselves next time; the last repetition's is removed after the latency pass.
          store = undefined;
          await s.close();
        }
      },
    },
  );

  try {
    await bench.run();
  } catch (err) {
    failure = err instanceof VerificationError ? `verification failed: ${err.message}` : `the store threw: ${errorMessage(err)}`;
  }
  if (failure === undefined && repetitions.length !== scenario.repetitions)
    failure = `tinybench ran ${repetitions.length} repetitions, expected ${scenario.repetitions}`;

  // The latency pass: every call timed on its own, separate from the throughput repetitions.
  let latency: WorkloadResult['latency'] = null;
  let latencyByOperation: Record<string, NonNullable<WorkloadResult['latency']>> | undefined;
  let intervals: WorkloadResult['intervals'];
  if (failure === undefined) {
    try {
      progress('latency pass');
      const calls = plan.callsPerRepetition;
      let lat: Float64Array = new Float64Array(calls);
      let completedAt: Float64Array = new Float64Array(calls);
      if (clients !== undefined) {
        if (plan.mutates || storeDir === '') {
          await removeStore();
          await prepareForClients();
        }
        gc?.();
        ({ lat, completedAt } = await clients.latency(storeDir, scenario.targetRate, calls));
      } else {
        if (plan.mutates || store === undefined) {
          await closeStore();
          store = await openStore();
        }
        const s = store;
        gc?.();
        const pass = async (st: Store): Promise<undefined> => {
          if (st.api === 'sync') plan.latencySync(st, lat, scenario.targetRate, completedAt);
          else await plan.latencyAsync(st, lat, scenario.targetRate, completedAt);
          return undefined;
        };
        if (writer !== undefined) await readWhileWriterRuns(s, pass);
        else await pass(s);
      }
      const timerNs = timerOverheadNs();
      const threading = clients !== undefined ? `, ${threads} client threads (each its own share of the calls; samples merged${scenario.targetRate === undefined ? '' : `, each thread at ${scenario.targetRate / threads} calls/s`})` : writer !== undefined ? ', with the writer thread writing' : '';
      const method =
        (scenario.targetRate === undefined
          ? 'instrumented pass, closed loop: every call timed with performance.now(), after the throughput repetitions; keys and values made between chunks of calls, untimed'
          : `instrumented pass, open loop at ${scenario.targetRate} calls/s: each call timed from when it was due, so stalls count for every call they delay`) + threading;
      intervals = intervalSeries(lat, completedAt);
      if (plan.callTypes !== undefined && plan.typeNames !== undefined) {
        latencyByOperation = {};
        plan.typeNames.forEach((name, type) => {
          const mine = lat.filter((_, c) => plan.callTypes![c] === type);
          if (mine.length > 0) latencyByOperation![name] = summarizeLatency(mine, method, name, timerNs);
        });
        // read-while-writing measures the reads; its headline latency is theirs.
        if (job.workload === 'read-while-writing' && latencyByOperation.read !== undefined) latency = latencyByOperation.read;
      }
      latency ??= summarizeLatency(lat, method, plan.unit === 'entry' ? 'scan call' : writer !== undefined ? 'read' : 'operation', timerNs);
    } catch (err) {
      failure = `the store threw during the latency pass: ${errorMessage(err)}`;
    }
  }
  try {
    await closeStore();
    await removeStore();
  } catch (err) {
    failure ??= `close failed: ${errorMessage(err)}`;
  }
  await clients?.close();
  await writer?.close();

  const mid = (k: keyof IoCounters): number => {
    const xs = ioPerRep.map((io) => io[k]).sort((a, b) => a - b);
    return xs[xs.length >> 1] ?? 0;
  };
  const io = ioPerRep.length > 0 ? { rchar: mid('rchar'), wchar: mid('wchar'), syscr: mid('syscr'), syscw: mid('syscw'), readBytes: mid('readBytes'), writeBytes: mid('writeBytes') } : null;
  const logicalBytesLive = job.workload === 'deletions' ? 0 : n * (scenario.keySize + scenario.valueSize);
  const ok = failure === undefined;
  // The writer thread's writes vary with its speed: the median repetition's count.
  const logicalBytesWritten =
    writer !== undefined ? ([...writerWrites].sort((a, b) => a - b)[writerWrites.length >> 1] ?? 0) * (scenario.keySize + scenario.valueSize) : plan.logicalBytesWritten;
  return {
    engine: job.label,
    workload: job.workload,
    point: job.point,
    status: ok ? 'verified' : 'failed',
    error: failure ?? null,
    unit: plan.unit,
    unitsPerRepetition: plan.unitsPerRepetition,
    repetitions,
    opsPerSec: ok ? summarize(repetitions.map((r) => r.opsPerSec)) : null,
    latency,
    ...(latencyByOperation === undefined ? {} : { latencyByOperation }),
    ...(intervals === undefined ? {} : { intervals }),
    threads,
    ...(job.workload === 'read-while-writing' ? { writer: writerThread ? ('thread' as const) : ('interleaved' as const) } : {}),
    ...(ok && writerOpsPerSec.length > 0 ? { writerOpsPerSec: summarize(writerOpsPerSec) } : {}),
    resources: {
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
      baselineRssBytes,
      peakHeapUsedBytes: peakHeap,
      io,
      diskBytes,
      logicalBytesWritten,
      logicalBytesLive,
      writeAmplification: io !== null && logicalBytesWritten > 0 && engine.persistent ? io.wchar / logicalBytesWritten : null,
      spaceAmplification: diskBytes !== null && logicalBytesLive > 0 ? diskBytes / logicalBytesLive : null,
    },
    harnessOverheadNsPerOp: overheadNs,
    storeStats,
    verification: { checked: verified || !ok, ok, detail: ok ? describeChecks(plan, threads, writerThread, reader?.staleReads) : failure! },
    wallSeconds: (performance.now() - started) / 1000,
  };
}

class VerificationError extends Error {}

/** Percentiles of call latencies given in milliseconds (the array is sorted in place). */
function summarizeLatency(lat: Float64Array, method: string, per: string, timerOverheadNs: number): NonNullable<WorkloadResult['latency']> {
  lat.sort();
  const ns = (q: number): number => quantileSorted(lat, q) * 1e6;
  return { method, per, calls: lat.length, timerOverheadNs, p50Ns: ns(0.5), p99Ns: ns(0.99), p999Ns: ns(0.999), maxNs: lat[lat.length - 1]! * 1e6 };
}

/**
 * Calls completed and their p99 per second of the latency pass (chunk preparation
 * excluded); a second in which no call completed (a stall) appears with 0 calls.
 */
function intervalSeries(lat: Float64Array, completedAt: Float64Array): NonNullable<WorkloadResult['intervals']> {
  const seconds = completedAt.length === 0 ? 0 : Math.floor(completedAt[completedAt.length - 1]! / 1000) + 1;
  const buckets: number[][] = Array.from({ length: seconds }, () => []);
  for (let c = 0; c < lat.length; c++) buckets[Math.floor(completedAt[c]! / 1000)]!.push(lat[c]!);
  return buckets.map((b, second) => ({
    second,
    calls: b.length,
    p99Ns: b.length === 0 ? 0 : quantileSorted(Float64Array.from(b).sort(), 0.99) * 1e6,
  }));
}

function describeChecks(plan: WorkloadPlan, threads: number, writerThread: boolean, staleReads: number | undefined): string {
  if (writerThread)
    return (
      'every read checked against the versions its record held while the read was in flight (bounded by the writer thread\'s counters of writes begun and acknowledged); ' +
      'then every record read back with the version the writer\'s count of writes gives it, and a full scan in order' +
      (staleReads === undefined ? '' : `; in the last repetition ${staleReads.toLocaleString('en-US')} reads returned an older version than the newest acknowledged before they began (a read snapshot), which is allowed`)
    );
  const base = describeOneThread(plan);
  return threads > 1 ? `${base} (the digest summed over the ${threads} client threads' shares; the full check from the main thread after they closed the store)` : base;
}

function describeOneThread(plan: WorkloadPlan): string {
  switch (plan.name) {
    case 'sequential-writes':
    case 'random-writes':
      return 'after every repetition: every key read back with its exact value, and a full scan in order';
    case 'sequential-reads':
    case 'random-reads':
      return 'a digest of every value read, in every repetition; then every key read back and compared byte for byte';
    case 'range-scan':
    case 'prefix-scan':
      return 'a digest of every entry scanned, in every repetition; then every scan replayed and each entry compared in order';
    case 'deletions':
      return 'after every repetition: no deleted key found by get, has or a full scan';
    case 'contains':
      return 'a digest of the answers in every repetition; then every answer of the last one against the expected presence';
    default:
      return 'a digest of every answer in every repetition against a model of the store; then every record read back with the version it must hold, and a full scan in order';
  }
}

process.once('message', (job: ChildJob) => {
  run(job).then(
    (result) => {
      send({ type: 'result', result });
      process.disconnect?.();
    },
    (err: unknown) => {
      process.stderr.write(`lsmbench child: ${errorMessage(err)}\n`);
      process.exitCode = 3;
      process.disconnect?.();
    },
  );
});
