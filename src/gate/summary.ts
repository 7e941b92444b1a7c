/** What the gate prints: a one-line verdict for the log, and Markdown for a pull request. */
import { formatInt } from '../format.js';
import { WORKLOAD_LABELS } from '../scenario.js';
import type { GateDecision, Verdict, WorkloadVerdict } from './decide.js';

/** What was compared, for the reader of the summary. */
export interface GateContext {
  /** One line: what base and head are and how they ran. */
  readonly comparison: string;
  /** The machine, e.g. "AMD EPYC 7B13 × 2 (fingerprint 6cf4546cb095bcc2)". */
  readonly machine: string;
  /** Where the decision settings came from. */
  readonly configSource: string;
  /** Warnings and remarks worth a line each (a hardware mismatch, a base that built with errors). */
  readonly notes: readonly string[];
}

const pct = (x: number): string => (Number.isFinite(x) ? `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(1)}%` : 'N/A');
const pValue = (p: number): string => (Number.isFinite(p) ? (p < 0.0001 ? p.toExponential(1) : p.toPrecision(2)) : 'N/A');
const name = (v: WorkloadVerdict): string => `${v.engine} ${v.workload}`;

const VERDICT_LABEL: Readonly<Record<Verdict, string>> = {
  pass: 'pass',
  faster: 'faster',
  regression: '**REGRESSION**',
  unjudged: 'could not judge',
};

/** The verdict in one line, naming what failed or could not be judged. */
export function verdictLine(decision: GateDecision): string {
  const vs = decision.verdicts;
  const regressed = vs.filter((v) => v.verdict === 'regression');
  const unjudged = vs.filter((v) => v.verdict === 'unjudged');
  const faster = vs.filter((v) => v.verdict === 'faster');
  const total = vs.length;
  if (decision.outcome === 'regression')
    return (
      `lsmbench gate: REGRESSION in ${regressed.length} of ${total} workloads: ` +
      regressed.map((v) => `${name(v)} ${pct(v.ratio - 1)} (p=${pValue(v.pSlower)})`).join(', ')
    );
  if (decision.outcome === 'unjudged') {
    if (total === 0) return 'lsmbench gate: COULD NOT JUDGE: nothing to compare';
    // One clause per reason, so eight workloads short of samples make one short line.
    const byReason = new Map<string, string[]>();
    for (const v of unjudged) byReason.set(v.reason, [...(byReason.get(v.reason) ?? []), name(v)]);
    const clauses = [...byReason].map(([reason, names]) => `${names.join(', ')}: ${reason}`);
    const rest = total - unjudged.length;
    return `lsmbench gate: COULD NOT JUDGE ${unjudged.length} of ${total} workloads (${clauses.join('; ')})${rest > 0 ? `; no regression in the other ${rest}` : ''}`;
  }
  const fasterText = faster.length > 0 ? `; faster: ${faster.map((v) => `${name(v)} ${pct(v.ratio - 1)}`).join(', ')}` : '';
  return `lsmbench gate: PASS: no regression in ${total} workloads${fasterText}`;
}

function ciCell(v: WorkloadVerdict): string {
  if (v.ci95 === null || !Number.isFinite(v.ci95[0])) return 'N/A';
  return `${pct(v.ci95[0] - 1)} … ${pct(v.ci95[1] - 1)}`;
}

/** A Markdown summary for a pull-request comment or $GITHUB_STEP_SUMMARY. */
export function markdownSummary(decision: GateDecision, context: GateContext): string {
  const heading: Record<GateDecision['outcome'], string> = {
    pass: '✅ pass',
    regression: '❌ regression',
    unjudged: '⚠️ could not judge',
  };
  const lines: string[] = [];
  lines.push(`### lsmbench gate: ${heading[decision.outcome]}`, '');
  lines.push(verdictLine(decision).replace(/^lsmbench gate: /, ''), '');
  lines.push(`- Compared: ${context.comparison}`);
  lines.push(`- Machine: ${context.machine}`);
  const effects = [...new Set(decision.verdicts.map((v) => v.minEffect))].map((e) => `${(e * 100).toFixed(0)}%`);
  lines.push(
    `- Rule: a workload regresses when head's median throughput is at least ${effects.length > 0 ? effects.join(' / ') : 'the minimum effect'} below base's ` +
      `and a one-sided Mann–Whitney test on ${decision.unit === 'run' ? 'the runs\' medians' : 'the repetitions'} gives p ≤ ${Number(decision.alphaPerTest.toPrecision(3))} ` +
      `(α = ${decision.alpha} over ${decision.verdicts.length} comparisons). Settings: ${context.configSource}.`,
  );
  for (const note of context.notes) lines.push(`- ⚠️ ${note}`);
  lines.push('');
  if (decision.verdicts.length > 0) {
    lines.push(`| Engine | Workload | Base median (/s) | Head median (/s) | Change | 95% CI of change | p (slower) | ${decision.unit === 'run' ? 'Runs' : 'Samples'} (base/head) | Min effect | Verdict |`);
    lines.push('| --- | --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | --- |');
    for (const v of decision.verdicts) {
      const verdict = v.verdict === 'pass' || v.verdict === 'faster' ? VERDICT_LABEL[v.verdict] : `${VERDICT_LABEL[v.verdict]}: ${v.reason}`;
      lines.push(
        `| ${v.engine} | ${WORKLOAD_LABELS[v.workload]} | ${formatInt(v.baseMedian)} | ${formatInt(v.headMedian)} | ${pct(v.ratio - 1)} | ${ciCell(v)} | ` +
          `${pValue(v.pSlower)} | ${v.baseN}/${v.headN} | ${(v.minEffect * 100).toFixed(0)}% | ${verdict} |`,
      );
    }
    lines.push('');
  }
  return lines.join('\n');
}

/** Markdown for a gate that decided without comparing workloads: no base to compare with, or a refusal. */
export function noticeSummary(outcome: GateDecision['outcome'], line: string, context: Pick<GateContext, 'comparison' | 'notes'>): string {
  const heading = outcome === 'pass' ? '✅ pass' : outcome === 'regression' ? '❌ regression' : '⚠️ could not judge';
  const lines = [`### lsmbench gate: ${heading}`, '', line.replace(/^lsmbench gate: /, ''), '', `- Compared: ${context.comparison}`];
  for (const note of context.notes) lines.push(`- ⚠️ ${note}`);
  lines.push('');
  return lines.join('\n');
}
