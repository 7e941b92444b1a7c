/**
 * Hand-written SVG charts for reports. Each chart is one self-contained file: no scripts,
 * no fonts, images or stylesheets from elsewhere, so it renders the same in a browser and
 * on GitHub. Every mark carries its figure in data-* attributes (data-value, data-engine,
 * data-workload, data-point) so tests can check the picture against the results files.
 */
import { formatInt, formatNs } from '../format.js';
import { WORKLOAD_LABELS, type WorkloadName } from '../scenario.js';
import { pointHeading, type Comparison } from './compare.js';

/** Okabe–Ito: distinguishable with the common colour-vision deficiencies. */
const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#999999', '#000000'];
export const colourOf = (i: number): string => PALETTE[i % PALETTE.length]!;

const FONT = 'system-ui, -apple-system, &quot;Segoe UI&quot;, Helvetica, Arial, sans-serif';

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** Coordinates rounded to 0.01 px: exact enough for any screen, short enough to read. */
const c = (x: number): string => String(Math.round(x * 100) / 100);

/** 1.2M, 850k, 12: the short form used on axes. */
export function shortNumber(x: number): string {
  const a = Math.abs(x);
  const trim = (s: string): string => s.replace(/\.0+$/, '').replace(/(\.\d*[1-9])0+$/, '$1');
  if (a >= 1e9) return `${trim((x / 1e9).toFixed(2))}G`;
  if (a >= 1e6) return `${trim((x / 1e6).toFixed(2))}M`;
  if (a >= 1e3) return `${trim((x / 1e3).toFixed(1))}k`;
  return trim(x.toFixed(2));
}

/** Ticks 0, step, ..., top, with step 1, 2 or 5 × 10^k and top ≥ max. */
export function niceTicks(max: number, target = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag);
  const ticks: number[] = [];
  for (let i = 0; i * step < max + step * 1e-9 || ticks.length < 2; i++) ticks.push(Number((i * step).toPrecision(12)));
  if (ticks[ticks.length - 1]! < max) ticks.push(Number((ticks.length * step).toPrecision(12)));
  return ticks;
}

interface LegendEntry {
  readonly name: string;
  readonly colour: string;
  readonly published: boolean;
}

/** A row of swatches; returns the markup and the height it took (it wraps to fit `width`). */
function legend(entries: readonly LegendEntry[], x0: number, y0: number, width: number): { svg: string; height: number } {
  const parts: string[] = [];
  let x = x0;
  let y = y0;
  for (const [i, e] of entries.entries()) {
    const text = e.published ? `${e.name} (published)` : e.name;
    const w = 17 + text.length * 7.4 + 14;
    if (x + w > x0 + width && x > x0) {
      x = x0;
      y += 18;
    }
    parts.push(
      `<g class="legend-entry" data-engine="${escapeXml(e.name)}"><rect x="${c(x)}" y="${c(y)}" width="12" height="12" fill="${e.published ? `url(#hatch-${i})` : e.colour}" stroke="${e.colour}"/>` +
        `<text x="${c(x + 17)}" y="${c(y + 10)}" font-size="12">${escapeXml(text)}</text></g>`,
    );
    x += w;
  }
  return { svg: parts.join('\n'), height: y - y0 + 18 };
}

/** Diagonal hatching in each engine's colour: published figures look different from measured ones. */
function hatchDefs(colours: readonly string[]): string {
  return (
    '<defs>' +
    colours
      .map(
        (col, i) =>
          `<pattern id="hatch-${i}" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)">` +
          `<rect width="6" height="6" fill="${col}" fill-opacity="0.3"/><line x1="0" y1="0" x2="0" y2="6" stroke="${col}" stroke-width="3"/></pattern>`,
      )
      .join('') +
    '</defs>'
  );
}

function document(width: number, height: number, title: string, desc: string, body: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${c(width)}" height="${c(height)}" viewBox="0 0 ${c(width)} ${c(height)}" role="img" aria-labelledby="chart-title chart-desc" font-family="${FONT}">\n` +
    `<title id="chart-title">${escapeXml(title)}</title>\n<desc id="chart-desc">${escapeXml(desc)}</desc>\n` +
    `<rect class="background" x="0" y="0" width="${c(width)}" height="${c(height)}" fill="#ffffff"/>\n` +
    body +
    '\n</svg>\n'
  );
}

/** Greedy word wrap into at most `maxLines` lines of about `width` px; a cut label keeps its full text in a <title>. */
export function wrapLines(label: string, width: number, size = 11, maxLines = 3): string[] {
  const maxChars = Math.max(6, Math.floor(width / (size * 0.6)));
  const lines: string[] = [];
  for (const word of label.split(' ')) {
    const last = lines[lines.length - 1];
    if (last !== undefined && (last + ' ' + word).length <= maxChars) lines[lines.length - 1] = last + ' ' + word;
    else lines.push(word);
  }
  if (lines.length <= maxLines) return lines;
  return [...lines.slice(0, maxLines - 1), `${lines[maxLines - 1]}…`];
}

function wrapLabel(label: string, x: number, y: number, width: number, size = 11): string {
  const lines = wrapLines(label, width, size);
  const cut = lines.join(' ').replace(/…$/, '') !== label;
  return `<text x="${c(x)}" y="${c(y)}" font-size="${size}" text-anchor="middle">${cut ? `<title>${escapeXml(label)}</title>` : ''}${lines
    .map((w, i) => `<tspan x="${c(x)}" dy="${i === 0 ? 0 : size + 2}">${escapeXml(w)}</tspan>`)
    .join('')}</text>`;
}

/** A panel's title on one line, cut to fit, with the full label as its tooltip when cut. */
function panelTitle(label: string, width: number): string {
  const [line] = wrapLines(label, width - 34, 12, 1);
  return line === label ? escapeXml(label) : `<title>${escapeXml(label)}</title>${escapeXml(line ?? '')}`;
}

const entriesOf = (cmp: Comparison): LegendEntry[] => cmp.sides.map((s, i) => ({ name: s.name, colour: colourOf(i), published: s.published }));

type Row = Comparison['rows'][number];

/** One panel of grouped bars on its own linear axis from zero, for workloads that share a unit. */
function barPanel(cmp: Comparison, rows: readonly Row[], unit: 'op' | 'entry', left: number, top: number, plotW: number, plotH: number): string {
  const sides = cmp.sides;
  const base = top + plotH;
  // The axis fits the medians: one wide interval on a noisy machine must not flatten every bar.
  // Whiskers that reach past the top are cut there and end in an arrowhead.
  const highest = Math.max(0, ...rows.flatMap((r) => r.cells.map((cell) => cell.median ?? 0)));
  const ticks = niceTicks(highest);
  const axisMax = ticks[ticks.length - 1]!;
  const y = (v: number): number => base - (v / axisMax) * plotH;
  const body: string[] = [`<g class="panel" data-unit="${unit}">`];
  for (const t of ticks)
    body.push(
      `<g class="tick" data-value="${t}"><line x1="${c(left)}" x2="${c(left + plotW)}" y1="${c(y(t))}" y2="${c(y(t))}" stroke="${t === 0 ? '#333333' : '#e3e3e3'}"/>` +
        `<text x="${c(left - 6)}" y="${c(y(t) + 4)}" font-size="11" text-anchor="end">${shortNumber(t)}</text></g>`,
    );
  body.push(
    `<text transform="translate(${c(left - 58)} ${c(top + plotH / 2)}) rotate(-90)" font-size="11" text-anchor="middle">${unit === 'entry' ? 'entries/s, median' : 'ops/s, median'}</text>`,
  );
  const groupW = plotW / rows.length;
  const barW = Math.min(36, (groupW - 14) / sides.length);
  rows.forEach((row, g) => {
    const gx = left + groupW * (g + 0.5);
    const x0 = gx - (barW * sides.length) / 2;
    row.cells.forEach((cell, i) => {
      const x = x0 + i * barW;
      const side = sides[i]!;
      const attrs = `data-engine="${escapeXml(side.name)}" data-workload="${row.workload}" data-point="${row.point}"`;
      if (cell.median === null) {
        const word = cell.status === 'failed' ? 'failed' : 'N/A';
        const tx = x + barW / 2 + 3;
        body.push(
          `<text class="no-bar" ${attrs} x="${c(tx)}" y="${c(base - 4)}" font-size="9" transform="rotate(-90 ${c(tx)} ${c(base - 4)})" fill="${cell.status === 'failed' ? '#b00020' : '#666666'}">${word}</text>`,
        );
        return;
      }
      const h = base - y(cell.median);
      const units = cell.unit === 'entry' ? 'entries' : 'ops';
      const tip =
        `${side.name}, ${WORKLOAD_LABELS[row.workload]}: ${formatInt(cell.median)} ${units}/s` +
        (cell.ci95 ? ` (95% CI ${formatInt(cell.ci95[0])}–${formatInt(cell.ci95[1])})` : side.published ? ' (published, no CI)' : '');
      body.push(
        `<rect class="bar" ${attrs} data-value="${cell.median}" x="${c(x + 1)}" y="${c(base - h)}" width="${c(barW - 2)}" height="${c(h)}" fill="${side.published ? `url(#hatch-${i})` : colourOf(i)}" stroke="${colourOf(i)}" stroke-width="${side.published ? 1 : 0}"><title>${escapeXml(tip)}</title></rect>`,
      );
      if (cell.ci95 !== null) {
        const mid = x + barW / 2;
        const [lo, hi] = cell.ci95;
        const clipped = hi > axisMax;
        const top = clipped ? y(axisMax) : y(hi);
        const cap = clipped ? `M${c(mid - 3.5)} ${c(top + 6)}L${c(mid)} ${c(top)}L${c(mid + 3.5)} ${c(top + 6)}` : `M${c(mid - 3)} ${c(top)}h6`;
        body.push(
          `<path class="ci" ${attrs} data-low="${lo}" data-high="${hi}"${clipped ? ' data-clipped="true"' : ''} d="M${c(mid)} ${c(y(lo))}V${c(top)}M${c(mid - 3)} ${c(y(lo))}h6${cap}" stroke="#222222" stroke-width="1" fill="none"/>`,
        );
      }
    });
    body.push(`<g class="x-label" data-workload="${row.workload}">${wrapLabel(WORKLOAD_LABELS[row.workload], gx, base + 16, groupW - 6)}</g>`);
  });
  body.push('</g>');
  return body.join('\n');
}

const isScan = (w: WorkloadName): boolean => w === 'range-scan' || w === 'prefix-scan';

/**
 * Grouped bars: median throughput per workload, one bar per engine, at one N; whiskers are
 * the 95% CI of the median where there is one. Operations and scanned entries are different
 * units, so scans get a panel and an axis of their own; every axis is linear from zero.
 */
export function throughputChart(cmp: Comparison, point: number): string {
  const rows = cmp.rows.filter((r) => r.point === point);
  const opRows = rows.filter((r) => !isScan(r.workload));
  const scanRows = rows.filter((r) => isScan(r.workload));
  const sides = cmp.sides;
  const margin = 80;
  const gap = 86;
  // Groups widen to fill the minimum width, so a chart of few workloads is not a sliver.
  const groupW = Math.max(78, sides.length * 24 + 18, (640 - margin - 16 - (scanRows.length > 0 && opRows.length > 0 ? gap : 0)) / Math.max(1, rows.length));
  const opW = opRows.length * groupW;
  const scanW = scanRows.length * groupW;
  const width = Math.max(640, margin + opW + (scanRows.length > 0 && opRows.length > 0 ? gap : 0) + scanW + 16);
  const entries = entriesOf(cmp);
  const leg = legend(entries, margin, 34, width - margin - 16);
  const top = 34 + leg.height + 12;
  const plotH = 300;
  const height = top + plotH + 58;
  const title = `Throughput by workload, ${pointHeading(cmp, point)}`;
  const body: string[] = [hatchDefs(entries.map((e) => e.colour))];
  body.push(`<text x="${c(margin)}" y="22" font-size="15" font-weight="600">${escapeXml(title)}</text>`);
  body.push(leg.svg);
  if (opRows.length > 0) body.push(barPanel(cmp, opRows, 'op', margin, top, opW, plotH));
  if (scanRows.length > 0) body.push(barPanel(cmp, scanRows, 'entry', margin + (opRows.length > 0 ? opW + gap : 0), top, scanW, plotH));
  const desc = `Grouped bar chart of median throughput per workload for ${sides.map((s) => s.name).join(', ')}, operations and scanned entries on separate axes, with 95% confidence intervals as whiskers where available.`;
  return document(width, height, title, desc, body.join('\n'));
}

/** 100 ns, 1 µs, 10 µs ... 1 s, 10 s: a power of ten of nanoseconds in its natural unit. */
export function decadeLabel(ns: number): string {
  const units: [number, string][] = [[1e9, 's'], [1e6, 'ms'], [1e3, 'µs'], [1, 'ns']];
  for (const [scale, unit] of units) if (ns >= scale) return `${Number((ns / scale).toPrecision(6))} ${unit}`;
  return `${Number(ns.toPrecision(6))} ns`;
}

/** Decade ticks 10^a .. 10^b covering [lo, hi] on a log axis. */
function decades(lo: number, hi: number): number[] {
  const a = Math.floor(Math.log10(lo));
  let b = Math.ceil(Math.log10(hi));
  if (b === a) b = a + 1;
  const out: number[] = [];
  for (let k = a; k <= b; k++) out.push(10 ** k);
  return out;
}

const PERCENTILES = [
  ['p50', 'p50Ns'],
  ['p99', 'p99Ns'],
  ['p99.9', 'p999Ns'],
  ['max', 'maxNs'],
] as const;

interface Panel {
  readonly workload: WorkloadName;
  readonly x: number;
  readonly y: number;
}

function panelGrid(workloads: readonly WorkloadName[], panelW: number, panelH: number, x0: number, y0: number, columns: number): Panel[] {
  return workloads.map((workload, i) => ({ workload, x: x0 + (i % columns) * panelW, y: y0 + Math.floor(i / columns) * panelH }));
}

/**
 * Latency percentiles (p50, p99, p99.9, max) per workload, one line per engine, on a shared
 * log axis: small multiples, so tails of different workloads can be compared at a glance.
 * Null when no engine recorded latencies at this N.
 */
export function latencyChart(cmp: Comparison, point: number): string | null {
  const rows = cmp.rows.filter((r) => r.point === point && r.cells.some((cell) => cell.result?.latency));
  if (rows.length === 0) return null;
  const values = rows.flatMap((r) => r.cells.flatMap((cell) => (cell.result?.latency ? PERCENTILES.map(([, k]) => cell.result!.latency![k]) : [])));
  const positive = values.filter((v) => v > 0);
  const ticks = decades(Math.min(...positive), Math.max(...positive));
  const lo = Math.log10(ticks[0]!);
  const hi = Math.log10(ticks[ticks.length - 1]!);
  const columns = Math.min(4, rows.length);
  const panelW = 190;
  const panelH = 190;
  const left = 20;
  const width = Math.max(640, left + columns * panelW + 20);
  const entries = entriesOf(cmp);
  const leg = legend(entries.filter((_, i) => rows.some((r) => r.cells[i]!.result?.latency)), left + 50, 34, width - left - 70);
  const top = 34 + leg.height + 8;
  const panels = panelGrid(rows.map((r) => r.workload), panelW, panelH, left, top, columns);
  const height = top + Math.ceil(rows.length / columns) * panelH + 10;
  const body: string[] = [hatchDefs(entries.map((e) => e.colour))];
  body.push(`<text x="${left}" y="22" font-size="15" font-weight="600">${escapeXml(`Latency percentiles per call, N = ${formatInt(point)} (log scale)`)}</text>`);
  body.push(leg.svg);
  panels.forEach((panel, p) => {
    const row = rows[p]!;
    const px = panel.x + 52;
    const pw = panelW - 64;
    const py = panel.y + 20;
    const ph = panelH - 58;
    const yOf = (v: number): number => py + ph - ((Math.log10(Math.max(v, ticks[0]!)) - lo) / (hi - lo)) * ph;
    const xOf = (k: number): number => px + (pw / (PERCENTILES.length - 1)) * k;
    body.push(`<g class="panel" data-workload="${row.workload}">`);
    body.push(`<text x="${c(px + pw / 2)}" y="${c(panel.y + 12)}" font-size="12" font-weight="600" text-anchor="middle">${panelTitle(WORKLOAD_LABELS[row.workload], panelW)}</text>`);
    for (const t of ticks)
      body.push(
        `<g class="tick" data-value="${t}"><line x1="${c(px)}" x2="${c(px + pw)}" y1="${c(yOf(t))}" y2="${c(yOf(t))}" stroke="#e3e3e3"/>` +
          `<text x="${c(px - 4)}" y="${c(yOf(t) + 3)}" font-size="9" text-anchor="end">${decadeLabel(t)}</text></g>`,
      );
    PERCENTILES.forEach(([name], k) =>
      body.push(`<text x="${c(xOf(k))}" y="${c(py + ph + 14)}" font-size="9" text-anchor="middle">${name}</text>`),
    );
    row.cells.forEach((cell, i) => {
      const lat = cell.result?.latency;
      if (!lat) return;
      const side = cmp.sides[i]!;
      const pts = PERCENTILES.map(([, key], k) => [xOf(k), yOf(lat[key])] as const);
      body.push(`<polyline class="series" data-engine="${escapeXml(side.name)}" points="${pts.map(([x, y]) => `${c(x)},${c(y)}`).join(' ')}" fill="none" stroke="${colourOf(i)}" stroke-width="1.6"/>`);
      PERCENTILES.forEach(([name, key], k) =>
        body.push(
          `<circle class="point" data-engine="${escapeXml(side.name)}" data-workload="${row.workload}" data-percentile="${name}" data-value="${lat[key]}" cx="${c(pts[k]![0])}" cy="${c(pts[k]![1])}" r="2.6" fill="${colourOf(i)}"><title>${escapeXml(`${side.name}, ${WORKLOAD_LABELS[row.workload]}, ${name}: ${formatNs(lat[key])}`)}</title></circle>`,
        ),
      );
    });
    body.push('</g>');
  });
  const desc = `Latency percentiles p50, p99, p99.9 and max per workload on a logarithmic axis, one line per engine.`;
  return document(width, height, `Latency percentiles, N = ${formatInt(point)}`, desc, body.join('\n'));
}

/**
 * Sweeps: median ops/s against N on a log axis, one panel per workload (each with its own
 * linear ops/s axis from zero), one line per engine. Null when there is only one N.
 */
export function sweepChart(cmp: Comparison): string | null {
  if (cmp.points.length < 2) return null;
  const workloads = cmp.workloads.filter((w) => cmp.rows.some((r) => r.workload === w && r.cells.some((cell) => cell.median !== null)));
  if (workloads.length === 0) return null;
  const points = cmp.points;
  const lo = Math.log10(points[0]!);
  const hi = Math.log10(points[points.length - 1]!);
  const columns = Math.min(4, workloads.length);
  const panelW = 200;
  const panelH = 200;
  const left = 20;
  const width = Math.max(640, left + columns * panelW + 20);
  const entries = entriesOf(cmp);
  const leg = legend(entries, left + 50, 34, width - left - 70);
  const top = 34 + leg.height + 8;
  const panels = panelGrid(workloads, panelW, panelH, left, top, columns);
  const height = top + Math.ceil(workloads.length / columns) * panelH + 10;
  const body: string[] = [hatchDefs(entries.map((e) => e.colour))];
  body.push(`<text x="${left}" y="22" font-size="15" font-weight="600">Throughput against N (log axis)</text>`);
  body.push(leg.svg);
  for (const panel of panels) {
    const rows = cmp.rows.filter((r) => r.workload === panel.workload);
    const highest = Math.max(0, ...rows.flatMap((r) => r.cells.map((cell) => cell.median ?? 0)));
    const ticks = niceTicks(highest, 4);
    const axisMax = ticks[ticks.length - 1]!;
    const px = panel.x + 48;
    const pw = panelW - 62;
    const py = panel.y + 20;
    const ph = panelH - 62;
    // Inset so the first and last points clear the y axis labels and the panel edge.
    const inset = 10;
    const xOf = (n: number): number => px + inset + ((Math.log10(n) - lo) / (hi - lo)) * (pw - 2 * inset);
    const yOf = (v: number): number => py + ph - (v / axisMax) * ph;
    body.push(`<g class="panel" data-workload="${panel.workload}">`);
    body.push(`<text x="${c(px + pw / 2)}" y="${c(panel.y + 12)}" font-size="12" font-weight="600" text-anchor="middle">${panelTitle(WORKLOAD_LABELS[panel.workload], panelW)}</text>`);
    for (const t of ticks)
      body.push(
        `<g class="tick" data-value="${t}"><line x1="${c(px)}" x2="${c(px + pw)}" y1="${c(yOf(t))}" y2="${c(yOf(t))}" stroke="${t === 0 ? '#333333' : '#e3e3e3'}"/>` +
          `<text x="${c(px - 4)}" y="${c(yOf(t) + 3)}" font-size="9" text-anchor="end">${shortNumber(t)}</text></g>`,
      );
    for (const n of points)
      body.push(
        `<g class="x-tick" data-point="${n}"><line x1="${c(xOf(n))}" x2="${c(xOf(n))}" y1="${c(py + ph)}" y2="${c(py + ph + 4)}" stroke="#333333"/>` +
          `<text x="${c(xOf(n))}" y="${c(py + ph + 15)}" font-size="9" text-anchor="middle">${shortNumber(n)}</text></g>`,
      );
    body.push(`<text x="${c(px + pw / 2)}" y="${c(py + ph + 30)}" font-size="10" text-anchor="middle">N (operations)</text>`);
    cmp.sides.forEach((side, i) => {
      // Lines join consecutive measured points only: a failed or missing N breaks the line
      // rather than being bridged, and a failure is marked by a cross on the axis.
      const segments: { n: number; v: number }[][] = [[]];
      for (const n of points) {
        const cell = rows.find((r) => r.point === n)?.cells[i];
        if (cell?.median != null) segments[segments.length - 1]!.push({ n, v: cell.median });
        else if (segments[segments.length - 1]!.length > 0) segments.push([]);
        if (cell?.status === 'failed') {
          const x = xOf(n);
          const y0 = py + ph - 5;
          body.push(
            `<path class="failed-point" data-engine="${escapeXml(side.name)}" data-workload="${panel.workload}" data-point="${n}" d="M${c(x - 4)} ${c(y0 - 4)}l8 8m0 -8l-8 8" stroke="${colourOf(i)}" stroke-width="2"><title>${escapeXml(`${side.name}, ${WORKLOAD_LABELS[panel.workload]}, N = ${formatInt(n)}: failed`)}</title></path>`,
          );
        }
      }
      for (const seg of segments)
        if (seg.length > 1)
          body.push(`<polyline class="series" data-engine="${escapeXml(side.name)}" points="${seg.map((q) => `${c(xOf(q.n))},${c(yOf(q.v))}`).join(' ')}" fill="none" stroke="${colourOf(i)}" stroke-width="1.6"${side.published ? ' stroke-dasharray="4 3"' : ''}/>`);
      for (const q of segments.flat())
        body.push(
          `<circle class="point" data-engine="${escapeXml(side.name)}" data-workload="${panel.workload}" data-point="${q.n}" data-value="${q.v}" cx="${c(xOf(q.n))}" cy="${c(yOf(q.v))}" r="2.8" fill="${colourOf(i)}"><title>${escapeXml(`${side.name}, ${WORKLOAD_LABELS[panel.workload]}, N = ${formatInt(q.n)}: ${formatInt(q.v)}/s`)}</title></circle>`,
        );
    });
    body.push('</g>');
  }
  const desc = `Median throughput against the number of operations N on a logarithmic axis, one panel per workload, one line per engine; a cross on the axis marks a failed run.`;
  return document(width, height, 'Throughput against N', desc, body.join('\n'));
}

/**
 * Throughput and p99 over time: the per-second `intervals` series of one workload's latency
 * pass, engines overlaid, in two panels that share the time axis: calls completed per second
 * (linear from zero) and the p99 latency of each second's calls (log axis, since a stall can
 * be orders of magnitude above the rest). A second in which no call completed has 0 calls and
 * no p99, so the p99 line breaks there. Null when no side recorded intervals for it.
 */
export function intervalsChart(cmp: Comparison, workload: WorkloadName, point: number): string | null {
  const row = cmp.rows.find((r) => r.workload === workload && r.point === point);
  if (row === undefined) return null;
  const series = row.cells
    .map((cell, i) => ({ i, side: cmp.sides[i]!, intervals: cell.result?.intervals ?? [] }))
    .filter((s) => s.intervals.length > 0);
  if (series.length === 0) return null;
  const seconds = Math.max(...series.map((s) => s.intervals.length));
  const maxCalls = Math.max(0, ...series.flatMap((s) => s.intervals.map((x) => x.calls)));
  const p99s = series.flatMap((s) => s.intervals.filter((x) => x.calls > 0 && x.p99Ns > 0).map((x) => x.p99Ns));
  const left = 86;
  const title = `${WORKLOAD_LABELS[workload]}: calls/s and p99 per second, ${pointHeading(cmp, point)}`;
  // Wide enough for the title (15 px type, about 8.6 px a character) and for long runs.
  const width = Math.max(640, left + 24 + Math.min(1100, seconds * 8), left + title.length * 8.6);
  const plotW = width - left - 24;
  const entries = entriesOf(cmp).filter((_, i) => series.some((s) => s.i === i));
  const leg = legend(entries, left, 34, width - left - 16);
  const top = 34 + leg.height + 14;
  const panelH = 170;
  const gap = 56;
  const height = top + panelH + gap + panelH + 48;
  // Seconds 0 .. seconds-1 are plotted at their middle, so one second is still a point inside the axis.
  const xTicks = niceTicks(seconds, 8);
  const xMax = Math.max(seconds, xTicks[xTicks.length - 1]!);
  const xOf = (second: number): number => left + ((second + 0.5) / xMax) * plotW;
  const body: string[] = [hatchDefs(entries.map((e) => e.colour))];
  body.push(`<text x="${c(left)}" y="22" font-size="15" font-weight="600">${escapeXml(title)}</text>`);
  body.push(leg.svg);
  const markers = seconds <= 60;
  const xAxis = (y0: number): void => {
    for (const t of xTicks)
      if (t <= xMax)
        body.push(
          `<g class="x-tick" data-value="${t}"><line x1="${c(left + (t / xMax) * plotW)}" x2="${c(left + (t / xMax) * plotW)}" y1="${c(y0)}" y2="${c(y0 + 4)}" stroke="#333333"/>` +
            `<text x="${c(left + (t / xMax) * plotW)}" y="${c(y0 + 15)}" font-size="10" text-anchor="middle">${shortNumber(t)}</text></g>`,
        );
    body.push(`<text x="${c(left + plotW / 2)}" y="${c(y0 + 30)}" font-size="11" text-anchor="middle">seconds into the latency pass</text>`);
  };

  // Panel 1: calls completed per second, linear from zero.
  const callTicks = niceTicks(maxCalls, 4);
  const callMax = callTicks[callTicks.length - 1]!;
  const yCalls = (v: number): number => top + panelH - (v / callMax) * panelH;
  body.push(`<g class="panel" data-series="calls" data-workload="${workload}">`);
  for (const t of callTicks)
    body.push(
      `<g class="tick" data-value="${t}"><line x1="${c(left)}" x2="${c(left + plotW)}" y1="${c(yCalls(t))}" y2="${c(yCalls(t))}" stroke="${t === 0 ? '#333333' : '#e3e3e3'}"/>` +
        `<text x="${c(left - 6)}" y="${c(yCalls(t) + 4)}" font-size="10" text-anchor="end">${shortNumber(t)}</text></g>`,
    );
  body.push(`<text transform="translate(${c(left - 58)} ${c(top + panelH / 2)}) rotate(-90)" font-size="11" text-anchor="middle">calls/s</text>`);
  for (const s of series) {
    const pts = s.intervals.map((x) => `${c(xOf(x.second))},${c(yCalls(x.calls))}`);
    body.push(
      `<polyline class="series" data-series="calls" data-engine="${escapeXml(s.side.name)}" data-workload="${workload}" data-values="${s.intervals.map((x) => x.calls).join(' ')}" points="${pts.join(' ')}" fill="none" stroke="${colourOf(s.i)}" stroke-width="1.6"/>`,
    );
    if (markers)
      for (const x of s.intervals)
        body.push(
          `<circle class="point" data-series="calls" data-engine="${escapeXml(s.side.name)}" data-second="${x.second}" data-value="${x.calls}" cx="${c(xOf(x.second))}" cy="${c(yCalls(x.calls))}" r="2.4" fill="${colourOf(s.i)}"><title>${escapeXml(`${s.side.name}, second ${x.second}: ${formatInt(x.calls)} calls`)}</title></circle>`,
        );
  }
  xAxis(top + panelH);
  body.push('</g>');

  // Panel 2: p99 of each second's calls, on a log axis.
  const top2 = top + panelH + gap;
  body.push(`<g class="panel" data-series="p99" data-workload="${workload}">`);
  if (p99s.length > 0) {
    const ticks = decades(Math.min(...p99s), Math.max(...p99s));
    const lo = Math.log10(ticks[0]!);
    const hi = Math.log10(ticks[ticks.length - 1]!);
    const yP99 = (v: number): number => top2 + panelH - ((Math.log10(v) - lo) / (hi - lo)) * panelH;
    for (const t of ticks)
      body.push(
        `<g class="tick" data-value="${t}"><line x1="${c(left)}" x2="${c(left + plotW)}" y1="${c(yP99(t))}" y2="${c(yP99(t))}" stroke="#e3e3e3"/>` +
          `<text x="${c(left - 6)}" y="${c(yP99(t) + 4)}" font-size="10" text-anchor="end">${decadeLabel(t)}</text></g>`,
      );
    body.push(`<text transform="translate(${c(left - 66)} ${c(top2 + panelH / 2)}) rotate(-90)" font-size="11" text-anchor="middle">p99 latency (log)</text>`);
    for (const s of series) {
      // A second without calls has no p99: the line breaks there.
      const segments: (typeof s.intervals)[] = [[]];
      for (const x of s.intervals) {
        if (x.calls > 0 && x.p99Ns > 0) segments[segments.length - 1]!.push(x);
        else if (segments[segments.length - 1]!.length > 0) segments.push([]);
      }
      for (const seg of segments.filter((g) => g.length > 0))
        body.push(
          `<polyline class="series" data-series="p99" data-engine="${escapeXml(s.side.name)}" data-workload="${workload}" data-values="${seg.map((x) => x.p99Ns).join(' ')}" points="${seg.map((x) => `${c(xOf(x.second))},${c(yP99(x.p99Ns))}`).join(' ')}" fill="none" stroke="${colourOf(s.i)}" stroke-width="1.6"/>`,
        );
      if (markers)
        for (const x of s.intervals.filter((q) => q.calls > 0 && q.p99Ns > 0))
          body.push(
            `<circle class="point" data-series="p99" data-engine="${escapeXml(s.side.name)}" data-second="${x.second}" data-value="${x.p99Ns}" cx="${c(xOf(x.second))}" cy="${c(yP99(x.p99Ns))}" r="2.4" fill="${colourOf(s.i)}"><title>${escapeXml(`${s.side.name}, second ${x.second}: p99 ${formatNs(x.p99Ns)}`)}</title></circle>`,
          );
    }
  } else body.push(`<text x="${c(left + plotW / 2)}" y="${c(top2 + panelH / 2)}" font-size="11" text-anchor="middle">no call completed in any second</text>`);
  xAxis(top2 + panelH);
  body.push('</g>');
  const desc =
    `Two line charts sharing a time axis in seconds, for ${WORKLOAD_LABELS[workload]}: calls completed in each second of the latency pass (top, linear from zero) and the p99 latency of that second's calls (bottom, logarithmic), ` +
    `one line per engine (${series.map((s) => `${s.side.name}: ${s.intervals.length} s`).join(', ')}). A dip in the top line with a spike below it is a stall, such as a compaction.`;
  return document(width, height, title, desc, body.join('\n'));
}
