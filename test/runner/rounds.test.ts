/**
 * The runner goes in rounds: round p runs process p of every workload and engine, so the
 * processes of one figure are spread over the whole run (src/runner/run.ts).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { projectRoot } from '../../src/paths.js';
import { prepareEngines, runScenario } from '../../src/runner/run.js';
import { loadScenarioFile, resolveScenario, type Scenario, type WorkloadName } from '../../src/scenario.js';
import { scratchDir } from '../scratch.js';

async function scenario(overrides: Partial<Scenario>): Promise<Scenario> {
  const { source, file } = await loadScenarioFile('seed');
  const base = resolveScenario(source, file, { ops: 300, repetitions: 1, warmup: 0, processes: 3, minSampleMs: 0 });
  return { ...base, ...overrides };
}

let root: string;
before(async () => {
  root = await scratchDir('lsmbench-rounds-test-');
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('runner: processes in rounds', () => {
  it('runs process p of every workload and engine before process p + 1 of any, and reports each figure after its last process', async () => {
    const workloads: WorkloadName[] = ['sequential-writes', 'random-reads'];
    const sc = await scenario({ workloads });
    const prepared = await prepareEngines([{ name: 'memory', options: {} }, { name: 'memory', options: {} }], sc);
    const labels = prepared.map((p) => p.run.label);
    const events: string[] = [];
    const { results } = await runScenario(prepared, sc, { workRoot: root, keep: false }, {
      processFinished: (engine, workload) => events.push(`process ${engine} ${workload}`),
      finished: (r) => events.push(`figure ${r.engine} ${r.workload}`),
    });
    const expected: string[] = [];
    for (let p = 0; p < 3; p++)
      for (const w of workloads)
        for (const e of labels) {
          expected.push(`process ${e} ${w}`);
          if (p === 2) expected.push(`figure ${e} ${w}`);
        }
    assert.deepEqual(events, expected);
    // The results file keeps its order: workload by workload, the engines in order.
    assert.deepEqual(results.map((r) => `${r.engine} ${r.workload}`), workloads.flatMap((w) => labels.map((e) => `${e} ${w}`)));
    for (const r of results) {
      assert.equal(r.status, 'verified');
      assert.deepEqual([...new Set(r.repetitions.map((x) => x.process))], [0, 1, 2], `${r.engine} ${r.workload}: one sample per process`);
    }
  });

  it('stops an engine\'s workload at its first failed process, reports it then, and runs the other engine\'s rounds', async () => {
    const crash = `external:${join(projectRoot(), 'test', 'external', 'fixtures', 'crash.mjs')}`;
    const sc = await scenario({ workloads: ['sequential-writes'], keySize: 8, prefixLength: 6 });
    const prepared = await prepareEngines([{ name: crash, options: {} }, { name: 'memory', options: {} }], sc);
    const [bad, good] = prepared.map((p) => p.run.label);
    const events: string[] = [];
    const { results } = await runScenario(prepared, sc, { workRoot: root, keep: false }, {
      processFinished: (engine) => events.push(`process ${engine}`),
      finished: (r) => events.push(`figure ${r.engine} ${r.status}`),
      processesSkipped: (engine, _workload, count) => events.push(`skipped ${engine} ${count}`),
    });
    // The 2 processes the failure spares are said to be skipped, so the progress line's count and time left drop them.
    assert.deepEqual(events, [`process ${bad}`, `figure ${bad} failed`, `skipped ${bad} 2`, `process ${good}`, `process ${good}`, `process ${good}`, `figure ${good} verified`]);
    assert.equal(results.find((r) => r.engine === bad)?.status, 'failed');
  });
});
