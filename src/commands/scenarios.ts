/** `lsmbench scenarios`: the built-in scenario files. */
import Table from 'cli-table3';
import type { Command } from 'commander';
import { listScenarioNames, loadScenarioFile } from '../scenario.js';

export function registerScenarios(program: Command): void {
  program
    .command('scenarios')
    .description('List the built-in scenarios (files in scenarios/); pass one to `run --scenario`')
    .option('--json', 'print as JSON', false)
    .action(async (flags: { json: boolean }) => {
      const files = [];
      for (const name of await listScenarioNames()) files.push({ ...(await loadScenarioFile(name)).file, name });
      if (flags.json) {
        process.stdout.write(JSON.stringify(files, null, 2) + '\n');
        return;
      }
      const table = new Table({
        head: ['Scenario', 'N', 'Key', 'Value', 'Durability', 'Workloads', 'Description'],
        style: { head: [], border: [] },
        wordWrap: true,
        colWidths: [16, 11, 5, 7, 12, 30, 44],
      });
      for (const f of files)
        table.push([f.name, f.ops.toLocaleString('en-US'), String(f.keySize), String(f.valueSize), f.durability, f.workloads.join(', '), f.description]);
      process.stdout.write(table.toString() + '\n');
    });
}
