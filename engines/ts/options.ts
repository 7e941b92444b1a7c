/**
 * Checks a tree's options at open, before anything is read or written: a value that is
 * not a number in range (NaN, Infinity, a fraction, a negative count) is refused with a
 * message naming the option, rather than looping (NaN never fills a memtable) or failing
 * later inside an allocation.
 */
import { InvalidOptionError } from './errors.js';

/** The smallest value each integer option takes; every one is at most Number.MAX_SAFE_INTEGER. */
const INTEGER_MINIMUM = {
  memtableBytes: 1,
  maxImmutableMemtables: 0,
  blockCacheBytes: 0,
  blockSize: 1,
  restartInterval: 1,
  bloomBitsPerKey: 0,
  l0CompactionTrigger: 0,
  l0SlowdownTrigger: 0,
  l0StopTrigger: 0,
  baseLevelBytes: 1,
  levelMultiplier: 1,
  targetFileBytes: 1,
  maxLevels: 1,
} as const;

const CHOICES = {
  durability: ['none', 'os', 'fsync'],
  recovery: ['strict', 'truncate'],
} as const;

const BOOLEANS = ['deferFlush', 'dynamicLevelBytes', 'autoCompaction', 'backgroundThread'] as const;

/** Throws InvalidOptionError for the first option of `options` that is out of range. */
export function checkTreeOptions(options: object): void {
  const given = options as Readonly<Record<string, unknown>>;
  for (const [name, min] of Object.entries(INTEGER_MINIMUM)) {
    const v = given[name];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min)
      throw new InvalidOptionError(name, `must be an integer from ${min} to ${Number.MAX_SAFE_INTEGER}, not ${shown(v)}`);
  }
  for (const [name, allowed] of Object.entries(CHOICES)) {
    const v = given[name];
    if (v !== undefined && !(allowed as readonly unknown[]).includes(v)) throw new InvalidOptionError(name, `must be one of ${allowed.join(', ')}, not ${shown(v)}`);
  }
  for (const name of BOOLEANS) {
    const v = given[name];
    if (v !== undefined && typeof v !== 'boolean') throw new InvalidOptionError(name, `must be true or false, not ${shown(v)}`);
  }
  if (given.backgroundThread === true && given.fs !== undefined)
    throw new InvalidOptionError('backgroundThread', 'needs the real file system: the job thread cannot use the fs given');
}

const shown = (v: unknown): string => (typeof v === 'string' ? `'${v}'` : String(v));
