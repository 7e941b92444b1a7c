/** `lsmbench compare`: the document's table (Operation | A | B | Ratio (A/B)) for engines from one or more results files. */
import { Option, type Command } from 'commander';
import { buildComparison } from '../report/compare.js';
import { compareJson, compareMarkdown, compareTerminal } from '../report/compare-output.js';
import { loadSides } from '../report/model.js';
import { EXPORT_FORMATS, exportText, type ExportFormat } from '../export/formats.js';

interface CompareFlags {
  format: 'text' | 'md' | 'json' | ExportFormat;
  baseline?: string;
}

export function registerCompare(program: Command): void {
  program
    .command('compare')
    .description('Compare engines across results files: ops/s side by side and ratios with 95% confidence intervals')
    .argument('<results...>', 'results files; file.json#label picks engines of a file (e.g. results/reference/nim-vs-rust-lsm-benchmark.json#Rust)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'md', 'json', ...EXPORT_FORMATS]).default('text'))
    .option('-b, --baseline <engine>', 'divide every other engine by this one (default: the first engine over each other one, as the document does)')
    .action(async (args: string[], flags: CompareFlags) => {
      const { sides } = await loadSides(args);
      const cmp = buildComparison(sides, { baseline: flags.baseline });
      if ((EXPORT_FORMATS as readonly string[]).includes(flags.format)) process.stdout.write(exportText(flags.format as ExportFormat, sides, cmp));
      else if (flags.format === 'json') process.stdout.write(JSON.stringify(compareJson(cmp), null, 2) + '\n');
      else if (flags.format === 'md') process.stdout.write(compareMarkdown(cmp));
      else process.stdout.write(compareTerminal(cmp));
    });
}
