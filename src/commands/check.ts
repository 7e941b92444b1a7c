/** `lsmbench check <engine>`: the engine against the contract, one line per check; exit 1 on a failure. */
import type { Command } from 'commander';
import { checkExternal, checkInProcess } from '../check.js';
import type { Verdict } from '../conformance.js';
import { UserError } from '../errors.js';
import { EngineUnavailableError } from '../engine.js';
import { lookupEngine, unknownEngineMessage } from '../registry.js';
import { positiveInt } from './options.js';

const WIDTH = 80;

/** `PASS  name`, `SKIP  name: why`, `FAIL  name: why`, cut to the terminal's 80 columns. */
export function verdictLine(v: Verdict): string {
  const line = v.outcome === 'pass' ? `PASS  ${v.check}` : `${v.outcome.toUpperCase()}  ${v.check}: ${v.reason.replace(/\s+/g, ' ')}`;
  return line.length > WIDTH ? `${line.slice(0, WIDTH - 1)}…` : line;
}

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('Check an engine against the contract (conformance suite, keyspace vectors; external engines: every workload of their protocol version verified)')
    .argument('<engine>', 'a registered engine, or external:<path-to-executable>')
    .option('-n, --ops <n>', 'external engines: keys of each workload run', positiveInt('--ops', 1_000_000), 2000)
    .action(async (name: string, flags: { ops: number }) => {
      const descriptor = lookupEngine(name);
      if (descriptor === undefined) throw new UserError(unknownEngineMessage(name));
      const count = { pass: 0, skip: 0, fail: 0 };
      // An external engine is named in the summary as it names itself: a path may not fit the line.
      let label = name;
      try {
        for await (const v of descriptor.runs === 'external' ? checkExternal(descriptor, flags.ops, (described) => (label = described)) : checkInProcess(descriptor)) {
          count[v.outcome]++;
          process.stdout.write(verdictLine(v) + '\n');
        }
      } catch (err) {
        if (err instanceof EngineUnavailableError) throw new UserError(`${name} is not available: ${err.message}`);
        throw err;
      }
      const skipped = count.skip > 0 ? `, ${count.skip} skipped` : '';
      process.stdout.write(`${label}: ${count.fail === 0 ? 'conforms' : 'DOES NOT CONFORM'}: ${count.pass} passed, ${count.fail} failed${skipped}\n`);
      if (count.fail > 0) process.exitCode = 1;
    });
}
