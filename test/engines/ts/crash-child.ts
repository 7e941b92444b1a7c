/**
 * Child process for crash.test.ts: opens a tree and applies the deterministic
 * operation stream from a start index, printing each index after its write returns
 * (the acknowledgement), until it is killed. A fourth argument `leveled` selects tiny
 * level limits, so the kill usually lands while a compaction is in progress. Without arguments it does nothing, so
 * a test runner that globs it as a test file is harmless.
 */
import { writeSync } from 'node:fs';
import { Tree, type Durability } from '../../../engines/ts/tree.js';
import { crashOp, crashTreeOptions } from './crash-ops.js';

const [dir, mode, startArg, layout] = process.argv.slice(2);
if (dir !== undefined && mode !== undefined && startArg !== undefined) {
  const tree = Tree.open(dir, { ...crashTreeOptions(layout === 'leveled'), durability: mode as Durability });
  writeSync(1, 'open\n');
  for (let i = Number(startArg); ; i++) {
    const op = crashOp(i);
    if (op.value === undefined) tree.delete(op.key);
    else if (i % 11 === 5) tree.write([{ type: 'put', key: op.key, value: op.value }, { type: 'put', key: op.key2, value: op.value }]);
    else tree.put(op.key, op.value);
    writeSync(1, `${i}\n`);
  }
}
