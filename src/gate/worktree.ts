/**
 * The base build for `gate --base <ref>`: a temporary git worktree of the ref, with the
 * current node_modules linked in (no network needed) and compiled by its own
 * `npx tsc -p .`. Removed again when the gate is done, or interrupted.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, lstatSync, rmSync, symlinkSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { UserError, errorMessage } from '../errors.js';

const execFileAsync = promisify(execFile);

/** Runs git; a failure is a UserError carrying git's own first line of complaint. */
async function git(cwd: string, args: readonly string[]): Promise<string> {
  try {
    const { stdout } = await execFileAsync('git', args, { cwd, maxBuffer: 16 << 20 });
    return stdout.trim();
  } catch (err) {
    const stderr = ((err as { stderr?: string }).stderr ?? '').trim().split('\n')[0];
    throw new UserError(`git ${args[0] ?? ''} failed: ${stderr || errorMessage(err)}`);
  }
}

/** The top of the git repository holding `dir`, or undefined when it is not in one. */
export async function gitTopLevel(dir: string): Promise<string | undefined> {
  try {
    return await git(dir, ['rev-parse', '--show-toplevel']);
  } catch {
    return undefined;
  }
}

/** The commit `ref` names, or undefined when it names none here. */
export async function resolveCommit(repo: string, ref: string): Promise<string | undefined> {
  if (ref.startsWith('-')) throw new UserError(`--base '${ref}' is not a git ref`);
  try {
    return await git(repo, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]);
  } catch {
    return undefined;
  }
}

export async function isShallow(repo: string): Promise<boolean> {
  try {
    return (await git(repo, ['rev-parse', '--is-shallow-repository'])) === 'true';
  } catch {
    return false;
  }
}

/** How many commits HEAD's history holds here (1 in a fresh single-commit or depth-1 clone). */
export async function historyLength(repo: string): Promise<number> {
  try {
    return Number(await git(repo, ['rev-list', '--count', 'HEAD']));
  } catch {
    return 0;
  }
}

export interface BaseTree {
  readonly dir: string;
  readonly commit: string;
  /** tsc's complaints when it reported errors but still emitted the CLI. */
  readonly buildWarning: string | undefined;
  remove(): void;
}

/**
 * Checks out `commit` into a fresh temporary worktree and builds it. `nodeModules` is
 * the directory linked in as its node_modules. On any failure the worktree is removed.
 */
export async function createBaseTree(repo: string, commit: string, nodeModules: string): Promise<BaseTree> {
  if (!existsSync(nodeModules)) throw new UserError(`no ${nodeModules} to lend the base build: install the project first (npm ci)`);
  const dir = await mkdtemp(join(tmpdir(), 'lsmbench-gate-base-'));
  let removed = false;
  const remove = (): void => {
    if (removed) return;
    removed = true;
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    try {
      // Synchronous on purpose: it also runs from a signal handler, just before exit.
      execFileSyncQuiet('git', ['worktree', 'remove', '--force', dir], repo);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      execFileSyncQuiet('git', ['worktree', 'prune'], repo);
    }
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    remove();
    process.kill(process.pid, signal);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await git(repo, ['worktree', 'add', '--detach', dir, commit]);
    // A tree that brings its own node_modules (checked in, or a link) keeps it.
    if (!pathExists(join(dir, 'node_modules'))) symlinkSync(nodeModules, join(dir, 'node_modules'), 'dir');
    let buildWarning: string | undefined;
    try {
      await execFileAsync('npx', ['--no', '--', 'tsc', '-p', '.'], { cwd: dir, maxBuffer: 16 << 20 });
    } catch (err) {
      const out = `${(err as { stdout?: string }).stdout ?? ''}${(err as { stderr?: string }).stderr ?? ''}`.trim();
      const first = out.split('\n')[0] ?? String(err);
      if (!existsSync(join(dir, 'dist', 'src', 'cli.js'))) throw new UserError(`the base commit ${commit.slice(0, 12)} does not build: ${first}`);
      buildWarning = `the base commit's build reported errors (${first}); its emitted code ran anyway`;
    }
    if (!existsSync(join(dir, 'dist', 'src', 'cli.js'))) throw new UserError(`the base commit ${commit.slice(0, 12)} built no dist/src/cli.js`);
    return { dir, commit, buildWarning, remove };
  } catch (err) {
    remove();
    throw err;
  }
}

function execFileSyncQuiet(cmd: string, args: readonly string[], cwd: string): void {
  try {
    execFileSync(cmd, args, { cwd, stdio: 'ignore' });
  } catch {
    // Best effort: the directory itself is removed regardless.
  }
}

/** True when something, even a dangling link, is at `path`. */
function pathExists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
