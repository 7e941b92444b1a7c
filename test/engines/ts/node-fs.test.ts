import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { NodeFileSystem } from '../../../engines/ts/fs.js';
import { tempDir } from './helpers.js';

describe('NodeFileSystem syncs on a worker thread', () => {
  it('syncStart returns a sync that completes: done() polls, wait() blocks until it is', () => {
    const { dir, cleanup } = tempDir('sync');
    try {
      const fs = new NodeFileSystem();
      const f = fs.create(`${dir}/a`);
      f.append(new Uint8Array(1 << 20).fill(7), 0, 1 << 20);
      const pending = f.syncStart!()!;
      assert.ok(pending !== undefined);
      pending.wait();
      assert.equal(pending.done(), true);
      f.close();
      assert.equal(readFileSync(`${dir}/a`).length, 1 << 20);
      // Many at once, polled to the end.
      const files = Array.from({ length: 20 }, (_, i) => fs.create(`${dir}/f${i}`));
      const syncs = files.map((file) => {
        file.append(new Uint8Array(4096), 0, 4096);
        return file.syncStart!()!;
      });
      const deadline = Date.now() + 30_000;
      while (!syncs.every((p) => p.done())) assert.ok(Date.now() < deadline, 'syncs never completed');
      for (const file of files) file.close();
    } finally {
      cleanup();
    }
  });

  it('reports a failed sync as an error naming it', () => {
    const { dir, cleanup } = tempDir('sync');
    try {
      const f = new NodeFileSystem().create(`${dir}/b`);
      f.close(); // its descriptor is gone: the worker's fdatasync fails
      const pending = f.syncStart!()!;
      assert.throws(() => pending.wait(), /fdatasync failed/);
    } finally {
      cleanup();
    }
  });

  it('leaves the process\'s stdout and stderr blocking (a writeSync to a full pipe would fail with EAGAIN)', { skip: !existsSync('/proc/self/fdinfo/1') }, () => {
    // In a fresh process whose stdout and stderr are pipes, as a benchmark child's are.
    const fsModule = new URL('../../../engines/ts/fs.js', import.meta.url).href;
    const { dir, cleanup } = tempDir('sync');
    try {
      const script = `
        import { readFileSync, writeSync } from 'node:fs';
        import { NodeFileSystem } from ${JSON.stringify(fsModule)};
        const nonBlocking = (fd) => (parseInt(readFileSync('/proc/self/fdinfo/' + fd, 'utf8').match(/flags:\\s+(\\d+)/)[1], 8) & 0o4000) !== 0;
        const before = [nonBlocking(1), nonBlocking(2)];
        const f = new NodeFileSystem().create(${JSON.stringify(`${dir}/c`)});
        f.append(new Uint8Array(10), 0, 10);
        f.syncStart().wait();
        f.close();
        writeSync(1, JSON.stringify({ before, after: [nonBlocking(1), nonBlocking(2)] }));
      `;
      // --input-type=module also checks that the worker does not inherit it (its CommonJS source would not start).
      const out = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
      assert.equal(out.status, 0, out.stderr);
      assert.deepEqual(JSON.parse(out.stdout), { before: [false, false], after: [false, false] });
    } finally {
      cleanup();
    }
  });
});
