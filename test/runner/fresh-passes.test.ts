/**
 * Samples of write, delete and mixed workloads: passes on fresh stores until the sample lasts
 * --min-sample-ms, each pass prepared, settled and verified as a repetition is, through the
 * built binary.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readResults, type WorkloadResult } from '../../src/results.js';
import { FIXTURES, lsmbench } from '../cli-helpers.js';
import { HOUSEKEEPING_MS } from '../fixtures/misbehaving-engines.js';
import { MAX_FRESH_PASSES } from '../../src/runner/drivers.js';
import { scratchDir } from '../scratch.js';

/** Warm samples: a first pass in a cold process can take many times a warm one. */
const one = ['-r', '1', '--warmup', '1', '--processes', '1'];
const fixtures = { LSMBENCH_EXTRA_ENGINES: FIXTURES };

async function run(args: readonly string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; results: WorkloadResult[] }> {
  const out = join(await scratchDir('lsmbench-passes-'), 'run.json');
  const r = lsmbench(['run', ...args, '--out', out], env);
  assert.ok(r.code === 0 || r.code === 1, r.stderr + r.stdout);
  return { code: r.code, stdout: r.stdout, results: (await readResults(out)).results };
}

const byName = (results: WorkloadResult[], workload: string): WorkloadResult => results.find((r) => r.workload === workload)!;
/** Footnotes wrap at 80 columns with a two-space indent: read them as one line. */
const unwrap = (text: string): string => text.replace(/\n {2}/g, ' ');
const upperMedian = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

describe('samples of workloads that change the store', () => {
  it('repeat passes, each on a fresh store, until the sample lasts --min-sample-ms or holds MAX_FRESH_PASSES; ops/s counts every pass', async () => {
    const { code, results } = await run(['-e', 'memory', '-n', '1000', ...one, '--min-sample-ms', '8', '-w', 'sequential-writes,deletions,ycsb-a,read-while-writing']);
    assert.equal(code, 0);
    assert.equal(results.length, 4);
    for (const r of results) {
      assert.equal(r.status, 'verified', `${r.workload}: ${r.error}`);
      assert.equal(r.repetitions.length, 1);
      for (const x of r.repetitions) {
        assert.ok((x.passes ?? 1) > 1, `${r.workload}: a warm 1,000-op pass is far shorter than 8 ms, so a sample is several (${x.passes})`);
        assert.ok(x.passes! <= MAX_FRESH_PASSES, `${r.workload}: at most ${MAX_FRESH_PASSES} fresh passes (${x.passes})`);
        assert.ok(x.ms >= 8 || x.passes === MAX_FRESH_PASSES, `${r.workload}: the sample lasts the minimum (${x.ms} ms) unless it holds the most passes`);
        const expected = (r.unitsPerRepetition * x.passes! * 1000) / x.ms;
        assert.ok(Math.abs(x.opsPerSec - expected) <= 1e-9 * expected, `${r.workload}: ops/s = units × passes / ms`);
        assert.equal(typeof x.settleMs, 'number', `${r.workload}: settled after every pass`);
      }
    }
    const plain = await run(['-e', 'memory', '-n', '1000', ...one, '--min-sample-ms', '0', '-w', 'sequential-writes,deletions']);
    assert.ok(plain.results.every((r) => r.status === 'verified' && r.repetitions.every((x) => x.passes === 1)), 'with no minimum, one pass a sample');
  });

  it('count only the timed parts in ms; settle time is the sum over the passes; open and close are neither', async () => {
    // Open, settle and close each spin HOUSEKEEPING_MS; a put spins PUT_MS, so a pass of 500 takes about 1 ms.
    const { code, results } = await run(['-e', 'test-slow-housekeeping', '-n', '500', '-r', '1', '--warmup', '1', '--processes', '1', '--min-sample-ms', '5', '-w', 'sequential-writes'], fixtures);
    assert.equal(code, 0);
    for (const r of results) {
      assert.equal(r.status, 'verified', `${r.workload}: ${r.error}`);
      for (const x of r.repetitions) {
        const passes = x.passes ?? 1;
        assert.ok(passes > 1, `${r.workload}: several passes (${passes})`);
        assert.ok(x.ms / passes < HOUSEKEEPING_MS, `${r.workload}: ${x.ms} ms for ${passes} passes holds no open, settle or close`);
        assert.ok(x.settleMs! >= passes * HOUSEKEEPING_MS, `${r.workload}: settle ${x.settleMs} ms is every pass's (${passes} × ≥ ${HOUSEKEEPING_MS} ms)`);
      }
    }
  });

  it('verify every pass: a store that loses writes in the second pass of a sample fails the workload', async () => {
    // The fixture's second store (per process) drops every 1000th put. One pass a sample: the second repetition finds it.
    const single = await run(['-e', 'test-corrupts-second-store', '-n', '2000', ...one, '--min-sample-ms', '0', '-w', 'sequential-writes'], fixtures);
    assert.equal(single.code, 1);
    assert.match(single.results[0]!.error ?? '', /^verification failed: key \d+ is missing/);
    // One repetition of passes: the second pass's store is checked before the third pass, and fails it.
    const passes = await run(['-e', 'test-corrupts-second-store', '-n', '2000', '-r', '1', '--warmup', '0', '--processes', '1', '--min-sample-ms', '200', '-w', 'sequential-writes'], fixtures);
    assert.equal(passes.code, 1);
    const r = passes.results[0]!;
    assert.equal(r.status, 'failed');
    assert.equal(r.opsPerSec, null);
    assert.match(r.error ?? '', /^verification failed: pass 2 of a sample \(each pass on a fresh store\): key \d+ is missing/);
  });

  it('count the I/O of each pass\'s timed part and settle, not of its load or of the checks between passes', async () => {
    // ts in durability os writes every delete to its log: a pass's wchar is exact, and a load (1,000 puts) writes far more.
    const base = ['-e', 'ts', '-n', '1000', ...one, '--durability', 'os', '-w', 'deletions,sequential-writes'];
    const single = await run([...base, '--min-sample-ms', '0']);
    const many = await run([...base, '--min-sample-ms', '40']);
    for (const workload of ['deletions', 'sequential-writes']) {
      const a = byName(single.results, workload);
      const b = byName(many.results, workload);
      assert.equal(a.status, 'verified', a.error ?? '');
      assert.equal(b.status, 'verified', b.error ?? '');
      assert.ok(a.repetitions.every((x) => x.passes === 1));
      const passes = upperMedian(b.repetitions.map((x) => x.passes ?? 1));
      assert.ok(passes > 1, `${workload}: several passes (${passes})`);
      const perPass = a.resources!.io!.wchar;
      assert.ok(perPass > 0);
      // The median sample's wchar is its passes' timed parts and settles: passes × one pass's.
      const wchar = b.resources!.io!.wchar;
      assert.ok(Math.abs(wchar - passes * perPass) <= 0.01 * passes * perPass, `${workload}: ${wchar} bytes for ${passes} passes of ${perPass}`);
      assert.ok(Math.abs(b.resources!.writeAmplification! - a.resources!.writeAmplification!) <= 0.01 * a.resources!.writeAmplification!, `${workload}: write amplification per pass`);
    }
  });

  it('are one pass with a writer thread, and passes on fresh stores with client threads', async () => {
    const writer = await run(['-e', 'lmdb', '-n', '2000', ...one, '--min-sample-ms', '1000', '-w', 'read-while-writing', '--writer', 'thread']);
    assert.equal(writer.code, 0);
    const rww = writer.results[0]!;
    assert.equal(rww.writer, 'thread');
    assert.ok(rww.repetitions.every((x) => x.passes === 1 && x.ms < 1000), 'a writer thread\'s writes depend on its speed: one pass a sample');
    assert.match(unwrap(writer.stdout), /Samples under 1000 ms \(one pass each for a writer thread or an external engine, at most 4 on fresh stores; raise -n\): read-while-writing\./);
    // A threaded lmdb write takes tens of microseconds here: 200 of them are a few milliseconds.
    const clients = await run(['-e', 'lmdb', '-n', '200', ...one, '--min-sample-ms', '30', '--threads', '2', '-w', 'sequential-writes,deletions']);
    assert.equal(clients.code, 0);
    for (const r of clients.results) {
      assert.equal(r.status, 'verified', `${r.workload}: ${r.error}`);
      assert.equal(r.threads, 2);
      assert.ok(r.repetitions.every((x) => (x.passes ?? 1) > 1 && (x.ms >= 30 || x.passes === MAX_FRESH_PASSES) && typeof x.settleMs === 'number'), `${r.workload}: ${JSON.stringify(r.repetitions)}`);
    }
  });
});
