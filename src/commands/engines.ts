/** `lsmbench engines`: every registered engine, whether it is installed, and what it honours. */
import Table from 'cli-table3';
import type { Command } from 'commander';
import { OPERATIONS } from '../engine.js';
import { ALL_ENGINES, probeEngine } from '../registry.js';

export function registerEngines(program: Command): void {
  program
    .command('engines')
    .description('List the engines: store version, availability (or why not), durability modes, emulated operations, whether threads can share a store')
    .option('--json', 'print as JSON', false)
    .action(async (flags: { json: boolean }) => {
      const rows = [];
      for (const d of ALL_ENGINES) {
        const probe = await probeEngine(d);
        rows.push(
          probe.available
            ? {
                name: d.name,
                description: d.description,
                ...('yardstick' in d && d.yardstick !== undefined ? { yardstick: d.yardstick } : {}),
                available: true,
                storeVersion: probe.engine.storeVersion,
                api: probe.engine.api,
                persistent: probe.engine.persistent,
                durability: [...probe.engine.durability],
                emulated: OPERATIONS.filter((op) => probe.engine.operations[op] === 'emulated'),
                options: (probe.runs === 'in-process' ? probe.engine.optionHelp : undefined) ?? {},
                threads: probe.engine.threads,
              }
            : { name: d.name, description: d.description, available: false, reason: probe.reason },
        );
      }
      if (flags.json) {
        process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
        return;
      }
      const table = new Table({
        head: ['Engine', 'Store version', 'Available', 'Durability', 'API', 'Emulated ops', 'Threads', 'Description'],
        style: { head: [], border: [] },
        wordWrap: true,
        colWidths: [13, 22, 26, 16, 7, 16, 10, 40],
      });
      for (const r of rows)
        table.push(
          'reason' in r
            ? [r.name, '', `no: ${r.reason}`, '', '', '', '', r.description]
            : [r.name + ('yardstick' in r ? '\n(yardstick)' : ''), r.storeVersion, 'yes', r.durability.join(', '), r.api, r.emulated.join(', ') || 'none', r.threads.shared ? 'shared' : 'no', r.description],
        );
      process.stdout.write(table.toString() + '\n');
      process.stdout.write("Threads: 'shared' engines can run with --threads N and read-while-writing's writer thread; `lsmbench engines --json` says how, or why not.\n");
    });
}
