/**
 * The `slowed` engine: the calibration wrapper of `lsmbench gate --calibrate` and of the
 * gate's tests. It is another in-process engine (memory by default, LSMBENCH_SLOWED_INNER
 * names another, e.g. ts) plus a known amount of CPU work per operation (per entry
 * visited, for scans), so a slowdown of known size can be injected. It is not
 * registered: the gate loads it into its child runs through LSMBENCH_EXTRA_ENGINES
 * (SLOWED_MODULE), so `lsmbench engines` never lists it.
 *
 * The work is the engine option `spins`, else LSMBENCH_SLOWED_SPINS, else 0: a number of
 * rounds for every slowed operation, or per operation as `get:300,put:120`. The
 * operations slowed are the option `ops`, else LSMBENCH_SLOWED_OPS, else all (a
 * comma-separated list of put, get, delete, has, batch, scan). The variables let two runs
 * with identical command lines (the two sides of `lsmbench gate`) differ in speed and in
 * nothing else.
 */
import { fileURLToPath } from 'node:url';
import type { BatchOp, Engine, EngineDescriptor, OpenOptions, ScanRange, ScanVisitor, StoreStats, SyncStore } from '../engine.js';

/** The module to name in LSMBENCH_EXTRA_ENGINES. */
export const SLOWED_MODULE = fileURLToPath(import.meta.url);

/** Written by every burn, so the optimizer cannot drop the loop. */
let sink = 0;

/** `spins` rounds of an integer mix: work that costs time and allocates nothing. */
function burn(spins: number): void {
  let x = sink | 1;
  for (let i = 0; i < spins; i++) x = (Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) + i) | 0;
  sink = x;
}

export const SLOWABLE = ['put', 'get', 'delete', 'has', 'batch', 'scan'] as const;
export type Slowable = (typeof SLOWABLE)[number];

class SlowedStore implements SyncStore {
  readonly api = 'sync' as const;
  constructor(
    private readonly inner: SyncStore,
    private readonly spins: Readonly<Record<Slowable, number>>,
  ) {}
  put(key: Uint8Array, value: Uint8Array): void {
    burn(this.spins.put);
    this.inner.put(key, value);
  }
  get(key: Uint8Array): Uint8Array | undefined {
    burn(this.spins.get);
    return this.inner.get(key);
  }
  delete(key: Uint8Array): void {
    burn(this.spins.delete);
    this.inner.delete(key);
  }
  has(key: Uint8Array): boolean {
    burn(this.spins.has);
    return this.inner.has(key);
  }
  batch(ops: readonly BatchOp[]): void {
    burn(this.spins.batch * ops.length);
    this.inner.batch(ops);
  }
  scan(range: ScanRange, visit: ScanVisitor): number {
    const spins = this.spins.scan;
    if (spins === 0) return this.inner.scan(range, visit);
    return this.inner.scan(range, (key, value) => {
      burn(spins);
      return visit(key, value);
    });
  }
  settle(): Promise<void> {
    return this.inner.settle();
  }
  stats(): StoreStats {
    const inner = this.inner.stats();
    return { ...inner, extra: { ...inner.extra, ...Object.fromEntries(SLOWABLE.map((op) => [`spins.${op}`, this.spins[op]])) } };
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

/**
 * The work per operation: the `spins` option, else LSMBENCH_SLOWED_SPINS, else 0; either
 * one number for every operation in `ops`, or `op:n` pairs (operations not named: 0).
 */
export function spinsFor(options: OpenOptions['options'], ops: ReadonlySet<Slowable>, env: NodeJS.ProcessEnv = process.env): Record<Slowable, number> {
  const text = (options.spins ?? env.LSMBENCH_SLOWED_SPINS ?? '0').trim();
  const out: Record<Slowable, number> = { put: 0, get: 0, delete: 0, has: 0, batch: 0, scan: 0 };
  if (/^\d+$/.test(text)) {
    for (const op of ops) out[op] = Number(text);
    return out;
  }
  for (const part of text.split(',')) {
    const m = /^\s*([a-z]+):(\d+)\s*$/.exec(part);
    if (m === null || !(SLOWABLE as readonly string[]).includes(m[1]!))
      throw new Error(`slowed: spins must be a whole number or op:n pairs (ops: ${SLOWABLE.join(', ')}), not '${text}'`);
    const op = m[1] as Slowable;
    if (ops.has(op)) out[op] = Number(m[2]);
  }
  return out;
}

/** The operations to slow: the `ops` option, else LSMBENCH_SLOWED_OPS, else all of them. */
export function slowedOps(options: OpenOptions['options'], env: NodeJS.ProcessEnv = process.env): Set<Slowable> {
  const text = options.ops ?? env.LSMBENCH_SLOWED_OPS ?? '';
  if (text.trim() === '') return new Set(SLOWABLE);
  const ops = new Set<Slowable>();
  for (const name of text.split(',').map((s) => s.trim())) {
    if (!(SLOWABLE as readonly string[]).includes(name)) throw new Error(`slowed: unknown operation '${name}' (known: ${SLOWABLE.join(', ')})`);
    ops.add(name as Slowable);
  }
  return ops;
}

const INNER_OPTIONS = new Set(['spins', 'ops']);

export const slowedEngine: EngineDescriptor = {
  name: 'slowed',
  description: 'CALIBRATION ONLY: another engine plus `spins` rounds of CPU work per operation',
  async load(): Promise<Engine> {
    // Imported here, not at the top: the registry imports this module while it loads its extra engines.
    const { findEngine } = await import('../registry.js');
    const innerName = process.env.LSMBENCH_SLOWED_INNER ?? 'memory';
    const descriptor = innerName === 'slowed' ? undefined : findEngine(innerName);
    if (descriptor === undefined) throw new Error(`slowed: no engine '${innerName}' to wrap (LSMBENCH_SLOWED_INNER)`);
    const inner = await descriptor.load();
    if (inner.api !== 'sync') throw new Error(`slowed wraps synchronous engines, and '${innerName}' is not one`);
    return {
      ...inner,
      storeVersion: `${inner.storeVersion} (${innerName}, slowed)`,
      optionHelp: {
        ...inner.optionHelp,
        spins: 'rounds of CPU work per operation, or op:n pairs (default: $LSMBENCH_SLOWED_SPINS, else 0)',
        ops: `operations to slow, comma-separated: ${SLOWABLE.join(', ')} (default: $LSMBENCH_SLOWED_OPS, else all)`,
      },
      async open(options) {
        const spins = spinsFor(options.options, slowedOps(options.options));
        const rest = Object.fromEntries(Object.entries(options.options).filter(([k]) => !INNER_OPTIONS.has(k)));
        return new SlowedStore((await inner.open({ ...options, options: rest })) as SyncStore, spins);
      },
    };
  },
};

/** For LSMBENCH_EXTRA_ENGINES. */
export const engines: EngineDescriptor[] = [slowedEngine];
