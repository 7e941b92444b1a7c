/**
 * Scratch directories for tests, removed when the test process exits (node --test runs
 * each file in a process of its own), so a test run leaves nothing behind in the
 * system's temporary directory. Set LSMBENCH_KEEP_SCRATCH=1 to keep them for a post-mortem.
 */
import { rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];
process.on('exit', () => {
  if (process.env.LSMBENCH_KEEP_SCRATCH === '1') return;
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A new empty directory under the system's temporary directory, named `<prefix>XXXXXX`. */
export async function scratchDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
