/** Parsers for command-line values: each rejects bad input with a UserError naming the option. */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { FLAG_PARAM_NAMES, SCENARIO_PARAMS, longFlag, parseWorkloadList, type FlagParamName, type FlagValue, type ScenarioOverrides, type ScenarioParam } from '../scenario.js';

export function positiveInt(name: string, max = Number.MAX_SAFE_INTEGER): (text: string) => number {
  return (text: string) => {
    const clean = text.replace(/_/g, '');
    if (!/^\d+$/.test(clean)) throw new InvalidArgumentError(`${name} must be a positive integer, not '${text}'.`);
    const n = Number(clean);
    if (n <= 0) throw new InvalidArgumentError(`${name} must be a positive integer, not '${text}'.`);
    if (n > max) throw new InvalidArgumentError(`${name} must be at most ${max.toLocaleString('en-US')}.`);
    return n;
  };
}

export function nonNegativeInt(name: string, max: number): (text: string) => number {
  return (text: string) => {
    if (!/^\d+$/.test(text)) throw new InvalidArgumentError(`${name} must be a whole number, not '${text}'.`);
    const n = Number(text);
    if (n > max) throw new InvalidArgumentError(`${name} must be at most ${max}.`);
    return n;
  };
}

export function fraction(name: string): (text: string) => number {
  return (text: string) => {
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError(`${name} must be a number from 0 to 1, not '${text}'.`);
    return n;
  };
}

export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function openFraction(name: string): (text: string) => number {
  return (text: string) => {
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n) || n <= 0 || n >= 1) throw new InvalidArgumentError(`${name} must be a number between 0 and 1 (exclusive), not '${text}'.`);
    return n;
  };
}

/**
 * The commander option of a scenario parameter, from its row in SCENARIO_PARAMS; `help`
 * replaces the row's where a command uses the flag in its own way (the gate's --ops).
 */
export function scenarioOption(name: FlagParamName, help?: string): Option {
  const param: ScenarioParam & { readonly flag: string; readonly value: FlagValue } = SCENARIO_PARAMS[name];
  const flag = longFlag(name);
  const option = new Option(param.short === undefined ? param.flag : `${param.short}, ${param.flag}`, help ?? param.help);
  const value = param.value;
  switch (value.kind) {
    case 'positive-int':
      return option.argParser(positiveInt(flag, value.max));
    case 'whole':
      return option.argParser(nonNegativeInt(flag, value.max));
    case 'fraction':
      return option.argParser(fraction(flag));
    case 'open-fraction':
      return option.argParser(openFraction(flag));
    case 'choice':
      return option.choices(value.choices);
    case 'workloads':
      return option.argParser(parseWorkloadList);
  }
}

/** Adds the options of these scenario parameters (default: every one with a flag) to a command. */
export function addScenarioOptions(command: Command, names: readonly FlagParamName[] = FLAG_PARAM_NAMES): Command {
  for (const name of names) command.addOption(scenarioOption(name));
  return command;
}

/** The scenario overrides the parsed options of `addScenarioOptions` make. */
export function scenarioOverrides(opts: Readonly<Record<string, unknown>>, names: readonly FlagParamName[] = FLAG_PARAM_NAMES): ScenarioOverrides {
  return Object.fromEntries(names.map((name) => [name, opts[scenarioOption(name).attributeName()]])) as ScenarioOverrides;
}
