/**
 * The runner: one child process per (engine, workload, process), in rounds: round p runs
 * process p of every workload, workload by workload with the engines side by side. Drift on
 * a noisy machine then hits every engine alike, and the processes a figure's interval rests
 * on are spread over the whole run instead of a few seconds of it.
 */
import { fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nearestDurability, rejectUnknownOptions, type Durability, type Engine } from '../engine.js';
import { UserError, errorMessage } from '../errors.js';
import { makeDirectories } from '../paths.js';
import { lookupEngine, unknownEngineMessage, probeEngine, type LoadedEngine } from '../registry.js';
import type { EngineRun, WorkloadResult } from '../results.js';
import type { Scenario, WorkloadName } from '../scenario.js';
import type { ChildJob, ChildMessage } from './protocol.js';
import { failedResult } from '../outcomes.js';
import { mergeProcesses } from './processes.js';

export { failedResult };

export interface EngineRequest {
  readonly name: string;
  readonly options: Readonly<Record<string, string>>;
  /** The label the user gave it (`--label`); absent: its own name, see engineLabels. */
  readonly label?: string;
}

/** What a label may be: short, and safe in a file name, a column heading and an option's ENGINE part. */
export const LABEL_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$/;

/**
 * The label of each engine in a run. A label the user gave is used as it is, and must be
 * unique and unlike any other engine's name or label in the run. Otherwise an external engine is
 * labelled with the name it gives itself (its hello), any other engine with the name it
 * was asked for; names that repeat get #2, #3 ... (two builds of one engine, say).
 */
export function engineLabels(engines: ReadonlyArray<{ readonly request: EngineRequest; readonly describedName?: string | undefined }>): string[] {
  const defaults = engines.map(({ request, describedName }) => describedName ?? request.name);
  const given = new Map<string, string>();
  for (const [e, { request }] of engines.entries()) {
    const label = request.label;
    if (label === undefined) continue;
    if (!LABEL_PATTERN.test(label))
      throw new UserError(`label '${label}' is not a label: use up to 40 letters, digits, '.', '_' or '-', starting with a letter or digit`);
    const twice = given.get(label);
    if (twice !== undefined) throw new UserError(`label '${label}' is given to two engines (${twice} and ${request.name}): labels must differ`);
    given.set(label, request.name);
    // Unlike any other engine's name too, so that `--engine-option LABEL.key=value` names one engine.
    const clash = engines.findIndex((other, o) => o !== e && (other.request.name === label || (other.request.label === undefined && defaults[o] === label)));
    if (clash >= 0) throw new UserError(`label '${label}' is also what ${engines[clash]!.request.name} is called in this run: choose another`);
  }
  const seen = new Map<string, number>();
  return engines.map(({ request }, e) => {
    if (request.label !== undefined) return request.label;
    // A given label has no '#' and differs from every default: a numbered one cannot clash with it.
    const base = defaults[e]!;
    const count = (seen.get(base) ?? 0) + 1;
    seen.set(base, count);
    return count === 1 ? base : `${base}#${count}`;
  });
}

export interface PreparedEngine {
  readonly run: EngineRun;
  readonly loaded: LoadedEngine;
}

/** How read-while-writing's writes are made on this engine: a thread of their own where the store can be shared (unless asked otherwise). */
export function writerFor(engine: Pick<Engine, 'threads'>, scenario: Pick<Scenario, 'writer'>): 'thread' | 'interleaved' {
  if (scenario.writer === 'interleaved') return 'interleaved';
  return engine.threads.shared ? 'thread' : 'interleaved';
}

/** Loads and checks every requested engine before anything runs: a bad request fails fast. */
export async function prepareEngines(requests: readonly EngineRequest[], scenario: Scenario): Promise<PreparedEngine[]> {
  const prepared: Array<Omit<PreparedEngine, 'run'> & { run: Omit<EngineRun, 'label'> }> = [];
  for (const request of requests) {
    const descriptor = lookupEngine(request.name);
    if (descriptor === undefined)
      throw new UserError(unknownEngineMessage(request.name));
    const probe = await probeEngine(descriptor, { timeoutSeconds: scenario.timeoutSeconds });
    if (!probe.available) throw new UserError(`engine '${request.name}' is not available: ${probe.reason}`);
    const { engine } = probe;
    const used = nearestDurability(scenario.durability, engine.durability);
    if (used === undefined)
      throw new UserError(`engine '${request.name}' cannot honour durability '${scenario.durability}' or any stronger mode (it honours: ${engine.durability.join(', ')})`);
    if (!engine.threads.shared) {
      // One line a user can act on: which engine, why not, and what would run.
      if (scenario.threads > 1)
        throw new UserError(`engine '${request.name}' cannot run with --threads ${scenario.threads}: ${engine.threads.reason} (run it without --threads, or with --threads 1)`);
      if (scenario.writer === 'thread' && scenario.workloads.includes('read-while-writing'))
        throw new UserError(`engine '${request.name}' cannot run read-while-writing with --writer thread: ${engine.threads.reason} (use --writer auto or interleaved)`);
    }
    const options = { ...(scenario.engineOptions[request.name] ?? {}), ...request.options };
    // An external engine's process checks its own options (the protocol carries no list of them).
    if (probe.runs === 'in-process')
      try {
        rejectUnknownOptions(request.name, options, probe.engine.optionHelp);
        probe.engine.checkOptions?.(options);
      } catch (err) {
        throw new UserError(errorMessage(err));
      }
    prepared.push({
      loaded: probe,
      run: {
        // An external engine named by a relative path is recorded by its absolute one: a rerun from elsewhere finds it.
        name: probe.runs === 'external' ? (probe.engine.rerunName ?? request.name) : request.name,
        storeVersion: engine.storeVersion,
        api: engine.api,
        options,
        durabilityRequested: scenario.durability,
        durabilityUsed: used,
        operations: { ...engine.operations },
        threads: engine.threads,
        driving: probe.runs === 'external' ? `${probe.engine.driving}; ${batching(scenario)}` : describeDriving(engine, scenario),
      },
    });
  }
  const labels = engineLabels(prepared.map(({ loaded }, e) => ({ request: requests[e]!, describedName: loaded.runs === 'external' ? loaded.engine.describedName : undefined })));
  return prepared.map(({ loaded, run }, e) => ({ loaded, run: { label: labels[e]!, ...run } }));
}

export interface RunCallbacks {
  /** Called as a child reports what it is doing. */
  progress?(engine: string, workload: WorkloadName, phase: string): void;
  /** Called when one child process (or an external engine's workload) ends, whatever its outcome. */
  processFinished?(engine: string, workload: WorkloadName): void;
  /** Called when a workload of an engine finishes (its last process), verified or failed. */
  finished?(result: WorkloadResult): void;
  /** Called when a failure ends a workload of an engine early: `count` of its processes will not run. */
  processesSkipped?(engine: string, workload: WorkloadName, count: number): void;
}

export interface RunOptions {
  readonly workRoot: string;
  readonly keep: boolean;
  /** The sweep point being run, recorded in each result. */
  readonly point?: number;
  /** Write a V8 CPU profile of each child process here (node --cpu-prof). */
  readonly cpuProfDir?: string;
  /** This machine's run-to-run drift, added to each figure's interval (src/drift.ts); 0 or absent: the run's own. */
  readonly driftLogSd?: number;
}

const CHILD = fileURLToPath(new URL('./child.js', import.meta.url));

export async function runScenario(
  engines: readonly PreparedEngine[],
  scenario: Scenario,
  options: RunOptions,
  callbacks: RunCallbacks = {},
): Promise<{ results: WorkloadResult[]; workDir: string }> {
  await makeDirectories(options.workRoot);
  const workDir = await mkdtemp(join(options.workRoot, 'lsmbench-'));
  const results: WorkloadResult[] = [];
  // perProcess[w][e]: the processes run so far of workload w on engine e.
  const perProcess: WorkloadResult[][][] = scenario.workloads.map(() => engines.map(() => []));
  try {
    // Round p runs process p of every workload and engine. The processes of one figure are
    // then as far apart in time as the run allows: drift at the scale of the run (tens of
    // seconds, minutes) varies them, so their interval sees it instead of missing it.
    for (let p = 0; p < scenario.processes; p++)
      for (const [w, workload] of scenario.workloads.entries()) {
        // Process p of every engine before process p + 1 of any: drift hits the engines alike, and pairs them.
        for (const [e, { run, loaded }] of engines.entries()) {
          const done = perProcess[w]![e]!;
          if (done.some((r) => r.status !== 'verified')) continue; // a failure is the result; more processes would repeat it
          const job: ChildJob = {
            ...(workload === 'read-while-writing' ? { writer: writerFor(loaded.engine, scenario) } : {}),
            engine: run.name,
            label: run.label,
            workload,
            point: options.point ?? null,
            scenario,
            durability: run.durabilityUsed as Durability,
            options: run.options,
            workDir: join(workDir, `${fileSafe(run.label)}-${workload}${p === 0 ? '' : `-p${p}`}`),
            keep: options.keep,
            process: p,
            latencyPass: p === 0,
          };
          const which = scenario.processes > 1 ? `process ${p + 1}/${scenario.processes}: ` : '';
          const onPhase = (phase: string): void => callbacks.progress?.(run.label, workload, which + phase);
          // An external engine runs whole workloads in its own process, through PROTOCOL.md.
          const profile = options.cpuProfDir === undefined ? undefined : profilePath(options.cpuProfDir, run.label, workload, options.point, p);
          done.push(loaded.runs === 'external' ? await loaded.engine.runWorkload(job, onPhase) : await runChild(job, onPhase, profile));
          callbacks.processFinished?.(run.label, workload);
          // Its last process: the last round, or a failure that ends it early.
          if (p === scenario.processes - 1 || done.at(-1)!.status !== 'verified') callbacks.finished?.(mergeProcesses(done, options.driftLogSd));
          if (p < scenario.processes - 1 && done.at(-1)!.status !== 'verified') callbacks.processesSkipped?.(run.label, workload, scenario.processes - 1 - p);
        }
      }
    // In the results: workload by workload, the engines in order, as before rounds.
    for (const perEngine of perProcess) for (const list of perEngine) results.push(mergeProcesses(list, options.driftLogSd));
  } finally {
    if (!options.keep) await rm(workDir, { recursive: true, force: true });
  }
  return { results, workDir };
}

/**
 * The stderr line that best says why a process died: the first line naming an error
 * (Node prints its version last, which says nothing), else the last line.
 */
export function mostTellingLine(stderr: string): string | undefined {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
  return lines.find((l) => /^(\w*Error\b|Error:|lsmbench child:|FATAL|Segmentation fault|Aborted)/.test(l)) ?? lines.find((l) => /error/i.test(l)) ?? lines[lines.length - 1];
}


/** An engine label as part of a file name: anything but letters, digits, - and _ becomes _. */
const fileSafe = (label: string): string => label.replace(/[^A-Za-z0-9_-]/g, '_');

/**
 * Where a child's CPU profile goes: DIR/LABEL-WORKLOAD[-nN]-pP.cpuprofile, with -2, -3, ...
 * added rather than overwrite a profile already there.
 */
function profilePath(dir: string, label: string, workload: WorkloadName, point: number | undefined, p: number): string {
  const stem = `${fileSafe(label)}-${workload}${point === undefined ? '' : `-n${point}`}-p${p + 1}`;
  for (let k = 1; ; k++) {
    const path = join(dir, `${stem}${k === 1 ? '' : `-${k}`}.cpuprofile`);
    if (!existsSync(path)) return path;
  }
}

function runChild(job: ChildJob, onPhase: (phase: string) => void, profile?: string): Promise<WorkloadResult> {
  return new Promise((resolvePromise) => {
    const started = Date.now();
    const child = fork(CHILD, [], {
      execArgv: ['--expose-gc', ...(profile === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${dirname(profile)}`, `--cpu-prof-name=${basename(profile)}`])],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    let result: WorkloadResult | undefined;
    let phase = 'starting';
    let stderr = '';
    let timedOut = false;
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'progress') {
        phase = message.phase;
        onPhase(phase);
      } else result = message.result;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, job.scenario.timeoutSeconds * 1000);
    child.on('error', (err) => {
      stderr += `\n${errorMessage(err)}`;
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const seconds = (Date.now() - started) / 1000;
      if (result !== undefined && code === 0) return resolvePromise(result);
      if (result !== undefined) return resolvePromise(result);
      const lastLine = mostTellingLine(stderr);
      const how = timedOut
        ? `timed out after ${job.scenario.timeoutSeconds} s`
        : signal !== null
          ? `was killed by ${signal}`
          : `exited with code ${code}`;
      resolvePromise(failedResult(job, `the engine process ${how} during '${phase}'${lastLine ? `: ${lastLine}` : ''}`, seconds));
    });
    child.send(job);
  });
}

const batching = (scenario: Pick<Scenario, 'batch'>): string => (scenario.batch > 1 ? `writes and deletes in atomic batches of ${scenario.batch}` : 'one operation per call');

/** How the runner issues operations to a store of this engine under this scenario. */
export function describeDriving(engine: Pick<Engine, 'api' | 'threads'>, scenario: Pick<Scenario, 'batch' | 'concurrency' | 'threads' | 'writer' | 'workloads'>): string {
  const calls = engine.api === 'sync' ? 'synchronous calls' : `asynchronous calls, ${scenario.concurrency === 1 ? 'each awaited before the next' : `${scenario.concurrency} outstanding`}`;
  const parts = [calls, batching(scenario)];
  if (scenario.threads > 1 && engine.threads.shared) parts.push(`from ${scenario.threads} client threads sharing the store`);
  if (scenario.workloads.includes('read-while-writing'))
    parts.push(writerFor(engine, scenario) === 'thread' ? 'read-while-writing: the writer in a thread of its own' : 'read-while-writing: writes interleaved with the reads');
  return parts.join(', ');
}
