/** Typed errors. Every corruption names the file and the byte offset where it was found. */

export class CorruptionError extends Error {
  override name = 'CorruptionError';
  constructor(
    readonly file: string,
    readonly offset: number,
    readonly reason: string,
  ) {
    super(`${file} is corrupt at offset ${offset}: ${reason}`);
  }
}

/** A complete WAL record whose checksum or contents are wrong (a torn tail is not an error). */
export class WalCorruptionError extends CorruptionError {
  override name = 'WalCorruptionError';
}

/** A manifest record or the CURRENT file is wrong. */
export class ManifestCorruptionError extends CorruptionError {
  override name = 'ManifestCorruptionError';
}

/** An SSTable block, index, filter or footer failed its checksum or does not parse. */
export class TableCorruptionError extends CorruptionError {
  override name = 'TableCorruptionError';
}

/** The tree was used after close(), or a second time on a directory another tree holds. */
export class TreeClosedError extends Error {
  override name = 'TreeClosedError';
}

/** An option given to Tree.open is out of range; `option` names it. */
export class InvalidOptionError extends RangeError {
  override name = 'InvalidOptionError';
  constructor(
    readonly option: string,
    reason: string,
  ) {
    super(`ts tree: option ${option} ${reason}`);
  }
}
