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
import { summarize } from '../stats.js';
import { diskUsage, failedResult } from '../outcomes.js';
import { EngineMessage, HelloMessage, PROTOCOL_VERSION, PROTOCOL_WORKLOADS, expectedFigures, isProtocolWorkload, runRequest, type Hello } from './messages.js';

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
export async function describeExternal(command: string, timeoutMs = DESCRIBE_TIMEOUT_MS): Promise<Hello> {
  let hello: Hello | undefined;
  const outcome = await talk(command, { protocol: PROTOCOL_VERSION, type: 'describe' }, timeoutMs, (message) => {
    if (hello !== undefined) return undefined;
    if (message.type !== 'hello') return `protocol error: the first line is '${message.type}', not 'hello'`;
    hello = HelloMessage.parse(message);
    return undefined;
  });
  if (hello === undefined || outcome.stopped !== undefined || outcome.code !== 0)
    throw new EngineUnavailableError(`external engine ${command} did not describe itself: ${describeEnding(outcome, timeoutMs / 1000, 'describe')}`);
  if (hello.protocol !== PROTOCOL_VERSION)
    throw new EngineUnavailableError(`external engine ${command} speaks protocol ${hello.protocol}; this lsmbench speaks ${PROTOCOL_VERSION}`);
  return hello;
}

/** A descriptor for an external engine name: `external:<path>` or a registered name. */
function externalDescriptor(name: string): ExternalEngineDescriptor {
  const registered = REGISTERED_EXTERNAL[name];
  return {
    runs: 'external',
    name,
    description: registered?.description ?? `external engine ${name.slice(EXTERNAL_PREFIX.length)} (protocol ${PROTOCOL_VERSION})`,
    async load(context?: LoadContext): Promise<ExternalEngine> {
      const command = externalCommand(name);
      try {
        accessSync(command, constants.X_OK);
      } catch {
        throw new EngineUnavailableError(
          registered !== undefined ? `not built: ${command} is missing (run '${registered.build}')` : `${command} is not an executable file`,
        );
      }
      let hello: Hello;
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
        threads: { shared: false, reason: `an external engine runs each workload in its own process, and protocol ${PROTOCOL_VERSION} has no way to ask it for several client threads` },
        driving: `external process, protocol ${PROTOCOL_VERSION}: ${hello.driving}`,
        runWorkload: runExternal,
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
    driving: `external process, protocol ${PROTOCOL_VERSION}: unknown, the engine did not describe itself`,
    runWorkload: async (job) => failedResult(job, `${name} did not describe itself: ${reason}`, 0),
  };
}

/** Runs one workload of an external engine: the counterpart of the in-process child. */
async function runExternal(job: WorkloadJob, onPhase: (phase: string) => void): Promise<WorkloadResult> {
  const started = performance.now();
  const { scenario, workload } = job;
  if (!isProtocolWorkload(workload))
    return failedResult(job, `protocol ${PROTOCOL_VERSION} does not define the workload '${workload}' (it defines: ${PROTOCOL_WORKLOADS.join(', ')})`, 0);
  const expected = expectedFigures(workload, scenario);
  const totalReps = scenario.warmup + scenario.repetitions;
  const repetitions: WorkloadResult['repetitions'] = [];
  let phase = 'starting';
  let helloSeen = false;
  let repsSeen = 0;
  let verified = false;
  let done = false;
  let failure: string | undefined;
  let engineStats: Record<string, number | string> = {};
  const hex = (x: number): string => `0x${x.toString(16).padStart(8, '0')}`;

  await mkdir(job.workDir, { recursive: true });
  // Every reported time must fit in what the driver saw: the timed parts and settles of
  // the repetitions are disjoint stretches of the engine's life, which began after this.
  const spawnedAt = performance.now();
  let reportedMs = 0;
  const outcome = await talk(externalCommand(job.engine), runRequest(workload, scenario, job.workDir, job.durability, job.options), scenario.timeoutSeconds * 1000, (m) => {
    if (!helloSeen) {
      if (m.type !== 'hello') return `protocol error: the first line is '${m.type}', not 'hello'`;
      if (m.protocol !== PROTOCOL_VERSION) return `protocol error: the engine speaks protocol ${m.protocol}, not ${PROTOCOL_VERSION}`;
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
        if (m.units !== expected.units) {
          failure = `verification failed: repetition ${m.index} counted ${m.units} units, expected ${expected.units}`;
          return failure;
        }
        if (m.digest !== expected.digest) {
          failure = `verification failed: repetition ${m.index}: the answers of the timed part do not match (digest ${hex(m.digest)}, expected ${hex(expected.digest)})`;
          return failure;
        }
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
      case 'verify': {
        if (repsSeen !== totalReps) return `protocol error: 'verify' after ${repsSeen} of ${totalReps} repetitions`;
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
  if (!job.keep) await rm(job.workDir, { recursive: true, force: true });

  const ok = failure === undefined;
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
    // Protocol v1 carries no latency samples, heap or I/O counters: not measured.
    latency: null,
    resources: null,
    harnessOverheadNsPerOp: null,
    storeStats: { ...engineStats, engineProcessPeakRssBytes: outcome.peakRssBytes, diskBytesAtEnd: diskBytes },
    verification: {
      checked: verified || !ok,
      ok,
      detail: ok
        ? 'protocol digests: every repetition\'s answers and unit count, then every key read back and a full scan, each against the keyspace'
        : failure!,
    },
    wallSeconds: (performance.now() - started) / 1000,
  };
}
