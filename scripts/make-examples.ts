/**
 * Regenerates the example reports in results/examples/ (scripts/examples.ts says what each
 * is made from); test/examples.test.ts fails when the committed ones are stale.
 *
 *   npx tsc -p . && node dist/scripts/make-examples.js            reports from the committed runs
 *   npx tsc -p . && node dist/scripts/make-examples.js --rerun    new runs first (minutes), then reports
 *
 * Name examples (their folder) to do only those. A rerun replaces each run.json only once its
 * run has finished; do not rebuild dist/ while one is running (its child processes load it).
 */
import { spawnSync } from 'node:child_process';
import { readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { projectRoot } from '../src/paths.js';
import { EXAMPLES, EXAMPLES_DIR, renderExample } from './examples.js';

const args = process.argv.slice(2);
const rerun = args.includes('--rerun');
const named = args.filter((a) => a !== '--rerun');
const unknown = named.filter((n) => !EXAMPLES.some((e) => e.dir === n));
if (unknown.length > 0) {
  process.stderr.write(`make-examples: no example ${unknown.join(', ')} (there are: ${EXAMPLES.map((e) => e.dir).join(', ')})\n`);
  process.exit(2);
}
const root = projectRoot();

for (const example of EXAMPLES.filter((e) => named.length === 0 || named.includes(e.dir))) {
  const dir = join(root, EXAMPLES_DIR, example.dir);
  if (rerun) {
    const fresh = join(dir, 'run.json.new');
    await rm(fresh, { force: true });
    process.stdout.write(`${example.dir}: lsmbench run ${example.run.join(' ')}\n`);
    const r = spawnSync(process.execPath, [join(root, 'dist', 'src', 'cli.js'), 'run', ...example.run, '--out', fresh], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
    if (r.status !== 0) {
      await rm(fresh, { force: true });
      process.stderr.write(`make-examples: the run of ${example.dir} failed (exit ${r.status ?? r.signal}); its run.json is unchanged\n`);
      process.exit(1);
    }
    await rename(fresh, join(dir, 'run.json'));
  }
  const rendered = await renderExample(example, root);
  // Charts an earlier report had and this one does not are removed with it.
  for (const name of await readdir(dir)) if (/^report-.*\.svg$/.test(name) && !rendered.files.has(name)) await rm(join(dir, name));
  for (const [name, text] of rendered.files) await writeFile(join(dir, name), text);
  process.stdout.write(`${example.dir}: ${[...rendered.files.keys()].join(', ')}\n`);
}
