/** `lsmbench check`: passes for bundled engines, names the check a planted bug fails, exit 1. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../src/paths.js';
import { verdictLine } from '../src/commands/check.js';
import { FIXTURES, assertUserError, lsmbench } from './cli-helpers.js';
import { ENGINES, probeEngine } from '../src/registry.js';

const lines = (out: string): string[] => out.trim().split('\n');
const externalFixture = (name: string): string => `external:${join(projectRoot(), 'test', 'external', 'fixtures', `${name}.mjs`)}`;

for (const descriptor of ENGINES) {
  const engine = descriptor.name;
  const probe = await probeEngine(descriptor);
  test(`check ${engine}: every check passes, one line each, exit 0`, { skip: probe.available ? false : probe.reason }, () => {
    const r = lsmbench(['check', engine]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const out = lines(r.stdout);
    assert.ok(out.length >= 12, 'the conformance checks and the keyspace vectors');
    for (const line of out.slice(0, -1)) assert.match(line, /^(PASS|SKIP) {2}\S/);
    assert.ok(out.some((l) => l === 'PASS  stores the keyspace vectors byte for byte'));
    assert.match(out.at(-1)!, new RegExp(`^${engine}: conforms: \\d+ passed, 0 failed`));
    for (const line of out) assert.ok(line.length <= 80, `fits 80 columns: ${line}`);
  });
}

test('check reports a planted bug (a store that drops writes) by name, exit 1', () => {
  const r = lsmbench(['check', 'test-loses-writes'], { LSMBENCH_EXTRA_ENGINES: FIXTURES });
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /^FAIL {2}matches a Map oracle over seeded random operations: /m);
  assert.match(r.stdout, /^test-loses-writes: DOES NOT CONFORM: \d+ passed, [1-9]\d* failed/m);
});

test('check runs an external engine through every protocol workload', () => {
  const good = lsmbench(['check', externalFixture('reference'), '-n', '1000']);
  assert.equal(good.code, 0, good.stdout + good.stderr);
  assert.match(good.stdout, /^PASS {2}describes itself \(hello: reference-js, protocol 1\)$/m);
  assert.match(good.stdout, /^PASS {2}runs contains with every digest matching \(N=1000\)$/m);
  const wrong = lsmbench(['check', externalFixture('wrong'), '-n', '1000']);
  assert.equal(wrong.code, 1, wrong.stdout + wrong.stderr);
  assert.match(wrong.stdout, /^FAIL {2}runs \S+ with every digest matching/m);
});

const starters = [
  { path: join(projectRoot(), 'engines', 'external', 'examples', 'python', 'engine.py'), name: 'python-starter' },
  { path: join(projectRoot(), 'engines', 'external', 'examples', 'cpp', 'build', 'lsmbench-cpp-starter'), name: 'cpp-starter' },
];
for (const starter of starters) {
  let skip: string | false = false;
  try {
    accessSync(starter.path, constants.X_OK);
  } catch {
    skip = `not built: run 'npm run build:native' (${starter.path} is missing)`;
  }
  test(`check runs the ${starter.name} engine through every workload of protocol 2, one line each, exit 0`, { skip }, () => {
    const r = lsmbench(['check', `external:${starter.path}`, '-n', '600']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const out = lines(r.stdout);
    assert.equal(out[0], `PASS  describes itself (hello: ${starter.name}, protocol 2)`);
    assert.ok(out.includes('PASS  runs ycsb-e with every digest matching (N=600)'));
    assert.equal(out.filter((l) => l.startsWith('PASS  runs ')).length, 14, 'the eight document workloads and ycsb-a to ycsb-f');
    assert.equal(out.at(-1), `${starter.name}: conforms: 15 passed, 0 failed`);
    for (const line of out) assert.ok(line.length <= 80, `fits 80 columns: ${line}`);
  });
}

test('check: an unknown engine is a user error', () => {
  assertUserError(lsmbench(['check', 'no-such-engine']), /^lsmbench: unknown engine 'no-such-engine'/);
});

test('verdict lines are cut to 80 columns', () => {
  const line = verdictLine({ check: 'x', outcome: 'fail', reason: 'y'.repeat(200) });
  assert.equal(line.length, 80);
  assert.ok(line.startsWith('FAIL  x: yyy'));
});
