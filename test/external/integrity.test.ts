/**
 * The driver believes no figure that cannot be true: reported times are bounded by the
 * engine's wall time as the driver saw it and by MIN_NS_PER_UNIT; an engine that hangs or
 * breaks while describing itself fails alone, within the run's time limit; and a seeded
 * fuzz of malformed and impossible messages never yields a verified impossible result.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { projectRoot } from '../../src/paths.js';
import { prepareEngines, runScenario, type PreparedEngine } from '../../src/runner/run.js';
import { loadScenarioFile, resolveScenario, type Scenario } from '../../src/scenario.js';
import { expectedFigures } from '../../src/external/messages.js';
import { MIN_NS_PER_UNIT } from '../../src/external/driver.js';
import { seededRandom as rng } from '../seeded.js';
import { scratchDir } from '../scratch.js';

const fixture = (name: string): string => `external:${join(projectRoot(), 'test', 'external', 'fixtures', `${name}.mjs`)}`;
const hello = { type: 'hello', protocol: 1, name: 'fake', storeVersion: 'fake 0', durability: ['none', 'os', 'fsync'], operations: { put: 'native', get: 'native', delete: 'native', has: 'native', batch: 'native', range: 'native', prefix: 'native' }, driving: 'a script' };

let root: string;
let scriptNo = 0;
let scripted: PreparedEngine | undefined;
before(async () => {
  root = await scratchDir('lsmbench-integrity-test-');
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

async function scenario(overrides: Partial<Scenario> = {}): Promise<Scenario> {
  const { source, file } = await loadScenarioFile('seed');
  return { ...resolveScenario(source, file, { ops: 200, keySize: 8, repetitions: 2, warmup: 0 }), workloads: ['random-reads'], processes: 1, ...overrides };
}

/** The lines a correct engine prints for random-reads, each repetition taking `ms`. */
function goodScript(sc: Scenario, ms: (index: number) => number, settleMs: number | null = null): string[] {
  const e = expectedFigures('random-reads', sc);
  const lines: object[] = [hello];
  for (let i = 0; i < sc.repetitions; i++) lines.push({ type: 'repetition', index: i, warmup: false, ms: ms(i), units: e.units, digest: e.digest, settleMs });
  lines.push({ type: 'verify', found: e.found, getDigest: e.getDigest, scanned: e.scanned, scanDigest: e.scanDigest }, { type: 'done' });
  return lines.map((l) => JSON.stringify(l));
}

async function runScript(sc: Scenario, lines: readonly string[]) {
  const script = join(root, `script-${scriptNo++}.json`);
  await writeFile(script, JSON.stringify(lines));
  // Described once: each case then costs one engine process.
  scripted ??= (await prepareEngines([{ name: fixture('scripted'), options: {} }], sc))[0]!;
  const prepared = [{ ...scripted, run: { ...scripted.run, options: { script } } }];
  const { results } = await runScenario(prepared, sc, { workRoot: root, keep: false });
  assert.equal(results.length, 1);
  return results[0]!;
}

describe('external engines: impossible figures', () => {
  it('accepts a plausible script (the fixture itself works)', async () => {
    const r = await runScript(await scenario(), goodScript(await scenario(), () => 0.01));
    assert.equal(r.status, 'verified', r.error ?? '');
  });

  it('fails a repetition faster than the physical bound (ms: 1e-12)', async () => {
    const r = await runScript(await scenario(), goodScript(await scenario(), () => 1e-12));
    assert.equal(r.status, 'failed');
    assert.match(r.error!, new RegExp(`^impossible figure: repetition 0 reports 1e-12 ms for 200 units, under ${MIN_NS_PER_UNIT} ns a unit`));
    assert.equal(r.opsPerSec, null);
  });

  it('fails times longer than the engine ran for (ms: 1e308), and settle times too', async () => {
    const sc = await scenario();
    const r = await runScript(sc, goodScript(sc, () => 1e308));
    assert.equal(r.status, 'failed');
    assert.match(r.error!, /^impossible figure: repetitions 0-0 report 1\.000e\+308 ms of timed work and settling, but the engine had run for only [\d.]+ ms/);
    const w = await runScript(sc, goodScript(sc, () => 0.01, 60_000));
    assert.equal(w.status, 'failed');
    assert.match(w.error!, /^impossible figure: repetitions 0-0 report 6\.000e\+4 ms/);
  });
});

describe('external engines: describe', () => {
  it('an engine that hangs at describe fails alone, within --timeout, and the others run', async () => {
    const sc = await scenario({ timeoutSeconds: 1 });
    const started = Date.now();
    const prepared = await prepareEngines([{ name: fixture('mute'), options: {} }, { name: 'memory', options: {} }], sc);
    assert.ok(Date.now() - started < 8_000, `describe kept to the 1 s limit, not 30 s (took ${Date.now() - started} ms)`);
    // A limit the memory engine's child process starts within on a loaded machine.
    const { results } = await runScenario(prepared, { ...sc, timeoutSeconds: 120 }, { workRoot: root, keep: false });
    assert.equal(results.length, 2);
    assert.equal(results[0]!.status, 'failed');
    assert.match(results[0]!.error!, /did not describe itself: the engine hung: no result after 1 s, killed during 'describe'/);
    assert.equal(results[1]!.status, 'verified', results[1]!.error ?? '');
  });
});

const WEIRD_NUMBERS: readonly unknown[] = [0, -1, 1e-12, 1e308, -0, 0.5, 2 ** 53, 'NaN', null, '1', true, [], {}];

/** One mutation of a good script: a field changed to a weird value, a line dropped, repeated, cut or made not JSON. */
function mutate(lines: readonly string[], next: () => number): string[] {
  const out = [...lines];
  const at = Math.floor(next() * out.length);
  const kind = Math.floor(next() * 5);
  if (kind === 0) out.splice(at, 1);
  else if (kind === 1) out.splice(at, 0, out[at]!);
  else if (kind === 2) out[at] = out[at]!.slice(0, Math.floor(next() * out[at]!.length));
  else if (kind === 3) out[at] = `{"type":"repetition","index":0,${out[at]!}`;
  else {
    const obj = JSON.parse(out[at]!) as Record<string, unknown>;
    const fields = Object.keys(obj);
    const field = fields[Math.floor(next() * fields.length)]!;
    obj[field] = WEIRD_NUMBERS[Math.floor(next() * WEIRD_NUMBERS.length)];
    out[at] = JSON.stringify(obj);
  }
  return out;
}

describe('external engines: fuzzed messages', () => {
  it('never verifies an impossible figure, and always says why a run failed (seeded, time-bounded)', async () => {
    const sc = await scenario();
    const good = goodScript(sc, () => 0.01);
    const next = rng(17);
    const deadline = Date.now() + 10_000;
    let cases = 0;
    for (; cases < 60 && Date.now() < deadline; cases++) {
      const lines = mutate(good, next);
      const r = await runScript(sc, lines);
      if (r.status === 'verified') {
        assert.equal(r.repetitions.length, sc.repetitions, `case ${cases}`);
        for (const rep of r.repetitions) {
          assert.ok(Number.isFinite(rep.ms) && rep.ms > 0 && Number.isFinite(rep.opsPerSec), `case ${cases}: ${JSON.stringify(rep)}`);
          assert.ok((rep.ms * 1e6) / r.unitsPerRepetition >= MIN_NS_PER_UNIT, `case ${cases}: ${rep.ms} ms`);
          assert.ok(rep.ms <= r.wallSeconds * 1000, `case ${cases}: ${rep.ms} ms in a ${r.wallSeconds} s run`);
        }
      } else assert.ok(r.error !== null && r.error.length > 0, `case ${cases}: failed without a reason`);
    }
    assert.ok(cases >= 5, `only ${cases} cases ran in the time allowed`);
  });
});
