/**
 * The harness side of the external engine protocol (engines/external/PROTOCOL.md): finds
 * an external engine by name, asks it to describe itself, runs one workload in it, checks
 * every line it prints and every figure it reports, and turns the outcome into a
 * WorkloadResult. A crash, a hang or malformed output fails that workload, with a message
 * that says which.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DURABILITY_MODES, EngineUnavailableError, type Durability, type LoadContext } from '../engine.js';
import { errorMessage } from '../errors.js';
import { projectRoot } from '../paths.js';
import type { WorkloadResult } from '../results.js';
import type { ExternalEngine, ExternalEngineDescriptor, WorkloadJob } from '../job.js';
import { OPERATION_TYPE_NAMES } from '../mixed-sequence.js';
import { quantileSorted, summarize } from '../stats.js';
import { diskUsage, failedResult } from '../outcomes.js';
import {
  DESCRIBE_REQUEST,
  EngineMessage,
  HelloMessage,
  NEWEST_PROTOCOL,
  PROTOCOL_VERSIONS,
  expectedFigures,
  firstVersionDefining,
  isProtocolVersion,
  isProtocolWorkload,
  protocolWorkloads,
  runRequest,
  writeSequenceFile,
  type Hello,
  type ProtocolVersion,
} from './messages.js';

export const EXTERNAL_PREFIX = 'external:';

/** External engines known by name: executables inside the project, built by `npm run build:native`. */
export const REGISTERED_EXTERNAL: Readonly<Record<string, { readonly path: string; readonly description: string; readonly build: string }>> = {
  'rocksdb-cpp': {
    path: 'engines/external/rocksdb-cpp/build/lsmbench-rocksdb-cpp',
    description: 'RocksDB from C++ (Debian librocksdb), through the external protocol: no binding overhead',
    build: 'npm run build:native',
  },
};

/** The executable an external engine name stands for (absolute). */
export function externalCommand(name: string): string {
  const registered = REGISTERED_EXTERNAL[name];
  if (registered !== undefined) return join(projectRoot(), registered.path);
  const path = name.slice(EXTERNAL_PREFIX.length);
  return isAbsolute(path) ? path : resolve(path);
}

/** Time an engine gets to answer `describe` when the run states no time limit of its own. */
const DESCRIBE_TIMEOUT_MS = 30_000;

/**
 * The fastest a unit of work (an operation, a scanned entry) can be: 1 ns, a few CPU
 * cycles. A repetition reported faster than this is a broken clock or a lie, not a
 * measurement, and fails the engine.
 */
export const MIN_NS_PER_UNIT = 1;

/**
 * How far an engine's reported times may run past what the driver saw: both clocks are
 * this machine's monotonic clock, so this only absorbs rounding.
 */
const CLOCK_SLACK_MS = 1;

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** Why the harness stopped the engine: malformed output or a failed check. */
  stopped: string | undefined;
  stderrTail: string;
  peakRssBytes: number | null;
  spawnError: string | undefined;
}

/**
 * Starts `command` without a shell, writes `request` as one JSON line to its stdin, and
 * hands every stdout line, parsed and validated, to `onMessage`, which returns a reason to
 * stop the engine or undefined. Resolves when the process has exited.
 */
function talk(command: string, request: object, timeoutMs: number, onMessage: (message: EngineMessage, lineNo: number) => string | undefined): Promise<Outcome> {
  return new Promise((resolvePromise) => {
    const child = spawn(command, [], { stdio: ['pipe', 'pipe', 'pipe'], shell: false });
    const outcome: Outcome = { code: null, signal: null, timedOut: false, stopped: undefined, stderrTail: '', peakRssBytes: null, spawnError: undefined };
    const stop = (reason: string): void => {
      if (outcome.stopped === undefined) outcome.stopped = reason;
      child.kill('SIGKILL');
    };
    const sampleRss = (): void => {
      if (child.pid === undefined) return;
      try {
        const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m !== null) outcome.peakRssBytes = Math.max(outcome.peakRssBytes ?? 0, Number(m[1]) * 1024);
      } catch {
        // the process has gone, or this is not Linux: keep what was read before
      }
    };
    const rssTimer = setInterval(sampleRss, 250);
    const timer = setTimeout(() => {
      outcome.timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    let buffered = '';
    let lineNo = 0;
    const handleLine = (line: string): void => {
      if (outcome.stopped !== undefined) return;
      lineNo++;
      const shown = line.length > 200 ? `${line.slice(0, 200)}...` : line;
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch {
        return stop(`malformed output: line ${lineNo} is not JSON: ${shown}`);
      }
      const parsed = EngineMessage.safeParse(json);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        return stop(`malformed output: line ${lineNo} is not a protocol message (${issue ? `${issue.path.join('.') || 'type'}: ${issue.message}` : 'invalid'}): ${shown}`);
      }
      sampleRss();
      const reason = onMessage(parsed.data, lineNo);
      if (reason !== undefined) stop(reason);
    };
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl).replace(/\r$/, '');
        buffered = buffered.slice(nl + 1);
        if (line.trim().length > 0) handleLine(line);
      }
      if (buffered.length > 1 << 20) stop('malformed output: a line longer than 1 MiB');
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      outcome.stderrTail = (outcome.stderrTail + chunk).slice(-4000);
    });
    child.on('error', (err) => {
      outcome.spawnError = errorMessage(err);
    });
    // An engine that exits without reading its request makes the write fail: that is not our error.
    child.stdin.on('error', () => {});
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearInterval(rssTimer);
      if (buffered.trim().length > 0) handleLine(buffered);
      outcome.code = code;
      outcome.signal = signal;
      resolvePromise(outcome);
    });
    child.stdin.end(JSON.stringify(request) + '\n');
  });
}

const lastLine = (text: string): string | undefined =>
  text
    .trim()
    .split('\n')
    .filter((l) => l.trim().length > 0)
    .slice(-1)[0];

/** Says how an engine process ended when it did not finish properly. */
function describeEnding(outcome: Outcome, timeoutSeconds: number, phase: string): string {
  if (outcome.spawnError !== undefined) return `the engine could not be started: ${outcome.spawnError}`;
  if (outcome.stopped !== undefined) return outcome.stopped;
  const tail = lastLine(outcome.stderrTail);
  const how = outcome.timedOut
    ? `hung: no result after ${timeoutSeconds} s, killed`
    : outcome.signal !== null
      ? `crashed: killed by ${outcome.signal}`
      : outcome.code !== 0
        ? `crashed: exited with code ${outcome.code}`
        : 'exited without finishing (no "done" line)';
  return `the engine ${how} during '${phase}'${tail ? `; its last stderr line: ${tail}` : ''}`;
}

/** Asks an engine to describe itself. */
export async function describeExternal(command: string, timeoutMs = DESCRIBE_TIMEOUT_MS): Promise<Hello & { protocol: ProtocolVersion }> {
  let hello: Hello | undefined;
  const outcome = await talk(command, DESCRIBE_REQUEST, timeoutMs, (message) => {
    if (hello !== undefined) return undefined;
    if (message.type !== 'hello') return `protocol error: the first line is '${message.type}', not 'hello'`;
    hello = HelloMessage.parse(message);
    return undefined;
  });
  if (hello === undefined || outcome.stopped !== undefined || outcome.code !== 0)
    throw new EngineUnavailableError(`external engine ${command} did not describe itself: ${describeEnding(outcome, timeoutMs / 1000, 'describe')}`);
  const { protocol } = hello;
  if (!isProtocolVersion(protocol))
    throw new EngineUnavailableError(`external engine ${command} speaks protocol ${protocol}; this lsmbench speaks ${PROTOCOL_VERSIONS.join(' and ')}`);
  return { ...hello, protocol };
}

/** A descriptor for an external engine name: `external:<path>` or a registered name. */
function externalDescriptor(name: string): ExternalEngineDescriptor {
  const registered = REGISTERED_EXTERNAL[name];
  return {
    runs: 'external',
    name,
    description: registered?.description ?? `external engine ${name.slice(EXTERNAL_PREFIX.length)} (protocol ${PROTOCOL_VERSIONS.join(' or ')})`,
    async load(context?: LoadContext): Promise<ExternalEngine> {
      const command = externalCommand(name);
      try {
        accessSync(command, constants.X_OK);
      } catch {
        throw new EngineUnavailableError(
          registered !== undefined ? `not built: ${command} is missing (run '${registered.build}')` : `${command} is not an executable file`,
        );
      }
      let hello: Hello & { protocol: ProtocolVersion };
      try {
        hello = await describeExternal(command, context?.timeoutSeconds === undefined ? DESCRIBE_TIMEOUT_MS : context.timeoutSeconds * 1000);
      } catch (err) {
        // An engine that is there but broken is that engine's failure: the others still run.
        return brokenEngine(name, errorMessage(err));
      }
      return {
        storeVersion: hello.storeVersion,
        persistent: true,
        durability: hello.durability as Durability[],
        operations: { put: 'native', get: 'native', delete: 'native', has: 'native', batch: 'native', range: 'native', prefix: 'native', ...hello.operations },
        // The engine's own loop calls its store directly, with no promise in between.
        api: 'sync',
        threads: { shared: false, reason: `an external engine runs each workload in its own process, and protocol ${hello.protocol} has no way to ask it for several client threads` },
        driving: `external process, protocol ${hello.protocol}: ${hello.driving}`,
        describedName: hello.name,
        protocol: hello.protocol,
        rerunName: registered !== undefined ? name : `${EXTERNAL_PREFIX}${command}`,
        runWorkload: (job, onPhase) => runExternal(job, onPhase, hello.protocol),
      };
    },
  };
}

/** The external engines registered by name, for the registry's list. */
export const REGISTERED_EXTERNAL_ENGINES: readonly ExternalEngineDescriptor[] = Object.keys(REGISTERED_EXTERNAL).map(externalDescriptor);

/** The engine an `external:<path>` name stands for; undefined for any other name. */
export function externalEngineAt(name: string): ExternalEngineDescriptor | undefined {
  return name.startsWith(EXTERNAL_PREFIX) ? externalDescriptor(name) : undefined;
}

/** Stands for an external engine that did not describe itself: each of its workloads fails with `reason`. */
function brokenEngine(name: string, reason: string): ExternalEngine {
  return {
    storeVersion: 'unknown (the engine did not describe itself)',
    persistent: true,
    durability: DURABILITY_MODES,
    operations: { put: 'native', get: 'native', delete: 'native', has: 'native', batch: 'native', range: 'native', prefix: 'native' },
    api: 'sync',
    threads: { shared: false, reason: `the engine did not describe itself: ${reason}` },
    describeFailure: reason,
    driving: 'external process: unknown, the engine did not describe itself',
    runWorkload: async (job) => failedResult(job, `${name} did not describe itself: ${reason}`, 0),
  };
}

/** Latency samples of a protocol 2 latency pass, as they arrive, checked against what the driver saw. */
class LatencySamples {
  readonly ns: Float64Array;
  count = 0;
  sumMs = 0;
  maxNs = 0;
  constructor(calls: number) {
    this.ns = new Float64Array(calls);
  }
}

/** Percentiles of latency samples in nanoseconds (sorts a copy). */
function latencySummary(samples: Float64Array, method: string, per: string, timerOverheadNs: number): NonNullable<WorkloadResult['latency']> {
  const sorted = Float64Array.from(samples).sort();
  const q = (x: number): number => quantileSorted(sorted, x);
  return { method, per, calls: sorted.length, timerOverheadNs, p50Ns: q(0.5), p99Ns: q(0.99), p999Ns: q(0.999), maxNs: sorted[sorted.length - 1]! };
}

/** Runs one workload of an external engine that speaks `protocol`: the counterpart of the in-process child. */
async function runExternal(job: WorkloadJob, onPhase: (phase: string) => void, protocol: ProtocolVersion): Promise<WorkloadResult> {
  const started = performance.now();
  const { scenario, workload } = job;
  if (!isProtocolWorkload(workload, protocol)) {
    const since = firstVersionDefining(workload);
    return failedResult(
      job,
      since === undefined
        ? `no protocol version defines the workload '${workload}' (protocol ${NEWEST_PROTOCOL} defines: ${protocolWorkloads(NEWEST_PROTOCOL).join(', ')})`
        : `the engine speaks protocol ${protocol}, which does not define the workload '${workload}' (protocol ${since} does; protocol ${protocol} defines: ${protocolWorkloads(protocol).join(', ')})`,
      0,
    );
  }
  const expected = expectedFigures(workload, scenario);
  const totalReps = scenario.warmup + scenario.repetitions;
  const wantLatency = protocol >= 2 && job.latencyPass !== false;
  const targetRate = scenario.targetRate;
  const repetitions: WorkloadResult['repetitions'] = [];
  let phase = 'starting';
  let helloSeen = false;
  let repsSeen = 0;
  let latency: LatencySamples | undefined;
  let latencyEnded = false;
  let timerNs = 0;
  let verified = false;
  let done = false;
  let failure: string | undefined;
  let engineStats: Record<string, number | string> = {};
  const hex = (x: number): string => `0x${x.toString(16).padStart(8, '0')}`;
  /** The checks every pass of the timed part answers to: its unit count and the digest of its answers. */
  const checkAnswers = (what: string, units: number, digest: number): string | undefined => {
    if (units !== expected.units) return `verification failed: ${what} counted ${units} units, expected ${expected.units}`;
    if (digest !== expected.digest) return `verification failed: ${what}: the answers of the timed part do not match (digest ${hex(digest)}, expected ${hex(expected.digest)})`;
    return undefined;
  };
  /**
   * Why a latency message (`type`, described as `what`) is out of place: a protocol 1
   * engine, no latency pass asked for, before the repetitions are done, or after the pass
   * ended (`afterEnd`); undefined when it is in place.
   */
  const latencyMessageMisplaced = (type: string, what: string, afterEnd: string): string | undefined => {
    if (protocol < 2) return `protocol error: '${type}' is a protocol 2 message, and the engine speaks protocol ${protocol}`;
    if (!wantLatency) return `protocol error: ${what}, but no latency pass was asked for`;
    if (repsSeen !== totalReps) return `protocol error: '${type}' after ${repsSeen} of ${totalReps} repetitions`;
    if (latencyEnded) return `protocol error: ${afterEnd}`;
    return undefined;
  };

  await mkdir(job.workDir, { recursive: true });
  // A YCSB workload's operations go to the engine as a file, beside (not inside) the store directory it measures.
  const sequenceFile = expected.sequence === undefined ? undefined : `${job.workDir}.sequence`;
  if (sequenceFile !== undefined) {
    await rm(sequenceFile, { force: true });
    await writeSequenceFile(sequenceFile, expected.sequence!);
  }
  const request = runRequest(workload, scenario, job.workDir, job.durability, job.options, {
    protocol,
    latency: wantLatency,
    ...(sequenceFile === undefined ? {} : { sequence: { file: sequenceFile, sequence: expected.sequence! } }),
  });
  // Every reported time must fit in what the driver saw: the timed parts and settles of
  // the repetitions, and the calls of a closed-loop latency pass, are disjoint stretches
  // of the engine's life, which began after this.
  const spawnedAt = performance.now();
  let reportedMs = 0;
  const outcome = await talk(externalCommand(job.engine), request, scenario.timeoutSeconds * 1000, (m) => {
    if (!helloSeen) {
      if (m.type !== 'hello') return `protocol error: the first line is '${m.type}', not 'hello'`;
      if (m.protocol !== protocol) return `protocol error: the engine speaks protocol ${m.protocol} now, but said ${protocol} when described`;
      helloSeen = true;
      return undefined;
    }
    if (done) return `protocol error: '${m.type}' after 'done'`;
    switch (m.type) {
      case 'hello':
        return "protocol error: a second 'hello'";
      case 'progress':
        phase = m.phase;
        onPhase(m.phase);
        return undefined;
      case 'repetition': {
        if (m.index !== repsSeen) return `protocol error: repetition ${m.index} reported where ${repsSeen} was due`;
        if (m.index >= totalReps) return `protocol error: repetition ${m.index} is more than the ${totalReps} asked for`;
        if (m.warmup !== m.index < scenario.warmup) return `protocol error: repetition ${m.index} says warmup=${m.warmup}`;
        repsSeen++;
        phase = m.warmup ? `warm-up ${m.index + 1}/${scenario.warmup}` : `repetition ${m.index + 1 - scenario.warmup}/${scenario.repetitions}`;
        onPhase(phase);
        failure = checkAnswers(`repetition ${m.index}`, m.units, m.digest);
        if (failure !== undefined) return failure;
        reportedMs += m.ms + (m.settleMs ?? 0);
        const observedMs = performance.now() - spawnedAt;
        if (reportedMs > observedMs + CLOCK_SLACK_MS) {
          failure = `impossible figure: repetitions 0-${m.index} report ${reportedMs.toPrecision(4)} ms of timed work and settling, but the engine had run for only ${observedMs.toFixed(1)} ms when it reported them`;
          return failure;
        }
        if (m.units > 0 && (m.ms * 1e6) / m.units < MIN_NS_PER_UNIT) {
          failure = `impossible figure: repetition ${m.index} reports ${m.ms} ms for ${m.units} units, under ${MIN_NS_PER_UNIT} ns a unit`;
          return failure;
        }
        if (!m.warmup) repetitions.push({ ms: m.ms, opsPerSec: (expected.units * 1000) / m.ms, settleMs: expected.mutates ? m.settleMs : null });
        return undefined;
      }
      case 'latency': {
        const misplaced = latencyMessageMisplaced('latency', "'latency' samples", "'latency' after 'latency-end'");
        if (misplaced !== undefined) return misplaced;
        if (latency === undefined) {
          latency = new LatencySamples(expected.calls);
          phase = 'latency pass';
          onPhase(phase);
        }
        const lat = latency;
        if (lat.count + m.ns.length > expected.calls) {
          failure = `verification failed: the latency pass reported more than ${expected.calls} samples (one per call)`;
          return failure;
        }
        for (const ns of m.ns) {
          if (!(ns >= MIN_NS_PER_UNIT)) {
            failure = `impossible figure: latency sample ${lat.count} is ${ns} ns, under ${MIN_NS_PER_UNIT} ns a call`;
            return failure;
          }
          lat.ns[lat.count++] = ns;
          lat.sumMs += ns / 1e6;
          if (ns > lat.maxNs) lat.maxNs = ns;
        }
        // Closed loop, the calls follow one another: their sum is time the engine spent.
        // Open loop, a late call's sample overlaps the next one's: each fits in the time since the repetitions.
        const claimedMs = targetRate === undefined ? reportedMs + lat.sumMs : reportedMs + lat.maxNs / 1e6;
        const observedMs = performance.now() - spawnedAt;
        if (claimedMs > observedMs + CLOCK_SLACK_MS) {
          failure =
            targetRate === undefined
              ? `impossible figure: the latency pass's first ${lat.count} samples add up to ${lat.sumMs.toPrecision(4)} ms, and the repetitions to ${reportedMs.toPrecision(4)} ms, but the engine had run for only ${observedMs.toFixed(1)} ms when it reported them`
              : `impossible figure: a latency sample of ${(lat.maxNs / 1e6).toPrecision(4)} ms after ${reportedMs.toPrecision(4)} ms of repetitions, but the engine had run for only ${observedMs.toFixed(1)} ms when it reported it`;
          return failure;
        }
        return undefined;
      }
      case 'latency-end': {
        const misplaced = latencyMessageMisplaced('latency-end', "'latency-end'", "a second 'latency-end'");
        if (misplaced !== undefined) return misplaced;
        latencyEnded = true;
        const lat = latency ?? new LatencySamples(expected.calls);
        latency = lat;
        if (lat.count !== expected.calls) {
          failure = `verification failed: the latency pass reported ${lat.count} samples, expected ${expected.calls} (one per ${expected.per})`;
          return failure;
        }
        failure = checkAnswers('the latency pass', m.units, m.digest);
        if (failure !== undefined) return failure;
        if (m.timerNs > lat.maxNs) {
          failure = `impossible figure: a clock read costs ${m.timerNs} ns, more than the slowest timed call (${lat.maxNs} ns), which contains one`;
          return failure;
        }
        const observedMs = performance.now() - spawnedAt;
        // An open-loop pass issues call c no earlier than c / rate seconds after it began.
        const shortestMs = targetRate === undefined ? lat.sumMs : ((expected.calls - 1) * 1000) / targetRate;
        reportedMs += shortestMs + (m.settleMs ?? 0);
        if (reportedMs > observedMs + CLOCK_SLACK_MS) {
          failure =
            targetRate === undefined
              ? `impossible figure: the repetitions and the latency pass report ${reportedMs.toPrecision(4)} ms of timed work and settling, but the engine had run for only ${observedMs.toFixed(1)} ms when it reported them`
              : `impossible figure: ${expected.calls} calls at ${targetRate} calls/s take at least ${shortestMs.toPrecision(4)} ms, which with the repetitions makes ${reportedMs.toPrecision(4)} ms, but the engine had run for only ${observedMs.toFixed(1)} ms`;
          return failure;
        }
        timerNs = m.timerNs;
        return undefined;
      }
      case 'verify': {
        if (repsSeen !== totalReps) return `protocol error: 'verify' after ${repsSeen} of ${totalReps} repetitions`;
        if (wantLatency && !latencyEnded) return "protocol error: 'verify' before the latency pass's 'latency-end'";
        const problems: string[] = [];
        if (m.found !== expected.found) problems.push(`get found ${m.found} keys, expected ${expected.found}`);
        else if (m.getDigest !== expected.getDigest) problems.push(`the values read back differ (digest ${hex(m.getDigest)}, expected ${hex(expected.getDigest)})`);
        if (m.scanned !== expected.scanned) problems.push(`a full scan found ${m.scanned} entries, expected ${expected.scanned}`);
        else if (m.scanDigest !== expected.scanDigest) problems.push(`a full scan returned different entries (digest ${hex(m.scanDigest)}, expected ${hex(expected.scanDigest)})`);
        if (problems.length > 0) {
          failure = `verification failed: ${problems.join('; ')}`;
          return failure;
        }
        verified = true;
        return undefined;
      }
      case 'stats':
        engineStats = { ...engineStats, ...m.stats };
        return undefined;
      case 'error':
        failure = `the engine reported an error during '${phase}': ${m.message}`;
        return undefined;
      case 'done':
        if (!verified) return "protocol error: 'done' before a passing 'verify'";
        done = true;
        return undefined;
    }
  });

  if (failure === undefined && !(done && outcome.code === 0 && outcome.stopped === undefined)) failure = describeEnding(outcome, scenario.timeoutSeconds, phase);
  if (failure === undefined && repetitions.length !== scenario.repetitions) failure = `the engine reported ${repetitions.length} timed repetitions, expected ${scenario.repetitions}`;
  let diskBytes: number | null = null;
  try {
    diskBytes = await diskUsage(job.workDir);
  } catch {
    // the engine left no directory
  }
  if (!job.keep) {
    await rm(job.workDir, { recursive: true, force: true });
    if (sequenceFile !== undefined) await rm(sequenceFile, { force: true });
  }

  const ok = failure === undefined;
  let latencyFigures: Pick<WorkloadResult, 'latency' | 'latencyByOperation'> = { latency: null };
  if (ok && latency !== undefined) {
    const method =
      (targetRate === undefined
        ? `instrumented pass made by the engine (protocol ${protocol}), closed loop: every call timed on its own with the engine's clock, after the throughput repetitions`
        : `instrumented pass made by the engine (protocol ${protocol}), open loop at ${targetRate} calls/s: each call timed from when it was due, so stalls count for every call they delay`) +
      '; the samples checked against the time the harness saw the engine run';
    latencyFigures = { latency: latencySummary(latency.ns, method, expected.per, timerNs) };
    const seq = expected.sequence;
    if (seq !== undefined) {
      const byOperation: Record<string, NonNullable<WorkloadResult['latency']>> = {};
      OPERATION_TYPE_NAMES.forEach((name, type) => {
        const mine = latency!.ns.filter((_, c) => seq.types[c] === type);
        if (mine.length > 0) byOperation[name] = latencySummary(mine, method, name, timerNs);
      });
      latencyFigures = { ...latencyFigures, latencyByOperation: byOperation };
    }
  }
  return {
    threads: 1,
    engine: job.label,
    workload,
    point: job.point,
    status: ok ? 'verified' : 'failed',
    error: failure ?? null,
    unit: workload === 'range-scan' || workload === 'prefix-scan' ? 'entry' : 'op',
    unitsPerRepetition: expected.units,
    repetitions: ok ? repetitions : [],
    opsPerSec: ok ? summarize(repetitions.map((r) => r.opsPerSec), repetitions.map(() => 0)) : null, // one process: no interval
    // Latency comes from protocol 2's latency pass; the protocol carries no heap or I/O counters: not measured.
    ...latencyFigures,
    resources: null,
    harnessOverheadNsPerOp: null,
    storeStats: { ...engineStats, engineProcessPeakRssBytes: outcome.peakRssBytes, diskBytesAtEnd: diskBytes, protocol },
    verification: {
      checked: verified || !ok,
      ok,
      detail: ok
        ? expected.sequence !== undefined
          ? "protocol digests: every repetition's answers (each read's value and each scan's entries, against a model of the store) and unit count, then every record read back with the version it must hold and a full scan, each against the keyspace"
          : "protocol digests: every repetition's answers and unit count, then every key read back and a full scan, each against the keyspace"
        : failure!,
    },
    wallSeconds: (performance.now() - started) / 1000,
  };
}
