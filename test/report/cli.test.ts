/** `lsmbench compare` and `lsmbench report` as a user runs them: the built binary, its output and exit codes. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { projectRoot } from '../../src/paths.js';
import { around, makeResults, writeFixture } from './fixtures.js';
import { parseXml } from './xml.js';
import { lsmbench, assertUserError, CLI } from '../cli-helpers.js';
import { scratchDir } from '../scratch.js';

const REFERENCE = join(projectRoot(), 'results', 'reference', 'nim-vs-rust-lsm-benchmark.json');
const ROWS = ['Sequential Writes', 'Sequential Reads', 'Random Writes', 'Random Reads', 'Range Scan', 'Prefix Scan', 'Deletions', 'Contains'];



const allEight = (centre: number): Record<string, number[]> =>
  Object.fromEntries(['sequential-writes', 'sequential-reads', 'random-writes', 'random-reads', 'range-scan', 'prefix-scan', 'deletions', 'contains'].map((w) => [w, around(centre)]));

describe('lsmbench compare / report CLI', () => {
  it('compare a run with the published Rust figures: the eight-row ratio table, CI unavailable, warnings', async () => {
    const dir = await scratchDir('lsmbench-cli-report-');
    const run = await writeFixture(dir, 'run.json', makeResults({ engines: [{ label: 'ts', figures: allEight(1_000_000) }] }));
    const r = lsmbench(['compare', run, `${REFERENCE}#Rust`]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /│ Operation\s+│ ts \(ops\/s\) │ Rust \(ops\/s\) │\s+Ratio \(ts\/Rust\) │/);
    for (const row of ROWS) assert.match(r.stdout, new RegExp(`│ ${row}\\s+│\\s+1,000,000 │\\s+[\\d,]+ │ \\d\\.\\d\\d× \\(no CI: published\\) │`), row);
    assert.match(r.stdout, /Sequential Reads\s+│\s+1,000,000 │\s+1,637,924 │ 0\.61×/);
    assert.match(r.stdout, /Warning: Hardware differs/);
    assert.match(r.stdout, /Warning: Rust: published figures/);
  });

  it('compare --format md and --format json', async () => {
    const dir = await scratchDir('lsmbench-cli-report-');
    const a = await writeFixture(dir, 'a.json', makeResults({ engines: [{ label: 'a', figures: { contains: around(300) } }, { label: 'b', figures: { contains: around(100) } }] }));
    const md = lsmbench(['compare', a, '--format', 'md']);
    assert.equal(md.code, 0, md.stderr);
    assert.match(md.stdout, /^\| Contains \| 300 \| 100 \| 3\.00× \[2\.\d\d–3\.\d\d\] \|$/m);
    const json = lsmbench(['compare', a, '--format', 'json']);
    assert.equal(json.code, 0, json.stderr);
    const parsed = JSON.parse(json.stdout) as { rows: { workload: string; ratios: { ratio: number; ci95: [number, number] }[] }[] };
    assert.equal(parsed.rows[0]!.workload, 'contains');
    assert.ok(Math.abs(parsed.rows[0]!.ratios[0]!.ratio - 3) < 1e-9);
    assertUserError(lsmbench(['compare', a, '--format', 'html']), /argument 'html' is invalid/);
  });

  it('bad input: corrupt JSON, another schema version, one engine, unknown engine label, missing file', async () => {
    const dir = await scratchDir('lsmbench-cli-report-');
    const corrupt = join(dir, 'corrupt.json');
    await writeFile(corrupt, '{"schema": "lsmbench/results", ');
    assertUserError(lsmbench(['compare', corrupt, REFERENCE]), new RegExp(`results file ${corrupt} is not valid JSON`));
    const newer = join(dir, 'newer.json');
    await writeFile(newer, JSON.stringify({ ...makeResults({ engines: [{ label: 'a', figures: { contains: [1] } }] }), version: 99 }));
    assertUserError(lsmbench(['compare', newer, REFERENCE]), new RegExp(`results file ${newer} has schema version 99`));
    const one = await writeFixture(dir, 'one.json', makeResults({ engines: [{ label: 'a', figures: { contains: around(1) } }] }));
    assertUserError(lsmbench(['compare', one]), /compare needs at least two engines; the files given hold 1 \(a\)/);
    assertUserError(lsmbench(['compare', one, `${REFERENCE}#Go`]), /has no engine 'Go' \(it has: Nim, Rust\)/);
    assertUserError(lsmbench(['compare', one, join(dir, 'absent.json')]), /cannot read results file .*absent\.json: ENOENT/);
    assertUserError(lsmbench(['report', one, REFERENCE, '-o', join(dir, 'report.html')]), /must end in \.md/);
  });

  it('report writes the Markdown and its SVG charts', async () => {
    const dir = await scratchDir('lsmbench-cli-report-');
    const run = await writeFixture(dir, 'run.json', makeResults({ engines: [{ label: 'ts', figures: allEight(1_000_000) }, { label: 'memory', figures: allEight(2_000_000) }] }));
    const out = join(dir, 'rep', 'r.md');
    const r = lsmbench(['report', run, REFERENCE, '-o', out, '--baseline', 'Rust']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`Report: ${out}\\nChart: .*r-throughput\\.svg\\nChart: .*r-latency\\.svg\\n`));
    const md = await readFile(out, 'utf8');
    assert.match(md, /^# lsmbench report: ts vs memory vs Nim vs Rust$/m);
    assert.match(md, /\| Operation \| ts \(ops\/s\) \| memory \(ops\/s\) \| Nim \(ops\/s\) \| Rust \(ops\/s\) \| Ratio \(ts\/Rust\) \| Ratio \(memory\/Rust\) \| Ratio \(Nim\/Rust\) \|/);
    assert.match(md, /\| Sequential Writes \| 1,000,000 \| 2,000,000 \| 1,284,639 \| 1,343,439 \| 0\.74× \(no CI: published\) \| 1\.49× \(no CI: published\) \| 0\.96× \(no CI: published\) \|/);
    assert.match(md, /```sh\nlsmbench report .* -o .*r\.md --baseline Rust\n```/);
    for (const f of (await readdir(join(dir, 'rep'))).filter((f) => f.endsWith('.svg'))) parseXml(await readFile(join(dir, 'rep', f), 'utf8'));
  });

  it('report of one engine: its figures, charts and observations, no ratios', async () => {
    const dir = await scratchDir('lsmbench-cli-report-');
    const one = await writeFixture(dir, 'one.json', makeResults({ engines: [{ label: 'ts', figures: { contains: around(2_000_000), 'sequential-writes': around(1_000_000) } }] }));
    const out = join(dir, 'rep', 'one.md');
    const r = lsmbench(['report', one, '-o', out]);
    assert.equal(r.code, 0, r.stderr);
    const md = await readFile(out, 'utf8');
    assert.match(md, /^# lsmbench report: ts$/m);
    assert.match(md, /^\| Operation \| ts \(ops\/s\) \|$/m);
    assert.match(md, /^\| Contains \| 2,000,000 \|$/m);
    assert.doesNotMatch(md, /Ratio \(|A ratio|ts against/);
    assert.match(md, /## Verification\n\nEvery result lsmbench ran passed verification: 2 of 2 \(ts\)/);
    assert.deepEqual((await readdir(join(dir, 'rep'))).sort(), ['one-latency.svg', 'one-throughput.svg', 'one.md']);
  });
});
