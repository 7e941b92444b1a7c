/** The over-time charts of a report: one per workload with per-second intervals, engines overlaid. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildComparison } from '../../src/report/compare.js';
import { loadSides } from '../../src/report/model.js';
import { writeReport } from '../../src/report/write.js';
import type { ResultsFile } from '../../src/results.js';
import { around, makeResults, writeFixture } from './fixtures.js';
import { byClass, descendants, num, parseXml } from './xml.js';
import { scratchDir } from '../scratch.js';

/**
 * ts: 12 seconds with a stall at second 5 (no call completed), the last lasting 500 ms;
 * memory: 9 seconds from a file that predates `ms` (the last second's length unknown).
 */
function withIntervals(): ResultsFile {
  const file = makeResults({
    engines: [
      { label: 'ts', figures: { 'random-writes': around(400_000), 'random-reads': around(900_000) } },
      { label: 'memory', figures: { 'random-writes': around(500_000), 'random-reads': around(1_000_000) } },
    ],
  });
  const series = (seconds: number, stall: number | null, lastMs: number | null) =>
    Array.from({ length: seconds }, (_, second) => ({
      second,
      calls: second === stall ? 0 : second === seconds - 1 && lastMs !== null ? Math.round(((10_000 + 100 * second) * lastMs) / 1000) : 10_000 + 100 * second,
      p99Ns: second === stall ? 0 : 2_000 + 50 * second,
      ...(lastMs === null ? {} : { ms: second === seconds - 1 ? lastMs : 1000 }),
    }));
  return {
    ...file,
    results: file.results.map((r) => (r.workload !== 'random-writes' ? r : { ...r, intervals: series(r.engine === 'ts' ? 12 : 9, r.engine === 'ts' ? 5 : null, r.engine === 'ts' ? 500 : null) })),
  };
}

describe('report: throughput and p99 over time', () => {
  it('charts each workload with intervals, one line per engine with a point per second', async () => {
    const dir = await scratchDir('lsmbench-intervals-');
    const path = await writeFixture(dir, 'run.json', withIntervals());
    const { files, sides } = await loadSides([path]);
    const cmp = buildComparison(sides, {});
    const out = join(dir, 'out', 'report.md');
    const written = await writeReport(out, { cmp, files, command: 'lsmbench report run.json', lsmbenchVersion: '0.1.0', generatedAt: new Date('2026-01-02T00:00:00Z') });
    const md = await readFile(out, 'utf8');
    assert.match(md, /## Throughput and p99 over time/);
    assert.match(md, /!\[Calls per second and p99 per second over time, Random Writes\]\(report-intervals-random-writes\.svg\)/);
    assert.ok(!written.charts.some((c) => c.includes('intervals-random-reads')), 'no chart for a workload without intervals');
    const svg = await readFile(join(dir, 'out', 'report-intervals-random-writes.svg'), 'utf8');
    const root = parseXml(svg);
    const title = descendants(root).find((e) => e.name === 'title');
    assert.match(title?.text ?? '', /Random Writes: calls\/s and p99 per second/);
    assert.match(descendants(root).find((e) => e.name === 'desc')?.text ?? '', /calls completed in each second/);
    const texts = descendants(root).filter((e) => e.name === 'text').map((e) => e.text);
    assert.ok(texts.includes('calls/s') && texts.includes('seconds into the latency pass') && texts.includes('p99 latency (log)'), 'axes are labelled');

    const lines = byClass(root, 'series').filter((e) => e.name === 'polyline');
    const calls = (engine: string) => lines.find((l) => l.attrs.get('data-series') === 'calls' && l.attrs.get('data-engine') === engine)!;
    // ts: all 12 seconds, the last (500 ms) scaled to a rate; memory: its last second, of unknown length, left out.
    for (const [engine, seconds] of [['ts', 12], ['memory', 8]] as const) {
      const line = calls(engine);
      assert.ok(line, `a calls/s line for ${engine}`);
      const points = line.attrs.get('points')!.trim().split(/\s+/).map((p) => p.split(',').map(Number) as [number, number]);
      assert.equal(points.length, seconds, `${engine}: one point per second`);
      for (let k = 1; k < points.length; k++) assert.ok(points[k]![0] > points[k - 1]![0], 'time runs left to right');
      const values = line.attrs.get('data-values')!.split(' ').map(Number);
      // Higher calls/s is higher on the chart (smaller y); the stall drops to the zero line.
      const zeroTick = byClass(root, 'tick').find((t) => num(t, 'data-value') === 0)!;
      const zeroY = num(zeroTick.children.find((ch) => ch.name === 'line')!, 'y1');
      values.forEach((v, k) => (v === 0 ? assert.equal(points[k]![1], zeroY) : assert.ok(points[k]![1] < zeroY)));
    }
    // The p99 line breaks at the stall: two segments for ts, one for memory.
    const p99 = (engine: string) => lines.filter((l) => l.attrs.get('data-series') === 'p99' && l.attrs.get('data-engine') === engine);
    assert.equal(p99('ts').length, 2);
    assert.deepEqual(p99('ts').map((l) => l.attrs.get('points')!.trim().split(/\s+/).length), [5, 6]);
    assert.equal(p99('memory').length, 1);
    // The partial last second: scaled by its length (not a dip to half), marked hollow, and said so.
    const tsValues = calls('ts').attrs.get('data-values')!.split(' ').map(Number);
    assert.equal(tsValues[11], 10_000 + 1_100, 'calls in 500 ms, as a rate per second');
    const partial = byClass(root, 'point').filter((p) => p.attrs.has('data-partial-ms'));
    assert.deepEqual(partial.map((p) => `${p.attrs.get('data-engine')}:${p.attrs.get('data-series')}:${p.attrs.get('data-partial-ms')}:${p.attrs.get('fill')}`), ['ts:calls:500:#ffffff', 'ts:p99:500:#ffffff']);
    assert.match(md, /ts: the last second lasted 500 ms; its calls are scaled to a rate \(hollow marker\); memory: the last second \(its length is not in the results file\) left out\./);
    // The stall shows in the observations too.
    assert.match(md, /^- Stall: ts on random writes completed 0 calls in second 5 of its latency pass, against a median of 10,400 a second\. See its chart over time\.$/m);
  });

  it('draws no line from fewer seconds than it needs, and says so instead', async () => {
    const dir = await scratchDir('lsmbench-intervals-');
    const file = makeResults({ engines: [{ label: 'ts', figures: { 'random-writes': around(400_000) } }, { label: 'memory', figures: { 'random-writes': around(500_000) } }] });
    // ts: 2 whole seconds and 120 ms (too little to scale); memory: 0.3 s in all.
    const short = {
      ...file,
      results: file.results.map((r) => ({
        ...r,
        intervals:
          r.engine === 'ts'
            ? [{ second: 0, calls: 400_000, p99Ns: 2_000, ms: 1000 }, { second: 1, calls: 400_000, p99Ns: 2_000, ms: 1000 }, { second: 2, calls: 48_000, p99Ns: 2_000, ms: 120 }]
            : [{ second: 0, calls: 150_000, p99Ns: 1_000, ms: 300 }],
      })),
    };
    const path = await writeFixture(dir, 'short.json', short);
    const { files, sides } = await loadSides([path]);
    const out = join(dir, 'out', 'report.md');
    const written = await writeReport(out, { cmp: buildComparison(sides, {}), files, command: 'x', lsmbenchVersion: '0.1.0', generatedAt: new Date('2026-01-02T00:00:00Z') });
    const md = await readFile(out, 'utf8');
    assert.ok(!written.charts.some((c) => /report-intervals/.test(c)), 'no over-time chart');
    assert.match(md, /## Throughput and p99 over time\n\nNo chart over time: a line needs 3 whole seconds of latency pass, and every pass was shorter \(the longest, ts on random writes, 2\.12 s\)\. A larger N \(-n\) makes longer passes\./);
  });
  it('a stall whose calls kept their latency is put down to the CPU, not the store', async () => {
    const dir = await scratchDir('lsmbench-intervals-');
    const file = makeResults({ engines: [{ label: 'ts', figures: { 'random-reads': around(400_000) } }] });
    const seconds = Array.from({ length: 6 }, (_, second) => ({ second, calls: second === 3 ? 1_000 : 40_000, p99Ns: second === 3 ? 6_000 : 5_000, ms: 1000 }));
    const path = await writeFixture(dir, 'cpu.json', { ...file, results: file.results.map((r) => ({ ...r, intervals: seconds })) });
    const { files, sides } = await loadSides([path]);
    const out = join(dir, 'out', 'report.md');
    await writeReport(out, { cmp: buildComparison(sides, { single: true }), files, command: 'x', lsmbenchVersion: '0.1.0', generatedAt: new Date('2026-01-02T00:00:00Z') });
    assert.match(
      await readFile(out, 'utf8'),
      /^- Stall: ts on random reads completed 1,000 calls in second 3 of its latency pass, against a median of 40,000 a second \(p99 that second 6\.00 µs, median second 5\.00 µs\)\. Its p99 barely moved: the process more likely waited for the CPU than for the store\. See its chart over time\.$/m,
    );
  });
});
