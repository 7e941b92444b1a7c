/**
 * Observations generated from the figures alone. A difference is stated as a difference only
 * when its 95% confidence interval excludes zero; otherwise the sentence says it is not one.
 * Nothing here knows what the engines are or why they differ: that is for the reader.
 */
import { formatInt, formatNs } from '../format.js';
import { WORKLOAD_LABELS } from '../scenario.js';
import { ratioOfMedians } from '../stats.js';
import type { Comparison } from './compare.js';
import { differenceSentence, isClearDifference, percentText } from './text.js';

const signed = (ratio: number): string => `${ratio >= 1 ? '+' : '−'}${Math.abs((ratio - 1) * 100).toFixed(1)}%`;

const on = (w: keyof typeof WORKLOAD_LABELS): string => `on ${WORKLOAD_LABELS[w].toLowerCase()}`;

export function observations(cmp: Comparison): string[] {
  const out: string[] = [];
  const multi = cmp.points.length > 1;
  const at = (n: number): string => (multi ? ` at N = ${formatInt(n)}` : '');

  // Per pair: a summary line, then one sentence per workload.
  cmp.pairs.forEach(({ a, b }, p) => {
    const an = cmp.sides[a]!.name;
    const bn = cmp.sides[b]!.name;
    const withRatio = cmp.rows.filter((r) => r.ratios[p]!.ratio !== null);
    if (withRatio.length === 0) {
      out.push(`${an} and ${bn} have no workload in common with valid figures on both sides.`);
      return;
    }
    const ratios = withRatio.map((r) => r.ratios[p]!.ratio!);
    const lo = Math.min(...ratios);
    const hi = Math.max(...ratios);
    const range = lo === hi ? `${(lo * 100).toFixed(0)}%` : `${(lo * 100).toFixed(0)}–${(hi * 100).toFixed(0)}%`;
    const tested = withRatio.filter((r) => r.ratios[p]!.ci95 !== null);
    const faster = tested.filter((r) => isClearDifference(r.ratios[p]!) && r.ratios[p]!.ratio! > 1).length;
    const slower = tested.filter((r) => isClearDifference(r.ratios[p]!) && r.ratios[p]!.ratio! < 1).length;
    const verdict =
      tested.length === 0
        ? 'no confidence interval is available for any of them'
        : `${an} is clearly faster on ${faster} and clearly slower on ${slower} (the 95% CI of the ratio excludes 1), and not clearly different on ${tested.length - faster - slower}`;
    const what = multi ? `workload and N pair${withRatio.length === 1 ? '' : 's'}` : `workload${withRatio.length === 1 ? '' : 's'}`;
    out.push(`${an} reaches ${range} of ${bn}'s throughput across the ${withRatio.length} ${what} both have; ${verdict}.`);
    // Clear differences one by one; the rest in one line each, so the claims stand out.
    for (const row of withRatio) {
      const r = row.ratios[p]!;
      if (isClearDifference(r)) out.push(differenceSentence(an, bn, r, `${on(row.workload)}${at(row.point)}`)!);
    }
    const unclear = withRatio.filter((row) => row.ratios[p]!.ci95 !== null && !isClearDifference(row.ratios[p]!));
    if (unclear.length > 0)
      out.push(
        `No clear difference between ${an} and ${bn} (the 95% CI includes 0) on ${unclear.map((row) => `${WORKLOAD_LABELS[row.workload].toLowerCase()}${at(row.point)} (${percentText(row.ratios[p]!)})`).join(', ')}.`,
      );
    const untested = withRatio.filter((row) => row.ratios[p]!.ci95 === null);
    if (untested.length > 0) {
      const published = cmp.sides[a]!.published || cmp.sides[b]!.published;
      out.push(
        `${an} against ${bn}, untested because ${published ? 'no confidence interval is available for published figures' : 'there are too few repetitions for a confidence interval'}: ` +
          `${untested.map((row) => `${signed(row.ratios[p]!.ratio!)} ${on(row.workload)}${at(row.point)}`).join(', ')}.`,
      );
    }
    const onlyOne = cmp.rows.filter((r) => (r.cells[a]!.median === null) !== (r.cells[b]!.median === null));
    for (const row of onlyOne) {
      const has = row.cells[a]!.median !== null ? an : bn;
      const lacks = has === an ? bn : an;
      const cell = has === an ? row.cells[b]! : row.cells[a]!;
      out.push(`Only ${has} has a figure ${on(row.workload)}${at(row.point)}: ${lacks} ${cell.status === 'failed' ? 'failed it' : 'did not run it'}.`);
    }
  });

  for (const row of cmp.rows)
    row.cells.forEach((cell, i) => {
      if (cell.status === 'failed')
        out.push(`${cmp.sides[i]!.name} failed ${on(row.workload)}${at(row.point)}: ${cell.error ?? 'unknown error'}. Its throughput is not a valid figure and is not shown.`);
    });

  // Sweeps: how throughput changes from the smallest to the largest N, tested like any ratio.
  if (multi) {
    const first = cmp.points[0]!;
    const last = cmp.points[cmp.points.length - 1]!;
    cmp.sides.forEach((side, i) => {
      for (const w of cmp.workloads) {
        const small = cmp.rows.find((r) => r.workload === w && r.point === first)?.cells[i]?.result;
        const large = cmp.rows.find((r) => r.workload === w && r.point === last)?.cells[i]?.result;
        if (!small?.opsPerSec || !large?.opsPerSec || small.status !== 'verified' || large.status !== 'verified') continue;
        if (small.repetitions.length < 2 || large.repetitions.length < 2) continue;
        const r = ratioOfMedians(
          large.repetitions.map((x) => x.opsPerSec),
          small.repetitions.map((x) => x.opsPerSec),
          large.repetitions.map((x) => x.process ?? 0),
          small.repetitions.map((x) => x.process ?? 0),
        );
        const ci = r.ci95;
        if (ci !== null && (ci[0] > 1 || ci[1] < 1)) {
          const d = (r.ratio - 1) * 100;
          const [from, to] = d < 0 ? [(1 - ci[1]) * 100, (1 - ci[0]) * 100] : [(ci[0] - 1) * 100, (ci[1] - 1) * 100];
          out.push(
            `${side.name}'s throughput ${on(w)} ${d < 0 ? 'falls' : 'rises'} by ${Math.abs(d).toFixed(1)}% from N = ${formatInt(first)} to N = ${formatInt(last)} (95% CI ${from.toFixed(1)}–${to.toFixed(1)}%).`,
          );
        }
      }
    });
  }

  // Noise: how far apart the repetitions of one workload were, which is what widens the intervals.
  cmp.sides.forEach((side, i) => {
    if (side.published) return;
    let worst: { spread: number; w: keyof typeof WORKLOAD_LABELS; point: number } | null = null;
    for (const row of cmp.rows) {
      const s = row.cells[i]!.result?.opsPerSec;
      if (!s || s.n < 2 || !(s.min > 0)) continue;
      const spread = s.max / s.min;
      if (worst === null || spread > worst.spread) worst = { spread, w: row.workload, point: row.point };
    }
    if (worst !== null && worst.spread >= 1.5)
      out.push(
        `${side.name}'s repetitions are noisy: on ${WORKLOAD_LABELS[worst.w].toLowerCase()}${at(worst.point)} the fastest was ${worst.spread.toFixed(1)}× the slowest. Intervals widen accordingly; more repetitions (-r) or a quieter machine would narrow them.`,
      );
  });

  // Tails: where each engine's p99.9 stands furthest from its p50 (a single instrumented pass: no CI).
  cmp.sides.forEach((side, i) => {
    let worst: { w: keyof typeof WORKLOAD_LABELS; spread: number; p50: number; p999: number; point: number } | null = null;
    for (const row of cmp.rows) {
      const lat = row.cells[i]!.result?.latency;
      if (!lat || lat.p50Ns <= 0) continue;
      const spread = lat.p999Ns / lat.p50Ns;
      if (worst === null || spread > worst.spread) worst = { w: row.workload, spread, p50: lat.p50Ns, p999: lat.p999Ns, point: row.point };
    }
    if (worst !== null && worst.spread >= 5)
      out.push(
        `${side.name}'s widest latency tail is ${on(worst.w)}${at(worst.point)}: p99.9 ${formatNs(worst.p999)} is ${worst.spread.toFixed(1)}× its p50 ${formatNs(worst.p50)} (one instrumented pass, no CI).`,
      );
  });

  // The harness's own cost, which DESIGN.md keeps under 5% of the fastest engine's per-op time.
  for (const row of cmp.rows)
    row.cells.forEach((cell, i) => {
      const r = cell.result;
      if (r?.harnessOverheadNsPerOp == null || cell.median === null) return;
      const share = r.harnessOverheadNsPerOp / (1e9 / cell.median);
      if (share > 0.05)
        out.push(`The harness's own cost is ${(share * 100).toFixed(1)}% of ${cmp.sides[i]!.name}'s time per unit ${on(row.workload)}${at(row.point)}, above the 5% it aims for: that figure understates the engine.`);
    });
  return out;
}
