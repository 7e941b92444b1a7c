/**
 * Not a test: measures how small a slowdown the gate catches. Runs the gate's own
 * interleaving and decision (the CI settings by default) with head's engine slowed by a
 * known amount of work per `get`, several times per level, and prints how often each
 * workload was called a regression and the slowdown measured.
 *
 *   node dist/test/gate/measure.js --spins 0,40,80,160 --runs 3
 *
 * Only the read workloads (sequential-reads, random-reads) call get; the other six are
 * unchanged in every run, so their verdicts count false alarms.
 */
import { parseArgs } from 'node:util';
import { comparisons } from '../../src/gate/collect.js';
import { loadGateConfig } from '../../src/gate/config.js';
import { decide } from '../../src/gate/decide.js';
import { runInterleaved, type Side } from '../../src/gate/runs.js';
import { projectRoot } from '../../src/paths.js';
import { median } from '../../src/stats.js';
import { CLI } from '../cli-helpers.js';
import { SLOWED } from './fixtures.js';

const { values } = parseArgs({
  options: {
    spins: { type: 'string', default: '0,40,80,160' },
    runs: { type: 'string', default: '3' },
    ops: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '7' },
    repetitions: { type: 'string', default: '3' },
    'slow-ops': { type: 'string', default: 'get' },
  },
});
const levels = values.spins.split(',').map(Number);
const runs = Number(values.runs);
const { config } = await loadGateConfig(undefined);
const side = (label: 'base' | 'head', spins: number): Side => ({
  label,
  cli: CLI,
  cwd: projectRoot(),
  env: { LSMBENCH_EXTRA_ENGINES: SLOWED, LSMBENCH_SLOWED_SPINS: String(spins), LSMBENCH_SLOWED_OPS: values['slow-ops'] },
});
const args = ['--engine', 'slowed', '--ops', values.ops, '--repetitions', values.repetitions];

const table = new Map<string, { caught: number; ratios: number[] }>();
for (const spins of levels)
  for (let run = 1; run <= runs; run++) {
    const r = await runInterleaved(side('base', 0), side('head', spins), args, Number(values.rounds));
    const d = decide(comparisons(r.base, r.head), config);
    const cells = d.verdicts.map((v) => `${v.workload}=${(100 * (v.ratio - 1)).toFixed(1)}%${v.verdict === 'regression' ? '!' : v.verdict === 'unjudged' ? '?' : ''}`);
    process.stdout.write(`spins ${spins} run ${run}: ${d.outcome} (exit ${d.exitCode}) ${cells.join(' ')}\n`);
    for (const v of d.verdicts) {
      const key = `${spins}\t${v.workload}`;
      const row = table.get(key) ?? { caught: 0, ratios: [] };
      if (v.verdict === 'regression') row.caught++;
      row.ratios.push(v.ratio);
      table.set(key, row);
    }
  }
process.stdout.write('\nspins\tworkload\tcaught\tmedian change\n');
for (const [key, row] of table)
  process.stdout.write(`${key}\t${row.caught}/${row.ratios.length}\t${(100 * (median(row.ratios) - 1)).toFixed(1)}%\n`);
