/**
 * The published package as a user gets it: packed, installed from the tarball into an
 * empty project, and run with npx from there. Registry dependencies come from npm's
 * cache where it has them (--prefer-offline); optional engine bindings are left out,
 * so the check is of what always ships.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../src/paths.js';
import { scratchDir } from './scratch.js';

function sh(cmd: string, args: readonly string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 600_000, env: { ...process.env, npm_config_update_notifier: 'false' } });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

test('the packed package installs in an empty project, runs, and exports its types', { timeout: 900_000 }, async () => {
  const root = projectRoot();
  const packDir = await scratchDir('lsmbench-pack-');
  // The build is current (the tests run from it), so the prepare script is not needed.
  const packed = JSON.parse(sh('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', packDir], root)) as Array<{ filename: string; files: Array<{ path: string }> }>;
  const entry = packed[0];
  assert.ok(entry !== undefined, 'npm pack reports the tarball');
  const paths = entry.files.map((f) => f.path);
  for (const needed of ['package.json', 'dist/src/cli.js', 'dist/src/index.d.ts', 'dist/src/testing.js', 'dist/engines/ts/index.js', 'schema/results.schema.json', 'scenarios/seed.json', 'test/vectors/keyspace.json'])
    assert.ok(paths.includes(needed), `the tarball holds ${needed}`);
  assert.deepEqual(paths.filter((p) => p.startsWith('dist/test/') || p.endsWith('.map') || p.endsWith('.ts') && !p.endsWith('.d.ts')), [], 'no tests, source maps or sources');

  const project = await scratchDir('lsmbench-user-');
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'store-under-test', private: true, type: 'module' }));
  sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--omit=optional', join(packDir, entry.filename)], project);

  // This tests the package, not sampling: one pass a sample (at N = 2,000 a write sample of
  // 100 ms would be a hundred passes, each on a freshly made, loaded and checked store).
  const run = sh('npx', ['--no-install', 'lsmbench', 'run', '--engine', 'ts', '-n', '2000', '--min-sample-ms', '0'], project);
  assert.match(run, /ts/, 'the run prints its table');
  const saved = readdirSync(join(project, 'results', 'runs'));
  assert.equal(saved.length, 1, 'one results file, in the user project');
  const results = JSON.parse(readFileSync(join(project, 'results', 'runs', saved[0]!), 'utf8')) as { schema: string; engines: Array<{ name: string }> };
  assert.equal(results.schema, 'lsmbench/results');

  // An engine author's file: the contract's types from 'lsmbench', the suite from 'lsmbench/conformance'.
  writeFileSync(
    join(project, 'engine.ts'),
    [
      "import type { SyncStore, EngineDescriptor } from 'lsmbench';",
      "import { describeConformance, CONFORMANCE_CHECKS } from 'lsmbench/conformance';",
      'export const store: SyncStore | undefined = undefined;',
      "export const d: EngineDescriptor = { name: 'x', description: 'x', load: () => Promise.reject(new Error('x')) };",
      'export const n: number = CONFORMANCE_CHECKS.length;',
      'export const f: (d: EngineDescriptor) => void = describeConformance;',
      '',
    ].join('\n'),
  );
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  sh(process.execPath, [tsc, '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--types', 'node', '--typeRoots', join(root, 'node_modules', '@types'), 'engine.ts'], project);
  const loaded = sh(process.execPath, ['--input-type=module', '-e', "const c = await import('lsmbench/conformance'); const m = await import('lsmbench'); console.log(c.CONFORMANCE_CHECKS.length, typeof m.compareBytes)"], project);
  assert.match(loaded, /^\d+ function$/m);
});

test('the built command runs as an executable from the checkout (npx lsmbench in the README quick start)', () => {
  // `npm run build` (which `npm ci` and `npm test` run) leaves the bin executable: without
  // it `npx lsmbench` in a fresh clone said "lsmbench: Permission denied".
  const cli = join(projectRoot(), 'dist', 'src', 'cli.js');
  const pkg = JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { bin: Record<string, string>; version: string };
  assert.equal(join(projectRoot(), pkg.bin.lsmbench!), cli);
  const r = spawnSync(cli, ['--version'], { encoding: 'utf8' });
  assert.equal(r.error, undefined, `executing ${cli}: ${r.error?.message}`);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), pkg.version);
});
