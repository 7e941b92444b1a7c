import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../src/errors.js';
import { DOCUMENT_WORKLOADS, WORKLOADS, listScenarioNames, loadScenarioFile, parseWorkloadList, resolveScenario } from '../src/scenario.js';
import { scratchDir } from './scratch.js';

describe('scenarios', () => {
  it('seed.json is the document\'s eight workloads', async () => {
    const { source, file } = await loadScenarioFile('seed');
    const s = resolveScenario(source, file, {});
    assert.equal(s.ops, 100_000);
    assert.equal(s.keySize, 16);
    assert.equal(s.valueSize, 100);
    assert.equal(s.durability, 'none');
    assert.equal(s.prefixLength, 13);
    assert.equal(s.scanLength, 1000);
    assert.deepEqual(s.workloads, [...DOCUMENT_WORKLOADS]);
    assert.ok((await listScenarioNames()).includes('seed'));
  });
  it('command-line overrides win, undefined ones do not erase', async () => {
    const { source, file } = await loadScenarioFile('seed');
    const s = resolveScenario(source, file, { ops: 500, durability: 'fsync', workloads: ['contains', 'sequential-writes'], seed: undefined });
    assert.equal(s.ops, 500);
    assert.equal(s.durability, 'fsync');
    assert.equal(s.seed, 42);
    assert.deepEqual(s.workloads, ['sequential-writes', 'contains'], 'workloads run in the canonical order');
  });
  it('refuses combinations that cannot work', async () => {
    const { source, file } = await loadScenarioFile('seed');
    assert.throws(() => resolveScenario(source, file, { keySize: 4 }), /key size 4 is too small/);
    assert.throws(() => resolveScenario(source, file, { workloads: ['ycsb-a'], concurrency: 8 }), /--concurrency 1/);
    assert.throws(() => resolveScenario(source, file, { ops: 60_000, keySize: 5, workloads: ['ycsb-e'] }), /key\(119999\) needs 6/, 'inserts need room in the keyspace');
    assert.throws(() => resolveScenario(source, file, { keySize: 8, prefixLength: 9 }), /must not exceed the key size/);
    assert.throws(() => resolveScenario(source, file, { ops: 90_000, keySize: 5, missRatio: 0.5 }), /key\(134999\) needs 6 decimal digits/, 'absent keys of contains count too');
  });
  it('a malformed scenario file names the bad field', async () => {
    const dir = await scratchDir('lsmbench-scenario-');
    const path = join(dir, 'bad.json');
    await writeFile(path, JSON.stringify({ name: 'bad', ops: -5, keySize: 16, valueSize: 100, durability: 'none' }));
    await assert.rejects(loadScenarioFile(path), (err: unknown) => err instanceof UserError && /ops: /.test(err.message) && err.message.includes(path));
    await writeFile(path, JSON.stringify({ name: 'bad', ops: 5, keySize: 16, valueSize: 100, durability: 'sometimes' }));
    await assert.rejects(loadScenarioFile(path), /durability: /);
    await writeFile(path, JSON.stringify({ name: 'bad', ops: 5, keySize: 16, valueSize: 100, durability: 'none', typo: 1 }));
    await assert.rejects(loadScenarioFile(path), /typo/);
    await writeFile(path, '{ not json');
    await assert.rejects(loadScenarioFile(path), /not valid JSON/);
    await assert.rejects(loadScenarioFile('no-such-scenario'), /unknown scenario 'no-such-scenario'.*seed/);
  });
  it('parses workload lists', () => {
    assert.deepEqual(parseWorkloadList('all'), [...WORKLOADS]);
    assert.deepEqual(parseWorkloadList('range-scan, contains'), ['range-scan', 'contains']);
    assert.deepEqual(parseWorkloadList('document'), [...DOCUMENT_WORKLOADS]);
    assert.deepEqual(parseWorkloadList('ycsb,read-while-writing'), ['ycsb-a', 'ycsb-b', 'ycsb-c', 'ycsb-d', 'ycsb-e', 'ycsb-f', 'read-while-writing']);
    assert.throws(() => parseWorkloadList('range-scan,teleport'), /unknown workload 'teleport'/);
    assert.throws(() => parseWorkloadList(' , '), /at least one/);
  });
});

describe('scenario files: fuzz', () => {
  it('a mutated scenario file is read or refused with a UserError naming the file, never anything else (seeded, time-bounded)', async () => {
    const dir = await scratchDir('lsmbench-scenario-fuzz-');
    const path = join(dir, 'fuzz.json');
    const good = JSON.parse(JSON.stringify((await loadScenarioFile('seed')).file)) as Record<string, unknown>;
    const fields = Object.keys(good);
    const weird: readonly unknown[] = [null, -1, 0, 0.5, '__inf__', 2 ** 60, '', 'x', [], {}, true, ['no-such-workload']];
    let a = 17;
    const next = (): number => {
      a = (Math.imul(a, 1103515245) + 12345) >>> 0;
      return a / 4294967296;
    };
    const deadline = Date.now() + 3_000;
    let cases = 0;
    for (; cases < 300 && Date.now() < deadline; cases++) {
      const doc = { ...good };
      for (let k = 1 + Math.floor(next() * 2); k > 0; k--) doc[fields[Math.floor(next() * fields.length)]!] = weird[Math.floor(next() * weird.length)];
      let text = JSON.stringify(doc).replace(/"__inf__"/g, '1e999');
      if (next() < 0.15) text = text.slice(0, Math.floor(next() * text.length));
      await writeFile(path, text);
      const what = `case ${cases}: ${text.slice(0, 300)}`;
      try {
        const { source, file } = await loadScenarioFile(path);
        const s = resolveScenario(source, file, {});
        for (const n of [s.ops, s.keySize, s.valueSize, s.repetitions, s.scanLength, s.prefixLength, s.batch, s.timeoutSeconds])
          assert.ok(Number.isSafeInteger(n) && n >= 0, `${what}: ${n}`);
        assert.ok(s.ops > 0 && s.repetitions > 0 && s.workloads.length > 0, what);
      } catch (err) {
        assert.ok(err instanceof UserError, `${what}: ${String(err)}`);
        assert.ok(err.message.includes(path) || /scenario/.test(err.message), `${what}: ${err.message}`);
      }
    }
    assert.ok(cases >= 50, `only ${cases} cases`);
  });
});
