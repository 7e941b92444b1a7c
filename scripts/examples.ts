/**
 * The example reports in results/examples/: what each is made from and how, so that
 * scripts/make-examples.ts can regenerate them and test/examples.test.ts can tell when the
 * committed ones are stale (the report code changed, and they were not regenerated).
 *
 * A report is rendered from the committed results files alone, with the date of its newest
 * run as its date: the same inputs always give the same bytes.
 */
import { join, relative } from 'node:path';
import { lsmbenchVersion } from '../src/environment.js';
import { projectRoot } from '../src/paths.js';
import { buildComparison } from '../src/report/compare.js';
import { loadSides } from '../src/report/model.js';
import { renderReport, type RenderedReport } from '../src/report/write.js';

export interface Example {
  /** Folder under results/examples/, holding run.json, report.md and the charts. */
  readonly dir: string;
  /** `lsmbench run` arguments that make its run.json (besides --out), for `make-examples --rerun`. */
  readonly run: readonly string[];
  /** `lsmbench report` inputs, relative to the repository: the example's run.json first. */
  readonly inputs: readonly string[];
}

export const EXAMPLES_DIR = join('results', 'examples');
const REFERENCE = join('results', 'reference', 'nim-vs-rust-lsm-benchmark.json');

export const EXAMPLES: readonly Example[] = [
  {
    dir: 'ts-vs-memory',
    run: ['--engine', 'ts', '--engine', 'memory', '--ops', '100000'],
    inputs: [join(EXAMPLES_DIR, 'ts-vs-memory', 'run.json'), `${REFERENCE}#Rust`],
  },
  {
    dir: 'ts-vs-memory-sweep',
    run: ['--engine', 'ts', '--engine', 'memory', '--sweep', 'ops=10000,30000,100000,300000', '--workloads', 'sequential-writes,random-reads,range-scan,contains', '--repetitions', '3'],
    inputs: [join(EXAMPLES_DIR, 'ts-vs-memory-sweep', 'run.json')],
  },
];

const quote = (s: string): string => (/^[A-Za-z0-9_./:=,#@-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** The report of an example as it must be in the repository: report.md and its charts, by file name. */
export async function renderExample(example: Example, root = projectRoot()): Promise<RenderedReport> {
  const out = join(EXAMPLES_DIR, example.dir, 'report.md');
  // Read from the repository wherever the caller stands; the report names the files as a reader at its root would.
  const absolute = example.inputs.map((arg) => join(root, arg));
  const { files, sides } = await loadSides(absolute);
  const asGiven = (path: string): string => relative(root, path);
  const cmp = buildComparison(
    sides.map((s) => ({ ...s, path: asGiven(s.path) })),
    { single: true },
  );
  const newest = files.filter((f) => f.file.published === null).map((f) => f.file.createdAt).sort().at(-1) ?? files[0]!.file.createdAt;
  return renderReport('report', {
    cmp,
    files: files.map((f) => ({ ...f, path: asGiven(f.path) })),
    command: ['lsmbench', 'report', ...example.inputs, '-o', out].map(quote).join(' '),
    lsmbenchVersion: lsmbenchVersion(),
    generatedAt: new Date(newest),
  });
}
