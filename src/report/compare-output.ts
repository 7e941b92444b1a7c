/** The comparison as the document's table: in the terminal, as Markdown, and as JSON. */
import { concurrencyCell, concurrencyLabel, differenceMark, formatCompact, formatInt, formatRatio, showsConcurrency } from '../format.js';
import { display, renderTable, terminalWidth, wrapText, type Column, type LayoutChoice } from '../layout.js';
import { shortWorkloadLabel } from '../scenario.js';
import type { Comparison, RatioCell, Row } from './compare.js';
import { pointHeading, recordedDrift, workloadLabel } from './compare.js';
import { pointOf } from './model.js';
import { markdownTable, opsCell, ratioText } from './text.js';

/** The Concurrency cell of a row (see concurrencyLabel). */
export function rowConcurrency(cmp: Comparison, row: Row): string {
  return concurrencyCell(
    row.cells.flatMap((c, i) => {
      const side = cmp.sides[i]!;
      return c.result === null ? [] : [{ engine: side.name, label: concurrencyLabel(c.result, side.engine, side.file.scenario) }];
    }),
  );
}

/** Whether the tables get a Concurrency column: only when some row ran more than one call at a time. */
export const hasConcurrency = (cmp: Comparison): boolean => showsConcurrency(cmp.rows.map((r) => rowConcurrency(cmp, r)));

/** Text columns (the operation, its concurrency) to the left, figures to the right. */
export function columnAligns(head: readonly string[]): ('left' | 'right')[] {
  return head.map((h, i) => (i === 0 || h === 'Concurrency' ? 'left' : 'right'));
}

export function tableHead(cmp: Comparison): string[] {
  return [
    'Operation',
    ...(hasConcurrency(cmp) ? ['Concurrency'] : []),
    ...cmp.sides.map((s) => `${s.name} (ops/s)`),
    ...cmp.pairs.map(({ a, b }) => `Ratio (${cmp.sides[a]!.name}/${cmp.sides[b]!.name})`),
  ];
}

export function tableRow(cmp: Comparison, row: Row): string[] {
  return [workloadLabel(row.workload), ...(hasConcurrency(cmp) ? [rowConcurrency(cmp, row)] : []), ...row.cells.map(opsCell), ...row.ratios.map(ratioText)];
}

/** The rows grouped by N: one table per point, since figures at different N are not comparable. */
export function rowsByPoint(cmp: Comparison): { point: number; rows: Row[] }[] {
  return cmp.points.map((point) => ({ point, rows: cmp.rows.filter((r) => r.point === point) })).filter((g) => g.rows.length > 0);
}

export function notes(cmp: Comparison): string[] {
  const lines = [
    'Ratio: median ops/s of the left engine over the right one; in brackets, its 95% interval over independent child processes (paired process by process when they ran side by side), or the range where there are fewer than 3. Scans count entries, as the document does.',
  ];
  const across = cmp.pairs.filter(({ a, b }) => cmp.sides[a]!.fileIndex !== cmp.sides[b]!.fileIndex && !cmp.sides[a]!.published && !cmp.sides[b]!.published);
  if (across.length > 0) {
    // Two runs differ by the machine's drift between them too, which no run's processes see.
    const { files, without, sds } = recordedDrift(across.flatMap(({ a, b }) => [cmp.sides[a]!, cmp.sides[b]!]));
    lines.push(
      without.length === 0
        ? `Ratios between two files add each run's run-to-run drift, as its file recorded it (${sds.join(', ')} sd).`
        : without.length === files.length
          ? "Ratios between two files cover their processes only: no run recorded this machine's run-to-run drift, so a small difference may be drift (docs/intervals.md)."
          : `Ratios between two files add the run-to-run drift where a file recorded it (${sds.join(', ')} sd); ${without.map((s) => s.path).join(', ')} recorded none.`,
    );
  }
  for (const row of cmp.rows)
    row.cells.forEach((c, i) => {
      if (c.status === 'failed' && c.result !== null)
        lines.push(`FAILED ${cmp.sides[i]!.name} ${workloadLabel(row.workload)} (N=${formatInt(pointOf(cmp.sides[i]!.file, c.result))}): ${c.error ?? 'unknown error'}`);
    });
  for (const w of cmp.warnings) lines.push(`Warning: ${w}`);
  return lines;
}

/**
 * The comparison in the terminal, each table fitted to `choice.width` (default: the
 * terminal's, 80 when it is not one). Where the full cells do not fit, a ratio without an
 * interval says only "(no CI)" (a note says why), then figures go compact (12.4M), then
 * ratios lose their intervals (▲ or ▼ marks one whose interval excludes 1.00) and the
 * operation names shorten. Notes wrap at the same width.
 */
export function compareTerminal(cmp: Comparison, choice: LayoutChoice = {}): string {
  const width = choice.width ?? terminalWidth();
  const out: string[] = [];
  const head = tableHead(cmp);
  const aligns = columnAligns(head);
  const firstSide = hasConcurrency(cmp) ? 2 : 1;
  const firstPair = firstSide + cmp.sides.length;
  for (const { point, rows } of rowsByPoint(cmp)) {
    out.push(pointHeading(cmp, point));
    const columns = head.map((h, i): Column => {
      const column = { id: String(i), head: h, align: aligns[i]! };
      if (i === 0) return { ...column, narrow: { level: 2, cells: rows.map((r) => shortWorkloadLabel(r.workload)) } };
      if (i >= firstSide && i < firstPair) {
        const cells = rows.map((r) => r.cells[i - firstSide]!);
        return { ...column, narrow: { level: 1, cells: cells.map((c) => (c.median !== null && c.status === 'verified' ? formatCompact(c.median) : opsCell(c))) } };
      }
      if (i >= firstPair) {
        const ratios = rows.map((r) => r.ratios[i - firstPair]!);
        return {
          ...column,
          narrow: [
            { level: 1, first: true, cells: ratios.map((r) => (r.ratio !== null && r.ci95 === null ? `${formatRatio(r.ratio)} (no CI)` : ratioText(r))) },
            { level: 2, cells: ratios.map(markedRatio) },
          ],
        };
      }
      return column;
    });
    const cells = rows.map((r) => tableRow(cmp, r));
    let table = renderTable(columns, cells, { width, split: false });
    // Still too wide: let the ratio headings wrap between the engine names ("Ratio (ts /" over "rocksdb-cpp)").
    if (display(table) > width) table = renderTable(columns.map((c, i) => (i >= firstPair ? { ...c, head: c.head.replace('/', ' / ') } : c)), cells, { width });
    out.push(table);
  }
  const lines = notes(cmp);
  if (out.some((t) => / [▲▼] │/.test(t))) lines.splice(1, 0, `▲ or ▼: a ratio whose 95% interval excludes 1.00 (faster or slower); the intervals were left out to fit ${width} columns (--format md shows them).`);
  out.push(...lines.map((line) => wrapText(line, width, '  ')));
  return out.join('\n') + '\n';
}

/** A ratio alone, ▲ or ▼ where its 95% interval excludes 1.00 (faster or slower). */
const markedRatio = (r: RatioCell): string => (r.ratio === null ? '-' : `${formatRatio(r.ratio)}${differenceMark(r.ci95)}`);

export function compareMarkdown(cmp: Comparison): string {
  const out: string[] = [];
  const head = tableHead(cmp);
  const align = columnAligns(head);
  for (const { point, rows } of rowsByPoint(cmp)) {
    out.push(`**${pointHeading(cmp, point)}**`, '', markdownTable(head, rows.map((r) => tableRow(cmp, r)), align), '');
  }
  for (const line of notes(cmp)) out.push(`- ${line}`);
  return out.join('\n') + '\n';
}

/** The comparison as data: every figure the tables show, unrounded, and where it came from. */
export function compareJson(cmp: Comparison): unknown {
  return {
    sides: cmp.sides.map((s) => ({ name: s.name, label: s.label, file: s.path, fileId: s.file.id, published: s.published })),
    ratios: cmp.pairs.map(({ a, b }) => ({ a: cmp.sides[a]!.name, b: cmp.sides[b]!.name })),
    rows: cmp.rows.map((row) => ({
      workload: row.workload,
      point: row.point,
      cells: row.cells.map((c, i) => ({
        engine: cmp.sides[i]!.name,
        status: c.status,
        opsPerSec: c.median,
        ci95: c.ci95,
        repetitions: c.repetitions,
        msMedian: c.msMedian,
        concurrency: c.result === null ? null : concurrencyLabel(c.result, cmp.sides[i]!.engine, cmp.sides[i]!.file.scenario),
        error: c.error,
      })),
      ratios: row.ratios.map((r, i) => ({
        a: cmp.sides[cmp.pairs[i]!.a]!.name,
        b: cmp.sides[cmp.pairs[i]!.b]!.name,
        ratio: r.ratio,
        ci95: r.ci95,
        ciUnavailable: r.ciUnavailable,
      })),
    })),
    warnings: cmp.warnings,
  };
}
