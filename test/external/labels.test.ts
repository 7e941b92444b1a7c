/**
 * Labels: an external engine is labelled by the name of its hello, not its path; --label
 * names the --engine before it; labels that repeat or clash are refused in one line
 * (exit 2); two builds of one engine still get distinct labels, in a run and in the gate.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { accessSync, constants } from 'node:fs';
import { copyFile, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { projectRoot } from '../../src/paths.js';
import { UserError } from '../../src/errors.js';
import { engineLabels } from '../../src/runner/run.js';
import { pairLabels } from '../../src/commands/run.js';
import { ResultsFileSchema } from '../../src/results.js';
import { assertUserError, lsmbench } from '../cli-helpers.js';
import { scratchDir } from '../scratch.js';

const fixture = (name: string): string => `external:${join(projectRoot(), 'test', 'external', 'fixtures', `${name}.mjs`)}`;
const CPP_STARTER = join(projectRoot(), 'engines', 'external', 'examples', 'cpp', 'build', 'lsmbench-cpp-starter');
const request = (name: string, label?: string) => ({ request: { name, options: {}, ...(label === undefined ? {} : { label }) } });

let root: string;
before(async () => {
  root = await scratchDir('lsmbench-labels-test-');
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('engine labels', () => {
  it('an external engine by the name it gives itself, others by their name, repeats numbered', () => {
    assert.deepEqual(
      engineLabels([
        { ...request('external:/a/engine'), describedName: 'fast' },
        request('memory'),
        { ...request('external:/b/engine'), describedName: 'fast' },
        request('memory'),
      ]),
      ['fast', 'memory', 'fast#2', 'memory#2'],
    );
  });

  it('a given label wins over the name', () => {
    assert.deepEqual(engineLabels([request('memory', 'mem'), request('ts'), { ...request('external:/x'), describedName: 'x' }, request('memory')]), ['mem', 'ts', 'x', 'memory']);
  });

  it('refuses a label given twice, one that clashes with another engine\'s name, and one that is not a label', () => {
    assert.throws(() => engineLabels([request('memory', 'a'), request('ts', 'a')]), (e: unknown) => e instanceof UserError && /^label 'a' is given to two engines \(memory and ts\): labels must differ$/.test(e.message));
    assert.throws(() => engineLabels([request('memory', 'ts'), request('ts', 'b')]), /label 'ts' is also what ts is called in this run: choose another$/);
    assert.throws(() => engineLabels([{ ...request('external:/x'), describedName: 'fast' }, request('memory', 'fast')]), /label 'fast' is also what external:\/x is called in this run/);
    for (const bad of ['', 'two words', '-dash', 'a#2', 'x'.repeat(41), 'é'])
      assert.throws(() => engineLabels([request('memory', bad)]), /is not a label: use up to 40 letters, digits/, JSON.stringify(bad));
  });

  it('pairs each --label with the --engine before it', () => {
    const e = (value: string) => ({ kind: 'engine' as const, value });
    const l = (value: string) => ({ kind: 'label' as const, value });
    assert.deepEqual(pairLabels([e('a'), l('x'), e('b'), e('c'), l('z')]), [{ name: 'a', label: 'x' }, { name: 'b' }, { name: 'c', label: 'z' }]);
    assert.deepEqual(pairLabels([l('x'), e('a')]), [{ name: 'a', label: 'x' }], 'with one engine, anywhere');
    assert.throws(() => pairLabels([l('x'), e('a'), e('b')]), /--label 'x' comes before any --engine: put each --label after the --engine it names$/);
    assert.throws(() => pairLabels([e('a'), l('x'), l('y')]), /--engine a has two labels \('x' and 'y'\)/);
    assert.throws(() => pairLabels([l('x'), e('a'), l('y')]), /--engine a has two labels \('x' and 'y'\)/);
  });
});

describe('lsmbench run --label (built binary)', () => {
  const small = ['-n', '300', '-w', 'contains', '--processes', '1', '-r', '1', '--warmup', '0', '--no-save'];

  it('labels tables and results by hello name or --label, keeps each path for the rerun, and routes -o LABEL.key=value', () => {
    const missing = join(root, 'missing', 'script.json');
    const r = lsmbench(['run', '--engine', fixture('reference'), '--label', 'ref', '--engine', fixture('reference'), '--engine', fixture('scripted-v2'), '--label', 'scripted', '-o', `scripted.script=${missing}`, ...small, '--json']);
    assert.equal(r.code, 1, 'the scripted engine fails on its missing script: ' + r.stderr);
    const file = ResultsFileSchema.parse(JSON.parse(r.stdout));
    assert.deepEqual(file.engines.map((e) => e.label), ['ref', 'reference-js', 'scripted']);
    assert.deepEqual(file.engines.map((e) => e.name), [fixture('reference'), fixture('reference'), fixture('scripted-v2')]);
    assert.deepEqual(file.engines.map((e) => e.options), [{}, {}, { script: missing }], 'the option reached the labelled engine only');
    assert.deepEqual(file.results.map((x) => [x.engine, x.status]), [['ref', 'verified'], ['reference-js', 'verified'], ['scripted', 'failed']]);
    assert.ok((file.rerun ?? '').includes(`--engine ${fixture('reference')} --label ref --engine ${fixture('reference')} --engine ${fixture('scripted-v2')} --label scripted --engine-option scripted.script=${missing}`), file.rerun ?? 'no rerun');
  });

  it('gives two builds of one engine (the same hello name) distinct labels, in the table too', async () => {
    const r = lsmbench(['run', '--engine', fixture('reference'), '--engine', fixture('reference'), ...small]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /reference-js +│ +reference-js#2/);
    const table = r.stdout.split('\n').filter((l) => /^[┌│├└]/.test(l));
    assert.ok(table.length > 0);
    assert.doesNotMatch(table.join('\n'), /fixtures/, 'no path in the table');
    assert.match(r.stdout.replace(/\s+/g, ' '), /Engines: reference-js = external:\S*reference\.mjs; reference-js#2 = external:\S*reference\.mjs\./, 'the footnote says what each label stands for');
    for (const line of r.stdout.split('\n')) assert.ok(line.length <= 80, `fits 80 columns: ${line}`);
  });

  it('refuses duplicate and misplaced labels in one line, exit 2, before running anything', () => {
    assertUserError(lsmbench(['run', '--engine', 'memory', '--label', 'a', '--engine', fixture('reference'), '--label', 'a', ...small]), /^lsmbench: label 'a' is given to two engines \(memory and external:.*reference\.mjs\): labels must differ$/);
    assertUserError(lsmbench(['run', '--engine', 'memory', '--label', 'reference-js', '--engine', fixture('reference'), ...small]), /label 'reference-js' is also what external:.*reference\.mjs is called in this run: choose another/);
    assertUserError(lsmbench(['run', '--label', 'a', '--engine', 'memory', '--engine', 'memory', ...small]), /--label 'a' comes before any --engine/);
    assertUserError(lsmbench(['run', '--engine', 'memory', '--label', 'a', '--label', 'b', ...small]), /--engine memory has two labels \('a' and 'b'\)/);
    assertUserError(lsmbench(['run', '--engine', 'memory', '--label', 'not ok', ...small]), /label 'not ok' is not a label/);
  });

  it('documents --label in --help', () => {
    const r = lsmbench(['run', '--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout.replace(/\s+/g, ' '), /--label <name> the label of the --engine just before it/);
  });
});

describe('lsmbench gate --base-engine/--head-engine with two builds of one external engine (built binary)', () => {
  let skip: string | false = false;
  try {
    accessSync(CPP_STARTER, constants.X_OK);
  } catch {
    skip = `not built: run 'npm run build:native' (${CPP_STARTER} is missing)`;
  }
  it('runs them paired, the rows labelled with the name both give themselves', { skip }, async () => {
    const copy = join(root, 'cpp-starter-copy');
    await copyFile(CPP_STARTER, copy);
    const { chmod } = await import('node:fs/promises');
    await chmod(copy, 0o755);
    const config = join(root, 'alpha.config.json');
    await writeFile(config, JSON.stringify({ alpha: 0.05 }));
    const summary = join(root, 'gate.md');
    const r = lsmbench(['gate', '--base-engine', `external:${CPP_STARTER}`, '--head-engine', `external:${copy}`, '-n', '1000', '--rounds', '5', '-r', '2', '-w', 'contains', '--config', config, '--summary', summary]);
    // The same build on both sides: pass, or at worst a false alarm on a noisy machine; never "could not judge".
    assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /cpp-starter contains: could see slowdowns of \d+% or more/);
    assert.match(await readFile(summary, 'utf8'), /rows are labelled cpp-starter/);
  });
});

describe('a store author gating two builds of an external engine in a project of their own (built binary)', () => {
  it('reports a deliberately slowed build as a regression, and the unchanged workload as none', async () => {
    // A scratch project outside this repository: base/ is the Python starter, head/ the same
    // engine with wasted work in every get (about 4× its cost).
    const project = await scratchDir('lsmbench-store-author-');
    const starter = await readFile(join(projectRoot(), 'engines', 'external', 'examples', 'python', 'engine.py'), 'utf8');
    const plainGet = '    def get(self, k):\n        return self.data.get(k)\n';
    assert.ok(starter.includes(plainGet), 'the starter still has the get this test slows');
    const slowed = starter.replace(plainGet, '    def get(self, k):\n        for _ in range(40):\n            hash(k + b"x")\n        return self.data.get(k)\n');
    const { chmod, mkdir } = await import('node:fs/promises');
    for (const [dir, text] of [['base', starter], ['head', slowed]] as const) {
      await mkdir(join(project, dir));
      await writeFile(join(project, dir, 'engine.py'), text);
      await chmod(join(project, dir, 'engine.py'), 0o755);
    }
    // alpha 0.002 shared by the two workloads, 0.001 each, so that identical code is called
    // a regression at most once in a thousand runs (at 0.05 each, CI saw the unchanged
    // Contains called −14.2%, p = 0.047, and another time +17.2% faster): 10 rounds can
    // reach p = 2^-10 = 0.00098, which a 4× slower get reaches when every round is slower.
    await writeFile(join(project, 'gate.config.json'), JSON.stringify({ alpha: 0.002 }));
    const r = lsmbench(
      ['gate', '--base-engine', 'external:./base/engine.py', '--head-engine', 'external:./head/engine.py', '-n', '2000', '--rounds', '10', '-r', '2', '-w', 'random-reads,contains', '--summary', 'gate.md'],
      {},
      { cwd: project },
    );
    assert.equal(r.code, 1, `exit 1 (a regression): ${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /^lsmbench gate: REGRESSION in 1 of 2 workloads: python-starter random-reads −\d/);
    // The unchanged workload is no regression. It may read "faster" (as rarely as a false
    // regression): the assertion is that it is not a regression.
    assert.match(await readFile(join(project, 'gate.md'), 'utf8'), /\| python-starter \| Contains \|.*\| (pass|faster) \|/);
  });
});
