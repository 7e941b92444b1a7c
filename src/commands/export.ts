/** `lsmbench export`: results files in the formats dashboards read (src/export/formats.ts). */
import { Option, type Command } from 'commander';
import { EXPORT_FORMATS, exportText, type ExportFormat } from '../export/formats.js';
import { loadSides } from '../report/model.js';

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('Print results as github-action-benchmark JSON (ops/s, or latency), Bencher BMF JSON or CSV')
    .argument('<results...>', 'results files; file.json#label picks engines of a file')
    .addOption(new Option('-f, --format <format>', 'output format').choices([...EXPORT_FORMATS]).makeOptionMandatory())
    .action(async (args: string[], flags: { format: ExportFormat }) => {
      const { sides } = await loadSides(args);
      process.stdout.write(exportText(flags.format, sides));
    });
}
