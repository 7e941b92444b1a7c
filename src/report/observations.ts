/**
 * Observations generated from the figures alone: what the tables do not say at a glance.
 * The largest gaps between engines, where durability or verification differ, how close each
 * engine came to the floor engine, anomalies (a stall in the latency pass, a sample far from
 * the others, a long tail), and the harness's own cost where it is too high. A difference is
 * claimed only where its 95% interval excludes 1; ratios are written as ×. Nothing here knows
 * what the engines are or why they differ: that is for the reader.
 */
import { formatInt, formatNs, formatRatio } from '../format.js';
import { WORKLOAD_LABELS, type WorkloadName } from '../scenario.js';
import { median, ratioOfMedians, UNPAIRED } from '../stats.js';
import type { Cell, Comparison, RatioCell, Row } from './compare.js';
import { CALLS_NEEDED, overTimePoints } from './svg.js';
import { isClearDifference } from './text.js';

const on = (w: WorkloadName): string => `on ${WORKLOAD_LABELS[w].toLowerCase()}`;
const lower = (w: WorkloadName): string => WORKLOAD_LABELS[w].toLowerCase();
const digits = (x: number): string => x.toFixed(x >= 10 ? 1 : 2);
/** `3.51× (95% CI 1.47–6.88×)`, or the ratio alone when it has no interval. */
const ratioWithCi = (r: RatioCell): string => `${formatRatio(r.ratio!)}${r.ci95 === null ? '' : ` (95% CI ${digits(r.ci95[0])}–${digits(r.ci95[1])}×)`}`;
const list = (items: readonly string[]): string => (items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`);
const WRITES: readonly WorkloadName[] = ['sequential-writes', 'random-writes', 'deletions'];

/** Rows named for a sentence: workloads, or in a sweep each workload once with its N values. */
function rowList(rows: readonly Row[], multi: boolean): string {
  if (!multi) return rows.map((r) => lower(r.workload)).join(', ');
  const byWorkload = new Map<WorkloadName, number[]>();
  for (const r of rows) byWorkload.set(r.workload, [...(byWorkload.get(r.workload) ?? []), r.point]);
  return [...byWorkload].map(([w, ns]) => `${lower(w)} at N = ${list(ns.map(formatInt))}`).join('; ');
}

/** A second of the latency pass this far below the median calls per second is a stall. */
const STALL_SHARE = 0.25;
/** A second whose p99 is this many times the median second's p99 is a latency spike. */
const SPIKE = 10;
/** A sample this many times away from the median of the others is called out. */
const OUTLIER = 1.5;

export function observations(cmp: Comparison): string[] {
  const multi = cmp.points.length > 1;
  const at = (n: number): string => (multi ? ` at N = ${formatInt(n)}` : '');
  const out: string[] = [];
  out.push(...pairObservations(cmp, at));
  out.push(...verificationObservations(cmp, at));
  out.push(...durabilityObservations(cmp));
  out.push(...floorObservations(cmp, at));
  if (multi) out.push(...sweepObservations(cmp));
  out.push(...anomalies(cmp, at));
  return out;
}

/** Per pair: the spread of ratios and what the intervals allow, then the largest gap each way. */
function pairObservations(cmp: Comparison, at: (n: number) => string): string[] {
  const out: string[] = [];
  const multi = cmp.points.length > 1;
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
    const range = lo === hi ? formatRatio(lo) : `from ${formatRatio(lo)} to ${formatRatio(hi)}`;
    const what = multi ? `workload and N pair${withRatio.length === 1 ? '' : 's'}` : `workload${withRatio.length === 1 ? '' : 's'}`;
    const tested = withRatio.filter((r) => r.ratios[p]!.ci95 !== null);
    const faster = tested.filter((r) => isClearDifference(r.ratios[p]!) && r.ratios[p]!.ratio! > 1);
    const slower = tested.filter((r) => isClearDifference(r.ratios[p]!) && r.ratios[p]!.ratio! < 1);
    const unclear = tested.filter((r) => !isClearDifference(r.ratios[p]!));
    const published = cmp.sides[a]!.published || cmp.sides[b]!.published;
    const verdict =
      tested.length === 0
        ? `no 95% interval for any of them (${published ? 'published figures have none' : 'too few independent processes'}), so none is a tested difference`
        : unclear.length === tested.length
          ? `no clear difference on any of them (every 95% interval includes 1)`
          : `clearly faster on ${faster.length}, clearly slower on ${slower.length}, no clear difference on ${unclear.length}` +
            (unclear.length > 0 ? ` (${rowList(unclear, multi)}: the 95% interval includes 1)` : '') +
          (tested.length < withRatio.length ? `, untested on ${withRatio.length - tested.length} (no interval)` : '');
    out.push(`${an} against ${bn}: ${range} on the ${withRatio.length} ${what} both have; ${verdict}.`);
    // The largest gap each way, among the clear ones (or, with no interval at all, among the untested).
    const pool = tested.length > 0 ? [...faster, ...slower] : withRatio;
    const up = pool.filter((r) => r.ratios[p]!.ratio! > 1).sort((x, y) => y.ratios[p]!.ratio! - x.ratios[p]!.ratio!)[0];
    const down = pool.filter((r) => r.ratios[p]!.ratio! < 1).sort((x, y) => x.ratios[p]!.ratio! - y.ratios[p]!.ratio!)[0];
    const gaps = [up, down].filter((r): r is Row => r !== undefined);
    if (gaps.length > 0)
      out.push(
        `Largest gap${gaps.length === 1 ? '' : 's'}${tested.length === 0 ? ' (untested)' : ''}: ${an} reaches ` +
          gaps.map((r, k) => `${ratioWithCi(r.ratios[p]!)}${k === 0 ? ` of ${bn}'s throughput` : ''} ${on(r.workload)}${at(r.point)}`).join(', and ') +
          '.',
      );
    // Workloads only one side ran (failures are said below, with their reasons).
    for (const [has, lacks, hasIndex] of [[an, bn, a], [bn, an, b]] as const) {
      const only = cmp.rows.filter((r) => {
        const [mine, theirs] = [r.cells[hasIndex]!, r.cells[hasIndex === a ? b : a]!];
        return mine.median !== null && theirs.status === 'missing';
      });
      if (only.length > 0)
        out.push(`Only ${has} has figures on ${list(only.map((r) => `${lower(r.workload)}${at(r.point)}`))}: ${lacks} did not run ${only.length === 1 ? 'it' : 'them'}.`);
    }
  });
  return out;
}

/** Failures, per side; where one engine failed what another passed, the comparison there is void. */
function verificationObservations(cmp: Comparison, at: (n: number) => string): string[] {
  const out: string[] = [];
  cmp.sides.forEach((side, i) => {
    const failed = cmp.rows.filter((r) => r.cells[i]!.status === 'failed');
    if (failed.length === 0) return;
    const ran = cmp.rows.filter((r) => r.cells[i]!.status !== 'missing').length;
    const passedElsewhere = failed.filter((r) => r.cells.some((cell, j) => j !== i && cell.status === 'verified'));
    out.push(
      `${side.name} failed ${failed.length} of ${ran}: ${failed.map((r) => `${lower(r.workload)}${at(r.point)} (${r.cells[i]!.error ?? 'unknown error'})`).join('; ')}. ` +
        `Its figure${failed.length === 1 ? '' : 's'} there ${failed.length === 1 ? 'is' : 'are'} not valid and not shown` +
        (passedElsewhere.length > 0 ? `; verification differs from ${list([...new Set(passedElsewhere.flatMap((r) => r.cells.flatMap((cell, j) => (j !== i && cell.status === 'verified' ? [cmp.sides[j]!.name] : []))))])}, which passed ${passedElsewhere.length === 1 ? 'it' : 'them'}.` : '.'),
    );
  });
  const unchecked = cmp.sides.flatMap((side, i) =>
    side.published ? [] : cmp.rows.filter((r) => r.cells[i]!.result !== null && r.cells[i]!.status === 'verified' && !r.cells[i]!.result!.verification.checked).map((r) => `${side.name} ${lower(r.workload)}${at(r.point)}`),
  );
  if (unchecked.length > 0) out.push(`Not checked by lsmbench: ${unchecked.join(', ')}; their figures stand without verification.`);
  return out;
}

/** Engines that ran in different durability modes: the write workloads compare unlike guarantees. */
function durabilityObservations(cmp: Comparison): string[] {
  const measured = cmp.sides.filter((s) => !s.published);
  const modes = [...new Set(measured.map((s) => s.engine.durabilityUsed))];
  if (modes.length < 2) return [];
  const byMode = modes.map((m) => {
    const names = measured.filter((s) => s.engine.durabilityUsed === m).map((s) => (s.engine.durabilityRequested === m ? s.name : `${s.name} (asked for ${s.engine.durabilityRequested}, which it cannot honour)`));
    return `${list(names)} in ${m}`;
  });
  const writes = cmp.workloads.filter((w) => WRITES.includes(w) || w.startsWith('ycsb-') || w === 'read-while-writing');
  return [
    `Durability differs: ${byMode.join('; ')}.` +
      (writes.length > 0 ? ` Ratios on ${list(writes.map(lower))} compare unlike guarantees (what an acknowledged write survives); reads are unaffected.` : ''),
  ];
}

/** How close each engine came to the floor engine (the least work the durability mode needs), per workload. */
function floorObservations(cmp: Comparison, at: (n: number) => string): string[] {
  const floor = cmp.sides.findIndex((s) => !s.published && s.engine.name === 'floor');
  if (floor < 0) return [];
  const out: string[] = [];
  cmp.sides.forEach((side, i) => {
    if (i === floor) return;
    const shares = cmp.rows.flatMap((r) => {
      const [x, f] = [r.cells[i]!, r.cells[floor]!];
      return x.median !== null && f.median !== null && f.median > 0 ? [{ r, share: x.median / f.median }] : [];
    });
    if (shares.length === 0) return;
    shares.sort((x, y) => x.share - y.share);
    const far = shares[0]!;
    const near = shares[shares.length - 1]!;
    out.push(
      shares.length === 1
        ? `${side.name} reaches ${formatRatio(far.share)} of floor's throughput ${on(far.r.workload)}${at(far.r.point)}.`
        : `${side.name} reaches ${formatRatio(far.share)} (${lower(far.r.workload)}${at(far.r.point)}) to ${formatRatio(near.share)} (${lower(near.r.workload)}${at(near.r.point)}) of floor's throughput, the least work its durability mode needs; the median workload ${formatRatio(median(shares.map((s) => s.share)))}.`,
    );
  });
  return out;
}

/** Sweeps: how each engine's throughput changes from the smallest N to the largest, as a ratio with its interval. */
function sweepObservations(cmp: Comparison): string[] {
  const out: string[] = [];
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
        small.repetitions.map((x) => (x.process ?? 0) + UNPAIRED), // another point of the sweep: not run side by side, unpaired
      );
      if (r.ci95 !== null && (r.ci95[0] > 1 || r.ci95[1] < 1))
        out.push(
          `${side.name}'s throughput ${on(w)} ${r.ratio < 1 ? 'falls' : 'rises'} from N = ${formatInt(first)} to N = ${formatInt(last)}: ${formatRatio(r.ratio)} (95% CI ${digits(r.ci95[0])}–${digits(r.ci95[1])}×).`,
        );
    }
  });
  return out;
}

/** Stalls and spikes in the latency pass, a sample far from the others, the widest tail, the harness's cost. */
function anomalies(cmp: Comparison, at: (n: number) => string): string[] {
  const out: string[] = [];
  const cellsOf = (i: number): { row: Row; cell: Cell }[] => cmp.rows.map((row) => ({ row, cell: row.cells[i]! }));

  cmp.sides.forEach((side, i) => {
    // Stalls: whole seconds of the latency pass far below the median second, or with a p99 far above it.
    for (const { row, cell } of cellsOf(i)) {
      const full = overTimePoints(cell.result?.intervals ?? []).points.filter((x) => x.partialMs === null);
      if (full.length < 3) continue;
      const typical = median(full.map((x) => x.calls));
      const typicalP99 = median(full.filter((x) => x.calls > 0).map((x) => x.p99Ns));
      const stalls = full.filter((x) => x.calls < typical * STALL_SHARE);
      const spikes = full.filter((x) => x.calls >= typical * STALL_SHARE && x.calls > 0 && x.p99Ns > typicalP99 * SPIKE);
      if (stalls.length > 0) {
        const worst = stalls.reduce((m, x) => (x.calls < m.calls ? x : m));
        out.push(
          `Stall: ${side.name} ${on(row.workload)}${at(row.point)} completed ${formatInt(worst.calls)} calls in second ${worst.second} of its latency pass, against a median of ${formatInt(typical)} a second` +
            (worst.calls > 0 ? ` (p99 that second ${formatNs(worst.p99Ns)}, median second ${formatNs(typicalP99)})` : '') +
            (stalls.length > 1 ? `; ${stalls.length} such seconds in ${full.length}` : '') +
            // Calls that stop while each call stays as fast: time lost between calls (the process
            // waiting for a CPU on a busy machine), not calls that waited for the store.
            (worst.calls > 0 && worst.p99Ns < typicalP99 * 2 ? '. Its p99 barely moved: the process more likely waited for the CPU than for the store' : '') +
            '. See its chart over time.',
        );
      } else if (spikes.length > 0) {
        const worst = spikes.reduce((m, x) => (x.p99Ns > m.p99Ns ? x : m));
        out.push(`Latency spike: ${side.name} ${on(row.workload)}${at(row.point)} had a p99 of ${formatNs(worst.p99Ns)} in second ${worst.second} of its latency pass, ${(worst.p99Ns / typicalP99).toFixed(0)}× the median second's ${formatNs(typicalP99)}.`);
      }
    }
  });

  // Noisy samples: per engine, the one furthest from the median of the others, when it is far.
  const noisy = cmp.sides.flatMap((side, i) => {
    if (side.published) return [];
    const candidates = cellsOf(i).flatMap(({ row, cell }) => {
      const reps = cell.status === 'verified' ? (cell.result?.repetitions ?? []) : [];
      if (reps.length < 3) return [];
      return reps.map((x, k) => {
        const rest = reps.filter((_, j) => j !== k).map((y) => y.opsPerSec);
        const sample = x.opsPerSec / median(rest);
        return { row, rep: x, rest, sample, factor: Math.max(sample, 1 / sample) };
      });
    });
    const worst = candidates.reduce<(typeof candidates)[number] | null>((m, x) => (m === null || x.factor > m.factor ? x : m), null);
    if (worst === null || worst.factor < OUTLIER) return [];
    const how = [...(worst.rep.process !== undefined ? [`process ${worst.rep.process + 1}`] : []), ...(worst.rep.preempted === true ? ['preempted'] : [])];
    return [`${side.name} ${on(worst.row.workload)}${at(worst.row.point)}, ${formatRatio(worst.sample)} the median of the other ${worst.rest.length}${how.length > 0 ? ` (${how.join(', ')})` : ''}`];
  });
  if (noisy.length > 0)
    out.push(
      `Noisy sample${noisy.length === 1 ? '' : 's'} (per engine, the one furthest from the others): ${noisy.join('; ')}. ${noisy.length === 1 ? 'It widens that interval' : 'They widen those intervals'}; a quieter machine or more processes would narrow ${noisy.length === 1 ? 'it' : 'them'}.`,
    );

  // Tails: where each engine's p99.9 stands furthest from its p50 (one instrumented pass, no interval).
  const tails = cmp.sides.flatMap((side, i) => {
    let widest: { row: Row; spread: number; p50: number; p999: number } | null = null;
    for (const { row, cell } of cellsOf(i)) {
      const lat = cell.result?.latency;
      if (!lat || lat.p50Ns <= 0 || lat.calls < CALLS_NEEDED['p99.9']) continue;
      const spread = lat.p999Ns / lat.p50Ns;
      if (widest === null || spread > widest.spread) widest = { row, spread, p50: lat.p50Ns, p999: lat.p999Ns };
    }
    return widest !== null && widest.spread >= 5 ? [`${side.name} ${formatRatio(widest.spread)} ${on(widest.row.workload)}${at(widest.row.point)} (${formatNs(widest.p999)} against ${formatNs(widest.p50)})`] : [];
  });
  if (tails.length > 0) out.push(`Widest latency tail${tails.length === 1 ? '' : 's'}, p99.9 over p50 (one instrumented pass, no interval): ${tails.join('; ')}.`);

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
