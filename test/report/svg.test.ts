/** The charts are well-formed, self-contained SVG whose marks agree with the results files. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { projectRoot } from '../../src/paths.js';
import { buildComparison } from '../../src/report/compare.js';
import { loadSides, type Side } from '../../src/report/model.js';
import { latencyChart, logTicks, niceTicks, sweepChart, throughputChart, wrapLines } from '../../src/report/svg.js';
import { formatCompact } from '../../src/format.js';
import { readResults, type ResultsFile } from '../../src/results.js';
import { around, makeResults } from './fixtures.js';
import { byClass, descendants, num, parseXml, type XmlElement } from './xml.js';

const REFERENCE = join(projectRoot(), 'results', 'reference', 'nim-vs-rust-lsm-benchmark.json');

function sidesOf(file: ResultsFile, fileIndex = 0, path = 'fixture.json'): Side[] {
  return file.engines.map((engine) => ({ name: engine.label, label: engine.label, fileIndex, path, file, engine, published: file.published !== null }));
}

/** Nothing in the picture may load anything: no external hrefs, url()s, scripts, images or foreign content. */
function assertSelfContained(svg: string, root: XmlElement): void {
  assert.equal(root.name, 'svg');
  assert.equal(root.attrs.get('xmlns'), 'http://www.w3.org/2000/svg');
  for (const e of descendants(root)) {
    assert.ok(!['script', 'image', 'foreignObject', 'style', 'use', 'a'].includes(e.name), `no <${e.name}>`);
    for (const [k, v] of e.attrs) {
      if (k === 'xmlns') continue;
      assert.ok(!/href$/.test(k), `no ${k} attribute`);
      for (const m of v.matchAll(/url\(([^)]*)\)/g)) assert.match(m[1]!, /^#[-\w]+$/, `only local url(#id) references, got ${m[0]}`);
      assert.doesNotMatch(v, /^(?:https?:|\/\/|data:)/, `no external value in ${k}`);
    }
  }
  assert.doesNotMatch(svg, /@import|<!DOCTYPE|<!ENTITY/);
}

/** Within one panel: the tick at 0 is the baseline, ticks are evenly scaled, each bar's height is value × scale. */
function assertBarsMatchAxis(panel: XmlElement): XmlElement[] {
  const ticks = byClass(panel, 'tick').map((t) => ({ value: num(t, 'data-value'), y: num(t.children.find((c) => c.name === 'line')!, 'y1') }));
  const zero = ticks.find((t) => t.value === 0);
  assert.ok(zero, 'a tick at zero: bars start at zero');
  const top = ticks.reduce((a, b) => (b.value > a.value ? b : a));
  const scale = (zero.y - top.y) / top.value;
  for (const t of ticks) assert.ok(Math.abs(zero.y - t.y - t.value * scale) < 0.02, `tick ${t.value} sits on the same linear scale`);
  const bars = byClass(panel, 'bar');
  for (const bar of bars) {
    const value = num(bar, 'data-value');
    assert.ok(value <= top.value, 'the axis covers every bar');
    assert.ok(Math.abs(num(bar, 'height') - value * scale) < 0.02, `bar ${bar.attrs.get('data-engine')} ${bar.attrs.get('data-workload')}: height matches ${value}`);
    assert.ok(Math.abs(num(bar, 'y') + num(bar, 'height') - zero.y) < 0.02, 'the bar stands on the baseline');
  }
  return bars;
}

describe('SVG charts', () => {
  it('the checker itself rejects XML that is not well formed', () => {
    assert.throws(() => parseXml('<svg><g></svg>'), /does not match/);
    assert.throws(() => parseXml('<svg><text>a & b</text></svg>'), /bare '&'/);
    assert.throws(() => parseXml('<svg a="1" a="2"/>'), /duplicate/);
    assert.throws(() => parseXml('<svg a=1/>'), /unquoted/);
    assert.throws(() => parseXml('<svg/><svg/>'), /second root/);
    assert.throws(() => parseXml('<svg>'), /unclosed/);
    assert.equal(parseXml('<svg x="a &amp; b"><t>&lt;</t></svg>').children[0]!.text, '<');
  });

  it('wraps long workload labels into a few short lines, cutting with an ellipsis', () => {
    assert.deepEqual(wrapLines('Sequential Writes', 72), ['Sequential', 'Writes']);
    assert.deepEqual(wrapLines('Contains', 72), ['Contains']);
    assert.deepEqual(wrapLines('YCSB F (50% read, 50% read-modify-write)', 72), ['YCSB F', '(50% read,', '50%…']);
    assert.deepEqual(wrapLines('YCSB A (50% read, 50% update)', 130, 12, 1), ['YCSB A (50% read,…']);
  });

  it('niceTicks covers the maximum with 1-2-5 steps from zero', () => {
    assert.deepEqual(niceTicks(1_637_924), [0, 500_000, 1_000_000, 1_500_000, 2_000_000]);
    assert.deepEqual(niceTicks(9), [0, 2, 4, 6, 8, 10]);
    assert.deepEqual(niceTicks(0), [0, 1]);
  });

  it('throughput bars: one per figure, heights match the medians in the results files, scans on their own axis', () => {
    const file = makeResults({
      engines: [
        { label: 'alpha', figures: { 'sequential-writes': around(1_000_000), 'random-reads': around(400_000), 'range-scan': around(7_000_000) } },
        { label: 'beta', figures: { 'sequential-writes': around(800_000), 'range-scan': around(5_000_000) }, failed: ['range-scan'] },
      ],
    });
    const cmp = buildComparison(sidesOf(file));
    const svg = throughputChart(cmp, 100_000);
    const root = parseXml(svg);
    assertSelfContained(svg, root);
    const panels = byClass(root, 'panel');
    assert.deepEqual(panels.map((p) => p.attrs.get('data-unit')), ['op', 'entry']);
    const bars = panels.flatMap(assertBarsMatchAxis);
    const expected = file.results.filter((r) => r.opsPerSec !== null).map((r) => `${r.engine}/${r.workload}=${r.opsPerSec!.median}`).sort();
    assert.deepEqual(bars.map((b) => `${b.attrs.get('data-engine')}/${b.attrs.get('data-workload')}=${b.attrs.get('data-value')}`).sort(), expected);
    const noBars = byClass(root, 'no-bar').map((t) => `${t.attrs.get('data-engine')}/${t.attrs.get('data-workload')}:${t.text}`).sort();
    assert.deepEqual(noBars, ['beta/random-reads:N/A', 'beta/range-scan:failed']);
    // Whiskers: the 95% CI of each measured median, on the same axis.
    const whiskers = byClass(root, 'ci');
    assert.equal(whiskers.length, bars.length);
    for (const w of whiskers) {
      const r = file.results.find((x) => x.engine === w.attrs.get('data-engine') && x.workload === w.attrs.get('data-workload'))!;
      assert.deepEqual([num(w, 'data-low'), num(w, 'data-high')], r.opsPerSec!.ci95);
    }
  });

  it('the axis fits the medians; a whisker beyond it is cut at the top and marked', () => {
    const file = makeResults({ engines: [{ label: 'a', figures: { contains: [100, 100, 100, 100, 400] } }, { label: 'b', figures: { contains: around(90) } }] });
    const cmp = buildComparison(sidesOf(file));
    assert.ok(cmp.rows[0]!.cells[0]!.ci95![1] > 100, 'the fixture has an interval reaching past the medians');
    const root = parseXml(throughputChart(cmp, 100_000));
    const [panel] = byClass(root, 'panel');
    assertBarsMatchAxis(panel!);
    const ticks = byClass(panel!, 'tick').map((t) => ({ value: num(t, 'data-value'), y: num(t.children.find((c) => c.name === 'line')!, 'y1') }));
    const top = ticks.reduce((x, y) => (y.value > x.value ? y : x));
    assert.equal(top.value, 100, 'the axis ends at the highest median, not at the interval');
    const whiskers = byClass(root, 'ci');
    assert.deepEqual(whiskers.map((w) => w.attrs.get('data-clipped') ?? 'false'), ['true', 'false']);
    for (const w of whiskers) {
      const ys = [...(w.attrs.get('d') ?? '').matchAll(/[MLV]([\d.]+)(?: ([\d.]+))?/g)].map((m) => Number(m[2] ?? m[1]));
      assert.ok(ys.every((yv) => yv >= top.y - 0.01), 'no whisker is drawn above the axis');
    }
  });

  it('published figures: hatched bars with the published values and no whiskers', async () => {
    const { sides } = await loadSides([REFERENCE]);
    const svg = throughputChart(buildComparison(sides), 100_000);
    const root = parseXml(svg);
    assertSelfContained(svg, root);
    const bars = byClass(root, 'panel').flatMap(assertBarsMatchAxis);
    assert.equal(bars.length, 10, 'Nim: 2 workloads, Rust: 8');
    assert.ok(bars.every((b) => /^url\(#hatch-\d\)$/.test(b.attrs.get('fill') ?? '')));
    const rustReads = bars.find((b) => b.attrs.get('data-engine') === 'Rust' && b.attrs.get('data-workload') === 'sequential-reads')!;
    assert.equal(num(rustReads, 'data-value'), 1_637_924);
    assert.equal(byClass(root, 'ci').length, 0);
    assert.equal(byClass(root, 'no-bar').length, 6, "Nim's six unpublished workloads say N/A");
  });

  it('latency percentiles: points carry the recorded percentiles on one log axis', async () => {
    const file = makeResults({
      engines: [
        { label: 'alpha', figures: { 'sequential-writes': around(1_000_000), contains: around(2_000_000) } },
        { label: 'beta', figures: { 'sequential-writes': around(500_000), contains: around(1_000_000) } },
      ],
    });
    const svg = latencyChart(buildComparison(sidesOf(file)), 100_000);
    assert.ok(svg !== null);
    const root = parseXml(svg);
    assertSelfContained(svg, root);
    for (const panel of byClass(root, 'panel')) {
      const ticks = byClass(panel, 'tick').map((t) => ({ value: num(t, 'data-value'), y: num(t.children.find((c) => c.name === 'line')!, 'y1') }));
      const [a, b] = [ticks[0]!, ticks[ticks.length - 1]!];
      const perDecade = (a.y - b.y) / Math.log10(b.value / a.value);
      const points = byClass(panel, 'point');
      assert.equal(points.length, 8, '4 percentiles × 2 engines');
      for (const p of points) {
        const r = file.results.find((x) => x.engine === p.attrs.get('data-engine') && x.workload === panel.attrs.get('data-workload'))!;
        const key = ({ p50: 'p50Ns', p99: 'p99Ns', 'p99.9': 'p999Ns', max: 'maxNs' } as const)[p.attrs.get('data-percentile') as 'p50']!;
        assert.equal(num(p, 'data-value'), r.latency![key]);
        assert.ok(Math.abs(a.y - num(p, 'cy') - Math.log10(num(p, 'data-value') / a.value) * perDecade) < 0.02, 'on the log scale');
      }
    }
    const { sides } = await loadSides([REFERENCE]);
    assert.equal(latencyChart(buildComparison(sides), 100_000), null, 'published figures have no latencies: no chart');
  });

  it('sweeps: ops/s against N with N on a log axis', () => {
    const sweep = [10_000, 100_000, 1_000_000];
    const figures = (scale: number): Record<string, number[]> =>
      Object.fromEntries(sweep.flatMap((n, i) => [[`sequential-writes@${n}`, around(scale / (i + 1))], [`random-reads@${n}`, around(scale / 2 / (i + 1))]]));
    const file = makeResults({ sweep, engines: [{ label: 'alpha', figures: figures(1_000_000) }, { label: 'beta', figures: figures(700_000) }] });
    const cmp = buildComparison(sidesOf(file));
    assert.deepEqual(cmp.points, sweep);
    const svg = sweepChart(cmp);
    assert.ok(svg !== null);
    const root = parseXml(svg);
    assertSelfContained(svg, root);
    const panels = byClass(root, 'panel');
    assert.deepEqual(panels.map((p) => p.attrs.get('data-workload')), ['sequential-writes', 'random-reads']);
    for (const panel of panels) {
      const points = byClass(panel, 'point');
      assert.equal(points.length, 6);
      const xs = new Map(points.map((p) => [num(p, 'data-point'), num(p, 'cx')]));
      // Equal ratios of N are equal distances: 10k→100k spans as much as 100k→1M.
      assert.ok(Math.abs(xs.get(100_000)! - xs.get(10_000)! - (xs.get(1_000_000)! - xs.get(100_000)!)) < 0.02);
      const ticks = byClass(panel, 'tick').map((t) => ({ value: num(t, 'data-value'), y: num(t.children.find((c) => c.name === 'line')!, 'y1') }));
      const zero = ticks.find((t) => t.value === 0)!;
      const top = ticks[ticks.length - 1]!;
      for (const p of points) {
        const r = file.results.find((x) => x.engine === p.attrs.get('data-engine') && x.workload === panel.attrs.get('data-workload') && x.point === num(p, 'data-point'))!;
        assert.equal(num(p, 'data-value'), r.opsPerSec!.median);
        assert.ok(Math.abs(zero.y - num(p, 'cy') - (num(p, 'data-value') / top.value) * (zero.y - top.y)) < 0.02);
      }
    }
    // A failure in the middle of a sweep breaks the line and is marked, never bridged.
    const gappy = makeResults({
      sweep,
      engines: [
        { label: 'a', figures: { 'contains@10000': around(3), 'contains@100000': around(2), 'contains@1000000': around(1) } },
        { label: 'b', figures: { 'contains@10000': around(3), 'contains@1000000': around(1) } },
      ],
    });
    const failedMiddle = { ...gappy, results: gappy.results.map((r) => (r.engine === 'a' && r.point === 100_000 ? { ...r, status: 'failed' as const, opsPerSec: null, error: 'crashed' } : r)) };
    const gapRoot = parseXml(sweepChart(buildComparison(sidesOf(failedMiddle)))!);
    assert.equal(byClass(gapRoot, 'series').length, 0, 'no line joins points across a failed or missing N');
    assert.deepEqual(byClass(gapRoot, 'failed-point').map((e) => `${e.attrs.get('data-engine')}@${e.attrs.get('data-point')}`), ['a@100000']);
    assert.equal(byClass(gapRoot, 'point').length, 4);
    assert.equal(sweepChart(buildComparison(sidesOf(makeResults({ engines: [{ label: 'a', figures: { contains: [1] } }, { label: 'b', figures: { contains: [2] } }] })))), null, 'one N: no sweep chart');
  });

  it('log ticks are readable: 1-2-5 over a few decades, powers of ten over many', () => {
    assert.deepEqual(logTicks(300, 2_500), [200, 500, 1_000, 2_000, 5_000]);
    assert.deepEqual(logTicks(1_400_000, 177_000_000), [1_000_000, 2_000_000, 5_000_000, 10_000_000, 20_000_000, 50_000_000, 100_000_000, 200_000_000]);
    assert.deepEqual(logTicks(120, 50_000_000), [100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000]);
    assert.deepEqual(logTicks(1_000, 1_000), [500, 1_000, 2_000], 'one value: a step either side');
    assert.deepEqual(logTicks(2_400, 4_600), [2_000, 3_000, 5_000], 'within a factor of two: a tick between the ends');
  });

  it('bars more than 10× apart get a log axis, said on the axis; every bar carries its value', () => {
    const file = makeResults({
      engines: [
        { label: 'ts', figures: { 'sequential-writes': around(3_930_000), 'range-scan': around(12_300_000) } },
        { label: 'memory', figures: { 'sequential-writes': around(2_200_000), 'range-scan': around(177_000_000) } },
        { label: 'lmdb', figures: { 'sequential-writes': around(163_000), 'range-scan': around(1_400_000) } },
      ],
    });
    const svg = throughputChart(buildComparison(sidesOf(file)), 100_000);
    const root = parseXml(svg);
    assertSelfContained(svg, root);
    for (const panel of byClass(root, 'panel')) {
      assert.equal(panel.attrs.get('data-scale'), 'log', `${panel.attrs.get('data-unit')}: figures 24× and 126× apart`);
      assert.ok(descendants(panel).some((e) => e.name === 'text' && /\(log scale\)$/.test(e.text)), 'the axis says log scale');
      const ticks = byClass(panel, 'tick').map((t) => ({ value: num(t, 'data-value'), y: num(t.children.find((ch) => ch.name === 'line')!, 'y1') }));
      const [bottom, top] = [ticks[0]!, ticks[ticks.length - 1]!];
      const perDecade = (bottom.y - top.y) / Math.log10(top.value / bottom.value);
      for (const bar of byClass(panel, 'bar')) {
        const value = num(bar, 'data-value');
        assert.ok(Math.abs(num(bar, 'height') - Math.log10(value / bottom.value) * perDecade) < 0.02, 'a bar reaches its value on the log scale');
        assert.ok(Math.abs(num(bar, 'y') + num(bar, 'height') - bottom.y) < 0.02, 'from the bottom of the axis');
      }
    }
    assert.match(descendants(root).find((e) => e.name === 'desc')!.text, /logarithmic: its figures are more than 10× apart/);
    const labels = byClass(root, 'value-label').map((l) => `${l.attrs.get('data-engine')}/${l.attrs.get('data-workload')}=${l.text}`).sort();
    assert.deepEqual(labels, file.results.map((r) => `${r.engine}/${r.workload}=${formatCompact(r.opsPerSec!.median)}`).sort());
    // The whiskers are named for what they are.
    assert.match(byClass(root, 'whisker-note')[0]!.text, /^Whiskers: 95% CI over 5 independent processes \(t, geometric mean\)/);
    // Within 10×: linear from zero, as before.
    const close = parseXml(throughputChart(buildComparison(sidesOf(makeResults({ engines: [{ label: 'a', figures: { contains: around(900) } }, { label: 'b', figures: { contains: around(100) } }] }))), 100_000));
    assert.equal(byClass(close, 'panel')[0]!.attrs.get('data-scale'), 'linear');
    assertBarsMatchAxis(byClass(close, 'panel')[0]!);
  });

  it('latency: a percentile needs enough calls; with fewer, its point is left out and the panel says so', () => {
    const file = makeResults({ engines: [{ label: 'ts', figures: { 'range-scan': around(10_000_000), contains: around(2_000_000) } }] });
    // 20 scans (N = 20,000 entries of 1,000 each): p99 and p99.9 are the slowest scan, or near it.
    const few = { ...file, results: file.results.map((r) => (r.workload === 'range-scan' ? { ...r, latency: { ...r.latency!, calls: 20 } } : r)) };
    const root = parseXml(latencyChart(buildComparison(sidesOf(few), { single: true }), 100_000)!);
    const panel = (w: string) => byClass(root, 'panel').find((p) => p.attrs.get('data-workload') === w)!;
    assert.deepEqual(byClass(panel('range-scan'), 'point').map((p) => p.attrs.get('data-percentile')), ['p50', 'max']);
    assert.match(byClass(panel('range-scan'), 'left-out')[0]!.text, /^p99, p99\.9 not drawn: 20 calls$/);
    assert.deepEqual(byClass(panel('contains'), 'point').map((p) => p.attrs.get('data-percentile')), ['p50', 'p99', 'p99.9', 'max']);
    assert.equal(byClass(panel('contains'), 'left-out').length, 0);
  });

  it('sweeps: error bars from the intervals, and a log axis where the engines are more than 10× apart', () => {
    const sweep = [10_000, 100_000];
    const file = makeResults({
      sweep,
      engines: [
        { label: 'ts', figures: { 'range-scan@10000': around(900_000), 'range-scan@100000': around(800_000), 'contains@10000': around(3_000_000), 'contains@100000': around(1_500_000) } },
        { label: 'memory', figures: { 'range-scan@10000': around(45_000_000), 'range-scan@100000': around(40_000_000), 'contains@10000': around(1_800_000), 'contains@100000': around(400_000) } },
      ],
    });
    const root = parseXml(sweepChart(buildComparison(sidesOf(file)))!);
    const panels = new Map(byClass(root, 'panel').map((p) => [p.attrs.get('data-workload'), p]));
    assert.equal(panels.get('range-scan')!.attrs.get('data-scale'), 'log', 'ts and memory 50× apart');
    assert.equal(panels.get('contains')!.attrs.get('data-scale'), 'linear');
    const bars = byClass(root, 'ci');
    assert.equal(bars.length, 8, 'an error bar on every point');
    for (const b of bars) {
      const r = file.results.find((x) => x.engine === b.attrs.get('data-engine') && x.workload === b.attrs.get('data-workload') && x.point === num(b, 'data-point'))!;
      assert.deepEqual([num(b, 'data-low'), num(b, 'data-high')], r.opsPerSec!.ci95);
    }
    assert.match(byClass(root, 'whisker-note')[0]!.text, /^Error bars: 95% CI over 5 independent processes/);
  });

  it('escapes engine names in every attribute and text', async () => {
    const file = makeResults({ engines: [{ label: 'a<&>"b', figures: { contains: around(10) } }, { label: "c'd", figures: { contains: around(20) } }] });
    const root = parseXml(throughputChart(buildComparison(sidesOf(file)), 100_000));
    assert.deepEqual(byClass(root, 'bar').map((b) => b.attrs.get('data-engine')), ['a<&>"b', "c'd"]);
    assert.ok(await readResults(REFERENCE));
  });
});
