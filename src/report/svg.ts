/**
 * Hand-written SVG charts for reports. Each chart is one self-contained file: no scripts,
 * no fonts, images or stylesheets from elsewhere, so it renders the same in a browser and
 * on GitHub. Every mark carries its figure in data-* attributes (data-value, data-engine,
 * data-workload, data-point) so tests can check the picture against the results files.
 */
import { formatCompact, formatInt, formatNs } from '../format.js';
import { CALLS_NEEDED } from '../stats.js';
import { WORKLOAD_LABELS, type WorkloadName } from '../scenario.js';
import { pointHeading, type Cell, type Comparison } from './compare.js';

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

/**
 * Ticks of a log axis covering [lo, hi]: 1-2-5 steps (100, 200, 500, 1k, ...) while hi is
 * at most 1,000× lo, powers of ten beyond that; the first tick is at or
 * below lo and the last at or above hi.
 */
export function logTicks(lo: number, hi: number): number[] {
  if (!(lo > 0) || !(hi > 0)) return [1, 10];
  const [a, b] = lo <= hi ? [lo, hi] : [hi, lo];
  const k0 = Math.floor(Math.log10(a));
  const k1 = Math.ceil(Math.log10(b));
  const within = (steps: readonly number[]): number[] => {
    const all: number[] = [];
    for (let k = k0 - 1; k <= k1 + 1; k++) for (const m of steps) all.push(Number((m * 10 ** k).toPrecision(12)));
    const first = [...all].reverse().find((t) => t <= a * (1 + 1e-9)) ?? all[0]!;
    const last = all.find((t) => t >= b * (1 - 1e-9)) ?? all[all.length - 1]!;
    const ticks = all.filter((t) => t >= first && t <= last);
    // One value: one step either side, so the axis has a length.
    return ticks.length >= 2 ? ticks : all.filter((t) => t >= (all[all.indexOf(first) - 1] ?? first) && t <= (all[all.indexOf(last) + 1] ?? last));
  };
  if (Math.log10(b / a) > 3) return within([1]);
  const ticks = within([1, 2, 5]);
  // Within a factor of a few, 1-2-5 leaves two ticks and no grid between them: 1-2-3-5 then.
  return ticks.length >= 3 ? ticks : within([1, 2, 3, 5]);
}

/** A value axis, linear from zero or logarithmic: where a value sits (0 at the bottom, 1 at the top) and its ticks. */
export interface ValueAxis {
  readonly log: boolean;
  readonly ticks: readonly number[];
  readonly bottom: number;
  readonly top: number;
  /** 0 at the bottom of the axis, 1 at the top; values beyond it are beyond 0..1. */
  at(value: number): number;
}

export function linearAxis(max: number, target = 5): ValueAxis {
  const ticks = niceTicks(max, target);
  const top = ticks[ticks.length - 1]!;
  return { log: false, ticks, bottom: 0, top, at: (v) => v / top };
}

export function logAxis(lo: number, hi: number): ValueAxis {
  const ticks = logTicks(lo, hi);
  const bottom = ticks[0]!;
  const top = ticks[ticks.length - 1]!;
  const span = Math.log10(top / bottom);
  return { log: true, ticks, bottom, top, at: (v) => (v > 0 ? Math.log10(v / bottom) / span : -Infinity) };
}

/** Figures more than this many times apart do not share a linear axis: the small ones would be slivers. */
export const LOG_AXIS_SPREAD = 10;

/** The axis for these figures: linear from zero, or log when the largest is more than 10× the smallest. */
export function valueAxis(values: readonly number[], target = 5): ValueAxis {
  const positive = values.filter((v) => v > 0);
  if (positive.length === 0) return linearAxis(0, target);
  const lo = Math.min(...positive);
  const hi = Math.max(...positive);
  return hi / lo > LOG_AXIS_SPREAD ? logAxis(lo, hi) : linearAxis(hi, target);
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

/**
 * A whisker from lo to hi at x on an axis between yTop and yBottom (px): a cap at each end
 * inside the axis; an end beyond the axis is cut at its edge and drawn as an arrowhead.
 */
function whisker(attrs: string, x: number, lo: number, hi: number, axis: ValueAxis, yOf: (v: number) => number, yTop: number, yBottom: number): { svg: string; top: number } {
  const clippedHigh = hi > axis.top * (1 + 1e-9);
  const clippedLow = axis.log && lo < axis.bottom * (1 - 1e-9);
  const top = clippedHigh ? yTop : yOf(hi);
  const bottom = clippedLow ? yBottom : yOf(lo);
  const capTop = clippedHigh ? `M${c(x - 3.5)} ${c(top + 6)}L${c(x)} ${c(top)}L${c(x + 3.5)} ${c(top + 6)}` : `M${c(x - 3)} ${c(top)}h6`;
  const capBottom = clippedLow ? `M${c(x - 3.5)} ${c(bottom - 6)}L${c(x)} ${c(bottom)}L${c(x + 3.5)} ${c(bottom - 6)}` : `M${c(x - 3)} ${c(bottom)}h6`;
  const clipped = clippedHigh || clippedLow ? ` data-clipped="${clippedHigh && clippedLow ? 'both' : clippedHigh ? 'true' : 'low'}"` : '';
  return {
    svg: `<path class="ci" ${attrs} data-low="${lo}" data-high="${hi}"${clipped} d="M${c(x)} ${c(bottom)}V${c(top)}${capBottom}${capTop}" stroke="#222222" stroke-width="1" fill="none"/>`,
    top,
  };
}

/** The ticks and title of a value axis at the left of a plot. */
function axisMarks(axis: ValueAxis, left: number, width: number, yOf: (v: number) => number, label: (v: number) => string, size: number): string[] {
  return axis.ticks.map(
    (t) =>
      `<g class="tick" data-value="${t}"><line x1="${c(left)}" x2="${c(left + width)}" y1="${c(yOf(t))}" y2="${c(yOf(t))}" stroke="${t === 0 ? '#333333' : '#e3e3e3'}"/>` +
      `<text x="${c(left - 6)}" y="${c(yOf(t) + 4)}" font-size="${size}" text-anchor="end">${label(t)}</text></g>`,
  );
}

/** Head room above a bar panel for the value labels of the tallest bars. */
const LABEL_ROOM = 38;

/**
 * One panel of grouped bars for workloads that share a unit, on its own axis: linear from
 * zero, or logarithmic (said on the axis) when its figures are more than 10× apart, so the
 * smaller bars do not shrink to slivers. Every bar carries its value as a label.
 */
function barPanel(cmp: Comparison, rows: readonly Row[], unit: 'op' | 'entry', left: number, top: number, plotW: number, plotH: number): string {
  const sides = cmp.sides;
  const base = top + plotH;
  // The axis fits the medians: one wide interval on a noisy machine must not flatten every bar.
  // Whiskers that reach past an end of the axis are cut there and end in an arrowhead.
  const medians = rows.flatMap((r) => r.cells.map((cell) => cell.median ?? 0));
  const linear = valueAxis(medians);
  // On a log axis a bar starts a step below the smallest figure, so the shortest bar is not a sliver.
  const axis = linear.log ? logAxis(Math.min(...medians.filter((v) => v > 0)) / 2, Math.max(...medians)) : linear;
  const y = (v: number): number => base - axis.at(v) * plotH;
  const body: string[] = [`<g class="panel" data-unit="${unit}" data-scale="${axis.log ? 'log' : 'linear'}">`];
  body.push(...axisMarks(axis, left, plotW, y, shortNumber, 11));
  const what = unit === 'entry' ? 'entries/s, median' : 'ops/s, median';
  body.push(`<text transform="translate(${c(left - 58)} ${c(top + plotH / 2)}) rotate(-90)" font-size="11" text-anchor="middle">${axis.log ? `${what} (log scale)` : what}</text>`);
  if (axis.log) body.push(`<line x1="${c(left)}" x2="${c(left + plotW)}" y1="${c(base)}" y2="${c(base)}" stroke="#333333"/>`);
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
      const barTop = Math.max(top, y(cell.median));
      const h = base - barTop;
      const units = cell.unit === 'entry' ? 'entries' : 'ops';
      const tip =
        `${side.name}, ${WORKLOAD_LABELS[row.workload]}: ${formatInt(cell.median)} ${units}/s` +
        (cell.ci95 ? ` (95% CI ${formatInt(cell.ci95[0])}–${formatInt(cell.ci95[1])})` : side.published ? ' (published, no CI)' : '');
      body.push(
        `<rect class="bar" ${attrs} data-value="${cell.median}" x="${c(x + 1)}" y="${c(barTop)}" width="${c(barW - 2)}" height="${c(h)}" fill="${side.published ? `url(#hatch-${i})` : colourOf(i)}" stroke="${colourOf(i)}" stroke-width="${side.published ? 1 : 0}"><title>${escapeXml(tip)}</title></rect>`,
      );
      const mid = x + barW / 2;
      if (cell.ci95 !== null) body.push(whisker(attrs, mid, cell.ci95[0], cell.ci95[1], axis, y, top, base).svg);
      // The value just above its bar, upright over a wide bar, turned along a narrow one; a
      // white halo keeps it readable where the whisker passes behind it.
      const label = formatCompact(cell.median);
      const halo = 'paint-order="stroke" stroke="#ffffff" stroke-width="3" stroke-linejoin="round"';
      body.push(
        barW >= 32
          ? `<text class="value-label" ${attrs} x="${c(mid)}" y="${c(barTop - 4)}" font-size="9" text-anchor="middle" ${halo}>${label}</text>`
          : // Turned text's glyphs lie left of its baseline: at mid + 11 they clear the whisker at mid.
            `<text class="value-label" ${attrs} x="${c(mid + 11)}" y="${c(barTop - 3)}" font-size="9" transform="rotate(-90 ${c(mid + 11)} ${c(barTop - 3)})" ${halo}>${label}</text>`,
      );
    });
    body.push(`<g class="x-label" data-workload="${row.workload}">${wrapLabel(WORKLOAD_LABELS[row.workload], gx, base + 16, groupW - 6)}</g>`);
  });
  body.push('</g>');
  return body.join('\n');
}

const isScan = (w: WorkloadName): boolean => w === 'range-scan' || w === 'prefix-scan';

/** What the whiskers of a chart are, in words, from the intervals its cells carry; null when none has one. */
export function whiskerNote(cells: readonly Cell[]): string | null {
  const counts = [...new Set(cells.filter((cell) => cell.ci95 !== null).map((cell) => cell.result?.opsPerSec?.independentSamples ?? cell.repetitions))].sort((a, b) => a - b);
  if (counts.length === 0) return null;
  const n = counts.length === 1 ? String(counts[0]) : `${counts[0]}–${counts[counts.length - 1]}`;
  return `Whiskers: 95% CI over ${n} independent processes (t, geometric mean); arrowhead: cut at the axis`;
}

/**
 * Grouped bars: median throughput per workload, one bar per engine, at one N, each with its
 * value; whiskers are the 95% interval over independent processes where there is one.
 * Operations and scanned entries are different units, so scans get a panel and an axis of
 * their own; an axis is linear from zero unless its figures are more than 10× apart.
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
  const note = whiskerNote(rows.flatMap((r) => r.cells));
  const noteH = note === null ? 0 : 16;
  const top = 34 + leg.height + noteH + 12 + LABEL_ROOM;
  const plotH = 300;
  const height = top + plotH + 58;
  const title = `Throughput by workload, ${pointHeading(cmp, point)}`;
  const body: string[] = [hatchDefs(entries.map((e) => e.colour))];
  body.push(`<text x="${c(margin)}" y="22" font-size="15" font-weight="600">${escapeXml(title)}</text>`);
  body.push(leg.svg);
  if (note !== null) body.push(`<text class="whisker-note" x="${c(margin)}" y="${c(34 + leg.height + 10)}" font-size="11" fill="#444444">${escapeXml(note)}</text>`);
  const panels: string[] = [];
  if (opRows.length > 0) panels.push(barPanel(cmp, opRows, 'op', margin, top, opW, plotH));
  if (scanRows.length > 0) panels.push(barPanel(cmp, scanRows, 'entry', margin + (opRows.length > 0 ? opW + gap : 0), top, scanW, plotH));
  body.push(...panels);
  const logs = panels.filter((p) => p.includes('data-scale="log"')).length;
  const desc =
    `Grouped bar chart of median throughput per workload for ${sides.map((s) => s.name).join(', ')}, each bar labelled with its value, operations and scanned entries on separate axes` +
    (logs > 0 ? ` (${logs === panels.length ? 'every' : 'one'} axis logarithmic: its figures are more than ${LOG_AXIS_SPREAD}× apart)` : '') +
    `${note === null ? '' : `. ${note}`}`;
  return document(width, height, title, desc, body.join('\n'));
}

/** 100 ns, 1 µs, 10 µs ... 1 s, 10 s: a power of ten of nanoseconds in its natural unit. */
export function decadeLabel(ns: number): string {
  const units: [number, string][] = [[1e9, 's'], [1e6, 'ms'], [1e3, 'µs'], [1, 'ns']];
  for (const [scale, unit] of units) if (ns >= scale) return `${Number((ns / scale).toPrecision(6))} ${unit}`;
  return `${Number(ns.toPrecision(6))} ns`;
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

export { CALLS_NEEDED };

/** The percentiles these calls support, in order. */
export const supportedPercentiles = (calls: number): (typeof PERCENTILES)[number][] => PERCENTILES.filter(([name]) => calls >= CALLS_NEEDED[name]);

/**
 * Latency percentiles (p50, p99, p99.9, max) per workload, one line per engine, on a shared
 * log axis (1-2-5 ticks over up to three decades, powers of ten beyond): small multiples,
 * so tails of different workloads can be compared at a glance. A percentile is drawn only
 * from enough calls (CALLS_NEEDED); a panel says which it left out. Null when no engine
 * recorded latencies at this N.
 */
export function latencyChart(cmp: Comparison, point: number): string | null {
  const rows = cmp.rows.filter((r) => r.point === point && r.cells.some((cell) => cell.result?.latency));
  if (rows.length === 0) return null;
  const values = rows.flatMap((r) => r.cells.flatMap((cell) => (cell.result?.latency ? supportedPercentiles(cell.result.latency.calls).map(([, k]) => cell.result!.latency![k]) : [])));
  const positive = values.filter((v) => v > 0);
  const ticks = logTicks(Math.min(...positive), Math.max(...positive));
  const lo = Math.log10(ticks[0]!);
  const hi = Math.log10(ticks[ticks.length - 1]!);
  const columns = Math.min(4, rows.length);
  const panelW = 190;
  const panelH = 204;
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
  const leftOut: string[] = [];
  panels.forEach((panel, p) => {
    const row = rows[p]!;
    const px = panel.x + 52;
    const pw = panelW - 64;
    const py = panel.y + 20;
    const ph = panelH - 72;
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
    const missing = new Set<string>();
    let fewest = Infinity;
    row.cells.forEach((cell, i) => {
      const lat = cell.result?.latency;
      if (!lat) return;
      const side = cmp.sides[i]!;
      const shown = PERCENTILES.map((q, k) => ({ q, k })).filter(({ q }) => lat.calls >= CALLS_NEEDED[q[0]]);
      for (const [name] of PERCENTILES) if (lat.calls < CALLS_NEEDED[name]) missing.add(name);
      if (shown.length < PERCENTILES.length) fewest = Math.min(fewest, lat.calls);
      const pts = shown.map(({ q: [, key], k }) => [xOf(k), yOf(lat[key])] as const);
      // Solid between neighbouring percentiles; dashed across one left out, which it does not claim to pass through.
      for (let j = 1; j < pts.length; j++) {
        const gap = shown[j]!.k - shown[j - 1]!.k > 1;
        body.push(
          `<line class="${gap ? 'series-gap' : 'series'}" data-engine="${escapeXml(side.name)}" x1="${c(pts[j - 1]![0])}" y1="${c(pts[j - 1]![1])}" x2="${c(pts[j]![0])}" y2="${c(pts[j]![1])}" stroke="${colourOf(i)}" stroke-width="${gap ? 1 : 1.6}"${gap ? ' stroke-dasharray="3 3"' : ''}/>`,
        );
      }
      shown.forEach(({ q: [name, key] }, j) =>
        body.push(
          `<circle class="point" data-engine="${escapeXml(side.name)}" data-workload="${row.workload}" data-percentile="${name}" data-value="${lat[key]}" cx="${c(pts[j]![0])}" cy="${c(pts[j]![1])}" r="2.6" fill="${colourOf(i)}"><title>${escapeXml(`${side.name}, ${WORKLOAD_LABELS[row.workload]}, ${name}: ${formatNs(lat[key])}`)}</title></circle>`,
        ),
      );
    });
    if (missing.size > 0) {
      const names = PERCENTILES.map(([n]) => n).filter((n) => missing.has(n));
      leftOut.push(`${WORKLOAD_LABELS[row.workload]}: ${names.join(', ')}`);
      body.push(
        `<text class="left-out" x="${c(px + pw / 2)}" y="${c(py + ph + 28)}" font-size="9" fill="#666666" text-anchor="middle">${escapeXml(`${names.join(', ')} not drawn: ${formatInt(fewest)} calls`)}</text>`,
      );
    }
    body.push('</g>');
  });
  const desc =
    'Latency percentiles p50, p99, p99.9 and max per workload on a logarithmic axis, one line per engine.' +
    (leftOut.length > 0 ? ` Percentiles left out for too few calls (p99 needs ${CALLS_NEEDED.p99}, p99.9 needs ${formatInt(CALLS_NEEDED['p99.9'])}): ${leftOut.join('; ')}.` : '');
  return document(width, height, `Latency percentiles, N = ${formatInt(point)}`, desc, body.join('\n'));
}

/**
 * Sweeps: median ops/s against N on a log axis, one panel per workload, one line per
 * engine, each point with its 95% interval as an error bar. Each panel has its own ops/s
 * axis: linear from zero, or logarithmic when its figures are more than 10× apart. Null
 * when there is only one N.
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
  const note = whiskerNote(cmp.rows.flatMap((r) => r.cells));
  const top = 34 + leg.height + 8 + (note === null ? 0 : 16);
  const panels = panelGrid(workloads, panelW, panelH, left, top, columns);
  const height = top + Math.ceil(workloads.length / columns) * panelH + 10;
  const body: string[] = [hatchDefs(entries.map((e) => e.colour))];
  body.push(`<text x="${left}" y="22" font-size="15" font-weight="600">Throughput against N (log axis)</text>`);
  body.push(leg.svg);
  if (note !== null) body.push(`<text class="whisker-note" x="${c(left + 50)}" y="${c(34 + leg.height + 10)}" font-size="11" fill="#444444">${escapeXml(note.replace(/^Whiskers/, 'Error bars'))}</text>`);
  let logPanels = 0;
  for (const panel of panels) {
    const rows = cmp.rows.filter((r) => r.workload === panel.workload);
    const axis = valueAxis(rows.flatMap((r) => r.cells.map((cell) => cell.median ?? 0)), 4);
    if (axis.log) logPanels++;
    const px = panel.x + 48;
    const pw = panelW - 62;
    const py = panel.y + 20;
    const ph = panelH - 62;
    // Inset so the first and last points clear the y axis labels and the panel edge.
    const inset = 10;
    const xOf = (n: number): number => px + inset + ((Math.log10(n) - lo) / (hi - lo)) * (pw - 2 * inset);
    const yOf = (v: number): number => py + ph - axis.at(v) * ph;
    body.push(`<g class="panel" data-workload="${panel.workload}" data-scale="${axis.log ? 'log' : 'linear'}">`);
    body.push(`<text x="${c(px + pw / 2)}" y="${c(panel.y + 12)}" font-size="12" font-weight="600" text-anchor="middle">${panelTitle(WORKLOAD_LABELS[panel.workload] + (axis.log ? ' (log)' : ''), panelW)}</text>`);
    body.push(...axisMarks(axis, px, pw, yOf, shortNumber, 9));
    if (axis.log) body.push(`<line x1="${c(px)}" x2="${c(px + pw)}" y1="${c(py + ph)}" y2="${c(py + ph)}" stroke="#333333"/>`);
    for (const n of points)
      body.push(
        `<g class="x-tick" data-point="${n}"><line x1="${c(xOf(n))}" x2="${c(xOf(n))}" y1="${c(py + ph)}" y2="${c(py + ph + 4)}" stroke="#333333"/>` +
          `<text x="${c(xOf(n))}" y="${c(py + ph + 15)}" font-size="9" text-anchor="middle">${shortNumber(n)}</text></g>`,
      );
    body.push(`<text x="${c(px + pw / 2)}" y="${c(py + ph + 30)}" font-size="10" text-anchor="middle">N (operations)</text>`);
    cmp.sides.forEach((side, i) => {
      // Lines join consecutive measured points only: a failed or missing N breaks the line
      // rather than being bridged, and a failure is marked by a cross on the axis.
      const segments: { n: number; v: number; ci: readonly [number, number] | null }[][] = [[]];
      for (const n of points) {
        const cell = rows.find((r) => r.point === n)?.cells[i];
        if (cell?.median != null) segments[segments.length - 1]!.push({ n, v: cell.median, ci: cell.ci95 });
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
      // Engines at one N sit side by side, a few px apart, so their error bars do not hide each other.
      const offset = (i - (cmp.sides.length - 1) / 2) * 3;
      for (const q of segments.flat()) {
        const attrs = `data-engine="${escapeXml(side.name)}" data-workload="${panel.workload}" data-point="${q.n}"`;
        if (q.ci !== null) body.push(whisker(attrs, xOf(q.n) + offset, q.ci[0], q.ci[1], axis, yOf, py, py + ph).svg.replace('stroke="#222222"', `stroke="${colourOf(i)}"`));
        body.push(
          `<circle class="point" ${attrs} data-value="${q.v}" cx="${c(xOf(q.n) + offset)}" cy="${c(yOf(q.v))}" r="2.8" fill="${colourOf(i)}"><title>${escapeXml(`${side.name}, ${WORKLOAD_LABELS[panel.workload]}, N = ${formatInt(q.n)}: ${formatInt(q.v)}/s` + (q.ci ? ` (95% CI ${formatInt(q.ci[0])}–${formatInt(q.ci[1])})` : ''))}</title></circle>`,
        );
      }
    });
    body.push('</g>');
  }
  const desc =
    `Median throughput against the number of operations N on a logarithmic axis, one panel per workload, one line per engine, each point with its 95% interval as an error bar where there is one; a cross on the axis marks a failed run.` +
    (logPanels > 0 ? ` ${logPanels} of ${panels.length} panels have a logarithmic throughput axis (figures more than ${LOG_AXIS_SPREAD}× apart).` : '');
  return document(width, height, 'Throughput against N', desc, body.join('\n'));
}

type Interval = NonNullable<NonNullable<Cell['result']>['intervals']>[number];

/** One second of a latency pass as the over-time chart draws it. */
export interface OverTimePoint {
  readonly second: number;
  readonly calls: number;
  /** Calls per second: the calls, scaled by the second's real length when it is the last, partial one. */
  readonly rate: number;
  readonly p99Ns: number;
  /** The length of a partial last second in ms; null for a whole second. */
  readonly partialMs: number | null;
}

/** A partial last second shorter than this is left out: a quarter second of calls scaled ×4 says little. */
export const MIN_PARTIAL_MS = 250;
/** A line over time needs this many whole seconds; fewer, and the report says so instead of drawing one. */
export const MIN_OVER_TIME_POINTS = 3;

/**
 * The seconds of a latency pass to draw: whole seconds as they are, the last one scaled by
 * its real length, or left out (and said) when it is too short to scale or its length was
 * not recorded (files from before `ms`).
 */
export function overTimePoints(intervals: readonly Interval[]): { points: OverTimePoint[]; dropped: string | null } {
  const points: OverTimePoint[] = [];
  let dropped: string | null = null;
  intervals.forEach((x, k) => {
    const last = k === intervals.length - 1;
    const ms = x.ms ?? (last ? undefined : 1000);
    if (ms === undefined) {
      dropped = 'the last second (its length is not in the results file)';
      return;
    }
    if (ms < MIN_PARTIAL_MS) {
      dropped = `the last ${ms < 10 ? ms.toFixed(1) : ms.toFixed(0)} ms (too little of a second to scale)`;
      return;
    }
    points.push({ second: x.second, calls: x.calls, rate: (x.calls * 1000) / ms, p99Ns: x.p99Ns, partialMs: ms < 1000 ? ms : null });
  });
  return { points, dropped };
}

/** How long a latency pass lasted, from its per-second series; not exact when its last second's length was not recorded (then at most this). */
export function passLength(intervals: readonly Interval[]): { seconds: number; exact: boolean } {
  return { seconds: intervals.reduce((s, x) => s + (x.ms ?? 1000) / 1000, 0), exact: intervals.every((x) => x.ms !== undefined) };
}

/** An over-time chart, or why there is none: each side too short, or what was left out. */
export interface OverTime {
  readonly svg: string | null;
  readonly notes: readonly string[];
  /** Each side's pass and how long it lasted. */
  readonly passes: readonly { readonly side: string; readonly seconds: number; readonly exact: boolean }[];
}

/**
 * Throughput and p99 over time: the per-second `intervals` series of one workload's latency
 * pass, engines overlaid, in two panels that share the time axis: calls completed per second
 * (linear from zero) and the p99 latency of each second's calls (log axis, since a stall can
 * be orders of magnitude above the rest). A second in which no call completed has 0 calls and
 * no p99, so the p99 line breaks there. The last second, which ends with the pass, is scaled
 * by its real length or left out (overTimePoints); a side with fewer than
 * MIN_OVER_TIME_POINTS whole seconds gets no line, and with no side left there is no chart.
 * Null when no side recorded intervals for it.
 */
export function overTime(cmp: Comparison, workload: WorkloadName, point: number): OverTime | null {
  const row = cmp.rows.find((r) => r.workload === workload && r.point === point);
  if (row === undefined) return null;
  const recorded = row.cells
    .map((cell, i) => ({ i, side: cmp.sides[i]!, intervals: cell.result?.intervals ?? [] }))
    .filter((s) => s.intervals.length > 0);
  if (recorded.length === 0) return null;
  const notes: string[] = [];
  const passes = recorded.map((s) => ({ side: s.side.name, ...passLength(s.intervals) }));
  const series = recorded.flatMap((s, k) => {
    const { points, dropped } = overTimePoints(s.intervals);
    if (points.filter((x) => x.partialMs === null).length < MIN_OVER_TIME_POINTS) {
      const p = passes[k]!;
      notes.push(`${s.side.name}: the pass lasted ${p.exact ? `${p.seconds.toFixed(2)} s` : `at most ${p.seconds.toFixed(0)} s`}, too short for a line (it needs ${MIN_OVER_TIME_POINTS} whole seconds)`);
      return [];
    }
    if (dropped !== null) notes.push(`${s.side.name}: ${dropped} left out`);
    const partial = points.find((x) => x.partialMs !== null);
    if (partial) notes.push(`${s.side.name}: the last second lasted ${partial.partialMs!.toFixed(0)} ms; its calls are scaled to a rate (hollow marker)`);
    return [{ ...s, points }];
  });
  if (series.length === 0) return { svg: null, notes, passes };

  const end = (x: OverTimePoint): number => x.second + (x.partialMs ?? 1000) / 1000;
  const seconds = Math.max(...series.flatMap((s) => s.points.map(end)));
  const maxRate = Math.max(0, ...series.flatMap((s) => s.points.map((x) => x.rate)));
  const p99s = series.flatMap((s) => s.points.filter((x) => x.calls > 0 && x.p99Ns > 0).map((x) => x.p99Ns));
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
  const height = top + panelH + gap + panelH + 48 + (notes.length > 0 ? 16 * notes.length : 0);
  const xTicks = niceTicks(seconds, 8);
  const xMax = Math.max(seconds, xTicks[xTicks.length - 1]!);
  // A second is drawn at its middle: a whole second at s + 0.5, a partial last one at the middle of what it lasted.
  const xOf = (x: OverTimePoint): number => left + ((x.second + (x.partialMs ?? 1000) / 2000) / xMax) * plotW;
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
  const marker = (s: (typeof series)[number], x: OverTimePoint, cy: number, value: number, kind: 'calls' | 'p99', tip: string): string =>
    `<circle class="point" data-series="${kind}" data-engine="${escapeXml(s.side.name)}" data-second="${x.second}" data-value="${value}"${x.partialMs !== null ? ` data-partial-ms="${x.partialMs}"` : ''} cx="${c(xOf(x))}" cy="${c(cy)}" r="${x.partialMs !== null ? 3 : 2.4}" fill="${x.partialMs !== null ? '#ffffff' : colourOf(s.i)}" stroke="${colourOf(s.i)}" stroke-width="${x.partialMs !== null ? 1.4 : 0}"><title>${escapeXml(tip)}</title></circle>`;

  // Panel 1: calls completed per second, linear from zero.
  const callAxis = linearAxis(maxRate, 4);
  const yCalls = (v: number): number => top + panelH - callAxis.at(v) * panelH;
  body.push(`<g class="panel" data-series="calls" data-workload="${workload}">`);
  body.push(...axisMarks(callAxis, left, plotW, yCalls, shortNumber, 10));
  body.push(`<text transform="translate(${c(left - 58)} ${c(top + panelH / 2)}) rotate(-90)" font-size="11" text-anchor="middle">calls/s</text>`);
  for (const s of series) {
    const pts = s.points.map((x) => `${c(xOf(x))},${c(yCalls(x.rate))}`);
    body.push(
      `<polyline class="series" data-series="calls" data-engine="${escapeXml(s.side.name)}" data-workload="${workload}" data-values="${s.points.map((x) => x.rate).join(' ')}" points="${pts.join(' ')}" fill="none" stroke="${colourOf(s.i)}" stroke-width="1.6"/>`,
    );
    for (const x of s.points)
      if (markers || x.partialMs !== null)
        body.push(marker(s, x, yCalls(x.rate), x.rate, 'calls', `${s.side.name}, second ${x.second}: ${formatInt(x.calls)} calls${x.partialMs !== null ? ` in ${x.partialMs.toFixed(0)} ms, ${formatInt(x.rate)}/s` : ''}`));
  }
  xAxis(top + panelH);
  body.push('</g>');

  // Panel 2: p99 of each second's calls, on a log axis.
  const top2 = top + panelH + gap;
  body.push(`<g class="panel" data-series="p99" data-workload="${workload}">`);
  if (p99s.length > 0) {
    const ticks = logTicks(Math.min(...p99s), Math.max(...p99s));
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
      const segments: OverTimePoint[][] = [[]];
      for (const x of s.points) {
        if (x.calls > 0 && x.p99Ns > 0) segments[segments.length - 1]!.push(x);
        else if (segments[segments.length - 1]!.length > 0) segments.push([]);
      }
      for (const seg of segments.filter((g) => g.length > 0))
        body.push(
          `<polyline class="series" data-series="p99" data-engine="${escapeXml(s.side.name)}" data-workload="${workload}" data-values="${seg.map((x) => x.p99Ns).join(' ')}" points="${seg.map((x) => `${c(xOf(x))},${c(yP99(x.p99Ns))}`).join(' ')}" fill="none" stroke="${colourOf(s.i)}" stroke-width="1.6"/>`,
        );
      for (const x of s.points.filter((q) => q.calls > 0 && q.p99Ns > 0))
        if (markers || x.partialMs !== null) body.push(marker(s, x, yP99(x.p99Ns), x.p99Ns, 'p99', `${s.side.name}, second ${x.second}: p99 ${formatNs(x.p99Ns)}`));
    }
  } else body.push(`<text x="${c(left + plotW / 2)}" y="${c(top2 + panelH / 2)}" font-size="11" text-anchor="middle">no call completed in any second</text>`);
  xAxis(top2 + panelH);
  body.push('</g>');
  notes.forEach((n, k) => body.push(`<text class="note" x="${c(left)}" y="${c(top2 + panelH + 50 + 16 * k)}" font-size="11" fill="#444444">${escapeXml(n)}.</text>`));
  const desc =
    `Two line charts sharing a time axis in seconds, for ${WORKLOAD_LABELS[workload]}: calls completed in each second of the latency pass (top, linear from zero) and the p99 latency of that second's calls (bottom, logarithmic), ` +
    `one line per engine (${series.map((s) => `${s.side.name}: ${s.points.length} s`).join(', ')}). A dip in the top line with a spike below it is a stall, such as a compaction.` +
    (notes.length > 0 ? ` ${notes.join('; ')}.` : '');
  return { svg: document(width, height, title, desc, body.join('\n')), notes, passes };
}

/** The over-time chart of one workload at one N, or null (no intervals, or too few seconds: see overTime). */
export function intervalsChart(cmp: Comparison, workload: WorkloadName, point: number): string | null {
  return overTime(cmp, workload, point)?.svg ?? null;
}
