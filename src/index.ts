/**
 * The package's entry point for engine authors: the engine contract's types, and the
 * helpers an engine implementation uses. The conformance suite is 'lsmbench/conformance'.
 */
export type {
  AsyncStore,
  BatchOp,
  Durability,
  Engine,
  EngineDescriptor,
  OpenOptions,
  Operation,
  ScanRange,
  ScanVisitor,
  Store,
  StoreStats,
  Support,
  SyncStore,
  ThreadSharing,
} from './engine.js';
export {
  DURABILITY_MODES,
  OPERATIONS,
  EngineUnavailableError,
  compareBytes,
  nearestDurability,
  prefixEnd,
  rejectUnknownOptions,
  scanBounds,
  startsWith,
} from './engine.js';
export type { ResultsFile, WorkloadResult, EngineRun, Environment } from './results.js';
export { ResultsFileSchema, RESULTS_SCHEMA, RESULTS_VERSION } from './results.js';
