import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatCompact, formatRatio, runTable, tooFewText } from '../../src/format.js';
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
  p.phase('', 'ts', 0, 'Random Reads', 1, 'verifying');
  assert.match(out.at(-1)!, /\[2\/4 · 0:10, ~0:30 left\] ts 1\/2 · Random Reads 2\/2 · verifying/);
  const quiet: string[] = [];
  const q = new RunProgress({ write: (s: string) => quiet.push(s) }, false, 1, 1, 1);
  q.phase('', 'ts', 0, 'x', 0, 'y');
  q.finished('', 'ts', 'x', 1, 'op');
  assert.deepEqual(quiet, []);
});
