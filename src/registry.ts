/**
 * Every engine lsmbench knows. An engine whose packages are not installed is still
 * listed; `lsmbench engines` says why it is unavailable.
 */
import { EngineUnavailableError, type Engine, type EngineDescriptor } from './engine.js';
import { memoryEngine } from '../engines/memory/index.js';
import { tsEngine } from '../engines/ts/engine.js';

export const ENGINES: readonly EngineDescriptor[] = [
  memoryEngine,
  tsEngine,
];

export function findEngine(name: string): EngineDescriptor | undefined {
  return ENGINES.find((e) => e.name === name);
}

export type Probe = { available: true; engine: Engine } | { available: false; reason: string };

/** Loads an engine, turning a missing package or a failing load into a reason. */
export async function probeEngine(descriptor: EngineDescriptor): Promise<Probe> {
  try {
    return { available: true, engine: await descriptor.load() };
  } catch (err) {
    const reason = err instanceof EngineUnavailableError ? err.message : `failed to load: ${err instanceof Error ? err.message : String(err)}`;
    return { available: false, reason };
  }
}
