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

/** `0.86x [0.84–0.88]`, `0.86x (no CI: published)`, or `-` when either side has no figure (the document's dash). */
export function ratioText(r: RatioCell): string {
  if (r.ratio === null) return '-';
  if (r.ci95 !== null) return `${formatRatio(r.ratio)} [${r.ci95[0].toFixed(2)}–${r.ci95[1].toFixed(2)}]`;
  return `${formatRatio(r.ratio)} (${SHORT_REASON[r.ciUnavailable ?? ''] ?? 'no CI'})`;
}

const pct = (x: number): string => `${Math.abs(x).toFixed(1)}%`;
const signedPct = (x: number): string => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(1)}%`;

/** Signed % difference of a against b, with its CI: `-14.1% [-17.0% to -11.2%]`. */
export function percentText(r: RatioCell): string {
  if (r.ratio === null) return '-';
  const d = (r.ratio - 1) * 100;
  if (r.ci95 === null) return `${signedPct(d)} (${SHORT_REASON[r.ciUnavailable ?? ''] ?? 'no CI'})`;
  return `${signedPct(d)} [${signedPct((r.ci95[0] - 1) * 100)} to ${signedPct((r.ci95[1] - 1) * 100)}]`;
}

/** True when the 95% CI of the ratio excludes 1, i.e. the CI of the difference excludes 0. */
export const isClearDifference = (r: RatioCell): boolean => r.ratio !== null && r.ci95 !== null && (r.ci95[0] > 1 || r.ci95[1] < 1);

/**
 * A sentence on how a compares with b: a difference is claimed only when its CI excludes 0.
 * `on` is the workload phrase, e.g. "on sequential reads".
 */
export function differenceSentence(a: string, b: string, r: RatioCell, on: string): string | null {
  if (r.ratio === null) return null;
  const d = (r.ratio - 1) * 100;
  const word = d < 0 ? 'slower' : 'faster';
  if (r.ci95 === null) {
    const why = r.ciUnavailable === CI_UNAVAILABLE_PUBLISHED ? 'no confidence interval is available for published figures' : `no confidence interval (${r.ciUnavailable ?? 'unknown'})`;
    return `${a}'s figure is ${pct(d)} ${d < 0 ? 'below' : 'above'} ${b}'s ${on} (${why}, so this is not a tested difference).`;
  }
  const lo = (r.ci95[0] - 1) * 100;
  const hi = (r.ci95[1] - 1) * 100;
  if (isClearDifference(r)) {
    // For "slower", the interval of the slowdown runs from the smallest to the largest slowdown.
    const [from, to] = d < 0 ? [-hi, -lo] : [lo, hi];
    return `${a} is ${pct(d)} ${word} than ${b} ${on} (95% CI ${from.toFixed(1)}–${to.toFixed(1)}%).`;
  }
  return `No clear difference between ${a} and ${b} ${on}: ${signedPct(d)}, but the 95% CI (${signedPct(lo)} to ${signedPct(hi)}) includes 0.`;
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
