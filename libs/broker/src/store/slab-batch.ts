/** Records are encoded straight into slabs of this size; a flush writes views of them. */
const SLAB_SIZE = 1024 * 1024;

/** Bytes of one file appended since the last flush: written with one writev. */
export interface PendingWrite<F> {
  readonly file: F;
  readonly position: number;
  readonly chunks: Buffer[];
  bytes: number;
}

/**
 * The append buffer of a store (message segments, paging files): records are encoded
 * in place into large slabs — no per-record buffer, no copy — and grouped into one
 * pending write per file, as views of the slabs, for the next flush to `writev`.
 *
 *     batch.target(file, file.size);     // appends below go to `file` from that position
 *     batch.reserve(size);
 *     encodeRecord(batch.slab, batch.offset, …);
 *     batch.advance(size);
 *     …
 *     const writes = batch.take();        // at flush time
 */
export class SlabBatch<F> {
  /** Where the next record is encoded: `slab` at `offset` (after `reserve`). */
  slab = Buffer.allocUnsafe(0);
  offset = 0;
  /** [start, offset) of the slab belongs to `active` and is not cut into a chunk yet. */
  private start = 0;
  private active: PendingWrite<F> | undefined;
  private writes: PendingWrite<F>[] = [];

  /** Appends go to `file`, continuing its pending write, or starting one at `position`. */
  target(file: F, position: number): void {
    if (this.active?.file === file) return;
    this.cut();
    this.active = { file, position, chunks: [], bytes: 0 };
    this.writes.push(this.active);
  }

  /** Makes room for `bytes` contiguous bytes at `slab[offset]` (a record never spans two slabs). */
  reserve(bytes: number): void {
    if (this.slab.length - this.offset >= bytes) return;
    this.cut();
    this.slab = Buffer.allocUnsafe(Math.max(SLAB_SIZE, bytes));
    this.start = 0;
    this.offset = 0;
  }

  /** `bytes` were encoded at `offset`. */
  advance(bytes: number): void {
    this.offset += bytes;
  }

  get isEmpty(): boolean {
    return this.writes.length === 0;
  }

  /** The pending writes, chunks complete (to find a record that is not written yet). */
  pending(): readonly PendingWrite<F>[] {
    this.cut();
    return this.writes;
  }

  /** Hands the pending writes over (to a flush) and starts an empty batch. */
  take(): PendingWrite<F>[] {
    this.cut();
    const writes = this.writes;
    this.writes = [];
    this.active = undefined;
    return writes;
  }

  private cut(): void {
    if (this.offset === this.start) return;
    const chunk = this.slab.subarray(this.start, this.offset);
    this.active!.chunks.push(chunk);
    this.active!.bytes += chunk.length;
    this.start = this.offset;
  }
}
