/** The native TypeScript LSM tree: the library's public surface. */
export { Tree, WriteBatch, Snapshot, VERSION, type TreeOptions, type Durability, type Range, type Visitor, type BatchOperation, type TreeStats } from './tree.js';
export { CorruptionError, WalCorruptionError, ManifestCorruptionError, TableCorruptionError, TreeClosedError, InvalidOptionError } from './errors.js';
export { NodeFileSystem, type FileSystem, type WritableFile, type ReadableFile } from './fs.js';
export { FaultFileSystem, FaultInjectionError, type CrashOptions } from './fault-fs.js';
export { MAX_SEQ } from './coding.js';
