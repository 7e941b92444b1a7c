/** The deterministic operation stream the crash test's child writes and the parent replays as its model. */
import type { TreeOptions } from '../../../engines/ts/tree.js';

const enc = new TextEncoder();

/** Options of the crash child: small memtables; with `leveled`, tiny levels too, so compactions run all the time. */
export function crashTreeOptions(leveled: boolean): TreeOptions {
  const base: TreeOptions = { memtableBytes: 48 * 1024, blockSize: 1024 };
  if (!leveled) return base;
  return {
    ...base,
    memtableBytes: 16 * 1024,
    l0CompactionTrigger: 2,
    l0SlowdownTrigger: 4,
    l0StopTrigger: 8,
    baseLevelBytes: 48 * 1024,
    levelMultiplier: 3,
    targetFileBytes: 12 * 1024,
    maxLevels: 5,
  };
}

export interface CrashOp {
  readonly key: Uint8Array;
  /** Second key written in the same batch (ops with i % 11 === 5). */
  readonly key2: Uint8Array;
  /** undefined for a delete */
  readonly value: Uint8Array | undefined;
}

export const crashKey = (n: number): string => String(n % 1500).padStart(16, '0');

export function crashOp(i: number): CrashOp {
  const key = enc.encode(crashKey(i * 7));
  const key2 = enc.encode(`batch-${crashKey(i)}`);
  const value = i % 9 === 4 ? undefined : enc.encode(`value-${i}-${'v'.repeat(80)}`);
  return { key, key2, value };
}

/** Applies op i to a string model the way the child applies it to the tree. */
export function applyCrashOp(model: Map<string, string>, i: number): void {
  const dec = new TextDecoder();
  const op = crashOp(i);
  const k = dec.decode(op.key);
  if (op.value === undefined) model.delete(k);
  else {
    model.set(k, dec.decode(op.value));
    if (i % 11 === 5) model.set(dec.decode(op.key2), dec.decode(op.value));
  }
}
