/** `lsmbench engines`: every registered engine, whether it is installed, and what it honours. */
import type { Command } from 'commander';
import { OPERATIONS } from '../engine.js';
import { columnIds, parseColumns, renderTable, type Column } from '../layout.js';
import { ALL_ENGINES, probeEngine } from '../registry.js';

export function registerEngines(program: Command): void {
  program
    .command('engines')
    .description('List the engines: store version, availability (or why not), durability modes, emulated operations, whether threads can share a store')
    .option('--json', 'print as JSON', false)
    .option('--wide', 'every column at full width, whatever the terminal', false)
    .option('--columns <ids>', 'only these columns: engine, version, available, durability, api, emulated, threads, description')
    .action(async (flags: { json: boolean; wide: boolean; columns?: string }) => {
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
      const columns: Column[] = [
        { id: 'engine', head: 'Engine' },
        { id: 'version', head: 'Store version', optional: 3 },
        { id: 'available', head: 'Available' },
        { id: 'durability', head: 'Durability' },
        { id: 'api', head: 'API', optional: 2 },
        { id: 'emulated', head: 'Emulated ops', optional: 1 },
        { id: 'threads', head: 'Threads', optional: 1 },
        { id: 'description', head: 'Description', wraps: true },
      ];
      const body = rows.map((r) =>
        'reason' in r
          ? [r.name, '', 'no', '', '', '', '', `${r.description}. Not available: ${r.reason}`]
          : [r.name, r.storeVersion, 'yes', r.durability.join(', '), r.api, r.emulated.join(', ') || 'none', r.threads.shared ? 'shared' : 'no', ('yardstick' in r ? '(yardstick) ' : '') + r.description],
      );
      process.stdout.write(renderTable(columns, body, { wide: flags.wide, columns: parseColumns(flags.columns, columnIds(columns)) }) + '\n');
      process.stdout.write("Threads: 'shared' engines can run with --threads N and read-while-writing's\nwriter thread; `lsmbench engines --json` says how, or why not.\n");
    });
}
