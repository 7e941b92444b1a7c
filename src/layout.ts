/**
 * Terminal tables that fit the terminal: each column is as wide as its widest cell (a
 * heading may wrap between words), one column may wrap its text (a description), and
 * optional columns are left out, least wanted first, until the table fits.
 * Names and figures are never truncated or wrapped.
 */
import Table from 'cli-table3';
import { UserError } from './errors.js';

export interface Column {
  /** What `--columns` calls it. */
  readonly id: string;
  readonly head: string;
  /** What the note of left-out columns calls it, where the heading alone is ambiguous ('95% CI' beside each ratio). */
  readonly name?: string;
  readonly align?: 'left' | 'right';
  /** This column's text wraps to fill what the others leave (at most one per table). */
  readonly wraps?: boolean;
  /** Shown by default only when it fits; a higher number is dropped later. Absent: always shown. */
  readonly optional?: number;
  /** Shown only with --wide or --columns. */
  readonly extra?: boolean;
  /**
   * Shorter cells (one per row) for a table that does not fit even without its optional
   * columns: level 1 is tried first, then level 2 on top of it.
   */
  readonly narrow?: Narrowing | readonly Narrowing[];
}

/** Shorter cells of a column, one per row, and when to use them (see Column.narrow). */
export interface Narrowing {
  readonly level: 1 | 2;
  readonly cells: readonly string[];
  /** Used before any optional column is left out, rather than after (an interval in three digits). */
  readonly first?: boolean;
}

const narrowings = (c: Column | undefined): readonly Narrowing[] => (c?.narrow === undefined ? [] : Array.isArray(c.narrow) ? c.narrow : [c.narrow as Narrowing]);

export interface LayoutChoice {
  /** Every column, as wide as its content, whatever the terminal. */
  readonly wide?: boolean;
  /** Exactly these column ids, in the table's order. */
  readonly columns?: readonly string[];
  /** The width to fit; default: the terminal's (80 when it is not a terminal or narrower). */
  readonly width?: number;
  /**
   * false: one table even when it stays too wide (a caller with a narrower layout of its own
   * to try first). Default: a table still too wide goes in parts, one under the other.
   */
  readonly split?: boolean;
}

/** Width of the terminal stdout is, or 80 when stdout is not a terminal; never less than 80. */
export const terminalWidth = (): number => Math.max(80, process.stdout.isTTY === true ? (process.stdout.columns ?? 80) : 80);

// cli-table3 pads each cell by one space either side and draws one border between columns.
const CELL_PAD = 2;
/** Columns the widest line of `s` takes (characters, not UTF-16 units). */
export const display = (s: string): number => Math.max(0, ...s.split('\n').map((l) => [...l].length));
const longestWord = (s: string): number => Math.max(0, ...s.split(/\s+/).map((w) => [...w].length));

/** `--columns ops,p99` parsed and checked against the table's column ids. */
export function parseColumns(text: string | undefined, known: readonly string[]): string[] | undefined {
  if (text === undefined) return undefined;
  const ids = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const id of ids) if (!known.includes(id)) throw new UserError(`--columns: unknown column '${id}' (this table has: ${known.join(', ')})`);
  if (ids.length === 0) throw new UserError('--columns needs at least one column id');
  return ids;
}

/** The column ids a table offers, for --columns' error and help. */
export const columnIds = (columns: readonly Column[]): string[] => columns.map((c) => c.id);

export function renderTable(columns: readonly Column[], given: readonly (readonly string[])[], choice: LayoutChoice = {}): string {
  const width = choice.width ?? terminalWidth();
  let rows = given;
  let keep = columns.map((c, i) => i);
  if (choice.columns !== undefined) {
    const wanted = new Set(choice.columns);
    // The first column names the row; it stays.
    keep = keep.filter((i) => i === 0 || wanted.has(columns[i]!.id));
  } else if (!choice.wide) keep = keep.filter((i) => !columns[i]!.extra);
  const natural = (i: number): number => {
    const c = columns[i]!;
    const cells = rows.map((r) => (c.wraps ? longestWord(r[i] ?? '') : display(r[i] ?? '')));
    // A heading wraps between words, but not into one word a line when it is short.
    return Math.max(longestWord(c.head), Math.min(display(c.head), 8), ...cells) + CELL_PAD;
  };
  const full = (i: number): number => (columns[i]!.wraps ? Math.max(natural(i), ...rows.map((r) => display(r[i] ?? '') + CELL_PAD)) : natural(i));
  const total = (ids: readonly number[], w: (i: number) => number): number => ids.reduce((s, i) => s + w(i), 0) + ids.length + 1;
  if (!choice.wide && choice.columns === undefined) {
    // Drop optional columns, the highest number first, while even the narrowest layout does not fit.
    const byDrop = keep.filter((i) => columns[i]!.optional !== undefined).sort((x, y) => columns[y]!.optional! - columns[x]!.optional!);
    const minWrap = (i: number): number => (columns[i]!.wraps ? Math.max(natural(i), Math.min(full(i), 24)) : natural(i));
    const narrowed = (pick: (n: Narrowing) => boolean): void => {
      rows = rows.map((r, k) => r.map((cell, i) => narrowings(columns[i]).reduce((c, n) => (pick(n) ? (n.cells[k] ?? c) : c), cell)));
    };
    if (total(keep, minWrap) > width) narrowed((n) => n.first === true);
    for (const drop of byDrop) {
      if (total(keep, minWrap) <= width) break;
      keep = keep.filter((i) => i !== drop);
    }
    for (const level of [1, 2]) if (total(keep, minWrap) > width) narrowed((n) => n.level === level && n.first !== true);
  }
  const dropped = choice.wide || choice.columns !== undefined ? [] : columns.filter((c, i) => !c.extra && !keep.includes(i)).map((c) => c.name ?? c.head);
  // A heading on one line where the width allows (with --wide always): "ts / memory" reads
  // better than "ts /" over "memory". The wrapping column keeps room for its shortest layout.
  const oneLineHead = (i: number): number => display(columns[i]!.head) + CELL_PAD;
  const widths = keep.map((i) => (choice.wide ? Math.max(full(i), oneLineHead(i)) : natural(i)));
  const wrapAt = keep.findIndex((i) => columns[i]!.wraps === true);
  if (!choice.wide) {
    const reserved = (k: number): number => (k === wrapAt ? Math.max(widths[k]!, Math.min(full(keep[k]!), 24 + CELL_PAD)) : widths[k]!);
    let slack = width - (keep.reduce((s, _, k) => s + reserved(k), 0) + keep.length + 1);
    // The smallest growths first: as many headings as possible on one line.
    const growths = keep.map((i, k) => ({ k, grow: k === wrapAt ? 0 : oneLineHead(i) - widths[k]! })).filter((g) => g.grow > 0);
    for (const { k, grow } of growths.sort((x, y) => x.grow - y.grow))
      if (grow <= slack) {
        widths[k] = oneLineHead(keep[k]!);
        slack -= grow;
      }
  }
  if (wrapAt >= 0 && !choice.wide) {
    const others = widths.reduce((s, w, k) => (k === wrapAt ? s : s + w), 0) + keep.length + 1;
    widths[wrapAt] = Math.max(widths[wrapAt]!, Math.min(full(keep[wrapAt]!), width - others));
  }
  const render = (ks: readonly number[]): string => {
    const table = new Table({
      head: ks.map((k) => columns[keep[k]!]!.head),
      colAligns: ks.map((k) => columns[keep[k]!]!.align ?? 'left'),
      colWidths: ks.map((k) => widths[k]!),
      wordWrap: true,
      wrapOnWordBoundary: true,
      style: { head: [], border: [] },
    });
    for (const r of rows) table.push(ks.map((k) => r[keep[k]!] ?? ''));
    return table.toString();
  };
  const all = keep.map((_, k) => k);
  const spans = (ks: readonly number[]): number => total(ks, (k) => widths[k]!);
  // Still too wide with every optional column left out and every cell narrowed (many engines
  // side by side): the table goes in parts one under the other, each with the first column.
  const parts: number[][] = [];
  if (choice.split !== false && !choice.wide && choice.columns === undefined && wrapAt < 0 && spans(all) > width && keep.length > 2)
    for (const k of all.slice(1)) {
      const last = parts.at(-1);
      if (last !== undefined && spans([0, ...last, k]) <= width) last.push(k);
      else parts.push([k]);
    }
  const tables = parts.length > 1 ? parts.map((p) => render([0, ...p])).join('\n\n') : render(all);
  const notes = [
    ...(parts.length > 1 ? [`Too wide for ${width} columns: the table is shown in ${parts.length} parts, one under the other, each with its first column.`] : []),
    ...(dropped.length === 0 ? [] : [`Left out to fit ${width} columns: ${dropped.join(', ')} (--wide or --columns shows ${dropped.length === 1 ? 'it' : 'them'}).`]),
  ];
  return [tables, ...notes.map((n) => wrapText(n, width))].join('\n');
}

/**
 * Text wrapped between words to `width` columns; lines after the first start with `indent`.
 * Leading spaces of the text are kept, on every line (an indented item stays indented).
 */
export function wrapText(text: string, width: number, indent = ''): string {
  const lead = /^ */.exec(text)![0];
  const words = text.trim().split(/\s+/);
  const lines: string[] = [];
  let line = lead + words[0]!;
  for (const word of words.slice(1)) {
    const next = `${line} ${word}`;
    if ([...next].length > width) {
      lines.push(line);
      line = lead + indent + word;
    } else line = next;
  }
  lines.push(line);
  return lines.join('\n');
}
