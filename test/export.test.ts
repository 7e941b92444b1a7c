/**
 * `export --format` and `compare --format`: the output is accepted by the documented
 * schemas of the tools that read it (test/schemas/, written from their documentation),
 * and carries the figures of the results file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { projectRoot } from '../src/paths.js';
import { CSV_COLUMNS } from '../src/export/formats.js';
import { assertUserError, lsmbench } from './cli-helpers.js';

const root = projectRoot();
const ajv = new Ajv({ allErrors: true, strict: true });
const schema = (name: string): object => JSON.parse(readFileSync(join(root, 'test', 'schemas', `${name}.schema.json`), 'utf8')) as object;
const actionSchema = ajv.compile(schema('github-action-benchmark'));
const bmfSchema = ajv.compile(schema('bmf'));
const PLAIN = join(root, 'results', 'examples', 'ts-vs-memory', 'run.json');
const SWEEP = join(root, 'results', 'examples', 'ts-vs-memory-sweep', 'run.json');
const PUBLISHED = join(root, 'results', 'reference', 'nim-vs-rust-lsm-benchmark.json');

interface Results {
  scenario: { ops: number };
  results: Array<{ engine: string; workload: string; point: number | null; status: string; opsPerSec: { median: number } | null; latency: { p99Ns: number } | null }>;
}
const load = (path: string): Results => JSON.parse(readFileSync(path, 'utf8')) as Results;

function run(args: string[]): string {
  const r = lsmbench(args);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

interface Entry {
  name: string;
  unit: string;
  value: number;
  range?: string;
}

test('github-action-benchmark: ops/s entries valid, one per verified result, named with the sweep point', () => {
  for (const file of [PLAIN, SWEEP, PUBLISHED]) {
    const doc = JSON.parse(run(['export', file, '--format', 'github-action-benchmark'])) as Entry[];
    assert.ok(actionSchema(doc), `${file}: ${JSON.stringify(actionSchema.errors)}`);
    const results = load(file);
    const verified = results.results.filter((r) => r.status === 'verified' && r.opsPerSec !== null);
    assert.equal(doc.length, verified.length);
    assert.equal(new Set(doc.map((e) => e.name)).size, doc.length, 'names are unique');
    for (const r of verified) {
      const name = `${r.engine}/${r.workload}/N=${r.point ?? results.scenario.ops}`;
      const e = doc.find((x) => x.name === name);
      assert.ok(e !== undefined, `an entry named ${name}`);
      assert.equal(e.value, Number(r.opsPerSec!.median.toPrecision(6)));
      assert.match(e.unit, /^(ops|entries)\/s$/);
    }
  }
  const sweep = JSON.parse(run(['export', SWEEP, '-f', 'github-action-benchmark'])) as Entry[];
  assert.ok(new Set(sweep.map((e) => e.name.split('/N=')[1])).size > 1, 'a sweep has one series per N');
});

test('github-action-benchmark-latency: p50/p99/p99.9 in ns for customSmallerIsBetter', () => {
  const doc = JSON.parse(run(['export', PLAIN, '-f', 'github-action-benchmark-latency'])) as Entry[];
  assert.ok(actionSchema(doc), JSON.stringify(actionSchema.errors));
  const withLatency = load(PLAIN).results.filter((r) => r.status === 'verified' && r.latency !== null);
  assert.ok(withLatency.length > 0);
  assert.equal(doc.length, withLatency.length * 3);
  for (const e of doc) assert.equal(e.unit, 'ns');
  const first = withLatency[0]!;
  const p99 = doc.find((e) => e.name === `${first.engine}/${first.workload}/N=100000/p99`);
  assert.equal(p99?.value, Number(first.latency!.p99Ns.toPrecision(6)));
});

test('bmf: valid BMF, throughput with its interval, latency in ns', () => {
  for (const file of [PLAIN, SWEEP, PUBLISHED]) {
    const doc = JSON.parse(run(['export', file, '-f', 'bmf'])) as Record<string, Record<string, { value: number; lower_value?: number; upper_value?: number }>>;
    assert.ok(bmfSchema(doc), `${file}: ${JSON.stringify(bmfSchema.errors)}`);
    for (const [name, measures] of Object.entries(doc)) {
      const t = measures.throughput;
      assert.ok(t !== undefined, `${name} has throughput`);
      if (t.lower_value !== undefined) assert.ok(t.lower_value <= t.value && t.value <= t.upper_value!, `${name}: the interval holds the median`);
    }
  }
  const published = JSON.parse(run(['export', PUBLISHED, '-f', 'bmf'])) as Record<string, Record<string, { lower_value?: number }>>;
  for (const measures of Object.values(published)) assert.equal(measures.throughput?.lower_value, undefined, 'published figures have no interval');
});

test('the schemas are not vacuous: they reject malformed output', () => {
  assert.equal(actionSchema([{ name: 'x', value: '1', unit: 'ops/s' }]), false, 'a string value');
  assert.equal(actionSchema({ name: 'x', value: 1, unit: 'ops/s' }), false, 'not an array');
  assert.equal(bmfSchema({ x: { throughput: { lower_value: 1 } } }), false, 'no value');
  assert.equal(bmfSchema({ x: { ['m'.repeat(65)]: { value: 1 } } }), false, 'a measure name over 64 characters');
});

test('csv from compare: header, one throughput row per verified result, ratio rows matching compare --format json', () => {
  const text = run(['compare', PLAIN, '--format', 'csv']);
  const rows = text.trimEnd().split('\n').map((l) => l.split(','));
  assert.deepEqual(rows[0], [...CSV_COLUMNS]);
  for (const r of rows) assert.equal(r.length, CSV_COLUMNS.length);
  const verified = load(PLAIN).results.filter((r) => r.status === 'verified');
  assert.equal(rows.filter((r) => r[3] === 'throughput').length, verified.length);
  const json = JSON.parse(run(['compare', PLAIN, '--format', 'json'])) as { rows: Array<{ workload: string; ratios: Array<{ a: string; b: string; ratio: number | null }> }> };
  const ratios = rows.filter((r) => r[3] === 'ratio');
  assert.equal(ratios.length, json.rows.flatMap((r) => r.ratios.filter((x) => x.ratio !== null)).length);
  const first = json.rows[0]!;
  const row = ratios.find((r) => r[0] === first.workload);
  assert.equal(Number(row?.[4]), first.ratios[0]!.ratio);
  assert.equal(row?.[2], `${first.ratios[0]!.a}/${first.ratios[0]!.b}`);
});

test('export: a format is required and must be known', () => {
  const r = lsmbench(['export', PLAIN, '-f', 'xml']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /xml/);
  assertUserError(lsmbench(['export', join(root, 'no-such.json'), '-f', 'csv']), /^lsmbench: cannot read results file/);
});
