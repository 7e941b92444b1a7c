/**
 * Protocol 2: the YCSB workloads handed over as a sequence file and verified like the
 * others; the latency pass, whose samples become the latency figures and whose every
 * figure is bounded by what the driver saw (impossible ones refused); and the two starter
 * engines (engines/external/examples), run through every workload at a small N.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { accessSync, constants, readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { projectRoot } from '../../src/paths.js';
import { prepareEngines, runScenario, type PreparedEngine } from '../../src/runner/run.js';
import { ResultsFileSchema } from '../../src/results.js';
import { loadScenarioFile, resolveScenario, type Scenario, type WorkloadName } from '../../src/scenario.js';
import { expectedFigures, protocolWorkloads, type ProtocolWorkload } from '../../src/external/messages.js';
import { OP_READ, OP_SCAN, decideSequence } from '../../src/mixed-sequence.js';
import { scratchDir } from '../scratch.js';
import { lsmbench } from '../cli-helpers.js';

const fixture = (name: string): string => `external:${join(projectRoot(), 'test', 'external', 'fixtures', `${name}.mjs`)}`;
const PYTHON_STARTER = join(projectRoot(), 'engines', 'external', 'examples', 'python', 'engine.py');
const CPP_STARTER = join(projectRoot(), 'engines', 'external', 'examples', 'cpp', 'build', 'lsmbench-cpp-starter');
const hello = { type: 'hello', protocol: 2, name: 'scripted-v2', storeVersion: 'fake 0', durability: ['none', 'os', 'fsync'], operations: { put: 'native', get: 'native', delete: 'native', has: 'native', batch: 'native', range: 'native', prefix: 'native' }, driving: 'a script' };

let root: string;
let scriptNo = 0;
let scripted: PreparedEngine | undefined;
before(async () => {
  root = await scratchDir('lsmbench-external-v2-test-');
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

async function scenario(overrides: Partial<Scenario> = {}): Promise<Scenario> {
  const { source, file } = await loadScenarioFile('seed');
  const base = resolveScenario(source, file, { ops: 300, keySize: 8, prefixLength: 6, scanLength: 50, repetitions: 2, warmup: 0, processes: 1, minSampleMs: 0, workloads: ['ycsb-d'] });
  return { ...base, workloads: ['ycsb-a'], ...overrides };
}

/** The lines a correct protocol 2 engine prints for the scenario's first workload, with a latency pass whose samples are `samples`. */
function goodScript(sc: Scenario, samples: (calls: number) => number[], end: Partial<Record<string, unknown>> = {}): string[] {
  const e = expectedFigures(sc.workloads[0] as ProtocolWorkload, sc);
  const lines: object[] = [hello];
  for (let i = 0; i < sc.repetitions; i++) lines.push({ type: 'repetition', index: i, warmup: false, ms: 0.05, units: e.units, digest: e.digest, settleMs: e.mutates ? 0 : null });
  const ns = samples(e.calls);
  for (let at = 0; at < ns.length; at += 100) lines.push({ type: 'latency', ns: ns.slice(at, at + 100) });
  lines.push({ type: 'latency-end', units: e.units, digest: e.digest, settleMs: e.mutates ? 0 : null, timerNs: 20, ...end });
  lines.push({ type: 'verify', found: e.found, getDigest: e.getDigest, scanned: e.scanned, scanDigest: e.scanDigest }, { type: 'done' });
  return lines.map((l) => JSON.stringify(l));
}

async function runScript(sc: Scenario, lines: readonly string[]) {
  const script = join(root, `script-${scriptNo++}.json`);
  await writeFile(script, JSON.stringify(lines));
  scripted ??= (await prepareEngines([{ name: fixture('scripted-v2'), options: {} }], sc))[0]!;
  const prepared = [{ ...scripted, run: { ...scripted.run, options: { script } } }];
  const { results } = await runScenario(prepared, sc, { workRoot: root, keep: false });
  assert.equal(results.length, 1);
  const request = JSON.parse(readFileSync(`${script}.request`, 'utf8')) as Record<string, unknown>;
  return { result: results[0]!, request };
}

const ramp = (calls: number): number[] => Array.from({ length: calls }, (_, c) => 100 + c);

describe('protocol 2: the request', () => {
  it('hands a YCSB workload over as a sequence file of the decided operations, and asks for the latency pass', async () => {
    const sc = await scenario({ workloads: ['ycsb-e'], targetRate: 1e9 });
    const seq = decideSequence('ycsb-e', sc);
    // Read the file while the engine runs: the driver removes it afterwards.
    const script = goodScript(sc, ramp);
    const { result, request } = await runScript(sc, script);
    assert.equal(result.status, 'verified', result.error ?? '');
    assert.equal(request.protocol, 2);
    assert.equal(request.latency, true);
    assert.equal((request.scenario as { targetRate: number }).targetRate, 1e9);
    const sequence = request.sequence as { file: string; operations: number; records: number };
    assert.equal(sequence.operations, 300);
    assert.equal(sequence.records, seq.finalCount);
    assert.ok(seq.finalCount > 300, 'ycsb-e inserts');
    assert.throws(() => readFileSync(sequence.file), /ENOENT/, 'the sequence file is removed after the run');
  });

  it('writes one "letter record argument" line per operation', async () => {
    const { writeSequenceFile } = await import('../../src/external/messages.js');
    const sc = await scenario();
    for (const workload of ['ycsb-e', 'ycsb-f'] as const) {
      const seq = decideSequence(workload, sc);
      const file = join(root, `${workload}.sequence`);
      await writeSequenceFile(file, seq);
      const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
      assert.equal(lines.length, seq.calls);
      lines.forEach((line, c) => {
        const [letter, record, argument] = line.split(' ');
        assert.equal(letter, 'ruism'[seq.types[c]!]);
        assert.equal(Number(record), seq.records[c]);
        assert.equal(Number(argument), seq.argument[c]);
        if (seq.types[c] === OP_READ) assert.equal(argument, '0');
        if (seq.types[c] === OP_SCAN) assert.ok(Number(argument) >= 1 && Number(argument) <= sc.maxScanLength);
      });
    }
  });

  it('a YCSB workload\'s expected figures follow its model: reads of later versions, records inserted', async () => {
    const sc = await scenario();
    const a = expectedFigures('ycsb-a', sc);
    assert.equal(a.mutates, true);
    assert.equal(a.units, 300);
    assert.equal(a.calls, 300);
    assert.notEqual(a.getDigest, expectedFigures('ycsb-c', sc).getDigest, 'updates change the values read back');
    assert.equal(expectedFigures('ycsb-c', sc).mutates, false);
    const d = expectedFigures('ycsb-d', sc);
    assert.equal(d.found, d.sequence!.finalCount);
    assert.ok(d.found > 300);
    assert.equal(expectedFigures('range-scan', sc).calls, 6, 'one call per scan');
    assert.equal(expectedFigures('random-writes', { ...sc, batch: 64 }).calls, 5, 'one call per batch');
    assert.equal(expectedFigures('random-writes', { ...sc, batch: 64 }).per, 'batch of 64');
  });
});

describe('protocol 2: the latency pass', () => {
  it('turns the samples into percentiles, and per operation type for YCSB', async () => {
    const sc = await scenario();
    const { result } = await runScript(sc, goodScript(sc, ramp));
    assert.equal(result.status, 'verified', result.error ?? '');
    const lat = result.latency!;
    assert.equal(lat.calls, 300);
    assert.equal(lat.p50Ns, 100 + 149.5);
    assert.equal(lat.maxNs, 399);
    assert.equal(lat.timerOverheadNs, 20);
    assert.match(lat.method, /^instrumented pass made by the engine \(protocol 2\), closed loop/);
    const byOp = result.latencyByOperation!;
    assert.deepEqual(Object.keys(byOp).sort(), ['read', 'update']);
    assert.equal(byOp.read!.calls + byOp.update!.calls, 300);
  });

  it('a workload of another process (--processes) asks for no latency pass and records none', async () => {
    const sc = await scenario({ workloads: ['ycsb-c'] });
    const e = expectedFigures('ycsb-c', sc);
    const lines = goodScript(sc, ramp).filter((l) => !/"latency/.test(l));
    const script = join(root, `script-${scriptNo++}.json`);
    await writeFile(script, JSON.stringify(lines));
    scripted ??= (await prepareEngines([{ name: fixture('scripted-v2'), options: {} }], sc))[0]!;
    const { loaded } = scripted;
    assert.ok(loaded.runs === 'external');
    const r = await loaded.engine.runWorkload({ ...jobFor(sc, 'ycsb-c', script), latencyPass: false }, () => undefined);
    assert.equal(r.status, 'verified', r.error ?? '');
    assert.equal(r.latency, null);
    assert.equal(r.unitsPerRepetition, e.units);
  });

  const failing: Array<[string, (sc: Scenario) => Promise<string[]> | string[], RegExp, Partial<Scenario>?]> = [
    ['a sample of 0 ns (a coarse clock)', (sc) => goodScript(sc, (n) => ramp(n).map((x, c) => (c === 7 ? 0 : x))), /^impossible figure: latency sample 7 is 0 ns, under 1 ns a call/],
    ['a negative sample', (sc) => goodScript(sc, (n) => ramp(n).map((x, c) => (c === 0 ? -5 : x))), /^impossible figure: latency sample 0 is -5 ns/],
    ['samples adding up to more time than the engine ran', (sc) => goodScript(sc, (n) => ramp(n).map(() => 1e12)), /^impossible figure: the latency pass's first 100 samples add up to 1\.000e\+8 ms/],
    ['one sample too few', (sc) => goodScript(sc, (n) => ramp(n - 1)), /^verification failed: the latency pass reported 299 samples, expected 300 \(one per operation\)/],
    ['one sample too many', (sc) => goodScript(sc, (n) => ramp(n + 1)), /^verification failed: the latency pass reported more than 300 samples/],
    ['a clock read dearer than the slowest call', (sc) => goodScript(sc, ramp, { timerNs: 1000 }), /^impossible figure: a clock read costs 1000 ns, more than the slowest timed call \(399 ns\)/],
    ['answers of the pass that do not match', (sc) => goodScript(sc, ramp, { digest: 12345 }), /^verification failed: the latency pass: the answers of the timed part do not match/],
    ['an open-loop pass reported sooner than its schedule allows', (sc) => goodScript(sc, ramp), /^impossible figure: 300 calls at 10 calls\/s take at least 2\.990e\+4 ms/, { targetRate: 10 }],
    ['an open-loop sample longer than the engine had run', (sc) => goodScript(sc, (n) => ramp(n).map((x, c) => (c === 3 ? 1e13 : x))), /^impossible figure: a latency sample of 1\.000e\+7 ms after/, { targetRate: 1e6 }],
    ['verify before the pass ended', (sc) => goodScript(sc, ramp).filter((l) => !/latency-end/.test(l)), /^protocol error: 'verify' before the latency pass's 'latency-end'/],
    ['samples before the repetitions ended', (sc) => {
      const lines = goodScript(sc, ramp);
      const sample = lines.findIndex((l) => /"type":"latency"/.test(l));
      return [lines[0]!, lines[sample]!, ...lines.slice(1)];
    }, /^protocol error: 'latency' after 0 of 2 repetitions/],
  ];
  for (const [what, script, error, overrides] of failing)
    it(`refuses ${what}`, async () => {
      const sc = await scenario(overrides);
      const { result } = await runScript(sc, await script(sc));
      assert.equal(result.status, 'failed');
      assert.match(result.error!, error);
      assert.equal(result.latency, null);
      assert.equal(result.opsPerSec, null);
    });

  it('refuses latency messages from an engine that described itself as protocol 1', async () => {
    const sc = await scenario({ workloads: ['random-reads'] });
    const v1 = goodScript(sc, ramp).map((l) => l.replace('"protocol":2', '"protocol":1'));
    const script = join(root, `script-${scriptNo++}.json`);
    await writeFile(script, JSON.stringify(v1));
    const [engine] = await prepareEngines([{ name: fixture('scripted'), options: {} }], sc);
    const { results } = await runScenario([{ ...engine!, run: { ...engine!.run, options: { script } } }], sc, { workRoot: root, keep: false });
    assert.equal(results[0]!.status, 'failed');
    assert.match(results[0]!.error!, /^protocol error: 'latency' is a protocol 2 message, and the engine speaks protocol 1/);
  });

  it('refuses a YCSB repetition whose answers differ from the model\'s', async () => {
    const sc = await scenario({ workloads: ['ycsb-f'] });
    const lines = goodScript(sc, ramp).map((l, i) => (i === 1 ? l.replace(/"digest":\d+/, '"digest":7') : l));
    const { result } = await runScript(sc, lines);
    assert.equal(result.status, 'failed');
    assert.match(result.error!, /^verification failed: repetition 0: the answers of the timed part do not match/);
  });
});

function jobFor(sc: Scenario, workload: WorkloadName, script: string) {
  return { engine: fixture('scripted-v2'), label: 'scripted-v2', workload, point: null, scenario: sc, durability: 'none' as const, options: { script }, workDir: join(root, `job-${scriptNo++}`), keep: false };
}

/** Whether an executable is there, or why a test of it is skipped. */
function skipUnless(path: string, how: string): string | false {
  try {
    accessSync(path, constants.X_OK);
    return false;
  } catch {
    return `not built: ${how} (${path} is missing)`;
  }
}

describe('the starter engines (engines/external/examples)', () => {
  const starters = [
    { name: 'python', path: PYTHON_STARTER, label: 'python-starter', skip: skipUnless(PYTHON_STARTER, 'it needs python3') },
    { name: 'C++', path: CPP_STARTER, label: 'cpp-starter', skip: skipUnless(CPP_STARTER, "run 'npm run build:native'") },
  ];
  for (const starter of starters)
    it(`${starter.name}: the eight document workloads and ycsb-e, batched writes and misses, verified with latency figures`, { skip: starter.skip }, async () => {
      const sc = await scenario({ ops: 1200, keySize: 8, workloads: [...protocolWorkloads(1), 'ycsb-e'], batch: 16, missRatio: 0.2, repetitions: 1, warmup: 1 });
      const prepared = await prepareEngines([{ name: `external:${starter.path}`, options: {} }], sc);
      assert.equal(prepared[0]!.run.label, starter.label, 'labelled by its hello name');
      const { results } = await runScenario(prepared, sc, { workRoot: root, keep: false });
      assert.equal(results.length, 9);
      for (const r of results) {
        assert.equal(r.status, 'verified', `${r.workload}: ${r.error}`);
        assert.equal(r.engine, starter.label);
        const e = expectedFigures(r.workload as ProtocolWorkload, sc);
        assert.equal(r.latency?.calls, e.calls, `${r.workload}: one sample per call`);
        assert.ok(r.latency!.p50Ns >= 1 && r.latency!.p50Ns <= r.latency!.p99Ns && r.latency!.p99Ns <= r.latency!.maxNs, `${r.workload}: ${JSON.stringify(r.latency)}`);
        assert.equal(r.latency!.per, e.per);
      }
      assert.ok(results.find((r) => r.workload === 'ycsb-e')!.latencyByOperation?.scan !== undefined);
      ResultsFileSchema.shape.results.parse(results);
    });

  it('lsmbench run: both starters side by side on the document workloads and ycsb-b, every result verified with its latency', { skip: starters[0]!.skip || starters[1]!.skip }, () => {
    const r = lsmbench(['run', '--engine', `external:${PYTHON_STARTER}`, '--engine', `external:${CPP_STARTER}`, '--label', 'cpp', '-w', 'document,ycsb-b', '-n', '500', '--processes', '1', '-r', '1', '--no-save', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const file = ResultsFileSchema.parse(JSON.parse(r.stdout));
    assert.deepEqual(file.engines.map((e) => e.label), ['python-starter', 'cpp']);
    assert.equal(file.results.length, 18);
    for (const x of file.results) {
      assert.equal(x.status, 'verified', `${x.engine} ${x.workload}: ${x.error}`);
      assert.ok(x.latency !== null && x.latency.calls > 0, `${x.engine} ${x.workload} has latency figures`);
      assert.equal(x.storeStats?.protocol, 2);
    }
  });

  for (const starter of starters)
    it(`${starter.name}: every YCSB workload, and an open-loop latency pass`, { skip: starter.skip }, async () => {
      const sc = await scenario({ ops: 600, workloads: ['ycsb-a', 'ycsb-b', 'ycsb-c', 'ycsb-d', 'ycsb-e', 'ycsb-f'], repetitions: 1, targetRate: 200_000 });
      const prepared = await prepareEngines([{ name: `external:${starter.path}`, options: {} }], sc);
      const { results } = await runScenario(prepared, sc, { workRoot: root, keep: false });
      for (const r of results) {
        assert.equal(r.status, 'verified', `${r.workload}: ${r.error}`);
        assert.match(r.latency!.method, /open loop at 200000 calls\/s/);
      }
    });
});
