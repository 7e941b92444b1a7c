/** The comparison as the document's table: in the terminal, as Markdown, and as JSON. */
import Table from 'cli-table3';
import { concurrencyCell, concurrencyLabel, formatInt, showsConcurrency } from '../format.js';
import type { Comparison, Row } from './compare.js';
import { pointHeading, workloadLabel } from './compare.js';
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
  for (const row of cmp.rows)
    row.cells.forEach((c, i) => {
      if (c.status === 'failed' && c.result !== null)
        lines.push(`FAILED ${cmp.sides[i]!.name} ${workloadLabel(row.workload)} (N=${formatInt(pointOf(cmp.sides[i]!.file, c.result))}): ${c.error ?? 'unknown error'}`);
    });
  for (const w of cmp.warnings) lines.push(`Warning: ${w}`);
  return lines;
}

export function compareTerminal(cmp: Comparison): string {
  const out: string[] = [];
  const head = tableHead(cmp);
  for (const { point, rows } of rowsByPoint(cmp)) {
    out.push(pointHeading(cmp, point));
    const table = new Table({ head, colAligns: columnAligns(head), style: { head: [], border: [] } });
    for (const row of rows) table.push(tableRow(cmp, row));
    out.push(table.toString());
  }
  out.push(...notes(cmp));
  return out.join('\n') + '\n';
}

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
