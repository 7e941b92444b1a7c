/** Bad input ends as one `lsmbench:` line and exit 2, promptly, with nothing written (issue 17's reproducers). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { assertUserError, lsmbench } from './cli-helpers.js';
import { scratchDir } from './scratch.js';

const quick = ['run', '-e', 'memory', '-n', '100', '-w', 'sequential-writes', '-r', '1', '--warmup', '0'];

describe('CLI: bad input', () => {
  it('a results or work directory under /proc is refused, not a spin', { skip: process.platform !== 'linux' }, () => {
    assertUserError(lsmbench([...quick, '--results-dir', '/proc/x'], {}, { timeoutMs: 60_000 }), /^lsmbench: results directory \/proc\/x is not writable: ENOENT$/);
    assertUserError(lsmbench([...quick, '--work-dir', '/proc/x'], {}, { timeoutMs: 60_000 }), /^lsmbench: work directory \/proc\/x is not writable: ENOENT$/);
  });

  it('a work directory that is a regular file is a user error', async () => {
    const dir = await scratchDir('lsmbench-integrity-cli-');
    const file = join(dir, 'file');
    await writeFile(file, 'x');
    assertUserError(lsmbench([...quick, '--work-dir', file, '--results-dir', dir]), /work directory .*file is not writable: .*file is not a directory/);
  });

  it('a bad numeric engine option is refused before anything runs, and no results file is written', async () => {
    const dir = await scratchDir('lsmbench-integrity-cli-');
    for (const v of ['abc', '-1', '0.5', '0', 'Infinity']) {
      const r = lsmbench(['run', '-e', 'ts', '-o', `ts.memtableBytes=${v}`, '-n', '100', '-w', 'sequential-writes', '--results-dir', dir]);
      assertUserError(r, /memtableBytes/);
    }
    assert.deepEqual(await readdir(dir), []);
  });

  it('option parsing errors are one line with the prefix', () => {
    assertUserError(lsmbench(['run', '-e', 'memory', '--ops', 'abc']), /^lsmbench: --ops must be a positive integer, not 'abc'\.$/);
    assertUserError(lsmbench(['gate', '--rounds', '0']), /^lsmbench: --rounds must be a positive integer, not '0'\.$/);
  });
});
