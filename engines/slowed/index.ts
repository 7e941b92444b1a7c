/**
 * The `slowed` engine, for tests of the regression gate only: the memory engine plus a
 * fixed amount of CPU work per operation (per entry visited, for scans), so a test can
 * inject a real, known slowdown. It is not registered; load it with
 * LSMBENCH_EXTRA_ENGINES=dist/engines/slowed/index.js, so users never see it.
 *
 * The work per operation is the engine option `spins`, else the environment variable
 * LSMBENCH_SLOWED_SPINS, else 0; the operations it slows are the option `ops`, else
 * LSMBENCH_SLOWED_OPS, else all (a comma-separated list of put, get, delete, has, batch,
 * scan). The variables let two runs with identical command lines (the two sides of
 * `lsmbench gate`) differ in speed and in nothing else.
 */
import type { BatchOp, Engine, EngineDescriptor, OpenOptions, ScanRange, ScanVisitor, StoreStats, SyncStore } from '../../src/engine.js';
import { memoryEngine } from '../memory/index.js';

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
  private readonly spins: Readonly<Record<Slowable, number>>;
  constructor(
    private readonly inner: SyncStore,
    spins: number,
    slowed: ReadonlySet<Slowable>,
  ) {
    const of = (op: Slowable): number => (slowed.has(op) ? spins : 0);
    this.spins = { put: of('put'), get: of('get'), delete: of('delete'), has: of('has'), batch: of('batch'), scan: of('scan') };
  }
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

/** The work per operation: the `spins` option, else LSMBENCH_SLOWED_SPINS, else 0. */
export function spinsFor(options: OpenOptions['options'], env: NodeJS.ProcessEnv = process.env): number {
  const text = options.spins ?? env.LSMBENCH_SLOWED_SPINS ?? '0';
  if (!/^\d+$/.test(text)) throw new Error(`slowed: spins must be a whole number, not '${text}'`);
  return Number(text);
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

export const slowedEngine: EngineDescriptor = {
  name: 'slowed',
  description: 'TEST ONLY: the memory engine plus `spins` rounds of CPU work per operation',
  async load(): Promise<Engine> {
    const memory = await memoryEngine.load();
    if (memory.api !== 'sync') throw new Error('slowed wraps a synchronous memory engine');
    return {
      ...memory,
      storeVersion: `${memory.storeVersion} (slowed)`,
      optionHelp: {
        spins: 'rounds of CPU work added to each operation (default: $LSMBENCH_SLOWED_SPINS, else 0)',
        ops: `operations to slow, comma-separated: ${SLOWABLE.join(', ')} (default: $LSMBENCH_SLOWED_OPS, else all)`,
      },
      async open(options) {
        const spins = spinsFor(options.options);
        const ops = slowedOps(options.options);
        return new SlowedStore((await memory.open(options)) as SyncStore, spins, ops);
      },
    };
  },
};

/** For LSMBENCH_EXTRA_ENGINES. */
export const engines: EngineDescriptor[] = [slowedEngine];
