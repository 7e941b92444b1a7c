/** The comparison: the document's table, its ratios and intervals, N/A, published figures, warnings. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { join } from 'node:path';
import { projectRoot } from '../../src/paths.js';
import { buildComparison, CI_UNAVAILABLE_PUBLISHED } from '../../src/report/compare.js';
import { compareJson, compareMarkdown, compareTerminal } from '../../src/report/compare-output.js';
import { loadSides, parseSelector } from '../../src/report/model.js';
import { observations } from '../../src/report/observations.js';
import { differenceSentence, ratioText } from '../../src/report/text.js';
import { ratioOfMedians } from '../../src/stats.js';
import { around, makeResults, writeFixture } from './fixtures.js';
import { scratchDir } from '../scratch.js';

const REFERENCE = join(projectRoot(), 'results', 'reference', 'nim-vs-rust-lsm-benchmark.json');

async function dir(): Promise<string> {
  return scratchDir('lsmbench-report-');
}

describe('compare', () => {
  it('selectors: a file, or a file and engine labels after #', () => {
    assert.deepEqual(parseSelector('no/such/file.json#Rust'), { path: 'no/such/file.json', labels: ['Rust'] });
    assert.deepEqual(parseSelector('x.json#memory#2,ts'), { path: 'x.json', labels: ['memory#2', 'ts'] });
    assert.deepEqual(parseSelector(REFERENCE), { path: REFERENCE, labels: null });
  });

  it('shows a Concurrency column, naming each side when they differ, only when some row ran more than one call at a time', async () => {
    const d = await dir();
    const one = makeResults({ id: 'one', engines: [{ label: 'lmdb', figures: { 'random-reads': around(900_000), contains: around(1_000_000) } }] });
    const two = makeResults({ id: 'two', engines: [{ label: 'lmdb', figures: { 'random-reads': around(1_700_000), contains: around(2_000_000) } }] });
    const threaded = { ...two, scenario: { ...two.scenario, threads: 2 }, results: two.results.map((r) => ({ ...r, threads: 2 })) };
    const a = await writeFixture(d, 'one.json', one);
    const b = await writeFixture(d, 'two.json', threaded);
    const again = await writeFixture(d, 'again.json', { ...one, id: 'again' });
    const plain = compareMarkdown(buildComparison((await loadSides([a, again])).sides, {}));
    assert.doesNotMatch(plain, /Concurrency/, 'one call at a time everywhere: no column');
    const cmp = buildComparison((await loadSides([a, b])).sides, {});
    const md = compareMarkdown(cmp);
    assert.match(md, /\| Operation \| Concurrency \| lmdb \(file 1\) \(ops\/s\) \|/);
    assert.match(md, /\| Random Reads \| lmdb \(file 1\): 1; lmdb \(file 2\): 2 threads \|/);
    assert.match(compareTerminal(cmp), /│ Contains\s+│ lmdb \(file 1\): 1; lmdb \(file 2\): 2 threads/);
    assert.ok(cmp.warnings.some((w) => /differ in threads \(1 vs 2\)/.test(w)));
    const json = compareJson(cmp) as { rows: { cells: { concurrency: string | null }[] }[] };
    assert.deepEqual(json.rows[0]!.cells.map((c) => c.concurrency), ['1', '2 threads']);
  });

  it('the terminal table fits the width: full cells where they fit; else compact figures, then ratios marked ▲ ▼ without intervals, said in a note', async () => {
    const d = await dir();
    const figures = (scale: number) => ({ 'sequential-writes': around(450_000 * scale), 'random-reads': around(1_900_000 * scale), 'range-scan': around(12_400_000 * scale), contains: around(2_800_000 * scale) });
    const file = await writeFixture(d, 'three.json', makeResults({ engines: [{ label: 'ts', figures: figures(1) }, { label: 'rocksdb-cpp', figures: figures(0.5) }, { label: 'floor', figures: figures(1) }] }));
    const cmp = buildComparison((await loadSides([file])).sides);
    const widest = (text: string): number => Math.max(...text.split('\n').map((l) => [...l].length));
    const wide = compareTerminal(cmp, { width: 200 });
    assert.match(wide, /Random Reads\s+│\s+1,900,000 │\s+950,000 │\s+1,900,000 │\s+2\.00× \[\d\.\d\d–\d\.\d\d\] │/);
    assert.doesNotMatch(wide, /▲|▼/);
    for (const width of [80, 100]) {
      const text = compareTerminal(cmp, { width });
      assert.ok(widest(text) <= width, `fits ${width}: ${widest(text)}`);
    }
    const narrow = compareTerminal(cmp, { width: 80 });
    assert.match(narrow, /│\s+1\.90M │\s+950k │/, 'compact figures');
    assert.match(narrow, /2\.00× ▲ │\s+1\.00×\s+│/, 'ts twice rocksdb-cpp (▲), no clear difference with floor');
    assert.match(narrow.replace(/\n\s+/g, ' '), /▲ or ▼: a ratio whose 95% interval excludes 1\.00 \(faster or slower\); the intervals were left out to fit 80 columns/);
  });

  it('two files of three engines each (six columns of figures, five ratios) fit 80 columns, in parts, every ratio shown', async () => {
    const d = await dir();
    const figures = (scale: number) => ({ 'sequential-writes': around(450_000 * scale), 'range-scan': around(12_400_000 * scale) });
    const engines = [{ label: 'ts', figures: figures(1) }, { label: 'rocksdb-cpp', figures: figures(0.5) }, { label: 'floor', figures: figures(1) }];
    const a = await writeFixture(d, 'six-a.json', makeResults({ id: 'six-a', engines }));
    const b = await writeFixture(d, 'six-b.json', makeResults({ id: 'six-b', engines }));
    const cmp = buildComparison((await loadSides([a, b])).sides);
    const text = compareTerminal(cmp, { width: 80 });
    assert.ok(Math.max(...text.split('\n').map((l) => [...l].length)) <= 80, text);
    assert.match(text.replace(/\n/g, ' '), /the table is shown in \d parts/);
    // The five ratio columns, whatever their headings' wrapping: each row of a part has its cells.
    assert.equal(text.match(/× [▲▼ ]/g)?.length, 5 * 2, 'five ratios for each of the two workloads');
  });

  it('ratios are medians over medians with the interval over independent processes; a missing workload is N/A', async () => {
    const d = await dir();
    const a = await writeFixture(d, 'a.json', makeResults({ id: 'a', engines: [{ label: 'ts', figures: { 'sequential-writes': around(800_000), contains: around(1_000_000) } }] }));
    const b = await writeFixture(d, 'b.json', makeResults({ id: 'b', engines: [{ label: 'lmdb', figures: { 'sequential-writes': around(1_000_000) } }] }));
    const { sides } = await loadSides([a, b]);
    const cmp = buildComparison(sides);
    assert.deepEqual(cmp.workloads, ['sequential-writes', 'contains']);
    const [writes, contains] = cmp.rows;
    const expected = ratioOfMedians(around(800_000), around(1_000_000));
    assert.ok(Math.abs(writes!.ratios[0]!.ratio! - 0.8) < 1e-12);
    assert.deepEqual(writes!.ratios[0]!.ci95, expected.ci95);
    assert.equal(contains!.cells[1]!.status, 'missing');
    assert.equal(contains!.ratios[0]!.ratio, null);
    const text = compareTerminal(cmp);
    assert.match(text, /Operation\s+│ ts \(ops\/s\) │ lmdb \(ops\/s\) │\s+Ratio \(ts\/lmdb\) │/);
    assert.match(text, /Sequential Writes │\s+800,000 │\s+1,000,000 │ 0\.80× \[0\.\d\d–0\.\d\d\]/);
    assert.match(text, /Contains\s+│\s+1,000,000 │\s+N\/A │\s+- │/);
    const md = compareMarkdown(cmp);
    assert.match(md, /^\| Operation \| ts \(ops\/s\) \| lmdb \(ops\/s\) \| Ratio \(ts\/lmdb\) \|$/m);
    assert.match(md, /^\| --- \| ---: \| ---: \| ---: \|$/m);
    const json = compareJson(cmp) as { rows: { ratios: { ratio: number | null; ci95: unknown }[] }[] };
    assert.deepEqual(json.rows[0]!.ratios[0]!.ci95, expected.ci95);
    assert.equal(json.rows[1]!.ratios[0]!.ratio, null);
  });

  it('published figures: the ratio is shown, its CI is said to be unavailable', async () => {
    const d = await dir();
    const run = await writeFixture(d, 'run.json', makeResults({ engines: [{ label: 'ts', figures: { 'sequential-reads': around(1_400_000) } }] }));
    const { sides } = await loadSides([run, `${REFERENCE}#Rust`]);
    const cmp = buildComparison(sides);
    assert.equal(cmp.rows.length, 8, "the scenario union: ts ran one workload, Rust's file names eight");
    const reads = cmp.rows.find((r) => r.workload === 'sequential-reads')!;
    assert.ok(Math.abs(reads.ratios[0]!.ratio! - 1_400_000 / 1_637_924) < 1e-12);
    assert.equal(reads.ratios[0]!.ci95, null);
    assert.equal(reads.ratios[0]!.ciUnavailable, CI_UNAVAILABLE_PUBLISHED);
    assert.equal(ratioText(reads.ratios[0]!), '0.85× (no CI: published)');
    assert.equal(reads.cells[1]!.ci95, null, 'no CI for the published cell either');
    assert.ok(cmp.warnings.some((w) => /^Hardware differs: .*as published: 4 cores/.test(w)));
    assert.ok(cmp.warnings.some((w) => /^Rust: published figures .*no confidence interval is available/.test(w)));
    const obs = observations(cmp).join('\n');
    assert.match(obs, /^ts against Rust: 0\.85× on the 1 workload both have; no 95% interval for any of them \(published figures have none\), so none is a tested difference\.$/m);
    assert.match(obs, /^Largest gap \(untested\): ts reaches 0\.85× of Rust's throughput on sequential reads\.$/m);
    assert.match(obs, /^Only Rust has figures on sequential writes, random writes, .* and contains: ts did not run them\.$/m, 'one line, not one per workload');
    assert.doesNotMatch(obs, /clearly|slower|faster/, 'no claim of a difference without a CI');
  });

  it('the reference file alone gives the document table: Nim/Rust 0.96× and 0.86×, the rest N/A and -', async () => {
    const { sides } = await loadSides([REFERENCE]);
    const text = compareTerminal(buildComparison(sides));
    assert.match(text, /Sequential Writes │\s+1,284,639 │\s+1,343,439 │ 0\.96× \(no CI: published\)/);
    assert.match(text, /Sequential Reads\s+│\s+1,407,006 │\s+1,637,924 │ 0\.86× \(no CI: published\)/);
    for (const row of ['Random Writes', 'Random Reads', 'Range Scan', 'Prefix Scan', 'Deletions', 'Contains'])
      assert.match(text, new RegExp(`${row}\\s+│\\s+N/A │\\s+[\\d,]+ │\\s+- │`));
  });

  it('warns when fingerprints, durability or batching differ, and when scenarios differ', async () => {
    const d = await dir();
    const a = await writeFixture(d, 'a.json', makeResults({ fingerprint: 'fp-a', engines: [{ label: 'x', figures: { contains: around(1) } }] }));
    const b = await writeFixture(d, 'b.json', makeResults({ fingerprint: 'fp-b', batch: 100, ops: 5000, engines: [{ label: 'y', durability: 'fsync', driving: 'synchronous calls, writes and deletes in atomic batches of 100', figures: { contains: around(1) } }] }));
    const { sides } = await loadSides([a, b]);
    const w = buildComparison(sides).warnings.join('\n');
    assert.match(w, /Hardware differs: file 1 .*fingerprint fp-a.* vs file 2 .*fingerprint fp-b/);
    assert.match(w, /y cannot honour durability 'none' and ran in the stronger mode 'fsync'/);
    assert.match(w, /different durability modes/);
    assert.match(w, /driven differently \(x: synchronous calls, one operation per call; y: .*batches of 100\)/);
    assert.match(w, /scenarios differ in ops \(100000 vs 5000\)/);
    const same = await writeFixture(d, 'c.json', makeResults({ fingerprint: 'fp-a', engines: [{ label: 'z', figures: { contains: around(1) } }] }));
    assert.deepEqual(buildComparison((await loadSides([a, same])).sides).warnings, []);
  });

  it('repeated labels get the file number; --baseline divides every other engine by one', async () => {
    const d = await dir();
    const a = await writeFixture(d, 'a.json', makeResults({ engines: [{ label: 'memory', figures: { contains: around(100) } }] }));
    const b = await writeFixture(d, 'b.json', makeResults({ engines: [{ label: 'memory', figures: { contains: around(200) } }, { label: 'ts', figures: { contains: around(50) } }] }));
    const { sides } = await loadSides([a, b]);
    assert.deepEqual(sides.map((s) => s.name), ['memory (file 1)', 'memory (file 2)', 'ts']);
    const cmp = buildComparison(sides, { baseline: 'ts' });
    assert.deepEqual(cmp.pairs, [{ a: 0, b: 2 }, { a: 1, b: 2 }]);
    assert.ok(Math.abs(cmp.rows[0]!.ratios[1]!.ratio! - 4) < 1e-9);
    assert.throws(() => buildComparison(sides, { baseline: 'rocksdb' }), /--baseline 'rocksdb' is not one of the engines compared/);
    await assert.rejects(loadSides([`${a}#ts`]), /has no engine 'ts' \(it has: memory\)/);
  });

  it('a failed workload is FAILED, never a figure, and has no ratio', async () => {
    const d = await dir();
    const a = await writeFixture(d, 'a.json', makeResults({ engines: [{ label: 'x', figures: { contains: around(10) }, failed: ['contains'] }, { label: 'y', figures: { contains: around(10) } }] }));
    const cmp = buildComparison((await loadSides([a])).sides);
    assert.equal(cmp.rows[0]!.cells[0]!.status, 'failed');
    assert.equal(cmp.rows[0]!.ratios[0]!.ratio, null);
    const text = compareTerminal(cmp);
    assert.match(text, /Contains\s+│\s+FAILED │\s+10 │\s+- │/);
    assert.match(text, /FAILED x Contains \(N=100,000\): value of key\(7\) differs/);
  });

  it('observations claim a difference only when the CI excludes 0', async () => {
    const d = await dir();
    const a = await writeFixture(
      d,
      'a.json',
      makeResults({
        engines: [
          { label: 'A', figures: { 'sequential-reads': around(860_000), contains: [90, 110, 100, 95, 105] } },
          { label: 'B', figures: { 'sequential-reads': around(1_000_000), contains: [100, 92, 108, 97, 103] } },
        ],
      }),
    );
    const cmp = buildComparison((await loadSides([a])).sides);
    const [reads, contains] = cmp.rows;
    const s = differenceSentence('A', 'B', reads!.ratios[0]!, 'on sequential reads')!;
    const [lo, hi] = reads!.ratios[0]!.ci95!;
    assert.equal(s, `A is slower than B on sequential reads: 0.86× (95% CI ${lo.toFixed(2)}–${hi.toFixed(2)}×).`);
    assert.equal(differenceSentence('A', 'B', contains!.ratios[0]!, 'on contains'), `No clear difference between A and B on contains: ${contains!.ratios[0]!.ratio!.toFixed(2)}×, but the 95% CI (${contains!.ratios[0]!.ci95![0].toFixed(2)}–${contains!.ratios[0]!.ci95![1].toFixed(2)}×) includes 1.`);
    assert.ok(contains!.ratios[0]!.ci95![0] < 1 && contains!.ratios[0]!.ci95![1] > 1, 'the contains samples overlap');
    const obs = observations(cmp);
    // The table has every ratio; the observations say what it does not: the verdict in one line, the largest gap.
    assert.match(obs[0]!, /^A against B: from 0\.86× to [\d.]+× on the 2 workloads both have; clearly faster on 0, clearly slower on 1, no clear difference on 1 \(contains: the 95% interval includes 1\)\.$/);
    assert.match(obs[1]!, new RegExp(`^Largest gap: A reaches 0\\.86× \\(95% CI ${lo.toFixed(2)}–${hi.toFixed(2)}×\\) of B's throughput on sequential reads\\.$`));
    assert.ok(!obs.some((o) => /on contains/.test(o) && /reaches/.test(o)), 'no gap claimed where the interval includes 1');
    assert.ok(!obs.some((o) => /[Nn]oisy/.test(o)), 'samples within ±10%: no noise remark');
    const noisy = await writeFixture(d, 'n.json', makeResults({ engines: [{ label: 'A', figures: { contains: [50, 100, 100, 100, 110] } }, { label: 'B', figures: { contains: around(100) } }] }));
    const noisyObs = observations(buildComparison((await loadSides([noisy])).sides));
    // One line: per engine, the sample furthest from the others, only where it is far (B's are within ±2%).
    assert.ok(
      noisyObs.some((o) => /^Noisy sample \(per engine, the one furthest from the others\): A on contains, 0\.50× the median of the other 4 \(process \d+\)\. It widens that interval; /.test(o)),
      noisyObs.join('\n'),
    );
  });

  it('plain runs at different N are still compared row by row, with the N of each side and a warning', async () => {
    const d = await dir();
    const quick = await writeFixture(d, 'q.json', makeResults({ ops: 20_000, engines: [{ label: 'ts', figures: { 'sequential-reads': around(1_000_000) } }] }));
    const cmp = buildComparison((await loadSides([quick, `${REFERENCE}#Rust`])).sides);
    assert.equal(cmp.rows.length, 8);
    assert.ok(Math.abs(cmp.rows[1]!.ratios[0]!.ratio! - 1_000_000 / 1_637_924) < 1e-12);
    const text = compareTerminal(cmp);
    assert.match(text, /^N = 20,000 \(ts\), 100,000 \(Rust\)$/m);
    assert.match(text, /scenarios differ in ops \(20000 vs 100000\)/);
  });

  it('sweeps are compared per N, and a point only one side has is not a row of N/A', async () => {
    const d = await dir();
    const sweep = await writeFixture(d, 's.json', makeResults({ sweep: [1000, 10_000], engines: [{ label: 'a', figures: { 'contains@1000': around(10), 'contains@10000': around(8) } }] }));
    const plain = await writeFixture(d, 'p.json', makeResults({ ops: 10_000, engines: [{ label: 'b', figures: { contains: around(4) } }] }));
    const cmp = buildComparison((await loadSides([sweep, plain])).sides);
    assert.deepEqual(cmp.points, [1000, 10_000]);
    assert.deepEqual(cmp.rows.map((r) => [r.point, r.cells.map((c) => c.status)]), [[1000, ['verified', 'missing']], [10_000, ['verified', 'verified']]]);
    assert.ok(Math.abs(cmp.rows[1]!.ratios[0]!.ratio! - 2) < 1e-9);
    const text = compareTerminal(cmp);
    assert.match(text, /N = 1,000\n[\s\S]*N = 10,000\n/);
  });
});
