/**
 * Every engine lsmbench knows. An engine whose packages are not installed is still
 * listed; `lsmbench engines` says why it is unavailable.
 */
import { delimiter, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { EngineUnavailableError, type Engine, type EngineDescriptor, type LoadContext } from './engine.js';
import { memoryEngine } from '../engines/memory/index.js';
import { externalDescriptor, isExternalEngineName } from './external/driver.js';
import { leveldbEngine } from '../engines/leveldb/index.js';
import { rocksdbEngine } from '../engines/rocksdb/index.js';
import { lmdbEngine } from '../engines/lmdb/index.js';
import { sqliteEngine } from '../engines/sqlite/index.js';
import { tsEngine } from '../engines/ts/engine.js';

export const ENGINES: readonly EngineDescriptor[] = [
  memoryEngine,
  leveldbEngine,
  rocksdbEngine,
  lmdbEngine,
  sqliteEngine,
  tsEngine,
  ...(await extraEngines()),
];

/**
 * Engines from modules named in LSMBENCH_EXTRA_ENGINES (paths separated like PATH), each
 * exporting `engines: EngineDescriptor[]`. Tests use it for engines that misbehave on
 * purpose; a user can use it to try an engine without registering it here. Child
 * processes inherit the variable, so they find the same engines.
 */
async function extraEngines(): Promise<EngineDescriptor[]> {
  const list = process.env.LSMBENCH_EXTRA_ENGINES;
  if (list === undefined || list.trim() === '') return [];
  const found: EngineDescriptor[] = [];
  for (const path of list.split(delimiter).filter((p) => p.trim() !== '')) {
    try {
      const module = (await import(pathToFileURL(resolve(path)).href)) as { engines?: EngineDescriptor[] };
      if (!Array.isArray(module.engines)) throw new Error('it does not export `engines`');
      found.push(...module.engines);
    } catch (err) {
      process.stderr.write(`lsmbench: warning: LSMBENCH_EXTRA_ENGINES: cannot load ${path}: ${err instanceof Error ? err.message : String(err)}\n`);
    }
  }
  return found;
}

export function findEngine(name: string): EngineDescriptor | undefined {
  if (isExternalEngineName(name)) return externalDescriptor(name);
  return ENGINES.find((e) => e.name === name);
}

export type Probe = { available: true; engine: Engine } | { available: false; reason: string };

/** Loads an engine, turning a missing package or a failing load into a reason. */
export async function probeEngine(descriptor: EngineDescriptor, context?: LoadContext): Promise<Probe> {
  try {
    return { available: true, engine: withThreadSharing(await descriptor.load(context)) };
  } catch (err) {
    const reason = err instanceof EngineUnavailableError ? err.message : `failed to load: ${err instanceof Error ? err.message : String(err)}`;
    return { available: false, reason };
  }
}

/**
 * An engine written before the contract had `threads` (an LSMBENCH_EXTRA_ENGINES module, say)
 * is taken as not shareable, with a reason a user can read, instead of failing the run.
 */
export function withThreadSharing(engine: Engine): Engine {
  if ((engine as Partial<Engine>).threads !== undefined) return engine;
  return {
    storeVersion: engine.storeVersion,
    persistent: engine.persistent,
    durability: engine.durability,
    operations: engine.operations,
    api: engine.api,
    threads: { shared: false, reason: 'the engine does not declare whether several threads may share its store (Engine.threads)' },
    ...(engine.optionHelp === undefined ? {} : { optionHelp: engine.optionHelp }),
    open: (options) => engine.open(options),
  };
}
