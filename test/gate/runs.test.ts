/**
 * How runInterleaved pairs base and head: which side runs which workload, in what order,
 * and what each round's results hold. The sides are a stand-in CLI that logs each call and
 * prints a real results file (the template run) cut to the workloads it was asked for.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInterleaved, type Side } from '../../src/gate/runs.js';
import { templateRun } from './fixtures.js';

const STAND_IN = `
import { appendFileSync, readFileSync } from 'node:fs';
const args = process.argv.slice(2);
const at = args.lastIndexOf('--workloads');
const workload = at >= 0 ? args[at + 1] : 'all';
appendFileSync(process.env.STAND_IN_LOG, process.env.STAND_IN_SIDE + ' ' + workload + '\\n');
const file = JSON.parse(readFileSync(process.env.STAND_IN_RESULTS, 'utf8'));
if (workload !== 'all') file.results = file.results.filter((r) => r.workload === workload);
process.stdout.write(JSON.stringify(file));
`;

describe('runInterleaved: the order of a round', () => {
  let dir: string;
  let base: Side;
  let head: Side;
  const log = (): string => join(dir, 'calls.log');
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lsmbench-runs-'));
    await writeFile(join(dir, 'stand-in.mjs'), STAND_IN);
    await writeFile(join(dir, 'results.json'), JSON.stringify(templateRun()));
    const side = (label: 'base' | 'head'): Side => ({
      label,
      cli: join(dir, 'stand-in.mjs'),
      cwd: dir,
      env: { STAND_IN_LOG: log(), STAND_IN_SIDE: label, STAND_IN_RESULTS: join(dir, 'results.json') },
    });
    base = side('base');
    head = side('head');
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const calls = async (): Promise<string[]> => (await readFile(log(), 'utf8')).trim().split('\n');

  it('adjacent: workload by workload, the first side alternating between workloads and between rounds; a round is one results file a side', async () => {
    await rm(log(), { force: true });
    const rounds: string[] = [];
    const runs = await runInterleaved(base, head, {
      rounds: 2,
      argsOf: () => ['--engine', 'memory'],
      workloads: ['random-reads', 'contains'],
      onRound: (round, seconds) => rounds.push(`${round}:${seconds.map(([s]) => s.label).join(',')}`),
    });
    assert.deepEqual(await calls(), [
      'base random-reads',
      'head random-reads',
      'head contains',
      'base contains',
      'head random-reads',
      'base random-reads',
      'base contains',
      'head contains',
    ]);
    assert.deepEqual(rounds, ['1:base,head', '2:head,base']);
    assert.equal(runs.base.length, 2);
    assert.equal(runs.head.length, 2);
    for (const run of [...runs.base, ...runs.head]) assert.deepEqual(run.results.map((r) => r.workload), ['random-reads', 'contains']);
  });

  it('adjacent-runs: whole runs, alternating which side goes first', async () => {
    await rm(log(), { force: true });
    const runs = await runInterleaved(base, head, { rounds: 2, mode: 'adjacent-runs', argsOf: () => ['--engine', 'memory'], workloads: ['random-reads', 'contains'] });
    assert.deepEqual(await calls(), ['base all', 'head all', 'head all', 'base all']);
    assert.deepEqual(runs.base[0]!.results.map((r) => r.workload), ['random-reads', 'contains']);
  });

  it('a round that would end past the deadline is not started', async () => {
    await rm(log(), { force: true });
    const runs = await runInterleaved(base, head, { rounds: 5, argsOf: () => [], workloads: ['contains'], deadline: performance.now() });
    assert.equal(runs.base.length, 1, 'the first round always runs');
    assert.equal(runs.skipped, 4);
  });
});
