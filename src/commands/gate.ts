/**
 * `lsmbench gate`: the CI regression gate. Either builds a git ref in a temporary worktree
 * and runs it interleaved with this build on this machine (`--base`), or compares with a
 * stored results file (`--baseline`). Exit codes: 0 pass, 1 regression, 2 could not judge.
 */
import { appendFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { UserError, errorMessage } from '../errors.js';
import { describeEnvironment } from '../environment.js';
import { projectRoot } from '../paths.js';
import { readResults, type EngineRun, type ResultsFile } from '../results.js';
import { FLAG_PARAM_NAMES, SCENARIO_PARAM_NAMES, scenarioArgs, scenarioDifferences, scenariosDir, type WorkloadName } from '../scenario.js';
import { comparisons, pairedComparisons } from '../gate/collect.js';
import { decidePaired } from '../gate/paired.js';
import { calibrate } from '../gate/calibrate.js';
import { loadGateConfig, metricFor, type GateConfig, type Metric } from '../gate/config.js';
import { decide, EXIT_CODES, type GateDecision, type Outcome } from '../gate/decide.js';
import { DEFAULT_ROUND_MODE, defaultRoundMode, gateWorkloads, perSideArgs, placement, ROUND_MODES, runInterleaved, runSide, sideEngines, SideRunError, type Placement, type RoundMode, type Side } from '../gate/runs.js';
import { eyesightLines, markdownSummary, noticeSummary, verdictLine, type GateContext } from '../gate/summary.js';
import { createBaseTree, gitTopLevel, historyLength, isShallow, resolveCommit, type BaseTree } from '../gate/worktree.js';
import { collect, positiveInt, scenarioOption } from './options.js';

interface GateFlags {
  base?: string;
  baseline?: string;
  head?: string;
  strict: boolean;
  allowMissingBase: boolean;
  engine: string[];
  scenario?: string;
  ops?: number;
  workloads?: WorkloadName[];
  rounds?: number;
  repetitions?: number;
  config?: string;
  summary?: string;
  json: boolean;
  mode?: string;
  cpu?: string;
  calibrate: boolean;
  levels: string;
  calibrationRuns?: number;
  maxMinutes?: number;
  baseEngine?: string;
  headEngine?: string;
}

/** The gate cannot judge, for a reason the summary states; exit code 2, with a summary. */
class CannotJudge extends Error {
  override readonly name = 'CannotJudge';
}

const DEFAULT_OPS = 20_000;
const DEFAULT_ROUNDS = 12;
const DEFAULT_REPETITIONS = 3;
const HEAD_CLI = fileURLToPath(new URL('../cli.js', import.meta.url));

export function registerGate(program: Command): void {
  program
    .command('gate')
    .description('CI regression gate: compare this build with a git ref (run interleaved here) or a stored run; exit 0 pass, 1 regression, 2 could not judge')
    .option('--base <git-ref>', 'build this ref in a temporary worktree and run it paired with this build, round by round')
    .option('--mode <how>', `how a round runs the two sides: adjacent (workload by workload, one side right after the other, alternating order), adjacent-runs (whole runs so), duet (whole runs at once) or one-cpu-duet (workload by workload, both at once on one CPU) (default: one-cpu-duet where every engine compared is judged on CPU time, else adjacent)`)
    .option('--cpu <n|none>', 'with --base, --base-engine or --calibrate (all modes but duet): pin both sides\' processes to this CPU (default: the last CPU; none: do not pin)')
    .option('--base-engine <name>', 'with --head-engine: compare two builds of one engine (two external commands, or two engine modules) with this build, paired round by round; this is base')
    .option('--head-engine <name>', 'with --base-engine: the engine under test')
    .option('--max-minutes <n>', 'with --base: start no round that would end later than this many minutes after the gate started; fewer rounds may leave workloads unjudged (exit 2)', positiveInt('--max-minutes', 10_000))
    .option('--calibrate', 'measure how small a slowdown this gate sees here: inject known slowdowns into the engine and count how often they are caught', false)
    .option('--levels <list>', 'with --calibrate: slowdowns to inject, comma-separated fractions (default 0.05,0.1,0.15)', '0.05,0.1,0.15')
    .option('--calibration-runs <n>', 'with --calibrate: gate runs per level (default 3)', positiveInt('--calibration-runs', 100))
    .option('--baseline <results.json>', 'compare with a stored results file instead')
    .option('--head <results.json>', 'with --baseline: compare this stored results file instead of running head now')
    .option('--strict', 'with --baseline: refuse (exit 2) when the hardware fingerprint or scenario differs, instead of warning', false)
    .option('--allow-missing-base', 'with --base: when the ref names no commit here (shallow clone, first commit), say so and pass', false)
    .option('-e, --engine <name>', 'engine to compare; repeatable (default with --base: ts if both builds have it, else memory)', collect, [])
    .option('-s, --scenario <name|file>', 'with --base: scenario to run (default: seed)')
    .addOption(scenarioOption('ops', `with --base: operations per workload (default ${DEFAULT_OPS.toLocaleString('en-US')})`))
    .addOption(scenarioOption('workloads', "with --base: comma-separated workloads, or all (default: the scenario's)"))
    .option('--rounds <n>', `runs per side, interleaved; each run is one sample of the test (default ${DEFAULT_ROUNDS} with --base, 1 with --baseline)`, positiveInt('--rounds', 1000))
    .addOption(scenarioOption('repetitions', `timed repetitions per run (default ${DEFAULT_REPETITIONS} with --base, the baseline's with --baseline)`))
    .option('--config <file>', 'decision settings (default: ./gate.config.json if present, else 10% minimum effect, alpha 0.01)')
    .option('--summary <file>', 'write the Markdown summary to this file (it is also appended to $GITHUB_STEP_SUMMARY when set)')
    .option('--json', 'print the decision as JSON on stdout (the verdict line goes to stderr)', false)
    .action(async (flags: GateFlags) => {
      process.exitCode = await gate(flags);
    });
}

interface Report {
  readonly outcome: Outcome;
  readonly line: string;
  readonly markdown: string;
  readonly decision: GateDecision | undefined;
  readonly context: Pick<GateContext, 'comparison' | 'notes'>;
}

async function gate(flags: GateFlags): Promise<number> {
  if (flags.mode !== undefined && !(ROUND_MODES as readonly string[]).includes(flags.mode)) throw new UserError(`--mode must be one of ${ROUND_MODES.join(', ')}, not '${flags.mode}'`);
  const where = placementOf(flags);
  if (flags.calibrate) {
    if (flags.base !== undefined || flags.baseline !== undefined) throw new UserError('--calibrate measures this build against itself: it takes no --base or --baseline');
    const { config, source } = await loadGateConfig(flags.config);
    return calibrate({
      engine: flags.engine[0] ?? 'ts',
      ops: flags.ops ?? DEFAULT_OPS,
      rounds: flags.rounds ?? DEFAULT_ROUNDS,
      repetitions: flags.repetitions ?? DEFAULT_REPETITIONS,
      mode: modeOf(flags, [metricFor(config, 'slowed')]),
      cpu: where.cpu,
      levels: parseLevels(flags.levels),
      runsPerLevel: flags.calibrationRuns ?? 3,
      workloads: flags.workloads?.join(','),
      config,
      configSource: source,
    });
  }
  if ((flags.baseEngine === undefined) !== (flags.headEngine === undefined)) throw new UserError('--base-engine and --head-engine go together');
  if (flags.baseEngine !== undefined) {
    if (flags.base !== undefined || flags.baseline !== undefined || flags.engine.length > 0)
      throw new UserError('--base-engine/--head-engine compare two engines with this build: no --base, --baseline or --engine with them');
    const { config, source } = await loadGateConfig(flags.config);
    const report = await gateEngines(flags.baseEngine, flags.headEngine!, flags, where, config, source);
    await emit(report, flags);
    return EXIT_CODES[report.outcome];
  }
  if ((flags.base === undefined) === (flags.baseline === undefined)) throw new UserError('name what to compare with: --base <git-ref> or --baseline <results.json>');
  if (flags.head !== undefined && flags.baseline === undefined) throw new UserError('--head <results.json> goes with --baseline');
  const { config, source } = await loadGateConfig(flags.config);
  const report = flags.base !== undefined ? await gateAgainstRef(flags.base, flags, where, config, source) : await gateAgainstBaseline(flags.baseline!, flags, config, source);
  await emit(report, flags);
  return EXIT_CODES[report.outcome];
}

/** --mode, or the default for engines judged on these metrics (defaultRoundMode). */
const modeOf = (flags: GateFlags, metrics: readonly Metric[]): RoundMode => (flags.mode as RoundMode | undefined) ?? defaultRoundMode(metrics);

/** Where the sides run (--cpu), or a user error for a CPU that cannot be used. */
function placementOf(flags: GateFlags): Placement {
  if (flags.baseline !== undefined) {
    if (flags.cpu !== undefined) throw new UserError('--cpu places the processes of a gate that runs both sides (--base, --base-engine, --calibrate), not of --baseline');
    // Nothing runs paired here: no taskset probe.
    return { cpu: undefined, text: 'nothing run paired' };
  }
  try {
    // Only duet, which must be asked for, places processes differently.
    return placement((flags.mode ?? DEFAULT_ROUND_MODE) as RoundMode, flags.cpu);
  } catch (err) {
    if (err instanceof RangeError) throw new UserError(err.message);
    throw err;
  }
}

function parseLevels(text: string): number[] {
  const levels = text.split(',').map((x) => Number(x.trim()));
  if (levels.length === 0 || levels.some((x) => !(x > 0 && x < 1))) throw new UserError(`--levels must be fractions between 0 and 1, comma-separated (0.1 = 10% slower), not '${text}'`);
  return levels;
}

async function emit(report: Report, flags: GateFlags): Promise<void> {
  if (flags.json) {
    process.stdout.write(JSON.stringify({ outcome: report.outcome, exitCode: EXIT_CODES[report.outcome], ...report.context, decision: report.decision ?? null }, null, 2) + '\n');
    process.stderr.write(report.line + '\n');
  } else {
    for (const note of report.context.notes) process.stderr.write(`lsmbench gate: warning: ${note}\n`);
    process.stdout.write(report.line + '\n');
    if (report.decision !== undefined) for (const line of eyesightLines(report.decision)) process.stdout.write(line + '\n');
  }
  if (flags.summary !== undefined) {
    try {
      await writeFile(resolve(flags.summary), report.markdown);
    } catch (err) {
      throw new UserError(`cannot write the summary to ${flags.summary}: ${(err as NodeJS.ErrnoException).code ?? errorMessage(err)}`);
    }
  }
  const stepSummary = process.env.GITHUB_STEP_SUMMARY;
  if (stepSummary !== undefined && stepSummary !== '') await appendFile(stepSummary, report.markdown + '\n');
}

function decided(decision: GateDecision, context: GateContext): Report {
  return { outcome: decision.outcome, line: verdictLine(decision), markdown: markdownSummary(decision, context), decision, context };
}

function notice(outcome: Outcome, message: string, context: Pick<GateContext, 'comparison' | 'notes'>): Report {
  const line = `lsmbench gate: ${outcome === 'pass' ? 'PASS' : 'COULD NOT JUDGE'}: ${message}`;
  return { outcome, line, markdown: noticeSummary(outcome, line, context), decision: undefined, context };
}

function machineLine(results: ResultsFile | undefined): string {
  const env = results?.environment ?? describeEnvironment();
  return `${env.cpuModel} × ${env.cpuCount}, ${env.os} ${env.arch}, Node ${env.node} (fingerprint ${env.fingerprint})`;
}

const short = (commit: string | null | undefined): string => (commit ? commit.slice(0, 10) : 'unknown commit');

/** Progress on stderr, one line a round: `round 3/12: base 8.1 s, head 8.4 s`, the side that began first first. */
function progress(rounds: number): (round: number, seconds: readonly (readonly [Side, number])[]) => void {
  return (round, seconds) => {
    process.stderr.write(`lsmbench gate: round ${round}/${rounds}: ${seconds.map(([side, s]) => `${side.label} ${s.toFixed(1)} s`).join(', ')}\n`);
  };
}

const MODE_TEXT: Readonly<Record<RoundMode, string>> = {
  adjacent: 'workload by workload, one side right after the other, alternating order',
  'adjacent-runs': 'whole runs one after the other, alternating order',
  duet: 'both at once in each round',
  'one-cpu-duet': 'workload by workload, both sides at once on one CPU, taking turns on it',
};

/** When --max-minutes runs out, on the performance.now() clock. */
const deadlineOf = (flags: GateFlags): number => (flags.maxMinutes === undefined ? Infinity : performance.now() + flags.maxMinutes * 60_000);

// --- --base <git-ref> ---------------------------------------------------------------

async function gateAgainstRef(ref: string, flags: GateFlags, where: Placement, config: GateConfig, configSource: string): Promise<Report> {
  const deadline = deadlineOf(flags);
  const root = projectRoot();
  const rounds = flags.rounds ?? DEFAULT_ROUNDS;
  const repetitions = flags.repetitions ?? DEFAULT_REPETITIONS;
  const ops = flags.ops ?? DEFAULT_OPS;
  const repo = await gitTopLevel(root);
  if (repo === undefined) throw new UserError(`--base needs a git repository, and ${root} is not in one`);
  const commit = await resolveCommit(repo, ref);
  if (commit === undefined) {
    if (!flags.allowMissingBase) throw new UserError(`--base '${ref}' names no commit in ${repo} (fetch it, or pass --allow-missing-base to pass when there is none)`);
    const why = (await isShallow(repo)) ? 'this is a shallow clone' : (await historyLength(repo)) <= 1 ? 'this repository has a single commit' : 'no such ref here';
    return notice('pass', `no base commit '${ref}' to compare with (${why}); nothing to judge, passing`, { comparison: `nothing: '${ref}' names no commit`, notes: [] });
  }
  const head: Side = { label: 'head', cli: HEAD_CLI, cwd: root };
  let tree: BaseTree | undefined;
  const notes: string[] = [];
  try {
    // Check what head offers before spending a build on the base.
    const inHead = await sideEngines(head);
    for (const name of flags.engine)
      if (inHead.get(name) !== true) throw new UserError(`engine '${name}' is not available in this build (see \`lsmbench engines\`)`);
    process.stderr.write(`lsmbench gate: building base ${short(commit)} (${ref}) in a temporary worktree\n`);
    try {
      tree = await createBaseTree(repo, commit, join(root, 'node_modules'));
    } catch (err) {
      // A base that cannot be checked out or built leaves nothing to compare with: a verdict, with a summary.
      if (err instanceof UserError) throw new CannotJudge(err.message);
      throw err;
    }
    if (tree.buildWarning !== undefined) notes.push(tree.buildWarning);
    const base: Side = { label: 'base', cli: join(tree.dir, 'dist', 'src', 'cli.js'), cwd: tree.dir };
    const engines = await chooseEngines(flags.engine, await sideEngines(base), inHead, notes);
    const runArgs: string[] = [];
    if (flags.scenario !== undefined) runArgs.push('--scenario', flags.scenario);
    for (const e of engines) runArgs.push('--engine', e);
    runArgs.push(...scenarioArgs({ ops, repetitions, workloads: flags.workloads }, ['ops', 'repetitions', 'workloads']));
    const mode = modeOf(flags, engines.map((e) => metricFor(config, e)));
    const argsOf = await perSideArgs([base, head], runArgs);
    const workloads = await gateWorkloads(flags.scenario, flags.workloads);
    const runs = await runInterleaved(base, head, { rounds, mode, argsOf, workloads, onRound: progress(rounds), deadline, cpu: where.cpu });
    if (runs.skipped > 0) notes.push(`only ${rounds - runs.skipped} of ${rounds} rounds ran: more would have overrun --max-minutes ${flags.maxMinutes}`);
    const headEnv = runs.head[0]?.environment;
    const headName = `${short(headEnv?.commit)}${headEnv?.commitDirty ? ' with uncommitted changes' : ''}`;
    const context: GateContext = {
      comparison:
        `base ${short(commit)} (${ref}) against head ${headName}, paired on this machine (${MODE_TEXT[mode]}): ${runs.base.length} rounds, one process a side each, × ${repetitions} repetitions, ` +
        `N = ${ops.toLocaleString('en-US')}, engine${engines.length > 1 ? 's' : ''} ${engines.join(', ')}; ${where.text}`,
      machine: machineLine(runs.head[0]),
      configSource,
      notes,
    };
    return decided(decidePaired(pairedComparisons(runs.base, runs.head), config), context);
  } catch (err) {
    if (err instanceof CannotJudge || err instanceof SideRunError)
      return notice('unjudged', err.message, { comparison: `base ${short(commit)} (${ref}) against this build`, notes });
    throw err;
  } finally {
    tree?.remove();
  }
}

// --- --base-engine <a> --head-engine <b> ---------------------------------------------

/**
 * Two builds of one engine, run by this build, paired round by round with the decision
 * of --base. Head's results are labelled with base's engine name so that the rounds pair
 * up; the summary names both.
 */
async function gateEngines(baseEngine: string, headEngine: string, flags: GateFlags, where: Placement, config: GateConfig, configSource: string): Promise<Report> {
  const deadline = deadlineOf(flags);
  const rounds = flags.rounds ?? DEFAULT_ROUNDS;
  const repetitions = flags.repetitions ?? DEFAULT_REPETITIONS;
  const ops = flags.ops ?? DEFAULT_OPS;
  const base: Side = { label: 'base', cli: HEAD_CLI, cwd: process.cwd() };
  const head: Side = { label: 'head', cli: HEAD_CLI, cwd: process.cwd() };
  const common: string[] = [];
  if (flags.scenario !== undefined) common.push('--scenario', flags.scenario);
  common.push(...scenarioArgs({ ops, repetitions, workloads: flags.workloads }, ['ops', 'repetitions', 'workloads']));
  const withProcesses = await perSideArgs([base], common);
  const args = withProcesses(base);
  const mode = modeOf(flags, [metricFor(config, baseEngine), metricFor(config, headEngine)]);
  const notes: string[] = [];
  const comparison = `engine ${baseEngine} (base) against ${headEngine} (head)`;
  try {
    const workloads = await gateWorkloads(flags.scenario, flags.workloads);
    const argsOf = (side: Side): readonly string[] => ['--engine', side === base ? baseEngine : headEngine, ...args];
    const runs = await runInterleaved(base, head, { rounds, mode, argsOf, workloads, onRound: progress(rounds), deadline, cpu: where.cpu });
    if (runs.skipped > 0) notes.push(`only ${rounds - runs.skipped} of ${rounds} rounds ran: more would have overrun --max-minutes ${flags.maxMinutes}`);
    const label = runs.base[0]?.results[0]?.engine ?? baseEngine;
    const relabelled = runs.head.map((run) => ({ ...run, results: run.results.map((r) => ({ ...r, engine: label })) }));
    const context: GateContext = {
      comparison: `${comparison}, paired on this machine (${MODE_TEXT[mode]}): ${runs.base.length} rounds, one process a side each, × ${repetitions} repetitions, N = ${ops.toLocaleString('en-US')}; ${where.text}; rows are labelled ${label}`,
      machine: machineLine(runs.base[0]),
      configSource,
      notes,
    };
    return decided(decidePaired(pairedComparisons(runs.base, relabelled), config), context);
  } catch (err) {
    if (err instanceof SideRunError) return notice('unjudged', err.message, { comparison, notes });
    throw err;
  }
}

/** The engines to compare: those asked for, each present in both builds; by default ts when both have it, else memory. */
function chooseEngines(requested: readonly string[], inBase: ReadonlyMap<string, boolean>, inHead: ReadonlyMap<string, boolean>, notes: string[]): string[] {
  if (requested.length > 0) {
    for (const name of requested) if (inBase.get(name) !== true) throw new CannotJudge(`engine '${name}' is not available in the base build`);
    return [...new Set(requested)];
  }
  if (inHead.get('ts') === true && inBase.get('ts') === true) return ['ts'];
  if (inHead.get('ts') === true) notes.push("the base build has no usable 'ts' engine, so the gate compared the 'memory' engine");
  if (inHead.get('memory') !== true || inBase.get('memory') !== true) throw new CannotJudge("neither 'ts' nor 'memory' is available in both builds");
  return ['memory'];
}

// --- --baseline <results.json> ----------------------------------------------------

/** `lsmbench run` arguments that repeat the baseline's scenario and engines here, every scenario parameter with a flag included. */
export function rerunArgs(baseline: Pick<ResultsFile, 'scenario' | 'engines'>, repetitions: number, notes: string[]): string[] {
  const s = baseline.scenario;
  const args: string[] = [];
  const builtin = !/[\\/]/.test(s.source) && existsSync(join(scenariosDir(), `${s.source}.json`));
  if (builtin || existsSync(s.source)) args.push('--scenario', s.source);
  else {
    const fileOnly = SCENARIO_PARAM_NAMES.filter((name) => !(FLAG_PARAM_NAMES as readonly string[]).includes(name));
    notes.push(`the baseline's scenario file ${s.source} is not here, so the fields that have no flag (${fileOnly.join(', ')}) ran at the seed scenario's values`);
  }
  const engines = new Map<string, EngineRun['options']>();
  for (const e of baseline.engines) if (!engines.has(e.name)) engines.set(e.name, e.options);
  for (const [name, options] of engines) {
    args.push('--engine', name);
    for (const [k, v] of Object.entries(options)) args.push('--engine-option', `${name}.${k}=${v}`);
  }
  args.push(...scenarioArgs({ ...s, repetitions }));
  return args;
}

async function gateAgainstBaseline(file: string, flags: GateFlags, config: GateConfig, configSource: string): Promise<Report> {
  const ignored = [
    flags.engine.length > 0 && '--engine',
    flags.scenario !== undefined && '--scenario',
    flags.workloads !== undefined && '--workloads',
    flags.ops !== undefined && '--ops',
  ].filter((x): x is string => typeof x === 'string');
  if (ignored.length > 0) throw new UserError(`${ignored.join(', ')} go with --base; with --baseline the gate reruns the baseline's own scenario and engines`);
  const baseline = await readResults(file);
  const notes: string[] = [];
  const here = flags.head === undefined ? describeEnvironment() : undefined;
  const headFile = flags.head === undefined ? undefined : await readResults(flags.head);
  const headEnv = headFile?.environment ?? here!;
  const baseEnv = baseline.environment;
  const comparisonText = (what: string): string => `baseline ${file} (${short(baseEnv.commit)}, ${baseline.createdAt}) against ${what}`;

  const refusals: string[] = [];
  if (baseEnv.fingerprint !== headEnv.fingerprint)
    refusals.push(
      `the baseline was measured on other hardware (${baseEnv.cpuModel} × ${baseEnv.cpuCount}, fingerprint ${baseEnv.fingerprint}) ` +
        `than head (${headEnv.cpuModel} × ${headEnv.cpuCount}, fingerprint ${headEnv.fingerprint}): a difference may be the machine's, not the code's`,
    );
  if (headFile !== undefined) {
    const diffs = scenarioDifferences(baseline.scenario, headFile.scenario);
    if (diffs.length > 0) refusals.push(`the two runs used different scenarios (${diffs.join(', ')}): not like with like`);
  }
  const what = headFile !== undefined ? `head ${flags.head} (${short(headFile.environment.commit)})` : 'this build, run now on this machine';
  if (refusals.length > 0 && flags.strict) return notice('unjudged', `refused with --strict: ${refusals[0]}`, { comparison: comparisonText(what), notes: refusals.slice(1) });
  notes.push(...refusals);

  let headRuns: ResultsFile[];
  const rounds = flags.rounds ?? 1;
  const repetitions = flags.repetitions ?? baseline.scenario.repetitions;
  if (headFile !== undefined) headRuns = [headFile];
  else {
    const head: Side = { label: 'head', cli: HEAD_CLI, cwd: projectRoot() };
    const args = rerunArgs(baseline, repetitions, notes);
    headRuns = [];
    try {
      for (let round = 1; round <= rounds; round++) {
        const started = performance.now();
        headRuns.push(await runSide(head, args));
        progress(rounds)(round, [[head, (performance.now() - started) / 1000]]);
      }
    } catch (err) {
      if (err instanceof SideRunError) return notice('unjudged', err.message, { comparison: comparisonText(what), notes });
      throw err;
    }
    // The rerun must have repeated the baseline's scenario; if it could not, the figures are not like with like.
    const diffs = scenarioDifferences(baseline.scenario, headRuns[0]!.scenario);
    if (diffs.length > 0) {
      const why = `this build's rerun did not repeat the baseline's scenario (${diffs.join(', ')}): not like with like`;
      if (flags.strict) return notice('unjudged', `refused with --strict: ${why}`, { comparison: comparisonText(what), notes });
      notes.push(why);
    }
  }
  const headWhat = headFile !== undefined ? what : `this build (${short(headRuns[0]?.environment.commit)}), run now: ${rounds} run${rounds > 1 ? 's' : ''} × ${repetitions} repetitions`;
  const context: GateContext = {
    comparison: `${comparisonText(headWhat)}; not interleaved, so drift between the two runs counts as change, and repetitions of one run are taken as independent samples`,
    machine: machineLine(headRuns[0]),
    configSource,
    notes,
  };
  // A stored baseline is a single run: its repetitions are the only samples there are.
  return decided(decide(comparisons([baseline], headRuns), config, 'repetition'), context);
}
