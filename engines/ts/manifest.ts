/**
 * The manifest: a log (log.ts framing) of version edits, each one JSON document per
 * record, and a CURRENT file naming the live manifest.
 *
 * The version (which tables exist at which level, which WAL files are still needed,
 * the last sequence number) is rebuilt by folding edits with `applyEdit`, a pure
 * function. Every open writes a fresh manifest holding one snapshot edit and switches
 * CURRENT to it atomically: write CURRENT.tmp, fsync it, rename it over CURRENT,
 * fsync the directory.
 */
import { ManifestCorruptionError } from './errors.js';
import { joinPath, type FileSystem, type PendingSync } from './fs.js';
import { LogWriter, readLog, RECORD_MANIFEST_EDIT, type LogRecoveryMode } from './log.js';
import { CURRENT_CONTENT_RE, CURRENT_FILE, CURRENT_TEMP_FILE, manifestName } from './file-names.js';
import type { TableMeta } from './table.js';

export interface TableEntry extends TableMeta {
  readonly level: number;
}

export interface VersionEdit {
  /** WAL files numbered below this hold nothing that is not in a table. */
  readonly logNumber?: number;
  readonly nextFile?: number;
  readonly lastSeq?: number;
  readonly add?: readonly TableEntry[];
  readonly remove?: readonly number[];
}

export interface VersionState {
  readonly logNumber: number;
  readonly nextFile: number;
  readonly lastSeq: number;
  /** Tables by id. */
  readonly tables: ReadonlyMap<number, TableEntry>;
}

export const EMPTY_VERSION: VersionState = { logNumber: 0, nextFile: 1, lastSeq: 0, tables: new Map() };

/** Folds one edit into a version. Pure: recovery replays the same function the writer used. */
export function applyEdit(state: VersionState, edit: VersionEdit): VersionState {
  const tables = new Map(state.tables);
  for (const id of edit.remove ?? []) tables.delete(id);
  for (const t of edit.add ?? []) tables.set(t.id, t);
  return {
    logNumber: Math.max(state.logNumber, edit.logNumber ?? 0),
    nextFile: Math.max(state.nextFile, edit.nextFile ?? 0),
    lastSeq: Math.max(state.lastSeq, edit.lastSeq ?? 0),
    tables,
  };
}

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));

interface JsonTable {
  level: number;
  id: number;
  size: number;
  entries: number;
  smallest: string;
  largest: string;
  minSeq: number;
  maxSeq: number;
}
interface JsonEdit {
  logNumber?: number;
  nextFile?: number;
  lastSeq?: number;
  add?: JsonTable[];
  remove?: number[];
}

export function encodeEdit(edit: VersionEdit): Uint8Array {
  const json: JsonEdit = {};
  if (edit.logNumber !== undefined) json.logNumber = edit.logNumber;
  if (edit.nextFile !== undefined) json.nextFile = edit.nextFile;
  if (edit.lastSeq !== undefined) json.lastSeq = edit.lastSeq;
  if (edit.add !== undefined)
    json.add = edit.add.map((t) => ({ level: t.level, id: t.id, size: t.size, entries: t.entries, smallest: hex(t.smallest), largest: hex(t.largest), minSeq: t.minSeq, maxSeq: t.maxSeq }));
  if (edit.remove !== undefined) json.remove = [...edit.remove];
  return new TextEncoder().encode(JSON.stringify(json));
}

const isNat = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** Decodes an edit; throws RangeError when the record is not a well-formed edit. */
export function decodeEdit(payload: Uint8Array): VersionEdit {
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch (err) {
    throw new RangeError(`edit is not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new RangeError('edit is not an object');
  const o = raw as Record<string, unknown>;
  const edit: { logNumber?: number; nextFile?: number; lastSeq?: number; add?: TableEntry[]; remove?: number[] } = {};
  for (const f of ['logNumber', 'nextFile', 'lastSeq'] as const) {
    const v = o[f];
    if (v === undefined) continue;
    if (!isNat(v)) throw new RangeError(`bad ${f}`);
    edit[f] = v;
  }
  if (o.add !== undefined) {
    if (!Array.isArray(o.add)) throw new RangeError('bad add');
    edit.add = o.add.map((t: unknown) => {
      if (typeof t !== 'object' || t === null) throw new RangeError('bad table');
      const r = t as Record<string, unknown>;
      for (const f of ['level', 'id', 'size', 'entries', 'minSeq', 'maxSeq']) if (!isNat(r[f])) throw new RangeError(`bad table ${f}`);
      if (typeof r.smallest !== 'string' || typeof r.largest !== 'string') throw new RangeError('bad table key range');
      return {
        level: r.level as number,
        id: r.id as number,
        size: r.size as number,
        entries: r.entries as number,
        smallest: unhex(r.smallest),
        largest: unhex(r.largest),
        minSeq: r.minSeq as number,
        maxSeq: r.maxSeq as number,
      };
    });
  }
  if (o.remove !== undefined) {
    if (!Array.isArray(o.remove) || !o.remove.every(isNat)) throw new RangeError('bad remove');
    edit.remove = o.remove as number[];
  }
  return edit;
}

/** The edit that recreates `state` from an empty version. */
export function snapshotEdit(state: VersionState): VersionEdit {
  return { logNumber: state.logNumber, nextFile: state.nextFile, lastSeq: state.lastSeq, add: [...state.tables.values()] };
}

export interface RecoveredManifest {
  readonly state: VersionState;
  /** The manifest file CURRENT names, or undefined for a new store. */
  readonly file: string | undefined;
  /**
   * True when the manifest was read to a clean end: no torn tail, no damaged record
   * skipped. Only then may recovery delete table files the manifest does not name.
   */
  readonly clean: boolean;
  /** Bytes of the manifest read as complete records, and its path (for errors). */
  readonly validLength?: number;
  readonly path?: string;
}

/**
 * Reads CURRENT and folds the manifest it names. A store without CURRENT is new (the
 * first CURRENT is written before any data is accepted). A torn tail is ignored; a
 * complete record that fails its checksum or does not decode throws
 * ManifestCorruptionError in `strict` mode and ends the replay in `truncate` mode.
 */
export function recoverManifest(fs: FileSystem, dir: string, mode: LogRecoveryMode): RecoveredManifest {
  const currentPath = joinPath(dir, CURRENT_FILE);
  if (!fs.exists(currentPath)) return { state: EMPTY_VERSION, file: undefined, clean: true };
  const current = new TextDecoder().decode(fs.readAll(currentPath));
  const m = CURRENT_CONTENT_RE.exec(current);
  if (m === null) throw new ManifestCorruptionError(currentPath, 0, `CURRENT does not name a manifest: ${JSON.stringify(current.slice(0, 40))}`);
  const name = m[1]!;
  const path = joinPath(dir, name);
  if (!fs.exists(path)) throw new ManifestCorruptionError(currentPath, 0, `CURRENT names ${name}, which does not exist`);
  const parsed = readLog(fs.readAll(path), mode, (offset, reason) => new ManifestCorruptionError(path, offset, reason));
  // The first record (the whole version) is synced before CURRENT names the file: a
  // manifest without it is damage, never a crash, and opening it would lose every table.
  if (parsed.records.length === 0) throw new ManifestCorruptionError(path, 0, 'no complete first record (the version snapshot written before CURRENT named this manifest)');
  let state = EMPTY_VERSION;
  let clean = !parsed.tornTail && parsed.corruptAt === undefined;
  for (const rec of parsed.records) {
    let edit: VersionEdit;
    try {
      if (rec.type !== RECORD_MANIFEST_EDIT) throw new RangeError(`unknown record type ${rec.type}`);
      edit = decodeEdit(rec.payload);
    } catch (err) {
      if (!(err instanceof RangeError)) throw err;
      if (mode === 'strict') throw new ManifestCorruptionError(path, rec.offset, err.message);
      clean = false;
      break;
    }
    state = applyEdit(state, edit);
  }
  return { state, file: name, clean, validLength: parsed.validLength, path };
}

/** The live manifest, open for appending edits. */
export class Manifest {
  private constructor(
    private readonly writer: LogWriter,
    readonly name: string,
  ) {}

  /**
   * Writes a new manifest holding `state` as one edit, syncs it, and makes CURRENT
   * name it (atomic rename, then directory sync).
   */
  static create(fs: FileSystem, dir: string, number: number, state: VersionState): Manifest {
    const name = manifestName(number);
    const writer = new LogWriter(fs.create(joinPath(dir, name)));
    writer.addRecord(RECORD_MANIFEST_EDIT, encodeEdit(snapshotEdit(state)));
    writer.sync();
    const tmp = joinPath(dir, CURRENT_TEMP_FILE);
    const cur = fs.create(tmp);
    const text = new TextEncoder().encode(`${name}\n`);
    cur.append(text, 0, text.length);
    cur.sync();
    cur.close();
    fs.rename(tmp, joinPath(dir, CURRENT_FILE));
    fs.syncDir(dir);
    return new Manifest(writer, name);
  }

  /** Appends an edit and syncs it: when this returns the edit survives power loss. */
  append(edit: VersionEdit): void {
    this.writer.addRecord(RECORD_MANIFEST_EDIT, encodeEdit(edit));
    this.writer.sync();
  }

  /**
   * Appends an edit and starts its sync on another thread where the file system can
   * (WritableFile.syncStart): the edit survives power loss once the returned sync is
   * done. Undefined when it synced here instead. REQUIRES: the sync is done before
   * the next append or close.
   */
  appendStart(edit: VersionEdit): PendingSync | undefined {
    this.writer.addRecord(RECORD_MANIFEST_EDIT, encodeEdit(edit));
    const pending = this.writer.file.syncStart?.();
    if (pending === undefined) this.writer.sync();
    return pending;
  }

  get size(): number {
    return this.writer.file.size;
  }

  close(): void {
    this.writer.close();
  }
}
