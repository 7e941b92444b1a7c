/** Tree.open refuses every out-of-range numeric option, naming it, before it touches the directory. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidOptionError, Tree, type TreeOptions } from '../../../engines/ts/index.js';
import { scratchDir } from '../../scratch.js';

const NUMERIC = ['memtableBytes', 'maxImmutableMemtables', 'blockCacheBytes', 'blockSize', 'restartInterval', 'bloomBitsPerKey', 'l0CompactionTrigger', 'l0SlowdownTrigger', 'l0StopTrigger', 'baseLevelBytes', 'levelMultiplier', 'targetFileBytes', 'maxLevels'] as const;

describe('ts tree: options', () => {
  it('refuses NaN, Infinity, fractions and negatives for every numeric option, naming it', async () => {
    const root = await scratchDir('lsmbench-ts-options-');
    const dir = join(root, 'store');
    for (const name of NUMERIC)
      for (const bad of [NaN, Infinity, -Infinity, 0.5, -1, 2 ** 60]) {
        const options = { [name]: bad } as TreeOptions;
        assert.throws(() => Tree.open(dir, options), (e: Error) => e instanceof InvalidOptionError && e.option === name && e.message.includes(name), `${name}=${bad}`);
      }
    assert.throws(() => Tree.open(dir, { memtableBytes: 0 }), InvalidOptionError);
    assert.throws(() => Tree.open(dir, { recovery: 'lenient' as TreeOptions['recovery'] }), /option recovery must be one of strict, truncate/);
    assert.equal(existsSync(dir), false, 'nothing was created');
  });

  it('opens with the smallest values', async () => {
    const root = await scratchDir('lsmbench-ts-options-');
    const tree = Tree.open(join(root, 'store'), { memtableBytes: 1, blockCacheBytes: 0, maxImmutableMemtables: 0 });
    tree.put(new Uint8Array([1]), new Uint8Array([2]));
    assert.deepEqual(tree.get(new Uint8Array([1])), new Uint8Array([2]));
    tree.close();
  });
});
