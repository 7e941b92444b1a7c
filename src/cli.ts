#!/usr/bin/env node
/**
 * lsmbench's command line. Every user mistake ends as one line on stderr and exit code 2;
 * a run in which a workload failed ends with exit code 1.
 */
import { Command, CommanderError } from 'commander';
import { UserError, errorMessage } from './errors.js';
import { registerRun } from './commands/run.js';
import { registerEngines } from './commands/engines.js';
import { registerScenarios } from './commands/scenarios.js';
import { registerGate } from './commands/gate.js';
import { registerCompare } from './commands/compare.js';
import { registerReport } from './commands/report.js';
import { registerExport } from './commands/export.js';
import { registerCheck } from './commands/check.js';
import { lsmbenchVersion } from './environment.js';

// A reader that stops early (`lsmbench engines | head`) closes the pipe: that ends the
// output, quietly, as it does for any Unix tool, not with a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const program = new Command();
program
  .name('lsmbench')
  .description('Benchmark LSM-tree key-value stores fairly and reproducibly, every read verified.')
  .version(lsmbenchVersion())
  .exitOverride()
  // One line like every other error: commander's "error: option '-n, --ops <n>' argument
  // 'abc' is invalid. --ops must be ..." loses its prefix and the restated flag, since the
  // parsers' own messages name the option.
  .configureOutput({ outputError: (text, write) => write(`lsmbench: ${oneLineError(text)}\n`) });

function oneLineError(text: string): string {
  const flat = text.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ').trim();
  return flat.replace(/^option '[^']*' argument '[^']*' is invalid\. (?=--)/, '');
}

registerRun(program);
registerEngines(program);
registerScenarios(program);
registerGate(program);
registerCompare(program);
registerReport(program);
registerExport(program);
registerCheck(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // Commander has printed its message already; help and version are not errors.
    process.exitCode = err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help' ? 0 : 2;
  } else if (err instanceof UserError) {
    process.stderr.write(`lsmbench: ${err.message}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`lsmbench: internal error: ${errorMessage(err)}\n${err instanceof Error && process.env.LSMBENCH_DEBUG ? (err.stack ?? '') + '\n' : ''}`);
    process.exitCode = 3;
  }
}
