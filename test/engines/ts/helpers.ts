/** Shared test helpers: a seeded PRNG, byte/string conversions, temp dirs. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const enc = new TextEncoder();
const dec = new TextDecoder();
export const b = (s: string): Uint8Array => enc.encode(s);
export const s = (u: Uint8Array | undefined): string | undefined => (u === undefined ? undefined : dec.decode(u));

/** xorshift32: small, seeded, deterministic. */
export class Rng {
  private x: number;
  constructor(seed: number) {
    this.x = seed >>> 0 || 0x9e3779b9;
  }
  next(): number {
    let x = this.x;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.x = x >>> 0;
    return this.x;
  }
  /** Uniform integer in [0, n). */
  int(n: number): number {
    return this.next() % n;
  }
  float(): number {
    return this.next() / 4294967296;
  }
}

export function tempDir(label: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `lsm-ts-${label}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Sorted [key, value] pairs of a string Map, the order the tree scans in (keys are ASCII). */
export function sortedEntries(m: ReadonlyMap<string, string>): Array<[string, string]> {
  return [...m.entries()].sort(([p], [q]) => (p < q ? -1 : p > q ? 1 : 0));
}
