/** `lsmbench scenarios`: the built-in scenario files. */
import { columnIds, parseColumns, renderTable, terminalWidth, wrapText, type Column } from '../layout.js';
import type { Command } from 'commander';
import { listScenarioNames, loadScenarioFile } from '../scenario.js';

export function registerScenarios(program: Command): void {
  program
    .command('scenarios')
    .description('List the built-in scenarios (files in scenarios/); pass one to `run --scenario`')
    .option('--json', 'print as JSON', false)
    .option('--wide', 'every column, the description too, at full width', false)
    .option('--columns <ids>', 'only these columns: scenario, n, sizes, durability, workloads, description')
    .action(async (flags: { json: boolean; wide: boolean; columns?: string }) => {
      const files = [];
      for (const name of await listScenarioNames()) files.push({ ...(await loadScenarioFile(name)).file, name });
      if (flags.json) {
        process.stdout.write(JSON.stringify(files, null, 2) + '\n');
        return;
      }
      const columns: Column[] = [
        { id: 'scenario', head: 'Scenario' },
        { id: 'n', head: 'N', align: 'right' },
        { id: 'sizes', head: 'Key/value bytes', align: 'right', optional: 2 },
        { id: 'durability', head: 'Durability', optional: 1 },
        { id: 'workloads', head: 'Workloads', wraps: true },
        { id: 'description', head: 'Description', extra: true, wraps: false },
      ];
      // Workloads wrap; the description, a sentence, goes under the table unless asked for as a column.
      const body = files.map((f) => [f.name, f.ops.toLocaleString('en-US'), `${f.keySize}/${f.valueSize}`, f.durability, f.workloads.join(', '), f.description]);
      const choice = { wide: flags.wide, columns: parseColumns(flags.columns, columnIds(columns)) };
      process.stdout.write(renderTable(columns, body, choice) + '\n');
      if (!choice.wide && !(choice.columns ?? []).includes('description'))
        for (const f of files) process.stdout.write(wrapText(`${f.name}: ${f.description}`, terminalWidth(), '  ') + '\n');
    });
}
