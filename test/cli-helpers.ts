/** Running the built binary as a user would, for the CLI tests: one place for the spawn and the user-error check. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../src/paths.js';

export const CLI = join(projectRoot(), 'dist', 'src', 'cli.js');
/** Test-only engines that crash, hang, throw or lie (LSMBENCH_EXTRA_ENGINES). */
export const FIXTURES = join(projectRoot(), 'dist', 'test', 'fixtures', 'misbehaving-engines.js');

export interface Completed {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * A drift file no test machine has: a machine's own calibration (~/.lsmbench/drift.json)
 * would widen the intervals a test checks. A test that wants one sets LSMBENCH_DRIFT_FILE.
 */
export const NO_DRIFT_FILE = join(projectRoot(), 'dist', 'test', 'no-such-drift.json');

/** Runs `lsmbench args` to completion (killed after `timeoutMs`). */
export function lsmbench(args: readonly string[], env: Record<string, string> = {}, options: { cwd?: string; timeoutMs?: number } = {}): Completed {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    cwd: options.cwd ?? projectRoot(),
    env: { ...process.env, LSMBENCH_DRIFT_FILE: NO_DRIFT_FILE, ...env },
    timeout: options.timeoutMs ?? 300_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A user mistake: exit 2, exactly one line on stderr, prefixed `lsmbench:`, no stack trace. */
export function assertUserError(r: Completed, pattern: RegExp): void {
  assert.equal(r.code, 2, `exit code 2, got ${r.code}: ${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line of error, got: ${r.stderr}`);
  assert.match(lines[0]!, /^lsmbench: /);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
}
