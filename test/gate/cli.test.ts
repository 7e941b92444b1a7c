/** `lsmbench gate --baseline` through the built binary: exit codes, verdict line, Markdown, warnings, bad input. */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { assertUserError, lsmbench, type Completed } from '../cli-helpers.js';
import { resultsWith, steady, templateRun } from './fixtures.js';
import { scratchDir } from '../scratch.js';

let dir: string;
const file = async (name: string, content: unknown): Promise<string> => {
  const path = join(dir, name);
  await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
};


const verdictLines = (r: Completed): string[] => r.stdout.trim().split('\n');

describe('lsmbench gate --baseline (built binary)', () => {
  let base: string;
  before(async () => {
    dir = await scratchDir('lsmbench-gate-cli-');
    templateRun();
    base = await file('base.json', resultsWith({ samples: { 'random-reads': steady(1_000_000), contains: steady(2_000_000) } }));
  });

  it('passes unchanged figures: exit 0 and one PASS line', async () => {
    const head = await file('same.json', resultsWith({ samples: { 'random-reads': steady(1_010_000), contains: steady(1_990_000) } }));
    const r = lsmbench(['gate', '--baseline', base, '--head', head]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(verdictLines(r).length, 1);
    assert.match(r.stdout, /^lsmbench gate: PASS: no regression in 2 workloads\n$/);
  });

  it('fails a 30% slowdown: exit 1, the line names the workload, the Markdown goes to --summary and $GITHUB_STEP_SUMMARY', async () => {
    const head = await file('slow.json', resultsWith({ samples: { 'random-reads': steady(700_000), contains: steady(2_000_000) } }));
    const summary = join(dir, 'summary.md');
    const step = await file('step-summary.md', '# earlier step\n');
    const r = lsmbench(['gate', '--baseline', base, '--head', head, '--summary', summary], { GITHUB_STEP_SUMMARY: step });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^lsmbench gate: REGRESSION in 1 of 2 workloads: memory random-reads −30\.0% \(p=/);
    const md = await readFile(summary, 'utf8');
    assert.match(md, /^### lsmbench gate: ❌ regression/);
    assert.match(md, /\| memory \| Random Reads \| 1,000,000 \| 700,000 \| −30\.0% \|.*\*\*REGRESSION\*\*/);
    assert.match(md, /\| memory \| Contains \| 2,000,000 \| 2,000,000 \| \+0\.0% \|.*\| pass \|/);
    const stepText = await readFile(step, 'utf8');
    assert.ok(stepText.startsWith('# earlier step\n'), 'appends, keeping what earlier steps wrote');
    assert.ok(stepText.includes(md), 'the same Markdown is appended');
  });

  it('prints the decision as JSON with --json, the verdict line on stderr', async () => {
    const head = await file('slow2.json', resultsWith({ samples: { 'random-reads': steady(700_000), contains: steady(2_000_000) } }));
    const r = lsmbench(['gate', '--baseline', base, '--head', head, '--json']);
    assert.equal(r.code, 1);
    const out = JSON.parse(r.stdout) as { outcome: string; decision: { verdicts: Array<{ workload: string; verdict: string; ratio: number; baseN: number }> } };
    assert.equal(out.outcome, 'regression');
    const rr = out.decision.verdicts.find((v) => v.workload === 'random-reads')!;
    assert.equal(rr.verdict, 'regression');
    assert.equal(rr.baseN, 15);
    assert.ok(Math.abs(rr.ratio - 0.7) < 1e-9);
    assert.match(r.stderr, /REGRESSION/);
  });

  it('warns when the baseline comes from other hardware, and refuses with --strict (exit 2)', async () => {
    const other = await file('other-machine.json', resultsWith({ fingerprint: '0123456789abcdef', samples: { 'random-reads': steady(1_000_000), contains: steady(2_000_000) } }));
    const head = await file('same2.json', resultsWith({ samples: { 'random-reads': steady(1_000_000), contains: steady(2_000_000) } }));
    const summary = join(dir, 'warn.md');
    const warned = lsmbench(['gate', '--baseline', other, '--head', head, '--summary', summary]);
    assert.equal(warned.code, 0, warned.stderr);
    assert.match(warned.stderr, /warning: the baseline was measured on other hardware .*fingerprint 0123456789abcdef/);
    assert.match(await readFile(summary, 'utf8'), /⚠️ the baseline was measured on other hardware/);
    const strict = lsmbench(['gate', '--baseline', other, '--head', head, '--strict']);
    assert.equal(strict.code, 2);
    assert.match(strict.stdout, /^lsmbench gate: COULD NOT JUDGE: refused with --strict: the baseline was measured on other hardware/);
  });

  it('refuses with --strict when the two runs used different scenarios', async () => {
    const bigger = await file('bigger.json', resultsWith({ ops: 5000, samples: { 'random-reads': steady(1_000_000), contains: steady(2_000_000) } }));
    const r = lsmbench(['gate', '--baseline', base, '--head', bigger, '--strict']);
    assert.equal(r.code, 2);
    assert.match(r.stdout, /different scenarios \(ops 1000 vs 5000\)/);
  });

  it('cannot judge a workload whose verification failed: exit 2', async () => {
    const head = await file('failed.json', resultsWith({ samples: { 'random-reads': steady(1_000_000) }, failed: ['contains'] }));
    const r = lsmbench(['gate', '--baseline', base, '--head', head]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stdout, /COULD NOT JUDGE 1 of 2 workloads \(memory contains: verification failed \(head: key 0000000000000042: wrong value\)\); no regression in the other 1/);
  });

  it('cannot judge too few samples: exit 2', async () => {
    const few = await file('few.json', resultsWith({ samples: { 'random-reads': steady(1_000_000, 3), contains: steady(2_000_000, 3) } }));
    const r = lsmbench(['gate', '--baseline', few, '--head', few]);
    assert.equal(r.code, 2);
    assert.match(r.stdout, /too few samples \(3 base, 3 head; need 5 each\)/, "two comparisons share alpha 0.01: 5 v 5 reaches 1/252");
  });

  it('takes per-workload minimum effects from --config: 15% slower passes under a 20% override', async () => {
    const head = await file('slow15.json', resultsWith({ samples: { 'random-reads': steady(850_000), contains: steady(2_000_000) } }));
    assert.equal(lsmbench(['gate', '--baseline', base, '--head', head]).code, 1, 'fails under the default 10%');
    const config = await file('gate.config.json', { minEffect: 0.1, workloads: { 'random-reads': { minEffect: 0.2 } } });
    const r = lsmbench(['gate', '--baseline', base, '--head', head, '--config', config]);
    assert.equal(r.code, 0, r.stdout);
  });

  it('reads ./gate.config.json from the working directory by default', async () => {
    const head = await file('slow15b.json', resultsWith({ samples: { 'random-reads': steady(850_000), contains: steady(2_000_000) } }));
    const cwd = await scratchDir('lsmbench-gate-cwd-');
    await writeFile(join(cwd, 'gate.config.json'), JSON.stringify({ minEffect: 0.25 }));
    const r = lsmbench(['gate', '--baseline', base, '--head', head, '--summary', join(cwd, 's.md')], {}, { cwd });
    assert.equal(r.code, 0, r.stdout);
    assert.match(await readFile(join(cwd, 's.md'), 'utf8'), /at least 25% below/);
  });

  it('rejects bad input with one line and exit 2', async () => {
    assertUserError(lsmbench(['gate']), /--base <git-ref> or --baseline <results\.json>/);
    assertUserError(lsmbench(['gate', '--base-engine', 'memory', '--head-engine', 'memory', '--cpu', '64']), /--cpu must be 'none' or a CPU number from 0 to \d+, not '64'/);
    assertUserError(lsmbench(['gate', '--base-engine', 'memory', '--head-engine', 'memory', '--mode', 'duet', '--cpu', '0']), /--cpu pins both sides to one CPU, which --mode duet cannot do/);
    assertUserError(lsmbench(['gate', '--baseline', base, '--cpu', '0']), /--cpu places the processes of a gate that runs both sides/);
    assertUserError(lsmbench(['gate', '--base', 'HEAD', '--baseline', base]), /--base <git-ref> or --baseline/);
    assertUserError(lsmbench(['gate', '--base', 'HEAD', '--head', base]), /--head <results\.json> goes with --baseline/);
    assertUserError(lsmbench(['gate', '--baseline', join(dir, 'nope.json')]), /cannot read results file .*nope\.json: ENOENT/);
    assertUserError(lsmbench(['gate', '--baseline', base, '--engine', 'ts']), /--engine go with --base/);
    const bad = await file('bad.config.json', { minEffect: 2 });
    assertUserError(lsmbench(['gate', '--baseline', base, '--head', base, '--config', bad]), /gate config .*bad\.config\.json is invalid: minEffect/);
    const unknown = await file('unknown.config.json', { workloads: { 'random-read': { minEffect: 0.2 } } });
    assertUserError(lsmbench(['gate', '--baseline', base, '--head', base, '--config', unknown]), /gate config .* is invalid: workloads/);
    assertUserError(lsmbench(['gate', '--base', 'HEAD', '--workloads', 'nonsense']), /unknown workload 'nonsense'/);
    assertUserError(lsmbench(['gate', '--base', '--not-a-ref']), /not a git ref/);
    assertUserError(lsmbench(['gate', '--base', 'HEAD', '--engine', 'no-such-engine']), /engine 'no-such-engine' is not available in this build/);
    assertUserError(lsmbench(['gate', '--base', 'HEAD', '--mode', 'solo']), /--mode must be one of adjacent, adjacent-runs, duet, one-cpu-duet, not 'solo'/);
    assertUserError(lsmbench(['gate', '--base-engine', 'memory']), /--base-engine and --head-engine go together/);
    assertUserError(lsmbench(['gate', '--base-engine', 'memory', '--head-engine', 'memory', '--base', 'HEAD']), /no --base, --baseline or --engine with them/);
    assertUserError(lsmbench(['gate', '--calibrate', '--base', 'HEAD']), /--calibrate measures this build against itself/);
    assertUserError(lsmbench(['gate', '--calibrate', '--levels', '0.1,2']), /--levels must be fractions between 0 and 1/);
  });
});

describe('lsmbench gate --base-engine/--head-engine (built binary)', () => {
  it('pairs two engines round by round with the decision of --base, and names both', async () => {
    const dir = await scratchDir('lsmbench-gate-engines-');
    const summary = join(dir, 'engines.md');
    // At alpha 0.05, one workload needs 5 rounds (2^-5 ≤ 0.05): fewer runs on a busy machine.
    const config = join(dir, 'alpha.config.json');
    await writeFile(config, JSON.stringify({ alpha: 0.05 }));
    const r = lsmbench(['gate', '--base-engine', 'memory', '--head-engine', 'memory', '-n', '1000', '--rounds', '5', '-r', '2', '-w', 'contains', '--config', config, '--summary', summary]);
    // The same engine on both sides: pass, or at worst a false alarm on this noisy machine; never "could not judge".
    assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /memory contains: could see slowdowns of \d+% or more \((cpu|wall) time, 5 rounds\)/);
    const md = await readFile(summary, 'utf8');
    assert.match(md, /Compared: engine memory \(base\) against memory \(head\), paired on this machine .*: 5 rounds/);
    assert.match(md, /\| memory \| Contains \| (cpu|wall) \|.*\| 5 \| \d+% \|/);
  });
});
