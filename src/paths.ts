import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync, type Stats } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';

/** The project's root directory (the one holding package.json), from the compiled or the source tree. */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the lsmbench project root');
    dir = up;
  }
  return dir;
}

/**
 * `mkdir -p` that always returns: Node's recursive mkdir spins forever where a plain
 * mkdir fails with ENOENT under an existing directory (procfs: /proc/x). Each missing
 * directory is made once, from the nearest existing ancestor down; an ancestor that is
 * not a directory fails with ENOTDIR, any other failure with its own code.
 */
export async function makeDirectories(dir: string): Promise<void> {
  const missing: string[] = [];
  let at = resolve(dir);
  for (;;) {
    let info: Stats;
    try {
      info = await stat(at);
    } catch (err) {
      const parent = dirname(at);
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || parent === at) throw err;
      missing.push(at);
      at = parent;
      continue;
    }
    if (!info.isDirectory()) throw Object.assign(new Error(`ENOTDIR: ${at} is not a directory`), { code: 'ENOTDIR', path: at });
    break;
  }
  for (const path of missing.reverse()) {
    try {
      await mkdir(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || !(await stat(path)).isDirectory()) throw err;
    }
  }
}
