/** The Markdown report: its sections, and that every figure it prints is the results files' figure. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { formatInt } from '../../src/format.js';
import { projectRoot } from '../../src/paths.js';
import { buildComparison } from '../../src/report/compare.js';
import { loadSides } from '../../src/report/model.js';
import { writeReport } from '../../src/report/write.js';
import { WORKLOAD_LABELS } from '../../src/scenario.js';
import { median } from '../../src/stats.js';
import { around, makeResults, writeFixture } from './fixtures.js';
import { parseXml } from './xml.js';
import { scratchDir } from '../scratch.js';

const REFERENCE = join(projectRoot(), 'results', 'reference', 'nim-vs-rust-lsm-benchmark.json');

async function report(args: string[], dir: string, baseline?: string) {
  const { files, sides } = await loadSides(args);
  const cmp = buildComparison(sides, { baseline });
  const out = join(dir, 'out', 'report.md');
  const written = await writeReport(out, { cmp, files, command: 'lsmbench report ...', lsmbenchVersion: '0.1.0', generatedAt: new Date('2026-01-02T00:00:00Z') });
  return { written, md: await readFile(out, 'utf8'), outDir: join(dir, 'out') };
}

/** The cells of the Markdown table row that starts with `first`, in the section after `heading`. */
function tableRow(md: string, heading: string, first: string): string[] {
  const section = md.slice(md.indexOf(heading));
  const line = section.split('\n').find((l) => l.startsWith(`| ${first} |`));
  assert.ok(line, `a row for ${first} under ${heading}`);
  return line.slice(2, -2).split(' | ');
}

describe('report', () => {
  it('has the document’s sections, and its figures are the results files’ figures', async () => {
    const dir = await scratchDir('lsmbench-report-');
    const file = makeResults({
      engines: [
        { label: 'ts', figures: { 'sequential-writes': around(1_100_000), 'sequential-reads': around(1_400_000), 'range-scan': around(6_000_000) } },
        { label: 'memory', figures: { 'sequential-writes': around(1_300_000), 'sequential-reads': around(1_410_000), 'range-scan': around(9_000_000) }, failed: ['range-scan'] },
      ],
    });
    const path = await writeFixture(dir, 'run.json', file);
    const { md, written, outDir } = await report([path], dir);
    const headings = md.split('\n').filter((l) => l.startsWith('## ')).map((l) => l.slice(3));
    assert.deepEqual(headings, [
      'Test configuration',
      'Results summary',
      'Detailed analysis',
      'Latency percentiles',
      'Amplification and memory',
      'Verification',
      'Environment',
      'Observations',
      'Reproduce',
    ]);
    assert.match(md, /^# lsmbench report: ts vs memory$/m);
    for (const r of file.results) {
      if (r.opsPerSec === null) continue;
      const cells = tableRow(md, '## Results summary', WORKLOAD_LABELS[r.workload]);
      assert.equal(cells[r.engine === 'ts' ? 1 : 2], formatInt(r.opsPerSec.median), `${r.engine} ${r.workload} in the summary`);
      const ms = median(r.repetitions.map((x) => x.ms));
      const msText = ms >= 100 ? `${ms.toFixed(0)} ms` : `${ms.toFixed(1)} ms`;
      assert.ok(md.includes(`- **${r.engine}**: ${formatInt(r.opsPerSec.median)} ${r.unit === 'entry' ? 'entries' : 'ops'}/s (${msText} for 100,000`), `${r.engine} ${r.workload} in the detail`);
    }
    assert.deepEqual(tableRow(md, '## Results summary', 'Range Scan').slice(1, 4), [formatInt(6_000_000), 'FAILED', '-']);
    assert.match(md, /\| Range Scan \| memory \| FAILED \| value of key\(7\) differs \|/);
    assert.match(md, /- \*\*Difference\*\*: ts is slower than memory on sequential writes: 0\.85× \(95% CI 0\.\d\d–0\.\d\d×\)\./);
    assert.match(md, /- \*\*Difference\*\*: No clear difference between ts and memory on sequential reads: /);
    assert.match(md, /^- ts against memory: from 0\.85× to 0\.99× on the 2 workloads both have; clearly faster on 0, clearly slower on 1, no clear difference on 1 \(sequential reads: the 95% interval includes 1\)\.$/m);
    // A failure: where verification differs, in the observations and in the verification table (not one line).
    assert.match(md, /^- memory failed 1 of 3: range scan \(value of key\(7\) differs\)\. Its figure there is not valid and not shown; verification differs from ts, which passed it\.$/m);
    assert.match(md, /\| Sequential Writes \| ts \| 100,000 × operation \| 909 ns \|/, 'latency p50 from the file');
    assert.match(md, /\| Sequential Writes \| ts \| 100\.0 MiB \| 50\.0 MiB \| 1\.9 MiB \| 1\.1 MiB \| 1\.72× \| 1\.4 MiB \| 1\.29× \|/);
    assert.match(md, /```sh\nlsmbench run --scenario seed --engine ts --engine memory\n```/);
    // Charts: beside the report, linked by relative name, well formed.
    assert.deepEqual((await readdir(outDir)).sort(), ['report-latency.svg', 'report-throughput.svg', 'report.md']);
    assert.match(md, /!\[Throughput by workload and engine, N = 100,000\]\(report-throughput\.svg\)/);
    assert.match(md, /!\[Latency percentiles, N = 100,000\]\(report-latency\.svg\)/);
    for (const chart of written.charts) parseXml(await readFile(chart, 'utf8'));
  });

  it('a sample of several passes is reported per pass: its time, the bytes it wrote and its settle time', async () => {
    const dir = await scratchDir('lsmbench-report-');
    const one = makeResults({ engines: [{ label: 'ts', figures: { 'sequential-writes': around(1_000_000) } }, { label: 'memory', figures: { 'sequential-writes': around(1_200_000) } }] });
    const passes = 4;
    // The same figures as samples of four passes: four times the time, the wchar and the settle time of one.
    const results = one.results.map((r) => ({
      ...r,
      repetitions: r.repetitions.map((x) => ({ ...x, ms: x.ms * passes, settleMs: 3 * passes, passes })),
      resources: { ...r.resources!, io: { ...r.resources!.io!, wchar: r.resources!.io!.wchar * passes } },
    }));
    const { md } = await report([await writeFixture(dir, 'run.json', { ...one, results })], dir);
    const ts = one.results.find((r) => r.engine === 'ts')!;
    const perPass = median(ts.repetitions.map((x) => x.ms));
    assert.ok(md.includes(`- **ts**: ${formatInt(ts.opsPerSec!.median)} ops/s (${perPass.toFixed(0)} ms for 100,000 ops`), 'the time of one pass, for the units of one pass');
    assert.match(md, /\| Sequential Writes \| ts \| 100\.0 MiB \| 50\.0 MiB \| 1\.9 MiB \| 1\.1 MiB \| 1\.72× \| 1\.4 MiB \| 1\.29× \| 3\.00 ms \|/, 'wchar and settle of one pass');
  });

  it('mixed workloads: latency rows per operation type', async () => {
    const dir = await scratchDir('lsmbench-report-');
    const file = makeResults({ engines: [{ label: 'a', figures: { 'ycsb-a': around(100_000) } }, { label: 'b', figures: { 'ycsb-a': around(50_000) } }] });
    const lat = (p50Ns: number) => ({ method: 'instrumented pass', per: 'operation', calls: 50_000, timerOverheadNs: 40, p50Ns, p99Ns: p50Ns * 3, p999Ns: p50Ns * 9, maxNs: p50Ns * 100 });
    const withOps = { ...file, results: file.results.map((r) => ({ ...r, latencyByOperation: { read: lat(1_000), update: lat(4_000) } })) };
    const path = await writeFixture(dir, 'ycsb.json', withOps);
    const { md } = await report([path], dir);
    assert.match(md, /\| YCSB A \(50% read, 50% update\): read \| a \| 50,000 × operation \| 1\.00 µs \| 3\.00 µs \| 9\.00 µs \| 100\.0 µs \|/);
    assert.match(md, /\| YCSB A \(50% read, 50% update\): update \| b \| 50,000 × operation \| 4\.00 µs \|/);
  });

  it('beside published figures: no CI claimed, not rerunnable, hardware warning', async () => {
    const dir = await scratchDir('lsmbench-report-');
    const path = await writeFixture(dir, 'run.json', makeResults({ engines: [{ label: 'ts', figures: { 'sequential-reads': around(1_400_000) } }] }));
    const { md } = await report([path, `${REFERENCE}#Rust`], dir);
    assert.deepEqual(tableRow(md, '## Results summary', 'Sequential Reads'), ['Sequential Reads', '1,400,000', '1,637,924', '0.85× (no CI: published)']);
    assert.match(md, /- \*\*Rust\*\*: 1,637,924 ops\/s \(61\.1 ms for 100,000 ops; published single value, no repetitions\)/);
    assert.match(md, /ts's figure is 0\.85× Rust's on sequential reads \(no confidence interval is available for published figures, so this is not a tested difference\)/);
    assert.match(md, /File 2 \(`.*nim-vs-rust-lsm-benchmark\.json`\): published figures, not rerunnable\./);
    assert.match(md, /## Warnings\n\n- Hardware differs:/);
    // Everything lsmbench ran passed: one line, and one for the published figures it could not check.
    assert.match(md, /## Verification\n\nEvery result lsmbench ran passed verification: 1 of 1 \(ts\), each checked as its results file's `verification\.detail` says\.\n\nRust: not checked \(published figures\)\./);
    assert.doesNotMatch(md, /\| Operation \| Engine \| Status \| Detail \|/);
    assert.match(md, /\| Rust \| 2 \| Rust LSM tree, as published \| not published \| none \(assumed, see below\) \| not published \| not published \| — \|/);
  });

  it('a sweep gets tables per N and the ops/s-against-N chart', async () => {
    const dir = await scratchDir('lsmbench-report-');
    const sweep = [10_000, 100_000];
    const figures = (f: number) => ({ [`contains@${sweep[0]}`]: around(2_000_000 * f), [`contains@${sweep[1]}`]: around(1_000_000 * f) });
    const path = await writeFixture(dir, 's.json', makeResults({ sweep, engines: [{ label: 'a', figures: figures(1) }, { label: 'b', figures: figures(0.5) }] }));
    const { md, outDir } = await report([path], dir);
    assert.match(md, /### N = 10,000\n\n\| Operation/);
    assert.match(md, /### N = 100,000\n\n\| Operation/);
    assert.match(md, /!\[Throughput against N, log axis\]\(report-sweep\.svg\)/);
    assert.match(md, /a's throughput on contains falls from N = 10,000 to N = 100,000: 0\.50× \(95% CI 0\.\d\d–0\.\d\d×\)\./);
    assert.deepEqual((await readdir(outDir)).filter((f) => f.endsWith('.svg')).sort(), [
      'report-latency-n10000.svg',
      'report-latency-n100000.svg',
      'report-sweep.svg',
      'report-throughput-n10000.svg',
      'report-throughput-n100000.svg',
    ]);
  });
  it('observations: how close each engine came to the floor engine, and where durability differs', async () => {
    const dir = await scratchDir('lsmbench-report-');
    const file = makeResults({
      engines: [
        { label: 'ts', figures: { 'sequential-writes': around(400_000), 'random-reads': around(900_000), contains: around(1_500_000) } },
        { label: 'lmdb', durability: 'os', figures: { 'sequential-writes': around(100_000), 'random-reads': around(1_000_000), contains: around(1_000_000) } },
        { label: 'floor', figures: { 'sequential-writes': around(4_000_000), 'random-reads': around(2_000_000), contains: around(3_000_000) } },
      ],
    });
    const { md } = await report([await writeFixture(dir, 'run.json', file)], dir);
    assert.match(md, /^- ts reaches 0\.10× \(sequential writes\) to 0\.50× \(contains\) of floor's throughput, the least work its durability mode needs; the median workload 0\.45×\.$/m);
    assert.match(md, /^- lmdb reaches 0\.03× \(sequential writes\) to 0\.50× \(random reads\) of floor's throughput/m);
    assert.match(md, /^- Durability differs: ts and floor in none; lmdb \(asked for none, which it cannot honour\) in os\. Ratios on sequential writes compare unlike guarantees \(what an acknowledged write survives\); reads are unaffected\.$/m);
  });
  it('a report written over an earlier one leaves none of its charts behind, and nothing else is touched', async () => {
    const dir = await scratchDir('lsmbench-report-');
    const sweep = makeResults({ sweep: [10_000, 100_000], engines: [{ label: 'a', figures: { 'contains@10000': around(2), 'contains@100000': around(1) } }, { label: 'b', figures: { 'contains@10000': around(2), 'contains@100000': around(1) } }] });
    const plain = makeResults({ engines: [{ label: 'a', figures: { contains: around(2) } }, { label: 'b', figures: { contains: around(1) } }] });
    const out = join(dir, 'out');
    await report([await writeFixture(dir, 's.json', sweep)], dir);
    assert.ok((await readdir(out)).includes('report-sweep.svg'));
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(out, 'report-notes.txt'), 'mine');
    await writeFile(join(out, 'other-throughput.svg'), '<svg/>');
    await report([await writeFixture(dir, 'p.json', plain)], dir);
    assert.deepEqual((await readdir(out)).sort(), ['other-throughput.svg', 'report-latency.svg', 'report-notes.txt', 'report-throughput.svg', 'report.md']);
  });
});
