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
import { spawnSync } from 'node:child_process';
import { defaultRoundMode, gateWarmup, perSideArgs, placement, runInterleaved, type Side } from '../../src/gate/runs.js';
import { templateRun } from './fixtures.js';

const STAND_IN = `
import { appendFileSync, readFileSync } from 'node:fs';
const args = process.argv.slice(2);
const at = args.lastIndexOf('--workloads');
const workload = at >= 0 ? args[at + 1] : 'all';
appendFileSync(process.env.STAND_IN_LOG, process.env.STAND_IN_SIDE + ' ' + workload + '\\n');
const cpus = readFileSync('/proc/self/status', 'utf8').match(/^Cpus_allowed_list:\\s*(\\S+)/m);
appendFileSync(process.env.STAND_IN_LOG + '.more', (cpus ? cpus[1] : '?') + ' ' + args.join(' ') + '\\n');
const t0 = Date.now();
if (process.env.STAND_IN_SLEEP_MS) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Number(process.env.STAND_IN_SLEEP_MS));
appendFileSync(process.env.STAND_IN_LOG + '.times', process.env.STAND_IN_SIDE + ' ' + workload + ' ' + t0 + ' ' + Date.now() + ' ' + (cpus ? cpus[1] : '?') + '\\n');
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
      mode: 'adjacent',
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

  it('one-cpu-duet (the default): workload by workload, the two sides of a workload at once on the CPU asked for, the next workload after both ended', async () => {
    const times = log() + '.times';
    await rm(times, { force: true });
    const slow = (s: Side): Side => ({ ...s, env: { ...s.env, STAND_IN_SLEEP_MS: '300' } });
    const cpu = tasksetWorks ? 0 : undefined;
    const started: string[] = [];
    const runs = await runInterleaved(slow(base), slow(head), {
      rounds: 2,
      argsOf: () => ['--engine', 'memory'],
      workloads: ['random-reads', 'contains'],
      cpu,
      onRound: (round, seconds) => started.push(`${round}:${seconds.map(([s]) => s.label).join(',')}`),
    });
    assert.deepEqual(started, ['1:base,head', '2:head,base'], 'a round lists its sides in the order they started');
    const spans = (await readFile(times, 'utf8')).trim().split('\n').map((l) => {
      const [side, workload, from, to, cpus] = l.split(' ');
      return { side: side!, workload: workload!, from: Number(from), to: Number(to), cpus: cpus! };
    });
    assert.equal(spans.length, 8);
    // Calls come in pairs, one per side and workload, in the order of the workloads and rounds.
    for (let p = 0; p < 4; p++) {
      const [a, b] = [spans[2 * p]!, spans[2 * p + 1]!];
      assert.deepEqual([a.side, b.side].sort(), ['base', 'head']);
      assert.equal(a.workload, p % 2 === 0 ? 'random-reads' : 'contains');
      assert.equal(b.workload, a.workload);
      assert.ok(a.from < b.to && b.from < a.to, `the two sides of pair ${p} ran at once: ${JSON.stringify([a, b])}`);
      if (p > 0) assert.ok(Math.min(a.from, b.from) >= Math.max(spans[2 * p - 2]!.to, spans[2 * p - 1]!.to), `pair ${p} started after pair ${p - 1} ended`);
      if (cpu !== undefined) for (const x of [a, b]) assert.equal(x.cpus, '0', 'pinned to the CPU asked for');
    }
    assert.deepEqual(runs.base[0]!.results.map((r) => r.workload), ['random-reads', 'contains']);
  });

  it('adjacent-runs: whole runs, alternating which side goes first', async () => {
    await rm(log(), { force: true });
    const runs = await runInterleaved(base, head, { rounds: 2, mode: 'adjacent-runs', argsOf: () => ['--engine', 'memory'], workloads: ['random-reads', 'contains'] });
    assert.deepEqual(await calls(), ['base all', 'head all', 'head all', 'base all']);
    assert.deepEqual(runs.base[0]!.results.map((r) => r.workload), ['random-reads', 'contains']);
  });

  const tasksetWorks = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
  it('pinned: every process of both sides runs on the CPU asked for, and each side is warmed up as gateWarmup says', { skip: !tasksetWorks && 'taskset is not installed' }, async () => {
    await rm(log(), { force: true });
    await rm(log() + '.more', { force: true });
    const argsOf = await perSideArgs([base, head], ['--engine', 'memory']);
    await runInterleaved(base, head, { rounds: 1, argsOf, workloads: ['contains'], cpu: 0 });
    // The runs' lines (perSideArgs also asks each side for `run --help`).
    const runsOf = async (): Promise<string[]> => (await readFile(log() + '.more', 'utf8')).trim().split('\n').filter((l) => l.includes('--engine'));
    const lines = await runsOf();
    assert.equal(lines.length, 2);
    for (const line of lines) {
      assert.match(line, /^0 /, `pinned to CPU 0: ${line}`);
      assert.match(line, new RegExp(`--warmup ${gateWarmup('contains')}\\b`));
    }
    // Unpinned, a side's process may run wherever this one may.
    await rm(log() + '.more', { force: true });
    await runInterleaved(base, head, { rounds: 1, argsOf, workloads: ['contains'] });
    const free = await runsOf();
    assert.equal(free.length, 2);
    const mine = /^Cpus_allowed_list:\s*(\S+)/m.exec(await readFile('/proc/self/status', 'utf8'))![1]!;
    for (const line of free) assert.ok(line.startsWith(`${mine} `), `unpinned, as this process (${mine}): ${line}`);
  });

  it('warm-up: three repetitions for read-only workloads and whole runs, one where samples are fresh-store passes', () => {
    for (const w of ['sequential-reads', 'random-reads', 'range-scan', 'prefix-scan', 'contains', 'ycsb-c'] as const) assert.equal(gateWarmup(w), 3, w);
    for (const w of ['sequential-writes', 'random-writes', 'deletions', 'ycsb-a', 'read-while-writing'] as const) assert.equal(gateWarmup(w), 1, w);
    assert.equal(gateWarmup(undefined), 3);
  });

  it('a round that would end past the deadline is not started', async () => {
    await rm(log(), { force: true });
    const runs = await runInterleaved(base, head, { rounds: 5, argsOf: () => [], workloads: ['contains'], deadline: performance.now() });
    assert.equal(runs.base.length, 1, 'the first round always runs');
    assert.equal(runs.skipped, 4);
  });
});

describe('placement: where the two sides run', () => {
  const yes = (): boolean => true;
  const no = (): boolean => false;
  it('by default, in the adjacent modes, both sides are pinned to the last CPU', () => {
    assert.deepEqual(placement('adjacent', undefined, yes, 2).cpu, 1);
    assert.deepEqual(placement('adjacent-runs', undefined, yes, 8).cpu, 7);
    assert.match(placement('adjacent', undefined, yes, 2).text, /pinned to CPU 1/);
    assert.equal(placement('one-cpu-duet', undefined, yes, 2).cpu, 1);
    assert.equal(placement('one-cpu-duet', undefined, yes, 2).text, 'both sides pinned to CPU 1 (taskset)');
    assert.equal(placement('one-cpu-duet', '0', yes, 2).cpu, 0);
  });
  it('a CPU asked for is used; none pins nothing', () => {
    assert.equal(placement('adjacent', '0', yes, 2).cpu, 0);
    assert.equal(placement('adjacent', 'none', yes, 2).cpu, undefined);
    assert.match(placement('adjacent', 'none', yes, 2).text, /not pinned \(--cpu none\)/);
  });
  it('the CPU chosen is the one taskset is asked about', () => {
    const asked: number[] = [];
    const probe = (cpu: number): boolean => (asked.push(cpu), cpu !== 3);
    assert.equal(placement('adjacent', undefined, probe, 4).cpu, undefined);
    assert.match(placement('adjacent', undefined, probe, 4).text, /may not use CPU 3/);
    assert.equal(placement('adjacent', '2', probe, 4).cpu, 2);
    assert.deepEqual(asked, [3, 3, 2]);
  });
  it('nothing to pin on one CPU, in duet, or without taskset; each says why', () => {
    assert.equal(placement('adjacent', undefined, yes, 1).cpu, undefined);
    assert.match(placement('adjacent', undefined, yes, 1).text, /one CPU/);
    assert.equal(placement('duet', undefined, yes, 2).cpu, undefined);
    assert.match(placement('duet', undefined, yes, 2).text, /duet/);
    assert.equal(placement('adjacent', undefined, no, 2).cpu, undefined);
    assert.match(placement('adjacent', undefined, no, 2).text, /taskset/);
  });
  it('a CPU that cannot be used is an error naming the choices', () => {
    assert.throws(() => placement('adjacent', '2', yes, 2), /from 0 to 1, not '2'/);
    assert.throws(() => placement('adjacent', 'x', yes, 2), /'none' or a CPU number/);
    assert.throws(() => placement('adjacent', '-1', yes, 2), /'none' or a CPU number/);
    assert.throws(() => placement('duet', '1', yes, 2), /duet/);
    assert.throws(() => placement('adjacent', '1', no, 2), /taskset/);
  });
});

describe('defaultRoundMode: the design when --mode is not given', () => {
  it('one-cpu-duet where every engine is judged on CPU time; adjacent as soon as one is judged on wall time', () => {
    assert.equal(defaultRoundMode(['cpu']), 'one-cpu-duet');
    assert.equal(defaultRoundMode(['cpu', 'cpu']), 'one-cpu-duet');
    assert.equal(defaultRoundMode(['cpu', 'wall']), 'adjacent');
    assert.equal(defaultRoundMode(['wall']), 'adjacent');
  });
});
