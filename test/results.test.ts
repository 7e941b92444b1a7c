import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureWritableDir, readResults, resultsFileName, writeResultsFile, RESULTS_SCHEMA, type ResultsFile } from '../src/results.js';
import { describeEnvironment } from '../src/environment.js';
import { loadScenarioFile, resolveScenario } from '../src/scenario.js';
import { scratchDir } from './scratch.js';

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
    results: [],
  };
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
