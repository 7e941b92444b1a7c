/**
 * The example reports in results/examples/ are what the report code makes of their results
 * files today: a change to reports that is not followed by `node dist/scripts/make-examples.js`
 * fails here, naming the file that differs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { projectRoot } from '../src/paths.js';
import { EXAMPLES, EXAMPLES_DIR, renderExample } from '../scripts/examples.js';

const root = projectRoot();
const regenerate = 'regenerate them: npx tsc -p . && node dist/scripts/make-examples.js';

for (const example of EXAMPLES)
  test(`results/examples/${example.dir} is current`, async () => {
    const dir = join(root, EXAMPLES_DIR, example.dir);
    const rendered = await renderExample(example, root);
    for (const [name, text] of rendered.files) {
      const committed = await readFile(join(dir, name), 'utf8').catch(() => null);
      assert.ok(committed !== null, `${example.dir}/${name} is missing; ${regenerate}`);
      if (committed !== text) {
        const a = committed.split('\n');
        const b = text.split('\n');
        const line = a.findIndex((l, k) => l !== b[k]);
        assert.fail(`${example.dir}/${name} is stale (line ${line + 1}: committed "${a[line]?.slice(0, 120)}", now "${b[line]?.slice(0, 120)}"); ${regenerate}`);
      }
    }
    const extra = (await readdir(dir)).filter((n) => n.endsWith('.svg') && !rendered.files.has(n));
    assert.deepEqual(extra, [], `charts no report links: ${extra.join(', ')}; ${regenerate}`);
  });

test('every folder in results/examples/ is an example the script makes', async () => {
  const folders = (await readdir(join(root, EXAMPLES_DIR), { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  assert.deepEqual(folders.sort(), EXAMPLES.map((e) => e.dir).sort());
});
