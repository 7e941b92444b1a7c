/**
 * Scenario parameters declared once: every parameter with a flag survives the trip from a
 * scenario to the flags that rerun it (the results file's rerun command, the gate's rerun of
 * a stored run) and back, and the gate's like-with-like check sees every parameter it must.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { FLAG_PARAM_NAMES, SCENARIO_PARAMS, SCENARIO_PARAM_NAMES, type FlagValue, type ScenarioParam, loadScenarioFile, resolveScenario, scenarioArgs, scenarioDifferences, type Scenario } from '../../src/scenario.js';
import { addScenarioOptions, collect, scenarioOverrides } from '../../src/commands/options.js';
import { rerunArgs } from '../../src/commands/gate.js';

/** Parses `run` arguments as `lsmbench run` does, back into a scenario. */
async function scenarioFromArgs(args: readonly string[]): Promise<Scenario> {
  const command = new Command('run').exitOverride().option('-s, --scenario <name>', '', 'seed').option('-e, --engine <name>', '', collect, []).option('-o, --engine-option <kv>', '', collect, []);
  addScenarioOptions(command);
  command.parse(['node', 'run', ...args]);
  const { source, file } = await loadScenarioFile(String(command.opts().scenario));
  return resolveScenario(source, file, scenarioOverrides(command.opts()));
}

/** Two scenarios that between them set every parameter with a flag away from its default. */
async function unusualScenarios(): Promise<Scenario[]> {
  const { source, file } = await loadScenarioFile('seed');
  const documentOnly = resolveScenario(source, file, {
    ops: 1234, keySize: 20, valueSize: 77, durability: 'fsync', repetitions: 3, warmup: 2, processes: 2, minSampleMs: 40, seed: 7,
    workloads: ['random-reads', 'contains'], scanLength: 55, prefixLength: 17, missRatio: 0.25,
    targetRate: 5000, batch: 8, concurrency: 3, threads: 4, timeoutSeconds: 99,
  });
  const mixed = resolveScenario(source, file, {
    ops: 999, workloads: ['ycsb-a', 'read-while-writing'], requestDistribution: 'latest',
    zipfianConstant: 0.5, writesPerRead: 3, writer: 'thread', writerRate: 2500,
  });
  return [documentOnly, mixed];
}

const defaults = resolveScenario('seed', (await loadScenarioFile('seed')).file, {});

describe('scenario parameters', () => {
  it('the test scenarios move every flagged parameter off its default (so the round trips below check each one)', async () => {
    const moved = new Set<string>();
    for (const s of await unusualScenarios()) for (const name of FLAG_PARAM_NAMES) if (JSON.stringify(s[name]) !== JSON.stringify(defaults[name])) moved.add(name);
    assert.deepEqual(FLAG_PARAM_NAMES.filter((name) => !moved.has(name)), []);
  });

  it('every flagged parameter survives scenario -> run flags -> scenario', async () => {
    for (const s of await unusualScenarios()) assert.deepEqual(await scenarioFromArgs(['--scenario', s.source, ...scenarioArgs(s)]), s);
  });

  it("every flagged parameter survives the gate's rerun of a stored run, with the gate's repetitions", async () => {
    for (const s of await unusualScenarios()) {
      const notes: string[] = [];
      const args = rerunArgs({ scenario: { ...s, workloads: [...s.workloads] }, engines: [] }, 6, notes);
      assert.deepEqual(await scenarioFromArgs(args), { ...s, repetitions: 6 });
      assert.deepEqual(notes, []);
    }
  });

  it('a --threads 4 baseline is rerun with --threads 4 and its batching', async () => {
    const [threaded] = await unusualScenarios();
    const args = rerunArgs({ scenario: { ...threaded!, workloads: [...threaded!.workloads] }, engines: [] }, 1, []);
    assert.equal(args[args.indexOf('--threads') + 1], '4');
    assert.equal(args[args.indexOf('--batch') + 1], '8');
    assert.equal(args[args.indexOf('--concurrency') + 1], '3');
    assert.equal(args[args.indexOf('--target-rate') + 1], '5000');
  });

  it("the gate's like-with-like check compares threads, workloads and the target rate, not repetitions", async () => {
    assert.deepEqual(scenarioDifferences(defaults, { ...defaults, threads: 4 }), ['threads 1 vs 4']);
    assert.deepEqual(scenarioDifferences(defaults, { ...defaults, workloads: ['contains'] }), [`workloads ${defaults.workloads.join(',')} vs contains`]);
    assert.deepEqual(scenarioDifferences(defaults, { ...defaults, targetRate: 100 }), ['targetRate undefined vs 100']);
    assert.deepEqual(scenarioDifferences(defaults, { ...defaults, repetitions: 9, timeoutSeconds: 5 }), []);
  });

  it('a field an older results file lacks counts as its default', () => {
    const { writer: _writer, zipfianConstant: _z, ...older } = defaults;
    assert.deepEqual(scenarioDifferences(older, defaults), []);
    assert.deepEqual(scenarioDifferences(older, { ...defaults, writer: 'thread' }), ['writer auto vs thread']);
  });

  it("a flag's bounds and the scenario file's agree: the largest value the flag takes is a valid file value", () => {
    for (const name of FLAG_PARAM_NAMES) {
      const { value, schema }: { value: FlagValue; schema: ScenarioParam['schema'] } = SCENARIO_PARAMS[name];
      if ((value.kind === 'positive-int' || value.kind === 'whole') && value.max !== undefined)
        assert.ok(schema.safeParse(value.max).success, `${name}: ${value.max} passes the flag, so the file must take it too`);
      if (value.kind === 'choice') for (const choice of value.choices) assert.ok(schema.safeParse(choice).success, `${name}: ${choice}`);
    }
  });

  it('every parameter the gate must match is a scenario field; the ones it need not are the rerun settings', () => {
    // The gate chooses its own repetitions and processes (its rounds are its independent samples).
    assert.deepEqual(SCENARIO_PARAM_NAMES.filter((name) => !SCENARIO_PARAMS[name].gateMatches), ['repetitions', 'processes', 'timeoutSeconds']);
  });
});
