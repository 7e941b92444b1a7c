/**
 * `lsmbench gate --base <ref>` in a scratch git repository made from this working tree:
 * the base is built in a temporary worktree and run interleaved with the head build, and
 * a clone with no previous commit (single commit, shallow) passes with a notice.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cp, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { projectRoot } from '../../src/paths.js';
import { scratchDir } from '../scratch.js';

const root = projectRoot();
const git = (cwd: string, ...args: string[]): string =>
  execFileSync('git', ['-c', 'user.name=gate test', '-c', 'user.email=gate@test.invalid', ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

function inGit(): boolean {
  try {
    git(root, 'rev-parse', '--show-toplevel');
    return true;
  } catch {
    return false;
  }
}

/** Makes `dir` a runnable lsmbench: this build's dist copied in (the CLI finds its root from its own path), node_modules linked. */
async function equip(dir: string): Promise<string> {
  await cp(join(root, 'dist'), join(dir, 'dist'), { recursive: true });
  await symlink(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return join(dir, 'dist', 'src', 'cli.js');
}

function gate(cli: string, args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [cli, 'gate', ...args], { cwd, encoding: 'utf8', timeout: 300_000, env: { ...process.env, GITHUB_STEP_SUMMARY: '' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('lsmbench gate --base (scratch git repository)', { skip: inGit() ? false : 'not in a git checkout' }, () => {
  let scratch: string;
  let repo: string;
  let cli: string;

  before(async () => {
    scratch = await scratchDir('lsmbench-gate-git-');
    repo = join(scratch, 'repo');
    await mkdir(repo);
    // The working tree as it is (tracked and untracked, minus ignored files) becomes one commit.
    const files = git(root, 'ls-files', '-co', '--exclude-standard', '-z').split('\0').filter((f) => f.length > 0);
    for (const f of files) {
      await mkdir(dirname(join(repo, f)), { recursive: true });
      await cp(join(root, f), join(repo, f), { verbatimSymlinks: true }).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err; // deleted in the working tree but still tracked
      });
    }
    git(repo, 'init', '-q');
    git(repo, 'add', '.');
    git(repo, 'commit', '-q', '-m', 'the only commit');
    cli = await equip(repo);
  });
  after(async () => {
    if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
  });

  it('with a single commit, --base HEAD~1 --allow-missing-base says so and passes; without the flag it is an error', async () => {
    const summary = join(scratch, 'single.md');
    const r = gate(cli, ['--base', 'HEAD~1', '--allow-missing-base', '--summary', summary], repo);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^lsmbench gate: PASS: no base commit 'HEAD~1' to compare with \(this repository has a single commit\); nothing to judge, passing\n$/);
    assert.match(await readFile(summary, 'utf8'), /### lsmbench gate: ✅ pass/);
    const strict = gate(cli, ['--base', 'HEAD~1'], repo);
    assert.equal(strict.code, 2);
    assert.match(strict.stderr, /--base 'HEAD~1' names no commit in .*--allow-missing-base/);
  });

  it('builds the base in a worktree, runs base and head interleaved, judges, and removes the worktree', async () => {
    await writeFile(join(repo, 'NOTE'), 'a second commit, so that HEAD~1 exists\n');
    git(repo, 'add', 'NOTE');
    git(repo, 'commit', '-q', '-m', 'second commit');
    const summary = join(scratch, 'base.md');
    // At alpha 0.05, one workload needs 5 rounds (2^-5 ≤ 0.05): fewer runs on a busy machine.
    const config = join(scratch, 'alpha.config.json');
    await writeFile(config, JSON.stringify({ alpha: 0.05 }));
    const r = gate(cli, ['--base', 'HEAD~1', '--engine', 'memory', '--ops', '2000', '--rounds', '5', '--repetitions', '2', '--workloads', 'random-reads', '--config', config, '--summary', summary], repo);
    // Unchanged code: pass, or at worst a false alarm on this noisy machine; never "could not judge" or a crash.
    assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, /building base [0-9a-f]{10} \(HEAD~1\) in a temporary worktree/);
    const order = [...r.stderr.matchAll(/round (\d)\/5: (base|head) [\d.]+ s, (base|head) [\d.]+ s/g)].map((m) => `${m[1]}${m[2]}${m[3]}`);
    assert.deepEqual(order, ['1basehead', '2headbase', '3basehead', '4headbase', '5basehead'], 'both sides in each round, alternating which side starts first');
    const md = await readFile(summary, 'utf8');
    assert.match(md, /Compared: base [0-9a-f]{10} \(HEAD~1\) against head [0-9a-f]{10}.*paired on this machine \(workload by workload, both sides at once on one CPU, taking turns on it\): 5 rounds, one process a side each, × 2 repetitions, N = 2,000, engine memory/);
    assert.match(md, /Wilcoxon signed-rank/);
    assert.match(md, /\| memory \| Random Reads \| (cpu|wall) \|.*\| 5 \| \d+% \|/, 'one sample per round: 5, and the slowdown it could see');
    assert.match(r.stdout, /memory random-reads: could see slowdowns of \d+% or more \((cpu|wall) time, 5 rounds\)/);
    const worktrees = git(repo, 'worktree', 'list', '--porcelain').split('\n').filter((l) => l.startsWith('worktree '));
    assert.equal(worktrees.length, 1, `the temporary worktree is gone: ${worktrees.join(', ')}`);
  });

  it('cannot judge (exit 2, with a summary) when the base does not build', async () => {
    git(repo, 'rm', '-q', 'tsconfig.json');
    git(repo, 'commit', '-q', '-m', 'a commit that cannot build');
    const summary = join(scratch, 'broken.md');
    const r = gate(cli, ['--base', 'HEAD', '--engine', 'memory', '--summary', summary], repo);
    assert.equal(r.code, 2, `${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /^lsmbench gate: COULD NOT JUDGE: the base commit [0-9a-f]{12} does not build/);
    assert.match(await readFile(summary, 'utf8'), /### lsmbench gate: ⚠️ could not judge/);
    const worktrees = git(repo, 'worktree', 'list', '--porcelain').split('\n').filter((l) => l.startsWith('worktree '));
    assert.equal(worktrees.length, 1, 'the failed worktree is removed too');
  });

  it('in a shallow clone, --base HEAD~1 --allow-missing-base says so and passes', async () => {
    const shallow = join(scratch, 'shallow');
    git(scratch, 'clone', '-q', '--depth', '1', `file://${repo}`, shallow);
    const shallowCli = await equip(shallow);
    const r = gate(shallowCli, ['--base', 'HEAD~1', '--allow-missing-base'], shallow);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /no base commit 'HEAD~1' to compare with \(this is a shallow clone\)/);
  });
});
