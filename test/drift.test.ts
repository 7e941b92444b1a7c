import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DRIFT_SCHEMA, betweenRunComponent, driftNote, driftPath, driftWarning, estimateDrift, lookupDrift, writeDriftFile, type DriftFile, type RunFigure } from '../src/drift.js';
import { UserError } from '../src/errors.js';
import { scratchDir } from './scratch.js';
import { seededRandom } from './seeded.js';

function normal(rng: () => number): number {
  const u = 1 - rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/** `runs` runs of `processes` per-process figures: each run's level drifts with sd `drift`, its processes scatter with sd `spread`. */
function series(rng: () => number, runs: number, processes: number, drift: number, spread: number): RunFigure[] {
  return Array.from({ length: runs }, () => {
    const level = Math.log(1e6) + drift * normal(rng);
    return Array.from({ length: processes }, () => Math.exp(level + spread * normal(rng)));
  });
}

const file = (over: Partial<DriftFile> = {}): DriftFile => ({
  schema: DRIFT_SCHEMA,
  version: 1,
  fingerprint: 'abc',
  measuredAt: '2026-12-07T12:00:00.000Z',
  logSd: 0.04,
  runs: 20,
  components: 32,
  engines: ['memory', 'ts'],
  command: 'calibrate-intervals --runs 20',
  ...over,
});

describe('run-to-run drift', () => {
  it('recovers the drift between runs beyond what the processes show', () => {
    const rng = seededRandom(5);
    const many = Array.from({ length: 40 }, () => series(rng, 20, 3, 0.05, 0.06));
    const est = estimateDrift(many);
    assert.ok(Math.abs(est.logSd - 0.05) < 0.01, `estimated ${est.logSd}`);
    assert.equal(est.components, 40);
    assert.equal(est.runs, 20);
  });

  it('finds none where runs differ only as their processes do: the component centres on 0 and the estimate is floored there', () => {
    const rng = seededRandom(6);
    const components = Array.from({ length: 200 }, () => betweenRunComponent(series(rng, 20, 3, 0, 0.06)));
    const mean = components.reduce((a, b) => a + b, 0) / components.length;
    // Unbiased: the mean component is near 0 (its standard error here is about 0.00005).
    assert.ok(Math.abs(mean) < 0.0002, `mean component ${mean}`);
    assert.ok(components.some((c) => c < 0), 'single components go negative, as a method-of-moments estimate does');
    const est = estimateDrift(Array.from({ length: 32 }, () => series(rng, 20, 3, 0, 0.06)));
    assert.ok(est.logSd < 0.02, `estimated ${est.logSd}`);
  });

  it('needs at least 2 runs of at least 2 processes, and says so', () => {
    assert.ok(Number.isNaN(betweenRunComponent([[1, 2, 3]])));
    assert.ok(Number.isNaN(betweenRunComponent([[1], [2]])));
    assert.throws(() => estimateDrift([[[1, 2]]]), /nothing to estimate drift from/);
  });

  it('is found for this machine only, and a damaged file is reported, not fatal', async () => {
    const dir = await scratchDir('lsmbench-drift-');
    const path = join(dir, 'drift.json');
    assert.equal(lookupDrift('abc', path).kind, 'none');
    await writeFile(path, JSON.stringify(file()));
    const found = lookupDrift('abc', path);
    assert.equal(found.kind, 'found');
    assert.deepEqual(found.kind === 'found' ? found.drift : null, { logSd: 0.04, runs: 20, measuredAt: '2026-12-07T12:00:00.000Z', file: path });
    assert.equal(driftWarning(found), undefined);
    const other = lookupDrift('another', path);
    assert.equal(other.kind, 'other-machine');
    assert.match(driftWarning(other)!, /calibrated on another machine/);
    await writeFile(path, JSON.stringify(file({ logSd: -1 })));
    const bad = lookupDrift('abc', path);
    assert.equal(bad.kind, 'unreadable');
    assert.match(driftWarning(bad)!, /^ignoring .*drift\.json \(logSd: /);
    await writeFile(path, '{ not json');
    assert.equal(lookupDrift('abc', path).kind, 'unreadable');
  });

  it('writes a file once and never overwrites one', async () => {
    const dir = await scratchDir('lsmbench-drift-');
    const path = join(dir, 'sub', 'drift.json');
    writeDriftFile(path, file());
    assert.equal(JSON.parse(await readFile(path, 'utf8')).logSd, 0.04);
    assert.throws(() => writeDriftFile(path, file({ logSd: 0.09 })), (err: unknown) => err instanceof UserError && /exists; not overwriting it/.test(err.message));
    assert.equal(JSON.parse(await readFile(path, 'utf8')).logSd, 0.04);
  });

  it('is looked up at LSMBENCH_DRIFT_FILE, else ~/.lsmbench/drift.json', () => {
    assert.equal(driftPath({ LSMBENCH_DRIFT_FILE: '/x/d.json' }), '/x/d.json');
    assert.match(driftPath({}), /\.lsmbench\/drift\.json$/);
  });

  it('says what an interval covers', () => {
    assert.match(driftNote({ logSd: 0.038, runs: 20, measuredAt: '2026-12-07T12:00:00Z', file: 'f' }, 3), /add this machine's run-to-run drift \(3\.8% sd, from 20 calibration runs on 2026-12-07\)/);
    assert.match(driftNote(null, 3), /cover this run's 3 processes, not the drift between runs/);
  });
});
