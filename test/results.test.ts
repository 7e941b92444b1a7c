import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureWritableDir, readResults, resultsFileName, writeResultsFile, RESULTS_SCHEMA, type ResultsFile } from '../src/results.js';
import { describeEnvironment } from '../src/environment.js';
import { loadScenarioFile, resolveScenario } from '../src/scenario.js';
import { seededRandom as rng } from './seeded.js';
import { scratchDir } from './scratch.js';
import { summarize } from '../src/stats.js';
import { UserError } from '../src/errors.js';

async function sample(): Promise<ResultsFile> {
  const { source, file } = await loadScenarioFile('seed');
  const scenario = resolveScenario(source, file, { ops: 10 });
  return {
    schema: RESULTS_SCHEMA,
    version: 1,
    id: 'test',
    createdAt: new Date(0).toISOString(),
    rerun: 'lsmbench run --engine memory',
    published: null,
    environment: describeEnvironment(),
    scenario: { ...scenario, workloads: [...scenario.workloads] },
    sweep: null,
    engines: [],
    results: [sampleResult()],
  };
}

function sampleResult(): ResultsFile['results'][number] {
  const repetitions = [{ ms: 2, opsPerSec: 5000, settleMs: null }, { ms: 4, opsPerSec: 2500, settleMs: 0 }];
  return {
    engine: 'memory',
    workload: 'random-reads',
    point: null,
    status: 'verified',
    error: null,
    unit: 'op',
    unitsPerRepetition: 10,
    repetitions,
    opsPerSec: summarize(repetitions.map((r) => r.opsPerSec)),
    latency: null,
    threads: 1,
    resources: null,
    harnessOverheadNsPerOp: null,
    storeStats: null,
    verification: { checked: true, ok: true, detail: 'a test' },
    wallSeconds: 0.1,
  };
}

/** Every [path, value] leaf of a JSON value. */
function leaves(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [path];
  const out: (string | number)[][] = [];
  for (const [k, v] of Object.entries(value)) out.push(...leaves(v, [...path, Array.isArray(value) ? Number(k) : k]));
  return out;
}

function setAt(doc: unknown, path: readonly (string | number)[], v: unknown): void {
  let at = doc as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) at = at[k] as Record<string | number, unknown>;
  at[path[path.length - 1]!] = v;
}

describe('results files', () => {
  it('round-trips through write and read', async () => {
    const dir = await scratchDir('lsmbench-results-');
    const path = join(dir, 'a.json');
    const results = await sample();
    await writeResultsFile(path, results);
    assert.deepEqual(await readResults(path), JSON.parse(JSON.stringify(results)) as unknown, 'what was written is read back (fields left undefined are absent)');
  });
  it('reads a file written before client threads existed as a one-thread run', async () => {
    const dir = await scratchDir('lsmbench-results-');
    const { threads: _omitted, ...oldScenario } = (await sample()).scenario;
    const old = { ...(await sample()), scenario: oldScenario };
    assert.equal('threads' in old.scenario, false);
    const path = join(dir, 'old.json');
    await writeFile(path, JSON.stringify(old));
    const read = await readResults(path);
    assert.equal(read.scenario.threads, 1);
    assert.equal(read.version, 1);
  });

  it('never overwrites a file', async () => {
    const dir = await scratchDir('lsmbench-results-');
    const path = join(dir, 'a.json');
    await writeFile(path, 'precious');
    await assert.rejects(writeResultsFile(path, await sample()), /already exists/);
    assert.equal(await readFile(path, 'utf8'), 'precious');
  });
  it('names the file when it is not JSON, not a results file, or invalid', async () => {
    const dir = await scratchDir('lsmbench-results-');
    const bad = join(dir, 'bad.json');
    await writeFile(bad, '{"schema":');
    await assert.rejects(readResults(bad), (e: Error) => e.message.includes(bad) && /not valid JSON/.test(e.message));
    await writeFile(bad, '{"hello": 1}');
    await assert.rejects(readResults(bad), /not an lsmbench results file/);
    const invalid = { ...(await sample()), scenario: { name: 'x' } };
    await writeFile(bad, JSON.stringify(invalid));
    await assert.rejects(readResults(bad), (e: Error) => e.message.includes(bad) && /scenario\./.test(e.message));
    await assert.rejects(readResults(join(dir, 'missing.json')), /ENOENT/);
  });
  it('refuses figures that cannot be, and a file with no results, naming the file', async () => {
    const dir = await scratchDir('lsmbench-results-');
    const bad = join(dir, 'bad.json');
    const cases: [string, (doc: ResultsFile) => void, RegExp][] = [
      ['no results', (d) => void (d.results = []), /results/],
      ['a negative median', (d) => void (d.results[0]!.opsPerSec!.median = -5), /median/],
      ['a zero time', (d) => void (d.results[0]!.repetitions[0]!.ms = 0), /ms/],
      ['a non-finite rate', (d) => void setAt(d, ['results', 0, 'repetitions', 1, 'opsPerSec'], 'Infinity'), /opsPerSec/],
      ['a negative settle', (d) => void (d.results[0]!.repetitions[1]!.settleMs = -1), /settleMs/],
    ];
    for (const [what, change, field] of cases) {
      const doc = await sample();
      change(doc);
      // JSON has no Infinity: a writer that produced one wrote null or a string; 1e999 parses to Infinity.
      await writeFile(bad, JSON.stringify(doc).replace('"Infinity"', '1e999'));
      await assert.rejects(readResults(bad), (e: Error) => e instanceof UserError && e.message.includes(bad) && field.test(e.message), what);
    }
  });

  it('fuzz: a mutated results file is read or refused with a UserError, never anything else (seeded, time-bounded)', async () => {
    const dir = await scratchDir('lsmbench-results-');
    const path = join(dir, 'fuzz.json');
    const good = await sample();
    const paths = leaves(good);
    const weird: readonly unknown[] = [null, -1, 0, '__inf__', -1e-9, '', 'x', [], {}, true, 2 ** 60];
    const next = rng(17);
    const deadline = Date.now() + 3_000;
    let cases = 0;
    for (; cases < 400 && Date.now() < deadline; cases++) {
      const doc = JSON.parse(JSON.stringify(good)) as ResultsFile;
      const at = paths[Math.floor(next() * paths.length)]!;
      setAt(doc, at, weird[Math.floor(next() * weird.length)]);
      let text = JSON.stringify(doc).replace(/"__inf__"/g, '1e999');
      if (next() < 0.2) text = text.slice(0, Math.floor(next() * text.length));
      await writeFile(path, text);
      try {
        const read = await readResults(path);
        for (const r of read.results)
          for (const rep of r.repetitions) assert.ok(Number.isFinite(rep.ms) && rep.ms > 0 && Number.isFinite(rep.opsPerSec) && rep.opsPerSec > 0, `case ${cases} at ${at.join('.')}`);
      } catch (err) {
        assert.ok(err instanceof UserError, `case ${cases} at ${at.join('.')}: ${String(err)}`);
        assert.ok(err.message.includes(path));
      }
    }
    assert.ok(cases >= 50, `only ${cases} cases`);
  });

  it('file names are unique per run and sortable by time', () => {
    const a = resultsFileName(new Date('2026-01-02T03:04:05Z'), ['memory', 'ts'], 'abcdef1234');
    assert.equal(a, '2026-01-02T030405-memory-vs-ts-abcdef12.json');
    assert.notEqual(a, resultsFileName(new Date('2026-01-02T03:04:05Z'), ['memory', 'ts'], '99999999'));
  });
  it('refuses an unwritable results directory up front', async (t) => {
    if (process.getuid?.() === 0) {
      // root writes anywhere; a path under a regular file is unwritable for everyone
      const dir = await scratchDir('lsmbench-results-');
      await writeFile(join(dir, 'file'), '');
      await assert.rejects(ensureWritableDir(join(dir, 'file', 'sub')), /not writable/);
      return;
    }
    const dir = await scratchDir('lsmbench-results-');
    await chmod(dir, 0o500);
    await assert.rejects(ensureWritableDir(dir), /not writable/);
    t.diagnostic('checked with a read-only directory');
  });
});
