/** The machine and software a run happened on, and a fingerprint of the hardware. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { join } from 'node:path';
import type { Environment } from './results.js';
import { projectRoot } from './paths.js';

function gitCommit(root: string): { commit: string | null; dirty: boolean | null } {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    const status = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] }).toString();
    return { commit, dirty: status.trim().length > 0 };
  } catch {
    return { commit: null, dirty: null };
  }
}

export function lsmbenchVersion(): string {
  const pkg = JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/** Hardware identity: figures from machines with different fingerprints are not compared as alike. */
export function hardwareFingerprint(parts: { cpuModel: string; cpuCount: number; memoryBytes: number; os: string; arch: string }): string {
  const memGiB = Math.round(parts.memoryBytes / 2 ** 30);
  const text = `${parts.cpuModel}|${parts.cpuCount}|${memGiB}GiB|${parts.os}|${parts.arch}`;
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

export function describeEnvironment(): Environment {
  const cpus = os.cpus();
  const cpuModel = cpus[0]?.model.trim() ?? 'unknown';
  const base = {
    cpuModel,
    cpuCount: cpus.length,
    memoryBytes: os.totalmem(),
    // The fingerprint keeps the type-and-platform text it always hashed, so baselines recorded before stay comparable.
    os: `${os.type()} ${os.platform()}`,
    arch: os.arch(),
  };
  // "Linux linux" says one thing twice: the platform is shown only where it differs from the type (e.g. "Windows_NT win32").
  const shownOs = os.type().toLowerCase() === os.platform() ? os.type() : base.os;
  const { commit, dirty } = gitCommit(projectRoot());
  return {
    node: process.version,
    v8: process.versions.v8,
    os: shownOs,
    kernel: os.release(),
    arch: base.arch,
    cpuModel,
    cpuCount: base.cpuCount,
    memoryBytes: base.memoryBytes,
    commit,
    commitDirty: dirty,
    lsmbenchVersion: lsmbenchVersion(),
    fingerprint: hardwareFingerprint(base),
    storage: null,
  };
}
