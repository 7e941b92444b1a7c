/** Parsers for command-line values: each rejects bad input with a UserError naming the option. */
import { InvalidArgumentError } from 'commander';

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
