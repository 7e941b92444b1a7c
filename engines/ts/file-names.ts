/**
 * Every file name in a store directory (FORMAT.md): `NNNNNN.log` (a WAL), `NNNNNN.sst`
 * (a table), `MANIFEST-NNNNNN`, `CURRENT` and its temporary `CURRENT.tmp`. Numbers
 * come from one counter (the version set's nextFile) and are at least six digits.
 */

const numbered = (n: number): string => String(n).padStart(6, '0');

export const CURRENT_FILE = 'CURRENT';
export const CURRENT_TEMP_FILE = 'CURRENT.tmp';

export function tableFileName(id: number): string {
  return `${numbered(id)}.sst`;
}

export function logFileName(n: number): string {
  return `${numbered(n)}.log`;
}

export function manifestName(n: number): string {
  return `MANIFEST-${numbered(n)}`;
}

/** `MANIFEST-NNNNNN` followed by a newline: the whole content of a valid CURRENT. */
export const CURRENT_CONTENT_RE = /^(MANIFEST-\d{6,})\n$/;

export type FileKind = 'log' | 'table' | 'manifest';

export interface ParsedFileName {
  readonly kind: FileKind;
  readonly number: number;
}

const NUMBERED_RE = /^(\d{6,})\.(log|sst)$/;
const MANIFEST_RE = /^MANIFEST-(\d{6,})$/;

/** What a directory entry is, or undefined for CURRENT, CURRENT.tmp and foreign files. */
export function parseFileName(name: string): ParsedFileName | undefined {
  const m = NUMBERED_RE.exec(name);
  if (m !== null) return { kind: m[2] === 'log' ? 'log' : 'table', number: Number(m[1]) };
  const mf = MANIFEST_RE.exec(name);
  if (mf !== null) return { kind: 'manifest', number: Number(mf[1]) };
  return undefined;
}
