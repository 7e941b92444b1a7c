/** The built binary, run as a user would: exit codes, output, results files, bad input. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { projectRoot } from '../src/paths.js';
import { join } from 'node:path';
import { readResults } from '../src/results.js';
import { lsmbench, assertUserError, CLI, FIXTURES } from './cli-helpers.js';
import { scratchDir } from './scratch.js';


const small = ['-n', '2000', '-r', '2', '--warmup', '0', '--processes', '1', '--min-sample-ms', '0'];


/** Footnotes wrap at 80 columns with a two-space indent: read them as one line. */
const unwrap = (text: string): string => text.replace(/\n {2}/g, ' ');

describe('lsmbench CLI', () => {
  it('runs the eight workloads on the memory engine, all verified, and saves a valid results file', async () => {
    const dir = await scratchDir('lsmbench-cli-');
    const r = lsmbench(['run', '--engine', 'memory', ...small, '--results-dir', dir]);
    assert.equal(r.code, 0, r.stderr);
    for (const row of ['Sequential Writes', 'Sequential Reads', 'Random Writes', 'Random Reads', 'Range Scan', 'Prefix Scan', 'Deletions', 'Contains'])
      assert.match(r.stdout, new RegExp(`│ ${row}.*│ yes`), `${row} is printed and verified`);
    const files = await readdir(dir);
    assert.equal(files.length, 1);
    const results = await readResults(join(dir, files[0]!));
    assert.equal(results.results.length, 8);
    assert.ok(results.results.every((w) => w.status === 'verified' && w.opsPerSec !== null && w.opsPerSec.median > 0));
    assert.ok(results.results.every((w) => w.repetitions.length === 2 && w.latency !== null && w.harnessOverheadNsPerOp !== null));
    assert.match(results.rerun ?? '', /^lsmbench run --scenario seed --engine memory --ops 2000 /);
    assert.match(results.rerun ?? '', / --processes 1 --min-sample-ms 0 /);
    assert.match(r.stdout, /Harness overhead: at most/);
    // One process: its samples are not independent, so no interval, and the output says so.
    assert.ok(results.results.every((w) => w.opsPerSec!.ci95 === null && w.opsPerSec!.independentSamples === 1));
    assert.match(r.stdout, /│ Sequential Reads .*│\s+too few │/);
    assert.match(r.stdout, /Intervals: 1 process, too few for a 95% interval: range shown\./);
    const reps = results.results.flatMap((w) => w.repetitions);
    assert.ok(reps.every((x) => x.process === 0 && x.passes === 1 && typeof x.cpuMs === 'number' && x.cpuMs >= 0 && typeof x.involuntaryContextSwitches === 'number'));
  });

  it('never overwrites: a second run gets its own file, and --out refuses an existing one', async () => {
    const dir = await scratchDir('lsmbench-cli-');
    const args = ['run', '-e', 'memory', ...small, '-w', 'contains', '--results-dir', dir];
    assert.equal(lsmbench(args).code, 0);
    assert.equal(lsmbench(args).code, 0);
    assert.equal((await readdir(dir)).length, 2);
    const out = join(dir, 'mine.json');
    await writeFile(out, 'keep me');
    assertUserError(lsmbench(['run', '-e', 'memory', ...small, '-w', 'contains', '--out', out]), /already exists/);
  });

  it('--cpu-prof writes a V8 CPU profile per workload process, named for it, never over an earlier one', async () => {
    const dir = join(await scratchDir('lsmbench-cpu-prof-'), 'profiles');
    const args = ['run', '--engine', 'memory', '-w', 'contains,random-reads', ...small, '--no-save', '--cpu-prof', dir];
    const first = lsmbench(args);
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual((await readdir(dir)).sort(), ['memory-contains-p1.cpuprofile', 'memory-random-reads-p1.cpuprofile']);
    const profile = JSON.parse(await readFile(join(dir, 'memory-contains-p1.cpuprofile'), 'utf8')) as { nodes: Array<{ callFrame: { url: string } }>; samples: number[] };
    assert.ok(profile.samples.length > 0);
    assert.ok(profile.nodes.some((n) => n.callFrame.url.endsWith('/runner/child.js')), 'the profile is of the workload process');
    const again = lsmbench(args);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual((await readdir(dir)).sort(), ['memory-contains-p1-2.cpuprofile', 'memory-contains-p1.cpuprofile', 'memory-random-reads-p1-2.cpuprofile', 'memory-random-reads-p1.cpuprofile']);
    assertUserError(lsmbench(['run', '--engine', 'memory', ...small, '--no-save', '--cpu-prof', '/proc/lsmbench-no-such-dir']), /--cpu-prof directory \/proc\/lsmbench-no-such-dir is not writable/);
  });

  it('puts two engines side by side with a ratio column and its CI over independent processes', async () => {
    const dir = await scratchDir('lsmbench-cli-');
    const out = join(dir, 'three.json');
    const r = lsmbench(['run', '-e', 'memory', '-e', 'memory', ...small, '--processes', '3', '--min-sample-ms', '20', '-w', 'sequential-reads,contains', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    // The ratio's interval sits beside it under "95% CI".
    // Headings may wrap inside their cells: read each column's heading across the header's lines.
    const lines = r.stdout.split('\n');
    const top = lines.findIndex((l) => l.startsWith('┌'));
    const rule = lines.findIndex((l, i) => i > top && l.startsWith('├'));
    const cells = lines.slice(top + 1, rule).map((l) => l.split('│').slice(1, -1).map((c) => c.trim()));
    const headings = cells[0]!.map((_, col) => cells.map((row) => row[col]).filter((c) => c !== '').join(' '));
    assert.deepEqual(headings.slice(0, 5), ['Operation', 'memory ops/s', 'memory#2 ops/s', 'memory / memory#2', '95% CI']);
    assert.match(r.stdout, /│ Sequential Reads .*\d+\.\d\d×[^│]*│\s+\d+\.\d\d–\d+\.\d\d │/);
    assert.match(unwrap(r.stdout), /Intervals: 95% t over 3 independent processes/);
    const file = await readResults(out);
    for (const w of file.results) {
      assert.deepEqual([...new Set(w.repetitions.map((x) => x.process))], [0, 1, 2], `${w.engine} ${w.workload}: samples of three processes`);
      assert.equal(w.opsPerSec!.independentSamples, 3);
      // Read workloads repeat passes until a sample lasts the minimum.
      assert.ok(w.repetitions.every((x) => x.ms >= 20 && (x.passes ?? 0) >= 1));
    }
  });

  it("adds this machine's calibrated run-to-run drift to figures' intervals, says so, and leaves it out with --no-drift", async () => {
    const dir = await scratchDir('lsmbench-cli-');
    const driftFile = join(dir, 'drift.json');
    const { describeEnvironment } = await import('../src/environment.js');
    const stored = { schema: 'lsmbench-drift', version: 1, fingerprint: describeEnvironment().fingerprint, measuredAt: '2026-12-07T12:00:00.000Z', logSd: 0.05, runs: 20, components: 32, engines: ['memory'], command: 'test' };
    await writeFile(driftFile, JSON.stringify(stored));
    const args = (out: string): string[] => ['run', '-e', 'memory', '-e', 'memory', ...small, '--processes', '3', '-w', 'contains', '--out', join(dir, out)];
    const withDrift = lsmbench([...args('with.json')], { LSMBENCH_DRIFT_FILE: driftFile });
    assert.equal(withDrift.code, 0, withDrift.stderr);
    assert.match(unwrap(withDrift.stdout), /Figures' intervals add this machine's run-to-run drift \(5\.0% sd, from 20 calibration runs on 2026-12-07\)/);
    const a = await readResults(join(dir, 'with.json'));
    assert.deepEqual(a.drift, { logSd: 0.05, runs: 20, measuredAt: '2026-12-07T12:00:00.000Z', file: driftFile });
    // The interval of each figure is at least the drift's ±1.96 × 5% (in log terms) wide.
    for (const w of a.results) assert.ok(Math.log(w.opsPerSec!.ci95![1] / w.opsPerSec!.ci95![0]) / 2 >= 1.959 * 0.05, `${w.engine}: ${w.opsPerSec!.ci95}`);
    const without = lsmbench([...args('without.json'), '--no-drift'], { LSMBENCH_DRIFT_FILE: driftFile });
    assert.equal(without.code, 0, without.stderr);
    assert.equal((await readResults(join(dir, 'without.json'))).drift, null);
    assert.match(unwrap(without.stdout), /Figures' intervals cover this run's 3 processes, not the drift between runs/);
    // compare of the two runs: the ratio between files adds the drift the first recorded.
    const cmp = lsmbench(['compare', join(dir, 'with.json'), join(dir, 'without.json')]);
    assert.equal(cmp.code, 0, cmp.stderr);
    assert.match(unwrap(cmp.stdout), /Ratios between two files add the run-to-run drift where a file recorded it \(5\.0% sd\); .*without\.json recorded none\./);
    // A damaged file: a one-line warning, and the run goes on without it.
    await writeFile(driftFile, '{');
    const damaged = lsmbench([...args('damaged.json')], { LSMBENCH_DRIFT_FILE: driftFile });
    assert.equal(damaged.code, 0, damaged.stderr);
    assert.match(damaged.stderr, /^lsmbench: warning: ignoring .*drift\.json \(.*\); figures' intervals cover this run only$/m);
    assert.equal((await readResults(join(dir, 'damaged.json'))).drift, null);
  });

  it('a results path too long for the line is printed on a line of its own, whole', async () => {
    const dir = join(await scratchDir('lsmbench-cli-'), 'a-results-directory-with-a-name-long-enough-to-fill-the-line');
    const r = lsmbench(['run', '-e', 'memory', ...small, '-w', 'contains', '--results-dir', dir]);
    assert.equal(r.code, 0, r.stderr);
    const [file] = await readdir(dir);
    assert.match(r.stdout, new RegExp(`\\nResults:\\n {2}${join(dir, file!).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n$`));
  });

  it('with one process the ratio has no 95% CI and says so', () => {
    const r = lsmbench(['run', '-e', 'memory', '-e', 'memory', ...small, '-w', 'contains', '--no-save']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /│ Contains .*\d+\.\d\d×[^│]*│\s+too few samples/);
    assert.doesNotMatch(r.stdout, /×\s*(faster|slower|▲|▼)/);
  });

  it('--json prints the results file and nothing else', () => {
    const r = lsmbench(['run', '-e', 'memory', ...small, '-w', 'range-scan', '--json', '--no-save']);
    assert.equal(r.code, 0, r.stderr);
    const parsed = JSON.parse(r.stdout) as { schema: string; results: Array<{ workload: string; status: string }> };
    assert.equal(parsed.schema, 'lsmbench/results');
    assert.deepEqual(parsed.results.map((x) => [x.workload, x.status]), [['range-scan', 'verified']]);
  });

  it('a failing store fails its workloads, the others still run, exit code 1', () => {
    const env = { LSMBENCH_EXTRA_ENGINES: FIXTURES };
    const r = lsmbench(['run', '-e', 'test-throws-on-get', '-n', '6000', '-r', '1', '--warmup', '0', '--processes', '1', '-w', 'random-reads,contains', '--no-save'], env);
    assert.equal(r.code, 1, r.stderr);
    assert.match(unwrap(r.stdout), /FAILED test-throws-on-get Random Reads: the store threw: injected failure in get/);
    assert.match(r.stdout, /│ Contains .*│ yes/);
  });

  it('wrong answers and lost writes are reported as failed verification, never as figures', () => {
    const env = { LSMBENCH_EXTRA_ENGINES: FIXTURES };
    const r = lsmbench(['run', '-e', 'test-wrong-value', '-e', 'test-loses-writes', '-n', '6000', '-r', '1', '--warmup', '0', '--processes', '1', '-w', 'random-reads,random-writes', '--no-save'], env);
    assert.equal(r.code, 1);
    assert.match(unwrap(r.stdout), /FAILED test-wrong-value Random Reads: verification failed/);
    assert.match(unwrap(r.stdout), /FAILED test-loses-writes Random Writes: verification failed: key \d+ is missing/);
    assert.match(r.stdout, /│ (Random|Rand\.) Reads\s+│\s+FAILED │\s+FAILED │/);
  });

  it('a crashed or hung engine process fails that workload only', () => {
    const env = { LSMBENCH_EXTRA_ENGINES: FIXTURES };
    const crash = lsmbench(['run', '-e', 'test-crashes', '-n', '6000', '-r', '1', '--warmup', '0', '--processes', '1', '-w', 'sequential-writes', '--no-save'], env);
    assert.equal(crash.code, 1);
    assert.match(unwrap(crash.stdout), /the engine process was killed by SIGKILL during/);
    const hang = lsmbench(['run', '-e', 'test-hangs', '-n', '2000', '-r', '1', '--warmup', '0', '--processes', '1', '-w', 'deletions,contains', '--timeout', '2', '--no-save'], env);
    assert.equal(hang.code, 1);
    assert.match(unwrap(hang.stdout), /FAILED test-hangs Deletions: the engine process timed out after 2 s/);
    assert.match(hang.stdout, /│ Contains .*│ yes/);
  });

  it('bad input gets one clear line and exit code 2', async () => {
    assertUserError(lsmbench(['run', '--engine', 'nosuch']), /unknown engine 'nosuch'.*memory/);
    assertUserError(lsmbench(['run', '-e', 'memory', '-w', 'teleport']), /unknown workload 'teleport'/);
    // Checked before the run starts: a typo in --columns costs no run and saves no results file.
    const noRun = lsmbench(['run', '-e', 'memory', '-e', 'floor', '-w', 'contains', '--columns', 'ops:memory,ts']);
    assertUserError(noRun, /--columns: unknown column 'ts' \(this table has: operation, concurrency, ops:memory, ops:floor, ratio:floor/);
    assert.doesNotMatch(noRun.stdout, /Operation/, 'no table was printed: nothing ran');
    assertUserError(lsmbench(['run', '-e', 'memory', '--ops', '-5']), /--ops must be a positive integer/);
    assertUserError(lsmbench(['run', '-e', 'memory', '--ops', '0']), /--ops must be a positive integer/);
    assertUserError(lsmbench(['run', '-e', 'memory', '--value-size', 'big']), /--value-size must be a positive integer/);
    assertUserError(lsmbench(['run', '-e', 'memory', '--key-size', '3']), /key size 3 is too small/);
    assertUserError(lsmbench(['run', '-e', 'memory', '--durability', 'maybe']), /maybe.*(none|choices)/);
    assertUserError(lsmbench(['run', '-e', 'memory', '--durability', 'fsync']), /cannot honour durability 'fsync'/);
    assertUserError(lsmbench(['run', '-e', 'memory', '--scenario', 'nosuch']), /unknown scenario 'nosuch'/);
    assertUserError(lsmbench(['run', '-e', 'memory', '-o', 'cache=1']), /memory has no option 'cache' \(it takes no options\)/);
    assertUserError(lsmbench(['run', '-e', 'ts', '--engine-option', 'ts.nosuch=1']), /ts has no option 'nosuch' \(known: /);
    assertUserError(lsmbench(['run']), /--engine/);
    assertUserError(lsmbench(['frobnicate']), /unknown command/);
    const dir = await scratchDir('lsmbench-cli-');
    const bad = join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ name: 'bad', ops: 100, keySize: 16, valueSize: -1, durability: 'none' }));
    assertUserError(lsmbench(['run', '-e', 'memory', '--scenario', bad]), /scenario file .*bad\.json is invalid: valueSize: /);
    await writeFile(join(dir, 'file'), '');
    assertUserError(lsmbench(['run', '-e', 'memory', ...small, '--results-dir', join(dir, 'file', 'sub')]), /results directory .* is not writable/);
  });

  it('lists engines and scenarios', () => {
    const engines = lsmbench(['engines']);
    assert.equal(engines.code, 0);
    assert.match(engines.stdout, /│ memory\s+│ yes\s+│/);
    // The floor engine is marked a yardstick once, not "(yardstick) yardstick, ...".
    assert.match(engines.stdout, /│ floor .*yardstick/);
    assert.doesNotMatch(engines.stdout, /yardstick\)\s+yardstick/);
    const json = JSON.parse(lsmbench(['engines', '--json']).stdout) as Array<{ name: string; available: boolean }>;
    assert.ok(json.some((e) => e.name === 'memory' && e.available));
    const scenarios = lsmbench(['scenarios']);
    assert.equal(scenarios.code, 0);
    assert.match(scenarios.stdout, /seed\s+│\s+100,000/);
    const help = lsmbench(['run', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--durability <mode>/);
  });
});

describe('the rerun command in a results file', () => {
  it('reruns the same scenario, every flag included', async () => {
    const dir = await scratchDir('lsmbench-rerun-');
    const first = join(dir, 'first.json');
    const flags = ['-n', '1500', '-r', '1', '--warmup', '0', '-w', 'contains,ycsb-b', '--key-size', '18', '--value-size', '40', '--seed', '9', '--miss-ratio', '0.5',
      '--distribution', 'hotspot', '--zipfian-constant', '0.7', '--writes-per-read', '2', '--target-rate', '50000', '--batch', '3', '--timeout', '600', '--min-sample-ms', '2'];
    const r = lsmbench(['run', '-e', 'memory', ...flags, '--out', first]);
    assert.equal(r.code, 0, r.stderr);
    const results = await readResults(first);
    const words = results.rerun!.split(' ');
    assert.deepEqual(words.slice(0, 2), ['lsmbench', 'run']);
    assert.ok(words.every((w) => !w.startsWith("'")), `no quoting to undo: ${results.rerun}`);
    const second = join(dir, 'second.json');
    const again = lsmbench([...words.slice(1), '--out', second]);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual((await readResults(second)).scenario, results.scenario);
  });
});

describe('output into a pipe that closes early', () => {
  it('ends quietly when the reader stops (lsmbench engines | head -n 1)', () => {
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${CLI}" engines | head -n 1`], { encoding: 'utf8' });
    assert.equal(r.status, 0);
    assert.equal(r.stdout.split('\n').filter((l) => l !== '').length, 1);
    assert.doesNotMatch(r.stderr, /EPIPE|at .*\.js:\d+/);
  });
});

describe('progress on stderr', () => {
  const args = ['run', '-e', 'memory', ...small, '-w', 'sequential-writes,contains', '--no-save'];

  it('is quiet when stderr is not a terminal', () => {
    const r = lsmbench(args);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
  });

  // util-linux `script` gives the command a terminal, as a user's shell would.
  const script = spawnSync('script', ['--version'], { encoding: 'utf8' });
  it('shows on the terminal when stdout goes to a pipe (lsmbench run … | tee log), and not with --json', { skip: script.status !== 0 && 'needs util-linux script for a terminal' }, () => {
    const inTerminal = (extra: string[]): string => {
      const command = [process.execPath, CLI, ...args, ...extra].map((a) => `'${a}'`).join(' ');
      const r = spawnSync('script', ['-qec', `${command} | cat > /dev/null`, '/dev/null'], { encoding: 'utf8', env: { ...process.env, COLUMNS: '80', LINES: '50' }, timeout: 120_000 });
      assert.equal(r.status, 0, r.stderr);
      return r.stdout;
    };
    const seen = inTerminal([]);
    // In full words, or in short ones when the line would not fit the terminal.
    assert.match(seen, /\[1\/2(?: ·)? 0:\d\d(?:, time left: soon known)?\] memory 1\/1 · (?:Sequential|Seq\.) Writes 1\/2 · (?:repetition|rep) 1\/2/, 'job and workload counts, phase');
    assert.match(seen, /\[2\/2(?: ·)? 0:\d\d,? ~0:\d\d left\] memory 1\/1 · Contains 2\/2 · /, 'elapsed and time left once a job is done');
    assert.match(seen, /memory · Contains · [\d,]+ ops\/s/);
    assert.doesNotMatch(seen, /┌/, 'the table went to the pipe, not to the terminal');
    assert.doesNotMatch(inTerminal(['--json']), /\[1\/2|memory · /, '--json: no progress');
  });
});

describe('the README', () => {
  it("names only flags that `lsmbench run` has, with the short forms it has", async () => {
    const readme = await readFile(join(projectRoot(), 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### `lsmbench run`'), readme.indexOf('### Concurrency'));
    const help = lsmbench(['run', '--help']).stdout;
    const documented = [...section.matchAll(/^\| (.*?) \|/gm)].map((m) => m[1]!).filter((cell) => cell.startsWith('`'));
    assert.ok(documented.length > 10, 'the option table was found');
    for (const cell of documented)
      for (const m of cell.matchAll(/`(-\w), (--[\w-]+)|`(--[\w-]+)|\/ (-\w), (--[\w-]+)/g)) {
        const [short, long] = m[1] !== undefined ? [m[1], m[2]!] : m[4] !== undefined ? [m[4], m[5]!] : [undefined, m[3]!];
        // commander prints "-o, --engine-option <...>" for an option with a short form.
        assert.match(help, new RegExp(`(^|\\s)${short === undefined ? '' : `${short}, `}${long}\\b`, 'm'), `README's ${short ? `${short}, ` : ''}${long} is an option of run`);
      }
  });
});
