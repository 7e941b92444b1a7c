/**
 * Crash tests: a child process writing in `os` or `fsync` mode is SIGKILLed at a
 * random moment, many times over the same directory. After each kill the tree is
 * reopened: every acknowledged write must be there, and nothing else but possibly
 * the one write in flight (the state must be the model after `acked` or `acked + 1`
 * operations).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Tree, type Durability } from '../../../engines/ts/tree.js';
import { applyCrashOp, crashTreeOptions } from './crash-ops.js';
import { Rng, s, sortedEntries, tempDir } from './helpers.js';

const CHILD = fileURLToPath(new URL('./crash-child.js', import.meta.url));

interface ChildRun {
  /** Highest index acknowledged, or start - 1 if none. */
  readonly lastAck: number;
  readonly opened: boolean;
}

/**
 * Runs the child from op `start`. With `killAfterOpenMs` the kill comes that long after
 * the child reports the tree open; with `killAfterSpawnMs` it may land during recovery.
 */
function runChild(dir: string, mode: Durability, start: number, when: { killAfterOpenMs?: number; killAfterSpawnMs?: number }, leveled: boolean): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, dir, mode, String(start), ...(leveled ? ['leveled'] : [])], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8');
    let timer: NodeJS.Timeout | undefined;
    const kill = (): void => {
      child.kill('SIGKILL');
    };
    if (when.killAfterSpawnMs !== undefined) timer = setTimeout(kill, when.killAfterSpawnMs);
    child.stdout.on('data', (d: string) => {
      if (timer === undefined && when.killAfterOpenMs !== undefined && (out + d).includes('open\n')) timer = setTimeout(kill, when.killAfterOpenMs);
      out += d;
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('exit', (code, signal) => {
      if (timer !== undefined) clearTimeout(timer);
      if (signal !== 'SIGKILL') {
        reject(new Error(`child exited on its own (code ${code}, signal ${signal}): ${err}`));
        return;
      }
      const lines = out.split('\n');
      let lastAck = start - 1;
      // Only complete lines count: a line cut by the kill was not fully acknowledged.
      for (let i = 0; i < lines.length - 1; i++) {
        const n = Number(lines[i]);
        if (lines[i] !== 'open' && Number.isInteger(n)) lastAck = n;
      }
      resolve({ lastAck, opened: lines.slice(0, -1).includes('open') });
    });
  });
}

function stateOf(tree: Tree): string {
  const got: Array<[string, string]> = [];
  tree.scan({}, (k, v) => {
    got.push([s(k)!, s(v)!]);
  });
  return JSON.stringify(got);
}

interface CrashProgress {
  readonly acked: number;
  readonly kills: number;
  readonly deepestLevel: number;
}

/**
 * `rounds` kills, and more (up to five times as many) until `enough` holds: the kill
 * times are wall-clock, so on a busy machine a child does less before each kill (the
 * job thread starts tens of ms after the open), and the progress the tests ask for
 * takes more rounds.
 */
async function crashLoop(mode: Durability, rounds: number, seed: number, leveled = false, enough: (p: CrashProgress) => boolean = () => true): Promise<CrashProgress> {
  const { dir, cleanup } = tempDir(`crash-${mode}`);
  const rng = new Rng(seed);
  const model = new Map<string, string>();
  let next = 0; // ops [0, next) are applied in the model and in the store
  let totalAcked = 0;
  let deepestLevel = 0;
  let kills = 0;
  try {
    let round = 0;
    for (; round < rounds || (round < 5 * rounds && !enough({ acked: totalAcked, kills: round, deepestLevel })); round++) {
      const when = rng.int(5) === 0 ? { killAfterSpawnMs: 30 + rng.int(200) } : { killAfterOpenMs: 5 + rng.int(200) };
      const run = await runChild(dir, mode, next, when, leveled);
      const acked = run.lastAck - next + 1;
      totalAcked += acked;
      // Reopened with the child's options, so recovery itself may resume compacting.
      const tree = Tree.open(dir, { ...crashTreeOptions(leveled), durability: mode });
      deepestLevel = Math.max(deepestLevel, tree.stats().levelFiles.length - 1);
      const got = stateOf(tree);
      // The acknowledged prefix must be there; the write in flight may or may not be.
      const withAcked = new Map(model);
      for (let i = next; i <= run.lastAck; i++) applyCrashOp(withAcked, i);
      const withInFlight = new Map(withAcked);
      applyCrashOp(withInFlight, run.lastAck + 1);
      const a = JSON.stringify(sortedEntries(withAcked));
      const b = JSON.stringify(sortedEntries(withInFlight));
      if (got === a) next = run.lastAck + 1;
      else if (got === b) next = run.lastAck + 2;
      else {
        tree.close();
        assert.fail(`round ${round} (${mode}): after ${acked} acknowledged writes from op ${next}, the recovered state is neither the acknowledged prefix nor that plus the write in flight`);
      }
      model.clear();
      for (const [k, v] of JSON.parse(got) as Array<[string, string]>) model.set(k, v);
      tree.close();
    }
    kills = round;
  } finally {
    cleanup();
  }
  return { acked: totalAcked, kills, deepestLevel };
}

describe('ts tree survives SIGKILL', () => {
  it('os mode: every acknowledged write is present after a kill', async () => {
    const r = await crashLoop('os', 14, 1234, false, (p) => p.acked > 100);
    assert.ok(r.acked > 100, `the child made progress (${r.acked} acknowledged writes)`);
  });
  it('fsync mode: every acknowledged write is present after a kill', async () => {
    const r = await crashLoop('fsync', 10, 4321, false, (p) => p.acked > 10);
    assert.ok(r.acked > 10, `the child made progress (${r.acked} acknowledged writes)`);
  });
  // Tiny levels: compactions (and their installs, deletions of inputs, orphaned outputs)
  // run almost all the time, so most kills land in the middle of one. The recovered state
  // must hold every acknowledged write and no deleted key may come back (1 op in 9 is a delete).
  it('os mode, killed during compactions: nothing acknowledged is lost, no deleted key resurrects', async () => {
    const r = await crashLoop('os', 16, 9876, true, (p) => p.acked > 2000 && p.deepestLevel >= 2);
    assert.ok(r.acked > 2000, `the child made progress (${r.acked} acknowledged writes)`);
    assert.ok(r.deepestLevel >= 2, `compactions pushed data down to L${r.deepestLevel}`);
  });
  it('fsync mode, killed during compactions: nothing acknowledged is lost, no deleted key resurrects', async () => {
    const r = await crashLoop('fsync', 10, 6789, true, (p) => p.acked > 100 && p.deepestLevel >= 1);
    assert.ok(r.acked > 100, `the child made progress (${r.acked} acknowledged writes)`);
    assert.ok(r.deepestLevel >= 1, `compactions ran (deepest level L${r.deepestLevel})`);
  });
});
