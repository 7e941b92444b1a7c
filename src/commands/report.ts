/** `lsmbench report`: a Markdown report in the reference document's shape, with SVG charts beside it. */
import type { Command } from 'commander';
import { lsmbenchVersion } from '../environment.js';
import { buildComparison } from '../report/compare.js';
import { loadSides } from '../report/model.js';
import { writeReport } from '../report/write.js';

interface ReportFlags {
  out: string;
  baseline?: string;
}

const quote = (s: string): string => (/^[A-Za-z0-9_./:=,#@-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('Write a Markdown report (summary, ratios with confidence intervals, detail, observations) and SVG charts from results files')
    .argument('<results...>', 'results files (one engine is enough; with more, ratios between them); file.json#label picks engines of a file')
    .option('-o, --out <file.md>', 'report path; the charts are written beside it as <name>-*.svg (existing files are replaced)', 'report.md')
    .option('-b, --baseline <engine>', 'divide every other engine by this one (default: the first engine over each other one)')
    .action(async (args: string[], flags: ReportFlags) => {
      const { files, sides } = await loadSides(args);
      const cmp = buildComparison(sides, { baseline: flags.baseline, single: true });
      const command = ['lsmbench', 'report', ...args, '-o', flags.out, ...(flags.baseline ? ['--baseline', flags.baseline] : [])].map(quote).join(' ');
      const written = await writeReport(flags.out, { cmp, files, command, lsmbenchVersion: lsmbenchVersion(), generatedAt: new Date() });
      process.stdout.write(`Report: ${written.markdown}\n${written.charts.map((c) => `Chart: ${c}\n`).join('')}`);
    });
}
