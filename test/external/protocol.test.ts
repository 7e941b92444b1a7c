/**
 * The external engine protocol: a correct engine's figures are accepted and verified; an
 * engine that crashes, hangs, prints malformed lines or reports answers it never read fails
 * its workload with a message that says which; the native C++ engine passes every workload.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { accessSync, constants } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { projectRoot } from '../../src/paths.js';
import { findEngine, lookupEngine, probeEngine } from '../../src/registry.js';
import { ResultsFileSchema } from '../../src/results.js';
import { prepareEngines, runScenario } from '../../src/runner/run.js';
import { loadScenarioFile, resolveScenario, WORKLOADS, type Scenario, type WorkloadName } from '../../src/scenario.js';
import { REGISTERED_EXTERNAL, externalCommand } from '../../src/external/driver.js';
import { expectedFigures, isProtocolWorkload, protocolWorkloads, type ProtocolWorkload } from '../../src/external/messages.js';
import { fairnessWarnings } from '../../src/format.js';
import { scratchDir } from '../scratch.js';

const fixture = (name: string): string => `external:${join(projectRoot(), 'test', 'external', 'fixtures', `${name}.mjs`)}`;
/** The workloads of protocol 1: what the v1 fixtures and rocksdb-cpp run. */
const V1_WORKLOADS = protocolWorkloads(1);

async function scenario(overrides: Partial<Scenario> = {}): Promise<Scenario> {
  const { source, file } = await loadScenarioFile('seed');
  const base = resolveScenario(source, file, { ops: 2000, keySize: 8, prefixLength: 6, scanLength: 100, repetitions: 2, warmup: 1, processes: 1, minSampleMs: 0 });
  return { ...base, workloads: [...V1_WORKLOADS], ...overrides };
}

let root: string;
before(async () => {
  root = await scratchDir('lsmbench-external-test-');
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

async function run(engine: string, sc: Scenario) {
  const prepared = await prepareEngines([{ name: engine, options: {} }], sc);
  const { results } = await runScenario(prepared, sc, { workRoot: root, keep: false });
  return { prepared, results };
}

describe('external engines: names', () => {
  it('resolves external:<path> and registered names, and explains what is missing', async () => {
    const missing = lookupEngine('external:/no/such/engine');
    assert.ok(missing !== undefined);
    const probe = await probeEngine(missing);
    assert.equal(probe.available, false);
    assert.match(probe.available ? '' : probe.reason, /\/no\/such\/engine is not an executable file/);
    assert.equal(lookupEngine('rocksdb-cpp')?.runs, 'external');
    assert.equal(findEngine('rocksdb-cpp'), undefined, 'a child process never opens an external engine');
    assert.equal(externalCommand('rocksdb-cpp'), join(projectRoot(), REGISTERED_EXTERNAL['rocksdb-cpp']!.path));
  });

  it('records the engine as it describes itself, with its own driving, labelled by its hello name', async () => {
    const [prepared] = await prepareEngines([{ name: fixture('reference'), options: {} }], await scenario({ durability: 'os' }));
    assert.equal(prepared!.run.label, 'reference-js');
    assert.equal(prepared!.run.name, fixture('reference'), 'the path stays recorded, for a rerun');
    assert.equal(prepared!.run.storeVersion, 'fake 0');
    assert.equal(prepared!.run.durabilityUsed, 'os');
    assert.match(prepared!.run.driving, /^external process, protocol 1: a JavaScript loop/);
  });
});

describe('external engines: a correct engine of protocol 1', () => {
  it('passes every workload, verified against the harness\'s own figures', async () => {
    const sc = await scenario({ missRatio: 0.25 });
    const { results } = await run(fixture('reference'), sc);
    assert.equal(results.length, V1_WORKLOADS.length);
    for (const r of results) {
      assert.equal(r.status, 'verified', `${r.workload}: ${r.error}`);
      assert.equal(r.repetitions.length, 2);
      assert.ok(r.opsPerSec !== null && r.opsPerSec.median > 0);
      assert.equal(r.latency, null, 'protocol v1 measures no latency: null, not a made-up figure');
      assert.equal(r.harnessOverheadNsPerOp, null);
      assert.ok(isProtocolWorkload(r.workload));
      assert.equal(r.unitsPerRepetition, expectedFigures(r.workload, sc).units);
    }
  });

  it('runs with batches, and the expected digests do not depend on the batch size', async () => {
    const sc = await scenario({ batch: 64, workloads: ['random-writes', 'deletions'] });
    const { results } = await run(fixture('reference'), sc);
    for (const r of results) assert.equal(r.status, 'verified', `${r.workload}: ${r.error}`);
  });

  it('expects different answers from different seeds', async () => {
    const a = expectedFigures('random-reads', await scenario());
    const b = expectedFigures('random-reads', await scenario({ seed: 7 }));
    assert.notEqual(a.digest, b.digest);
    assert.notEqual(a.getDigest, b.getDigest);
    assert.equal(expectedFigures('deletions', await scenario()).found, 0);
  });
});

describe('external engines: failures', () => {
  const one = (workload: WorkloadName, extra: Partial<Scenario> = {}) => scenario({ workloads: [workload], ...extra });

  it('reports malformed output as a failed engine', async () => {
    const { results } = await run(fixture('malformed'), await one('sequential-reads'));
    assert.equal(results[0]!.status, 'failed');
    assert.match(results[0]!.error!, /^malformed output: line 3 is not JSON: loaded 100 keys/);
    assert.equal(results[0]!.opsPerSec, null);
  });

  it('reports a crash as a failed engine, with the signal, the phase and its last stderr line', async () => {
    const { results } = await run(fixture('crash'), await one('random-writes'));
    assert.equal(results[0]!.status, 'failed');
    assert.match(results[0]!.error!, /crashed: killed by SIGSEGV during 'repetition 1\/1'; its last stderr line: fake engine: about to crash/);
  });

  it('reports a hang as a failed engine after the timeout', async () => {
    const started = Date.now();
    const { results } = await run(fixture('hang'), await one('contains', { timeoutSeconds: 1 }));
    assert.ok(Date.now() - started < 10_000, 'the hung engine was killed at its time limit');
    assert.equal(results[0]!.status, 'failed');
    assert.match(results[0]!.error!, /hung: no result after 1 s, killed during 'loading'/);
  });

  it('fails a workload whose reported answers do not match, and shows no throughput', async () => {
    const { results } = await run(fixture('wrong'), await one('random-reads'));
    assert.equal(results[0]!.status, 'failed');
    assert.match(results[0]!.error!, /^verification failed: repetition 0: the answers of the timed part do not match/);
    assert.equal(results[0]!.opsPerSec, null);
    assert.deepEqual(results[0]!.repetitions, []);
  });
});

describe('external engines: workloads beyond the protocol', () => {
  it('fails a protocol 1 engine asked for a YCSB workload, as that engine\'s failure, without starting it; the others still run', async () => {
    const sc = await scenario({ workloads: ['ycsb-a', 'contains'] });
    const prepared = await prepareEngines([{ name: fixture('crash'), options: {} }, { name: fixture('reference'), options: {} }], sc);
    const { results } = await runScenario(prepared, sc, { workRoot: root, keep: false });
    const ycsb = results.filter((r) => r.workload === 'ycsb-a');
    assert.equal(ycsb.length, 2);
    for (const r of ycsb) {
      assert.equal(r.status, 'failed');
      assert.match(r.error!, /^the engine speaks protocol 1, which does not define the workload 'ycsb-a' \(protocol 2 does; protocol 1 defines: sequential-writes, /);
    }
    // The crash fixture crashes when it runs: a clean failure above means it was never started.
    assert.equal(results.find((r) => r.workload === 'contains' && r.engine === 'reference-js')?.status, 'verified');
  });

  it('fails a workload no protocol version defines (read-while-writing)', async () => {
    const { results } = await run(fixture('crash'), await scenario({ workloads: ['read-while-writing'] }));
    assert.equal(results[0]!.status, 'failed');
    assert.match(results[0]!.error!, /^no protocol version defines the workload 'read-while-writing'/);
    for (const w of WORKLOADS) if (w !== 'read-while-writing') assert.ok(isProtocolWorkload(w), `${w} is in protocol 2`);
  });
});

describe('fairness warnings', () => {
  it('warn when engines were driven differently', async () => {
    const sc = await scenario({ workloads: ['contains'] });
    const [a] = await prepareEngines([{ name: 'memory', options: {} }], sc);
    const [b] = await prepareEngines([{ name: 'memory', options: {} }], { ...sc, batch: 100 });
    assert.deepEqual(fairnessWarnings([a!.run, a!.run]).filter((w) => /driven differently/.test(w)), []);
    const warnings = fairnessWarnings([a!.run, { ...b!.run, label: 'memory#2' }]);
    assert.ok(warnings.some((w) => /driven differently.*memory#2: synchronous calls, writes and deletes in atomic batches of 100/.test(w)), warnings.join('\n'));
  });
});

describe('the native C++ RocksDB engine (rocksdb-cpp)', () => {
  let built = true;
  try {
    accessSync(externalCommand('rocksdb-cpp'), constants.X_OK);
  } catch {
    built = false;
  }
  const skip = built ? false : `not built: run 'npm run build:native' (${externalCommand('rocksdb-cpp')} is missing)`;

  it('runs every workload of protocol 2 through the protocol, verified, with latency figures', { skip }, async () => {
    const sc = await scenario({ missRatio: 0.1, durability: 'os', workloads: [...protocolWorkloads(2)], repetitions: 1 });
    const { prepared, results } = await run('rocksdb-cpp', sc);
    assert.match(prepared[0]!.run.storeVersion, /^RocksDB \d+\.\d+\.\d+/);
    assert.match(prepared[0]!.run.driving, /^external process, protocol 2: /);
    assert.equal(results.length, 14);
    for (const r of results) {
      assert.equal(r.status, 'verified', `${r.workload}: ${r.error}`);
      assert.equal(r.storeStats?.durability, 'os');
      assert.equal(r.latency?.calls, expectedFigures(r.workload as ProtocolWorkload, sc).calls, `${r.workload}: a latency sample per call`);
    }
    // The results fit the results file schema like any engine's.
    ResultsFileSchema.shape.results.parse(results);
  });

  it('honours every durability mode and batches', { skip }, async () => {
    for (const durability of ['none', 'fsync'] as const) {
      const sc = await scenario({ durability, batch: 50, repetitions: 1, warmup: 0, workloads: ['sequential-writes', 'deletions'], ops: 500 });
      const { results } = await run('rocksdb-cpp', sc);
      for (const r of results) {
        assert.equal(r.status, 'verified', `${durability} ${r.workload}: ${r.error}`);
        assert.match(String(r.storeStats?.writeOptions), durability === 'none' ? /disableWAL=true/ : /sync=true/);
      }
    }
  });

  it('reports a bad engine option as the engine\'s error', { skip }, async () => {
    const sc = await scenario({ workloads: ['contains'], repetitions: 1, warmup: 0 });
    const prepared = await prepareEngines([{ name: 'rocksdb-cpp', options: { compression: 'brotli' } }], sc);
    const { results } = await runScenario(prepared, sc, { workRoot: root, keep: false });
    assert.equal(results[0]!.status, 'failed');
    assert.match(results[0]!.error!, /the engine reported an error during 'starting': option compression must be none, snappy, lz4 or zstd/);
  });
});
