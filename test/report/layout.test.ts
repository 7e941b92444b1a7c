import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatCompact, formatRatio, runColumnIds, runFootnotes, runTable, tooFewText } from '../../src/format.js';
import { renderTable, wrapText, type Column } from '../../src/layout.js';
import { RunProgress, perSecond } from '../../src/progress.js';
import { around, makeResults } from './fixtures.js';

const widest = (text: string): number => Math.max(...text.split('\n').map((l) => [...l].length));

const COLUMNS: Column[] = [
  { id: 'name', head: 'Engine' },
  { id: 'version', head: 'Store version', optional: 2 },
  { id: 'ok', head: 'Available' },
  { id: 'api', head: 'API', optional: 1 },
  { id: 'desc', head: 'Description', wraps: true },
];
const ROWS = [
  ['read-while-writing-engine', 'classic-level 3.0.0 / LevelDB 1.23', 'yes', 'sync', 'a long description '.repeat(12).trim()],
  ['ts', 'ts-1', 'no', 'async', 'short'],
];

test('a table fits the width it is given, wraps only its description, and never cuts a name', () => {
  for (const width of [80, 100, 120]) {
    const text = renderTable(COLUMNS, ROWS, { width });
    assert.ok(widest(text) <= width, `fits ${width}: ${widest(text)}`);
    assert.match(text, /read-while-writing-engine/);
    // The name column holds each name on one line: no row of the table starts a name mid-way.
    assert.doesNotMatch(text, /│ writing-engine/);
  }
});

test('optional columns are left out, the highest number first, and the table says so', () => {
  const text = renderTable(COLUMNS, ROWS, { width: 80 });
  assert.doesNotMatch(text, /classic-level/);
  assert.match(text, /Left out to fit 80 columns: Store version/);
  const wide = renderTable(COLUMNS, ROWS, { width: 80, wide: true });
  assert.match(wide, /classic-level 3\.0\.0 \/ LevelDB 1\.23/);
  assert.doesNotMatch(wide, /Left out/);
});

test('--columns picks exactly the named columns, the first one kept', () => {
  const text = renderTable(COLUMNS, ROWS, { width: 80, columns: ['api'] });
  assert.match(text, /API/);
  assert.doesNotMatch(text, /Available|Description/);
  assert.match(text, /read-while-writing-engine/);
});

test('a three-engine run table fits 80 and 120 columns; a one-engine table too', () => {
  const engines = ['memory', 'rocksdb-cpp', 'sqlite'].map((label, i) => ({
    label,
    figures: { 'sequential-writes': around(1_234_567 / (i + 1)), 'range-scan': around(12_345_678 / (i + 1)), contains: around(987_654) },
  }));
  for (const width of [80, 120]) {
    const three = runTable(makeResults({ engines }), { width });
    assert.ok(widest(three) <= width, `three engines fit ${width}:\n${three}`);
    assert.match(three, /rocksdb-cpp/);
    const one = runTable(makeResults({ engines: engines.slice(0, 1) }), { width });
    assert.ok(widest(one) <= width, `one engine fits ${width}:\n${one}`);
  }
  const wide = runTable(makeResults({ engines: engines.slice(0, 1) }), { wide: true });
  assert.match(wide, /µs\/op/);
  assert.match(wide, /MB\/s/);
  // 1,234,567 ops/s of 116-byte pairs: 0.810 µs/op, 143.2 MB/s.
  assert.match(wide, /0\.810/);
  assert.match(wide, /143\.2/);
});

test('ratio words follow the interval: a word only where it excludes 1.00', () => {
  const clear = runTable(makeResults({ engines: [{ label: 'a', figures: { contains: around(200) } }, { label: 'b', figures: { contains: around(100) } }] }), { width: 200 });
  assert.match(clear, /2\.00× faster/);
  const close = runTable(makeResults({ engines: [{ label: 'a', figures: { contains: around(101) } }, { label: 'b', figures: { contains: around(100) } }] }), { width: 200 });
  const tableOnly = close.slice(0, close.lastIndexOf('┘'));
  assert.doesNotMatch(tableOnly, /faster|slower|▲|▼/);
  assert.match(close, /1\.01×/);
  assert.match(close, /no clear difference/);
});

test('numbers: ratios as ×, compact ops/s, the words for a missing interval', () => {
  assert.equal(formatRatio(38.14), '38.1×');
  assert.equal(formatRatio(0.862), '0.86×');
  assert.equal(formatRatio(0.0042), '0.004×', 'not 0.00×');
  assert.equal(formatCompact(1_400_000), '1.40M');
  assert.equal(formatCompact(69_271), '69.3k');
  assert.equal(formatCompact(512), '512');
  assert.equal(tooFewText('10', '12', 3), 'range 10–12 (n=3, too few for a 95% interval)');
  assert.equal(wrapText('aaa bbb ccc', 7, ' '), 'aaa bbb\n ccc');
});

test('progress: counts, phase, time left; nothing when disabled; entries, not entrys', () => {
  assert.equal(perSecond('entry'), 'entries/s');
  assert.equal(perSecond('op'), 'ops/s');
  let t = 0;
  const out: string[] = [];
  const sink = { isTTY: true, columns: 200, write: (s: string) => out.push(s) };
  const p = new RunProgress(sink, true, 4, 2, 2, () => t);
  p.phase('', 'ts', 0, 'Random Reads', 1, 'repetition 1/5');
  assert.match(out.at(-1)!, /^\r\x1b\[2K\[1\/4 · 0:00, time left: soon known\] ts 1\/2 · Random Reads 2\/2 · repetition 1\/5$/);
  t = 10_000;
  p.finished('', 'ts', 'Range Scan', 1000, 'entry');
  assert.match(out.at(-1)!, /1,000 entries\/s\n$/);
  // A figure's line is not a job done: only step() (a child process ended) counts.
  p.phase('', 'ts', 0, 'Random Reads', 1, 'verifying');
  assert.match(out.at(-1)!, /\[1\/4 · 0:10, time left: soon known\]/);
  p.step();
  p.phase('', 'ts', 0, 'Random Reads', 1, 'verifying');
  assert.match(out.at(-1)!, /\[2\/4 · 0:10, ~0:30 left\] ts 1\/2 · Random Reads 2\/2 · verifying/);
  // Processes a failure spares leave the count and the time left.
  p.skip(1);
  p.phase('', 'ts', 0, 'Random Reads', 1, 'verifying');
  assert.match(out.at(-1)!, /\[2\/3 · 0:10, ~0:20 left\]/);
  const quiet: string[] = [];
  const q = new RunProgress({ write: (s: string) => quiet.push(s) }, false, 1, 1, 1);
  q.phase('', 'ts', 0, 'x', 0, 'y');
  q.finished('', 'ts', 'x', 1, 'op');
  assert.deepEqual(quiet, []);
});

/** The header rows of a rendered table: the lines between the top border and the first rule. */
const headerLines = (table: string): string[] => {
  const lines = table.split('\n');
  return lines.slice(1, lines.findIndex((l) => l.startsWith('├')));
};

test('a one-engine table at 80 columns keeps its interval, in three digits, before leaving columns out', () => {
  const file = makeResults({ engines: [{ label: 'ts', figures: { 'sequential-writes': around(4_012_150), 'sequential-reads': around(14_417_070), 'range-scan': around(13_195_233) } }] });
  const text = runTable(file, { width: 80 });
  assert.ok(widest(text) <= 80);
  assert.match(text, /95% CI/);
  assert.match(text, /│ +3\.9\dM–4\.0\dM │/, 'the interval in compact form');
  assert.match(text, /p99/);
  // Every result verified: one line under the table rather than a column of "yes".
  assert.match(text, /Every result verified\./);
  const failed = runTable(makeResults({ engines: [{ label: 'ts', figures: { contains: around(100), deletions: around(100) }, failed: ['contains'] }] }), { width: 80 });
  assert.match(failed, /│ NO/, 'a failure keeps the verified column');
  assert.doesNotMatch(failed, /Every result verified/);
});

test('a percentile from too few calls is a dash in the run table, and a line says why', () => {
  const file = makeResults({ engines: [{ label: 'ts', figures: { 'range-scan': around(10_000_000), contains: around(2_000_000) } }] });
  const few = { ...file, results: file.results.map((r) => (r.workload === 'range-scan' ? { ...r, latency: { ...r.latency!, calls: 20 } } : r)) };
  const text = runTable(few, { width: 120 });
  assert.match(text, /│ Range Scan .*│ +[\d.]+ [nµm]s │ +— │ +— │/, 'p50 from 20 calls, no p99 or p99.9');
  assert.match(text, /│ Contains .*│ +[\d.]+ [nµm]s │ +[\d.]+ [nµm]s │ +[\d.]+ [nµm]s │/);
  assert.match(text, /^—: too few calls in the latency pass for that percentile \(p99 needs 100, p99\.9 1,000\)\.$/m);
  // At 80 columns the lines under the table wrap between words, as the table fits.
  const narrow = runTable(few, { width: 80 });
  assert.ok(widest(narrow) <= 80, narrow);
  assert.match(narrow, /^—: too few calls .*\n {2}.*1,000\)\.$/m);
  assert.doesNotMatch(runTable(file, { width: 120 }), /too few calls/);
});

test('headings stay on one line where the width has room for them', () => {
  const engines = ['ts', 'memory', 'lmdb'].map((label, i) => ({ label, figures: { 'sequential-writes': around(3_900_000 / (i + 1)), contains: around(13_000_000 / (i + 1)) } }));
  const wide = runTable(makeResults({ engines }), { width: 120 });
  assert.equal(headerLines(wide).length, 1, `one header line at 120:\n${wide}`);
  assert.match(headerLines(wide)[0]!, /ts \/ memory/);
  // At 80 the ratio headings still read whole; only what cannot fit wraps.
  const narrow = runTable(makeResults({ engines }), { width: 80 });
  assert.ok(widest(narrow) <= 80);
  // Each ratio's interval is headed "95% CI"; the note of what was left out names whose.
  assert.match(narrow.replace(/\n/g, ' '), /Left out to fit 80 columns: ts \/ memory 95% CI, ts \/ lmdb 95% CI,/);
  assert.match(headerLines(narrow)[0]!, /ts \/ memory │ ts \/ lmdb │/);
  const table = renderTable([{ id: 'a', head: 'Engine' }, { id: 'b', head: 'Store version here', align: 'right' }], [['x', '1']], { width: 80 });
  assert.equal(headerLines(table).length, 1, table);
});

test('wrapText keeps an indented line indented when it wraps', () => {
  assert.equal(wrapText('  ts deletions: CPU 1.3× wall', 20, '  '), '  ts deletions: CPU\n    1.3× wall');
  assert.equal(wrapText('', 20), '');
});

test('the footnotes of a run: one line each, × for ratios, one line for preemption', () => {
  const base = makeResults({ engines: [{ label: 'ts', figures: { 'sequential-writes': around(4_000_000), contains: around(8_000_000) } }] });
  const file = {
    ...base,
    scenario: { ...base.scenario, processes: 3, minSampleMs: 100 },
    results: base.results.map((r) => ({
      ...r,
      repetitions: r.repetitions.map((x, i) => ({ ...x, cpuMs: r.workload === 'contains' ? x.ms * 1.6 : x.ms, preempted: i < 2 })),
    })),
  };
  const notes = runFootnotes(file);
  assert.ok(notes.includes('Intervals: 95% t over 3 independent processes.'), 'one engine: nothing about paired ratios');
  assert.ok(notes.some((l) => /^Samples under 100 ms \(one pass each for a writer thread or an external engine, at most 4 on fresh stores; raise -n\): sequential-writes, contains\.$/.test(l)), notes.join('\n'));
  assert.equal(notes.filter((l) => /preempted/i.test(l) && !/CPU 1\.6×/.test(l)).length, 1, 'one line for preempted samples');
  assert.ok(notes.some((l) => /^Preempted samples .*: 4 of 10; most in ts sequential-writes \(2\/5\)\.$/.test(l)), notes.join('\n'));
  assert.ok(notes.some((l) => /^ {2}ts contains: CPU 1\.6× wall \(other threads\); 2\/5 samples preempted$/.test(l)), notes.join('\n'));
  assert.ok(!notes.some((l) => /sequential-writes: CPU/.test(l)), 'CPU ≈ wall says nothing');
});

test('progress at 80 columns: short words before anything is cut', () => {
  const out: string[] = [];
  const p = new RunProgress({ isTTY: true, columns: 80, write: (s: string) => out.push(s) }, true, 24, 3, 8, () => 19_000);
  p.phase('', 'ts', 0, 'Sequential Reads', 1, 'process 3/3: repetition 2/5');
  const line = out.at(-1)!.replace(/^\r\x1b\[2K/, '');
  assert.ok([...line].length < 80, line);
  assert.match(line, /ts 1\/3 · Seq\. Reads 2\/8 · p3\/3 rep 2\/5$/);
  assert.doesNotMatch(line, /…/);
  // A terminal that reports 0 columns (an unsized pty) is taken as 80, not cut to nothing.
  const unsized: string[] = [];
  new RunProgress({ isTTY: true, columns: 0, write: (s: string) => unsized.push(s) }, true, 2, 1, 2, () => 0).phase('', 'memory', 0, 'Contains', 1, 'repetition 1/2');
  assert.match(unsized.at(-1)!, /memory 1\/1 · Contains 2\/2 · repetition 1\/2$/);
});

test('run --columns: every id runColumnIds offers picks that one column of the run table; an unknown id is refused', () => {
  for (const labels of [['memory'], ['memory', 'rocksdb-cpp', 'sqlite']]) {
    const file = makeResults({ engines: labels.map((label) => ({ label, figures: { contains: around(100) } })) });
    const plain = runTable(file, { width: 400, wide: true });
    const headsOf = (text: string): string[] => text.split('\n')[1]!.split('│').map((c) => c.trim()).filter((c) => c !== '');
    for (const id of runColumnIds(labels)) {
      const heads = headsOf(runTable(file, { width: 400, columns: [id] }));
      // 'concurrency' is offered always, shown only when some row ran calls at once (not here).
      if (id === 'concurrency') assert.deepEqual(heads, ['Operation'], id);
      else if (id === 'operation') assert.deepEqual(heads, ['Operation'], id);
      else {
        assert.equal(heads.length, 2, `${id}: ${heads.join(' | ')}`);
        assert.ok(headsOf(plain).includes(heads[1]!), `${id} names a column of the full table: ${heads[1]}`);
      }
    }
    assert.throws(() => runTable(file, { columns: [runColumnIds(labels)[2]!, 'nosuch'] }), /--columns: unknown column 'nosuch'/);
  }
});

test('a table too wide even narrowed goes in parts one under the other, each within the width and each with the first column', () => {
  const columns: Column[] = [{ id: 'op', head: 'Operation' }, ...Array.from({ length: 9 }, (_, i): Column => ({ id: `c${i}`, head: `column-${i}`, align: 'right' }))];
  const rows = [['Random Reads', ...Array.from({ length: 9 }, (_, i) => `${i}.00M`)], ['Contains', ...Array.from({ length: 9 }, (_, i) => `cell-${i}`)]];
  const text = renderTable(columns, rows, { width: 80 });
  assert.ok(widest(text) <= 80, `fits 80: ${widest(text)}`);
  const tops = text.split('\n').filter((l) => l.startsWith('┌'));
  assert.ok(tops.length >= 2, 'in parts');
  assert.equal(text.match(/│ Operation/g)?.length, tops.length, 'each part has the first column');
  for (let i = 0; i < 9; i++) assert.equal(text.match(new RegExp(`column-${i}\\b`, 'g'))?.length, 1, `column-${i} once`);
  assert.match(text.replace(/\n/g, ' '), new RegExp(`the table is shown in ${tops.length} parts`));
  // Wide enough: one table, no note.
  const one = renderTable(columns, rows, { width: 200 });
  assert.equal(one.split('\n').filter((l) => l.startsWith('┌')).length, 1);
  assert.doesNotMatch(one, /parts/);
});
