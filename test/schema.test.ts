/** schema/results.schema.json: current with the zod schema, and every results file in the repository valid against it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { projectRoot } from '../src/paths.js';
import { resultsJsonSchemaText } from '../src/schema.js';
import { readResults } from '../src/results.js';

const root = projectRoot();
const shipped = readFileSync(join(root, 'schema', 'results.schema.json'), 'utf8');
const validate = new Ajv2020({ allErrors: true, strict: false }).compile(JSON.parse(shipped) as object);

test('schema/results.schema.json is what the zod schema generates (regenerate: node dist/scripts/make-results-schema.js)', () => {
  assert.equal(shipped, resultsJsonSchemaText());
});

test('every results file in the repository is valid against the published schema, and readResults takes it', async () => {
  const files = execFileSync('git', ['ls-files', '*.json'], { cwd: root, encoding: 'utf8' })
    .split('\n')
    .filter((p) => p !== '' && readFileSync(join(root, p), 'utf8').includes('"lsmbench/results"') && !p.startsWith('schema/'));
  assert.ok(files.length >= 3, `found the results files: ${files.join(', ')}`);
  for (const path of files) {
    const doc = JSON.parse(readFileSync(join(root, path), 'utf8')) as unknown;
    assert.ok(validate(doc), `${path}: ${JSON.stringify(validate.errors?.slice(0, 3))}`);
    await readResults(join(root, path));
  }
});

test('the schema rejects what readResults rejects: a wrong type, a missing field, a bad enum', () => {
  const good = JSON.parse(readFileSync(join(root, 'results', 'examples', 'ts-vs-memory', 'run.json'), 'utf8')) as Record<string, unknown> & { results: Array<Record<string, unknown>> };
  assert.ok(validate(good));
  assert.equal(validate({ ...good, createdAt: 5 }), false);
  const { id: _id, ...noId } = good;
  assert.equal(validate(noId), false);
  assert.equal(validate({ ...good, results: [{ ...good.results[0], status: 'probably' }] }), false);
});
