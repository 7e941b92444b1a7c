/** Words and cells shared by compare and report: ratio cells, differences in percent, Markdown tables. */
import { formatInt, formatRatio } from '../format.js';
import { CI_UNAVAILABLE_FEW, CI_UNAVAILABLE_PUBLISHED, type Cell, type RatioCell } from './compare.js';

export function opsCell(cell: Cell): string {
  if (cell.status === 'missing') return 'N/A';
  if (cell.status === 'failed' || cell.median === null) return 'FAILED';
  return formatInt(cell.median);
}

const SHORT_REASON: Record<string, string> = {
  [CI_UNAVAILABLE_PUBLISHED]: 'no CI: published',
  [CI_UNAVAILABLE_FEW]: 'too few samples for a 95% CI',
};

/** Two decimals below 10, one above: the digits of a ratio and of its interval's ends. */
export const ratioDigits = (x: number): string => x.toFixed(x >= 10 ? 1 : 2);

/** `0.86× [0.84–0.88]`, `0.86× (no CI: published)`, or `-` when either side has no figure (the document's dash). */
export function ratioText(r: RatioCell): string {
  if (r.ratio === null) return '-';
  if (r.ci95 !== null) return `${formatRatio(r.ratio)} [${ratioDigits(r.ci95[0])}–${ratioDigits(r.ci95[1])}]`;
  return `${formatRatio(r.ratio)} (${SHORT_REASON[r.ciUnavailable ?? ''] ?? 'no CI'})`;
}

/** True when the 95% CI of the ratio excludes 1, i.e. the CI of the difference excludes 0. */
export const isClearDifference = (r: RatioCell): boolean => r.ratio !== null && r.ci95 !== null && (r.ci95[0] > 1 || r.ci95[1] < 1);

/**
 * A sentence on how a compares with b, the ratio as ×: "faster" or "slower" only when its
 * 95% interval excludes 1. `on` is the workload phrase, e.g. "on sequential reads".
 */
export function differenceSentence(a: string, b: string, r: RatioCell, on: string): string | null {
  if (r.ratio === null) return null;
  if (r.ci95 === null) {
    const why = r.ciUnavailable === CI_UNAVAILABLE_PUBLISHED ? 'no confidence interval is available for published figures' : `no confidence interval (${r.ciUnavailable ?? 'unknown'})`;
    return `${a}'s figure is ${formatRatio(r.ratio)} ${b}'s ${on} (${why}, so this is not a tested difference).`;
  }
  const ci = `${ratioDigits(r.ci95[0])}–${ratioDigits(r.ci95[1])}×`;
  if (isClearDifference(r)) return `${a} is ${r.ratio < 1 ? 'slower' : 'faster'} than ${b} ${on}: ${formatRatio(r.ratio)} (95% CI ${ci}).`;
  return `No clear difference between ${a} and ${b} ${on}: ${formatRatio(r.ratio)}, but the 95% CI (${ci}) includes 1.`;
}

/** A GitHub-flavoured Markdown table; cells are escaped so a `|` in a name cannot split a column. */
export function markdownTable(head: readonly string[], rows: readonly (readonly string[])[], align?: readonly ('left' | 'right')[]): string {
  const esc = (s: string): string => s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const rule = head.map((_, i) => ((align?.[i] ?? 'left') === 'right' ? '---:' : '---'));
  return [head, rule, ...rows].map((r, i) => `| ${(i === 1 ? r : r.map(esc)).join(' | ')} |`).join('\n');
}

export function formatMs(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return 'N/A';
  return ms >= 100 ? `${ms.toFixed(0)} ms` : ms >= 10 ? `${ms.toFixed(1)} ms` : `${ms.toFixed(2)} ms`;
}
