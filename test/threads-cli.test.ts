/** `lsmbench run --threads` and read-while-writing's writer thread, through the built binary. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { join } from 'node:path';
import { readResults } from '../src/results.js';
import { lsmbench, assertUserError, FIXTURES } from './cli-helpers.js';
import { scratchDir } from './scratch.js';





const tiny = ['-n', '3000', '-r', '1', '--warmup', '0', '--processes', '1'];

describe('lsmbench run --threads', () => {
  it('on lmdb and sqlite: every document workload verified, with the same operations as one thread', async () => {
    const dir = await scratchDir('lsmbench-threads-');
    const one = join(dir, 'one.json');
    const two = join(dir, 'two.json');
    const a = lsmbench(['run', '-e', 'lmdb', '-e', 'sqlite', ...tiny, '--threads', '1', '--out', one]);
    assert.equal(a.code, 0, a.stderr + a.stdout);
    const b = lsmbench(['run', '-e', 'lmdb', '-e', 'sqlite', ...tiny, '--threads', '2', '--out', two]);
    assert.equal(b.code, 0, b.stderr + b.stdout);
    assert.match(b.stdout.replace(/\n {2}/g, ' '), /2 client threads/, 'the scenario line (wrapped at 80 columns) names the threads');
    assert.match(b.stdout, /│ Concurrency │/);
    assert.match(b.stdout, /│ Sequential Writes\s+│ 2 threads\s+│/);
    assert.doesNotMatch(a.stdout, /Concurrency/, 'no concurrency column when every row ran one call at a time');
    const single = await readResults(one);
    const threaded = await readResults(two);
    assert.equal(threaded.scenario.threads, 2);
    assert.equal(single.scenario.threads, 1);
    assert.equal(threaded.results.length, 16);
    for (const r of threaded.results) {
      assert.equal(r.status, 'verified', `${r.engine} ${r.workload}: ${r.error}`);
      assert.equal(r.threads, 2);
      const s = single.results.find((x) => x.engine === r.engine && x.workload === r.workload)!;
      assert.equal(r.unitsPerRepetition, s.unitsPerRepetition, `${r.engine} ${r.workload}: same operations in 2 threads as in 1`);
      assert.equal(r.latency?.calls, s.latency?.calls, `${r.engine} ${r.workload}: every call timed once`);
      assert.match(r.verification.detail, /2 client threads/);
    }
    for (const e of threaded.engines) {
      assert.match(e.driving, /from 2 client threads/);
      assert.equal(e.threads?.shared, true);
    }
  });

  it('fails, and never reports a figure, when threads do not in fact share the store', async () => {
    const dir = await scratchDir('lsmbench-threads-');
    const out = join(dir, 'claims.json');
    const r = lsmbench(['run', '-e', 'test-claims-shared', '-n', '20000', '-r', '1', '--warmup', '0', '--processes', '1', '-w', 'random-reads,sequential-writes,contains', '--threads', '2', '--out', out], { LSMBENCH_EXTRA_ENGINES: FIXTURES });
    assert.equal(r.code, 1, r.stderr + r.stdout);
    const file = await readResults(out);
    for (const w of file.results) {
      assert.equal(w.status, 'failed', `${w.workload} must fail`);
      assert.equal(w.opsPerSec, null);
      assert.match(w.error ?? '', /verification failed/);
    }
  });

  it('reports a client thread that throws as a failed workload, without leaving the other threads waiting', async () => {
    const dir = await scratchDir('lsmbench-threads-');
    const out = join(dir, 'throws.json');
    const started = Date.now();
    const r = lsmbench(['run', '-e', 'test-shared-throws', '-n', '20000', '-r', '1', '--warmup', '0', '--processes', '1', '-w', 'random-reads', '--threads', '2', '--timeout', '120', '--out', out], { LSMBENCH_EXTRA_ENGINES: FIXTURES });
    assert.equal(r.code, 1, r.stderr + r.stdout);
    const [w] = (await readResults(out)).results;
    assert.equal(w!.status, 'failed');
    assert.match(w!.error ?? '', /the store threw: injected failure in get/);
    assert.ok(Date.now() - started < 100_000, 'no thread was left blocked until the timeout');
  });

  it('refuses an engine whose store threads cannot share, in one line naming it and why', () => {
    assertUserError(lsmbench(['run', '-e', 'ts', ...tiny, '--threads', '2', '--no-save']), /engine 'ts' cannot run with --threads 2: .*JavaScript heap/);
    // Among several engines, the run is refused before anything runs, naming the one that cannot.
    assertUserError(lsmbench(['run', '-e', 'lmdb', '-e', 'leveldb', ...tiny, '--threads', '2', '--no-save']), /engine 'leveldb' cannot run with --threads 2: .*LOCK/);
  });

  it('refuses --threads for the mixed workloads, which are checked against a sequential model', () => {
    assertUserError(lsmbench(['run', '-e', 'lmdb', ...tiny, '-w', 'ycsb-a', '--threads', '2', '--no-save']), /--threads 2 applies to the document workloads only: ycsb-a/);
    assertUserError(lsmbench(['run', '-e', 'lmdb', ...tiny, '--threads', '0', '--no-save']), /--threads must be a positive integer/);
  });
});

describe('read-while-writing with a writer thread', () => {
  it('on lmdb: the writer runs in its own thread, every read is checked, and the results say so', async () => {
    const dir = await scratchDir('lsmbench-writer-');
    const out = join(dir, 'rww.json');
    const r = lsmbench(['run', '-e', 'lmdb', '-e', 'memory', '-n', '3000', '-r', '2', '--warmup', '0', '--processes', '1', '-w', 'read-while-writing', '--out', out]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /lmdb: reader \+ writer thread/);
    const file = await readResults(out);
    const lmdb = file.results.find((x) => x.engine === 'lmdb')!;
    assert.equal(lmdb.status, 'verified', lmdb.error ?? '');
    assert.equal(lmdb.writer, 'thread');
    assert.ok(lmdb.writerOpsPerSec !== undefined && lmdb.writerOpsPerSec.median > 0, 'the writer thread wrote');
    assert.match(lmdb.verification.detail, /every read checked against the versions its record held/);
    assert.equal(lmdb.unitsPerRepetition, 3000, 'only the reads count');
    const memory = file.results.find((x) => x.engine === 'memory')!;
    assert.equal(memory.status, 'verified');
    assert.equal(memory.writer, 'interleaved', 'an engine threads cannot share keeps its writes between the reads');
  });

  it('paces the writer thread at --writer-rate', async () => {
    const dir = await scratchDir('lsmbench-writer-');
    const out = join(dir, 'paced.json');
    const r = lsmbench(['run', '-e', 'lmdb', '-n', '3000', '-r', '2', '--warmup', '0', '--processes', '1', '-w', 'read-while-writing', '--writer-rate', '2000', '--out', out]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const lmdb = (await readResults(out)).results[0]!;
    assert.equal(lmdb.status, 'verified', lmdb.error ?? '');
    assert.equal((await readResults(out)).scenario.writerRate, 2000);
    // A pace is a ceiling: whatever the machine, the writer never runs ahead of its schedule (one write of slack).
    assert.ok(lmdb.writerOpsPerSec!.max <= 2000 * 1.05 + 1000 / Math.min(...lmdb.repetitions.map((x) => x.ms)), `at most 2,000 writes/s, got ${lmdb.writerOpsPerSec!.max}`);
    assertUserError(lsmbench(['run', '-e', 'lmdb', ...tiny, '-w', 'read-while-writing', '--writer', 'interleaved', '--writer-rate', '100', '--no-save']), /--writer-rate paces the writer thread/);
  });

  it('refuses --writer thread on an engine threads cannot share', () => {
    assertUserError(lsmbench(['run', '-e', 'ts', ...tiny, '-w', 'read-while-writing', '--writer', 'thread', '--no-save']), /engine 'ts' cannot run read-while-writing with --writer thread/);
  });
});

describe('lsmbench gate --baseline on a --threads baseline', () => {
  it('reruns it with the same threads and batching, so the rerun repeats its scenario', async () => {
    const dir = await scratchDir('lsmbench-threads-gate-');
    const base = join(dir, 'base.json');
    const r = lsmbench(['run', '-e', 'lmdb', ...tiny, '-r', '5', '--threads', '4', '--batch', '2', '-w', 'sequential-reads', '--out', base]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.equal((await readResults(base)).scenario.threads, 4);
    const gate = lsmbench(['gate', '--baseline', base, '--json']);
    assert.ok(gate.code === 0 || gate.code === 1, `the gate judged (exit ${gate.code}): ${gate.stderr}`);
    const json = JSON.parse(gate.stdout) as { notes: string[]; decision: { workloads: unknown[] } | null };
    assert.deepEqual(json.notes.filter((n) => /did not repeat/.test(n)), [], 'the rerun repeated the baseline scenario');
    assert.ok(json.decision !== null);
    // With --strict a rerun that differed would refuse; it must not.
    const strict = lsmbench(['gate', '--baseline', base, '--strict']);
    assert.doesNotMatch(strict.stdout, /did not repeat/);
  });
});
