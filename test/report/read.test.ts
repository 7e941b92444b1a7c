/** Reading results files for reports: bad input names the file; versions migrate or fail clearly; the published reference file. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../src/errors.js';
import { projectRoot } from '../../src/paths.js';
import { migrateResults, readResults, RESULTS_VERSION } from '../../src/results.js';
import { around, makeResults } from './fixtures.js';
import { scratchDir } from '../scratch.js';

const REFERENCE = join(projectRoot(), 'results', 'reference', 'nim-vs-rust-lsm-benchmark.json');

async function file(name: string, text: string): Promise<string> {
  const path = join(await scratchDir('lsmbench-read-'), name);
  await writeFile(path, text);
  return path;
}

describe('reading results files', () => {
  it('corrupt JSON is a UserError naming the file', async () => {
    const path = await file('corrupt.json', '{"schema": "lsmbench/results", "version": 1,');
    await assert.rejects(readResults(path), (err: unknown) => err instanceof UserError && err.message.includes(path) && /not valid JSON/.test(err.message));
  });

  it('an unknown (newer) schema version is a UserError naming the file and both versions', async () => {
    const doc = { ...makeResults({ engines: [{ label: 'a', figures: { contains: around(1) } }] }), version: RESULTS_VERSION + 1 };
    const path = await file('newer.json', JSON.stringify(doc));
    await assert.rejects(readResults(path), (err: unknown) => err instanceof UserError && err.message.includes(path) && err.message.includes(`schema version ${RESULTS_VERSION + 1}`) && /upgrade lsmbench/.test(err.message));
  });

  it('an older version without a migration is a UserError naming the file', async () => {
    const doc = { ...makeResults({ engines: [{ label: 'a', figures: { contains: around(1) } }] }), version: 0 };
    const path = await file('older.json', JSON.stringify(doc));
    await assert.rejects(readResults(path), (err: unknown) => err instanceof UserError && err.message.includes(path) && /cannot convert version 0/.test(err.message));
  });

  it('migrations run in order, each taking a document one version up', () => {
    const current = makeResults({ engines: [{ label: 'a', figures: { contains: around(1) } }] });
    // A pretend history: version v-2 called the engines "stores", version v-1 called results "figures".
    const { engines, results, ...rest } = current;
    const ancient = { ...rest, version: RESULTS_VERSION - 2, stores: engines, figures: results };
    const steps = {
      [RESULTS_VERSION - 2]: ({ stores, ...doc }: Record<string, unknown>) => ({ ...doc, engines: stores }),
      [RESULTS_VERSION - 1]: ({ figures, ...doc }: Record<string, unknown>) => ({ ...doc, results: figures }),
    };
    assert.deepEqual(migrateResults(ancient, RESULTS_VERSION - 2, 'x.json', steps), current);
    assert.throws(() => migrateResults(ancient, RESULTS_VERSION - 3, 'x.json', steps), /x\.json has schema version .*cannot convert/);
    assert.equal(migrateResults(current, RESULTS_VERSION, 'x.json', steps), current, 'the current version passes through untouched');
  });

  it('a file of another schema is refused, naming it', async () => {
    const path = await file('other.json', JSON.stringify({ schema: 'someone-else', version: 1 }));
    await assert.rejects(readResults(path), new RegExp(`${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not an lsmbench results file`));
  });

  it("the reference file holds the document's figures, published and not rerunnable", async () => {
    const ref = await readResults(REFERENCE);
    assert.equal(ref.rerun, null);
    assert.ok(ref.published !== null && /nim-vs-rust-lsm-benchmark\.md/.test(ref.published.source));
    // Where it came from is said without pointing at a path the repository does not have.
    for (const text of [ref.published.source, ref.scenario.source])
      for (const [path] of text.matchAll(/[\w.-]+(?:\/[\w.-]+)+\.(?:md|json)/g))
        assert.ok(existsSync(join(projectRoot(), path)), `'${path}' (named in the reference file) is in the repository`);
    assert.equal(ref.environment.cpuCount, 4);
    assert.match(ref.environment.cpuModel, /4 cores/);
    assert.deepEqual(ref.engines.map((e) => e.label), ['Nim', 'Rust']);
    const published: Record<string, Record<string, number>> = {
      Nim: { 'sequential-writes': 1_284_639, 'sequential-reads': 1_407_006 },
      Rust: {
        'sequential-writes': 1_343_439,
        'sequential-reads': 1_637_924,
        'random-writes': 859_450,
        'random-reads': 763_202,
        'range-scan': 6_844_491,
        'prefix-scan': 6_683_040,
        deletions: 1_332_140,
        contains: 1_448_888,
      },
    };
    const seen = ref.results.map((r) => `${r.engine}/${r.workload}`).sort();
    assert.deepEqual(seen, Object.entries(published).flatMap(([e, ws]) => Object.keys(ws).map((w) => `${e}/${w}`)).sort());
    for (const r of ref.results) {
      const v = published[r.engine]![r.workload]!;
      assert.equal(r.repetitions.length, 1, 'one value, honestly: no invented repetitions');
      assert.equal(r.repetitions[0]!.opsPerSec, v);
      assert.ok(Math.abs(r.repetitions[0]!.ms - (100_000 / v) * 1000) < 1e-9, 'ms derived from the published ops/s');
      assert.deepEqual(r.opsPerSec, { n: 1, median: v, mean: v, min: v, max: v, stddev: 0, ci95: [v, v] });
      assert.equal(r.verification.checked, false);
    }
    // The document's own millisecond figures agree with the derived ones to its rounding.
    const ms = (e: string, w: string): number => ref.results.find((r) => r.engine === e && r.workload === w)!.repetitions[0]!.ms;
    assert.equal(ms('Nim', 'sequential-writes').toFixed(1), '77.8');
    assert.equal(ms('Nim', 'sequential-reads').toFixed(0), '71');
    assert.equal(ms('Rust', 'sequential-reads').toFixed(0), '61');
  });
});
