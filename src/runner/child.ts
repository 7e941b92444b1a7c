/**
 * The child process: runs one workload of one engine, so that its JIT state, heap and
 * RSS are its own, and a crash or hang fails only that workload.
 *
 * Phases per repetition: open (a fresh store when the workload changes it), load
 * (untimed), settle, measure (timed as a whole, no clock read per operation), settle
 * again (timed separately), verify (untimed). The measure phase is a sample of passes
 * lasting `minSampleMs`: read and scan passes on the same store, write, delete and mixed
 * passes each on a fresh store, settled and verified like a repetition's between passes.
 * tinybench drives warm-up and repetitions; the sample's timed parts are handed to it as
 * `overriddenDuration`. How a repetition reaches the store (this thread, client threads, a
 * writer thread), and whether its sample may repeat passes, is its driver's (drivers.ts);
 * this file owns the phases and the building of the result.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Bench } from 'tinybench';
import type { Engine, Store } from '../engine.js';
import { errorMessage } from '../errors.js';
import type { WorkloadResult } from '../results.js';
import { findEngine } from '../registry.js';
import { summarize, quantileSorted } from '../stats.js';
import type { ChildJob, ChildMessage } from './protocol.js';
import { gc, MAX_FRESH_PASSES, startDriver, type RepetitionDriver } from './drivers.js';
import type { Timed, WorkloadPlan } from './plan-kit.js';
import { diskUsage } from '../outcomes.js';
import { intervalSeries } from './intervals.js';

const send = (message: ChildMessage): void => {
  process.send?.(message);
};
const progress = (phase: string): void => send({ type: 'progress', phase });

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
function ioSum(a: IoCounters | null, b: IoCounters | null): IoCounters | null {
  if (a === null || b === null) return null;
  return { rchar: a.rchar + b.rchar, wchar: a.wchar + b.wchar, syscr: a.syscr + b.syscr, syscw: a.syscw + b.syscw, readBytes: a.readBytes + b.readBytes, writeBytes: a.writeBytes + b.writeBytes };
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

/** One timed sample: passes of the timed part, summed. */
interface Sample extends Timed {
  readonly passes: number;
}

const sumOrNull = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : a + b);

/**
 * A timed sample: passes of the timed part until the sample lasts `minSampleMs`, where the
 * driver allows more than one. Read and scan workloads repeat the pass on the same store. A
 * workload that changes the store would find it already written (or emptied) in a second
 * pass, a different workload, so each of its passes runs on a fresh store: `nextFreshPass`
 * settles and checks the store of the pass just made and prepares the next one, untimed.
 * Every pass's digest is checked, so the sample's is the first wrong one, or the expected one.
 */
async function timedSample(driver: RepetitionDriver, minSampleMs: number, nextFreshPass: (digest: number) => Promise<void>): Promise<Sample> {
  let latest = await driver.timed();
  let { digest, ms, cpuMs, involuntaryContextSwitches } = latest;
  let passes = 1;
  const expected = driver.plan.expectedDigest;
  while ((driver.repeatablePasses || (driver.freshPasses && passes < MAX_FRESH_PASSES)) && ms < minSampleMs) {
    if (driver.freshPasses) await nextFreshPass(latest.digest);
    latest = await driver.timed();
    ms += latest.ms;
    cpuMs = sumOrNull(cpuMs, latest.cpuMs);
    involuntaryContextSwitches = sumOrNull(involuntaryContextSwitches, latest.involuntaryContextSwitches);
    if (expected !== undefined && digest === expected) digest = latest.digest;
    passes++;
  }
  return { digest, ms, cpuMs, involuntaryContextSwitches, passes };
}

/** What the repetitions measured and checked. */
interface Measured {
  readonly repetitions: WorkloadResult['repetitions'];
  /** Per counted sample: I/O of its timed parts and settles, every pass of it. */
  readonly ioPerRep: IoCounters[];
  /** The writer thread's writes and writes/s in each timed repetition. */
  readonly writerWrites: number[];
  readonly writerOpsPerSec: number[];
  peakHeap: number;
  verified: boolean;
  diskBytes: number | null;
  storeStats: Record<string, unknown> | null;
  failure: string | undefined;
}

/** What a sample's passes have added up to so far: I/O of their timed parts and settles, and settle time. */
interface Tally {
  readonly io: IoCounters | null;
  readonly settleMs: number | null;
}
const NO_IO: IoCounters = { rchar: 0, wchar: 0, syscr: 0, syscw: 0, readBytes: 0, writeBytes: 0 };
const EMPTY_TALLY: Tally = { io: NO_IO, settleMs: 0 };

/**
 * The repetitions as tinybench's task and hooks: each repetition opens what it needs, runs
 * its sample, settles, and is checked; the last one's store is measured. A sample of passes
 * on fresh stores settles and checks each pass's store as a repetition's, between the passes;
 * its I/O window covers each pass's timed part and settle, never a pass's preparation (open
 * and load) nor the checks and close of the passes before the last.
 */
class Repetitions {
  readonly out: Measured = { repetitions: [], ioPerRep: [], writerWrites: [], writerOpsPerSec: [], peakHeap: 0, verified: false, diskBytes: null, storeStats: null, failure: undefined };
  /** What the timed part threw, if it did. */
  private taskError: unknown;
  /** /proc/self/io just before the current pass's timed part. */
  private ioBefore: IoCounters | null = null;
  /** The current sample's passes before the current one. */
  private earlier: Tally = EMPTY_TALLY;
  /** The current pass's number in its sample (1-based). */
  private pass = 1;
  private last: Sample = { ms: 0, digest: 0, cpuMs: null, involuntaryContextSwitches: null, passes: 0 };
  private repIndex = 0;

  constructor(
    private readonly job: ChildJob,
    private readonly engine: Engine,
    private readonly driver: RepetitionDriver,
  ) {}

  private sampleHeap(): void {
    this.out.peakHeap = Math.max(this.out.peakHeap, process.memoryUsage().heapUsed);
  }
  private label(): string {
    const { warmup, repetitions } = this.job.scenario;
    const rep = this.repIndex <= warmup ? `warm-up ${this.repIndex}/${warmup}` : `repetition ${this.repIndex - warmup}/${repetitions}`;
    return this.pass > 1 ? `${rep}, pass ${this.pass}` : rep;
  }
  /** A pass's store, made as a repetition's; then the heap is sampled and collected, untimed. */
  private async preparePass(): Promise<void> {
    await this.driver.beforeEach();
    this.sampleHeap();
    gc?.();
    progress(this.label());
  }

  async beforeEach(): Promise<void> {
    this.repIndex++;
    this.pass = 1;
    this.earlier = EMPTY_TALLY;
    await this.preparePass();
    this.ioBefore = readIo();
  }

  async task(): Promise<{ overriddenDuration: number }> {
    try {
      this.last = await timedSample(this.driver, this.job.scenario.minSampleMs, (digest) => this.nextFreshPass(digest));
    } catch (err) {
      this.taskError = err;
      throw err;
    }
    return { overriddenDuration: this.last.ms };
  }

  /** After a pass's timed part: its store settled, and the sample's tally with this pass's I/O window closed. */
  private async endPass(): Promise<{ store: Store; tally: Tally }> {
    const { store, settleMs } = await this.driver.afterTimed();
    const io = ioDelta(this.ioBefore, readIo());
    this.sampleHeap();
    return { store, tally: { io: ioSum(this.earlier.io, io), settleMs: sumOrNull(this.earlier.settleMs, settleMs) } };
  }

  /** Between two passes of a fresh-store sample: the first's store checked and closed, the next one's prepared. */
  private async nextFreshPass(digest: number): Promise<void> {
    const { store, tally } = await this.endPass();
    this.earlier = tally;
    await this.check(store, digest, true);
    await this.driver.endRepetition();
    this.pass++;
    await this.preparePass();
    this.ioBefore = readIo();
  }

  /** The checks of a pass's store: its digest, and the full check when `full`. */
  private async check(store: Store, digest: number, full: boolean): Promise<void> {
    const { plan } = this.driver;
    const where = this.pass > 1 ? `pass ${this.pass} of a sample (each pass on a fresh store): ` : '';
    if (plan.expectedDigest !== undefined && digest !== plan.expectedDigest)
      throw new VerificationError(`${where}the answers of the timed part do not match the expected digest (${digest} != ${plan.expectedDigest}); ${(await this.driver.fullCheck(store)) ?? 'the full check found nothing wrong on the second read'}`);
    if (!full) return;
    progress('verifying');
    const problem = await this.driver.fullCheck(store);
    if (problem !== undefined) throw new VerificationError(where + problem);
    this.out.verified = true;
  }

  async afterEach(mode: string | undefined): Promise<void> {
    // tinybench runs afterEach even when the timed part threw: that error is the result, not a check of half a run.
    if (this.taskError !== undefined) throw this.taskError;
    const { store, tally } = await this.endPass();
    const { scenario } = this.job;
    const counted = mode !== 'warmup';
    const isLast = counted && this.repIndex === scenario.warmup + scenario.repetitions;
    await this.check(store, this.last.digest, this.driver.plan.mutates || isLast);
    if (counted) this.record(tally);
    if (isLast) {
      const { out, driver } = this;
      out.diskBytes = this.engine.persistent ? await diskUsage(driver.storeDir()) : null;
      out.storeStats = { ...store.stats() };
      const stale = driver.staleReads();
      if (stale !== undefined) out.storeStats.staleReads = stale;
    }
    await this.driver.endRepetition();
  }

  /** A counted sample into the results: its time, rate and settle time, and its I/O. */
  private record(tally: Tally): void {
    const { out, last } = this;
    const writer = this.driver.lastWriter();
    if (writer !== undefined) {
      out.writerWrites.push(writer.writes);
      out.writerOpsPerSec.push(writer.opsPerSec);
    }
    const { ms, cpuMs, involuntaryContextSwitches, passes } = last;
    const preempted = involuntaryContextSwitches !== null && cpuMs !== null && involuntaryContextSwitches > 0 && cpuMs < 0.9 * ms;
    const opsPerSec = (this.driver.plan.unitsPerRepetition * passes * 1000) / ms;
    out.repetitions.push({ ms, opsPerSec, settleMs: tally.settleMs, cpuMs, involuntaryContextSwitches, preempted, process: this.job.process ?? 0, passes });
    if (tally.io !== null) out.ioPerRep.push(tally.io);
  }
}

/** The repetitions, driven by tinybench: warm-up, then the counted ones (class Repetitions). */
async function measureRepetitions(job: ChildJob, engine: Engine, driver: RepetitionDriver): Promise<Measured> {
  const { scenario } = job;
  const reps = new Repetitions(job, engine, driver);
  const bench = new Bench({
    iterations: scenario.repetitions,
    time: 0,
    warmup: scenario.warmup > 0,
    warmupIterations: scenario.warmup,
    warmupTime: 0,
    retainSamples: true,
    throws: true,
  });
  bench.add(job.workload, () => reps.task(), {
    async: true,
    beforeAll: () => driver.beforeAll(),
    beforeEach: () => reps.beforeEach(),
    afterEach: async function (this: unknown, mode?: string) {
      await reps.afterEach(mode);
    },
  });
  const { out } = reps;
  try {
    await bench.run();
  } catch (err) {
    out.failure = err instanceof VerificationError ? `verification failed: ${err.message}` : `the store threw: ${errorMessage(err)}`;
  }
  if (out.failure === undefined && out.repetitions.length !== scenario.repetitions)
    out.failure = `tinybench ran ${out.repetitions.length} repetitions, expected ${scenario.repetitions}`;
  return out;
}

/** The latency pass: every call timed on its own, separate from the throughput repetitions. */
async function measureLatency(job: ChildJob, driver: RepetitionDriver): Promise<Pick<WorkloadResult, 'latency' | 'latencyByOperation' | 'intervals'>> {
  const { scenario } = job;
  const { plan } = driver;
  progress('latency pass');
  const { lat, completedAt } = await driver.latencyPass();
  const timerNs = timerOverheadNs();
  const method =
    (scenario.targetRate === undefined
      ? 'instrumented pass, closed loop: every call timed with performance.now(), after the throughput repetitions; keys and values made between chunks of calls, untimed'
      : `instrumented pass, open loop at ${scenario.targetRate} calls/s: each call timed from when it was due, so stalls count for every call they delay`) + driver.threading;
  const intervals = intervalSeries(lat, completedAt);
  let latency: WorkloadResult['latency'] = null;
  let latencyByOperation: Record<string, NonNullable<WorkloadResult['latency']>> | undefined;
  const { callTypes, typeNames } = plan;
  if (callTypes !== undefined && typeNames !== undefined) {
    const byOperation: Record<string, NonNullable<WorkloadResult['latency']>> = {};
    typeNames.forEach((name, type) => {
      const mine = lat.filter((_, c) => callTypes[c] === type);
      if (mine.length > 0) byOperation[name] = summarizeLatency(mine, method, name, timerNs);
    });
    latencyByOperation = byOperation;
    // read-while-writing measures the reads; its headline latency is theirs.
    if (job.workload === 'read-while-writing' && byOperation.read !== undefined) latency = byOperation.read;
  }
  latency ??= summarizeLatency(lat, method, plan.unit === 'entry' ? 'scan call' : driver.lastWriter() !== undefined ? 'read' : 'operation', timerNs);
  return { latency, ...(latencyByOperation === undefined ? {} : { latencyByOperation }), intervals };
}

async function run(job: ChildJob): Promise<WorkloadResult> {
  const started = performance.now();
  const descriptor = findEngine(job.engine);
  if (descriptor === undefined) throw new Error(`unknown engine ${job.engine}`);
  const engine = await descriptor.load();
  const { scenario } = job;
  const { driver, overheadNs } = await startDriver(job, engine, progress);
  const { plan } = driver;
  gc?.();
  const baselineRssBytes = process.memoryUsage.rss();

  const measured = await measureRepetitions(job, engine, driver);
  let failure = measured.failure;
  let latency: Pick<WorkloadResult, 'latency' | 'latencyByOperation' | 'intervals'> = { latency: null };
  if (failure === undefined && job.latencyPass !== false) {
    try {
      latency = await measureLatency(job, driver);
    } catch (err) {
      failure = `the store threw during the latency pass: ${errorMessage(err)}`;
    }
  }
  try {
    await driver.finishStore();
  } catch (err) {
    failure ??= `close failed: ${errorMessage(err)}`;
  }
  await driver.close();

  const { ioPerRep, writerWrites, writerOpsPerSec, repetitions, diskBytes } = measured;
  const mid = (k: keyof IoCounters): number => upperMedian(ioPerRep.map((io) => io[k]));
  const io = ioPerRep.length > 0 ? { rchar: mid('rchar'), wchar: mid('wchar'), syscr: mid('syscr'), syscw: mid('syscw'), readBytes: mid('readBytes'), writeBytes: mid('writeBytes') } : null;
  const recordBytes = scenario.keySize + scenario.valueSize;
  const logicalBytesLive = job.workload === 'deletions' ? 0 : scenario.ops * recordBytes;
  const ok = failure === undefined;
  const writerThread = job.workload === 'read-while-writing' && job.writer === 'thread';
  // The writer thread's writes vary with its speed: the median repetition's count.
  const logicalBytesWritten = writerThread ? ([...writerWrites].sort((a, b) => a - b)[writerWrites.length >> 1] ?? 0) * recordBytes : plan.logicalBytesWritten;
  return {
    engine: job.label,
    workload: job.workload,
    point: job.point,
    status: ok ? 'verified' : 'failed',
    error: failure ?? null,
    unit: plan.unit,
    unitsPerRepetition: plan.unitsPerRepetition,
    repetitions,
    // One process: its samples are not independent of each other (run.ts merges the processes).
    opsPerSec: ok ? summarize(repetitions.map((r) => r.opsPerSec), repetitions.map(() => 0)) : null,
    ...latency,
    threads: scenario.threads,
    ...(job.workload === 'read-while-writing' ? { writer: writerThread ? ('thread' as const) : ('interleaved' as const) } : {}),
    ...(ok && writerOpsPerSec.length > 0 ? { writerOpsPerSec: summarize(writerOpsPerSec, writerOpsPerSec.map(() => 0)) } : {}),
    resources: {
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
      baselineRssBytes,
      peakHeapUsedBytes: measured.peakHeap,
      io,
      diskBytes,
      logicalBytesWritten,
      logicalBytesLive,
      writeAmplification: logicalBytesWritten > 0 && engine.persistent ? writeAmplification(measured, logicalBytesWritten) : null,
      spaceAmplification: diskBytes !== null && logicalBytesLive > 0 ? diskBytes / logicalBytesLive : null,
    },
    harnessOverheadNsPerOp: overheadNs,
    storeStats: measured.storeStats,
    verification: { checked: measured.verified || !ok, ok, detail: ok ? describeChecks(plan, scenario.threads, writerThread, driver.staleReads()) : failure! },
    wallSeconds: (performance.now() - started) / 1000,
  };
}

class VerificationError extends Error {}

/** The middle value (the upper of the two middle ones for an even count; 0 for none). */
function upperMedian(values: readonly number[]): number {
  const xs = [...values].sort((a, b) => a - b);
  return xs[xs.length >> 1] ?? 0;
}

/**
 * wchar per logical byte written, the median over the samples; a sample's I/O covers all its
 * passes, each writing `logicalBytesPerPass`. Null without I/O counters.
 */
function writeAmplification(measured: Measured, logicalBytesPerPass: number): number | null {
  const { ioPerRep, repetitions } = measured;
  if (ioPerRep.length === 0 || ioPerRep.length !== repetitions.length) return null;
  return upperMedian(ioPerRep.map((io, k) => io.wchar / (logicalBytesPerPass * (repetitions[k]!.passes ?? 1))));
}

/** Percentiles of call latencies given in milliseconds (the array is sorted in place). */
function summarizeLatency(lat: Float64Array, method: string, per: string, timerOverheadNs: number): NonNullable<WorkloadResult['latency']> {
  lat.sort();
  const ns = (q: number): number => quantileSorted(lat, q) * 1e6;
  return { method, per, calls: lat.length, timerOverheadNs, p50Ns: ns(0.5), p99Ns: ns(0.99), p999Ns: ns(0.999), maxNs: lat[lat.length - 1]! * 1e6 };
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
