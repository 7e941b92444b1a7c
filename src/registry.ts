/**
 * Every engine lsmbench knows. An engine whose packages are not installed is still
 * listed; `lsmbench engines` says why it is unavailable.
 */
import { delimiter, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { EngineUnavailableError, type Engine, type EngineDescriptor, type LoadContext } from './engine.js';
import type { ExternalEngine, ExternalEngineDescriptor } from './job.js';
import { memoryEngine } from '../engines/memory/index.js';
import { REGISTERED_EXTERNAL_ENGINES, externalEngineAt } from './external/driver.js';
import { leveldbEngine } from '../engines/leveldb/index.js';
import { rocksdbEngine } from '../engines/rocksdb/index.js';
import { lmdbEngine } from '../engines/lmdb/index.js';
import { sqliteEngine } from '../engines/sqlite/index.js';
import { tsEngine } from '../engines/ts/engine.js';
import { floorEngine } from '../engines/floor/index.js';

/** The engines whose stores run in lsmbench's own child processes (what the conformance suite checks). */
export const ENGINES: readonly EngineDescriptor[] = [
  memoryEngine,
  leveldbEngine,
  rocksdbEngine,
  lmdbEngine,
  sqliteEngine,
  tsEngine,
  floorEngine,
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

/** An engine of either kind: in process, or external through the protocol. */
export type RegisteredEngine = EngineDescriptor | ExternalEngineDescriptor;

/** Every registered engine, in process first; `external:<path>` names are found by lookupEngine. */
export const ALL_ENGINES: readonly RegisteredEngine[] = [...ENGINES, ...REGISTERED_EXTERNAL_ENGINES];

/** The error for a name no engine has, listing the ones a user can ask for. */
export function unknownEngineMessage(name: string): string {
  return `unknown engine '${name}' (known: ${[...ALL_ENGINES.map((e) => e.name), 'external:<path>'].join(', ')}; see 'lsmbench engines')`;
}

/** An in-process engine by name: what a child process opens. */
export function findEngine(name: string): EngineDescriptor | undefined {
  return ENGINES.find((e) => e.name === name);
}

/** An engine of either kind by name, including `external:<path>`. */
export function lookupEngine(name: string): RegisteredEngine | undefined {
  return ALL_ENGINES.find((e) => e.name === name) ?? externalEngineAt(name);
}

/** A loaded engine, with how it runs. */
export type LoadedEngine = { readonly runs: 'in-process'; readonly engine: Engine } | { readonly runs: 'external'; readonly engine: ExternalEngine };
type Unavailable = { readonly available: false; readonly reason: string };
export type Probe = ({ readonly available: true } & LoadedEngine) | Unavailable;

/** Loads an engine, turning a missing package or a failing load into a reason. */
export async function probeEngine(descriptor: EngineDescriptor, context?: LoadContext): Promise<{ readonly available: true; readonly runs: 'in-process'; readonly engine: Engine } | Unavailable>;
export async function probeEngine(descriptor: RegisteredEngine, context?: LoadContext): Promise<Probe>;
export async function probeEngine(descriptor: RegisteredEngine, context?: LoadContext): Promise<Probe> {
  try {
    if (descriptor.runs === 'external') return { available: true, runs: 'external', engine: await descriptor.load(context) };
    return { available: true, runs: 'in-process', engine: withThreadSharing(await descriptor.load(context)) };
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
