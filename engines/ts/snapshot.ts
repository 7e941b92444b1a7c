/** Snapshots: registered sequence numbers that flushes and compactions keep versions for. */

/**
 * A registered snapshot: reads at it see exactly the writes acknowledged before it was
 * taken, across flushes and compactions, until it is released (or the tree closes).
 * Flushes and compactions keep every version a live snapshot needs. A raw sequence
 * number passed to a read is not registered: a compaction may drop versions it needs.
 */
export class Snapshot {
  private live = true;
  constructor(
    readonly seq: number,
    private readonly registry: SnapshotRegistry,
  ) {}
  get released(): boolean {
    return !this.live;
  }
  /** Stops protecting the versions this snapshot sees. Idempotent. */
  release(): void {
    if (!this.live) return;
    this.live = false;
    this.registry.remove(this.seq);
  }
  [Symbol.dispose](): void {
    this.release();
  }
}

/** Live snapshot sequence numbers, counted (several snapshots may share one). */
export class SnapshotRegistry {
  private readonly counts = new Map<number, number>();
  private sorted: number[] | undefined = [];
  add(seq: number): void {
    this.counts.set(seq, (this.counts.get(seq) ?? 0) + 1);
    this.sorted = undefined;
  }
  remove(seq: number): void {
    const c = this.counts.get(seq);
    if (c === undefined) return;
    if (c <= 1) this.counts.delete(seq);
    else this.counts.set(seq, c - 1);
    this.sorted = undefined;
  }
  clear(): void {
    this.counts.clear();
    this.sorted = [];
  }
  /** Distinct live sequence numbers, ascending. The array is shared: do not modify it. */
  list(): readonly number[] {
    if (this.sorted === undefined) this.sorted = [...this.counts.keys()].sort((a, b) => a - b);
    return this.sorted;
  }
}
