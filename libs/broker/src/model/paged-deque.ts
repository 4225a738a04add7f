import { Deque } from './deque';
import type { StoredRef } from './queue-entry';

/** A paged-out message as the queue keeps it: where its record is, and what ordering needs. */
export interface PagedRecord {
  readonly ref: StoredRef;
  /** Body bytes (x-max-length-bytes counts them while the body is on disk). */
  readonly size: number;
  readonly seq: number;
  /** Epoch ms; Infinity when it never expires. */
  readonly expiresAt: number;
  /**
   * The ref points into the broker's paging area (a transient message written out
   * to scratch files), not into the durable store.
   */
  readonly transient: boolean;
}

/** Records per chunk: 21 bytes each (29 with expiries), so a chunk is 21-29 KiB. */
const CHUNK_RECORDS = 1024;
const MAX_SEQ_DELTA = 0xffffffff;

/**
 * Fixed-size columns for CHUNK_RECORDS records, filled from `end`, consumed from
 * `start`. Seqs grow within a level, so a chunk stores them as u32 offsets from its
 * first; expiries get a column only once a record has one (most queues have no TTL).
 */
class PagedChunk {
  readonly segment = new Uint32Array(CHUNK_RECORDS);
  readonly position = new Uint32Array(CHUNK_RECORDS);
  readonly length = new Uint32Array(CHUNK_RECORDS);
  readonly size = new Uint32Array(CHUNK_RECORDS);
  readonly seqDelta = new Uint32Array(CHUNK_RECORDS);
  /** 1 where the record is in the paging area (see PagedRecord.transient). */
  readonly transient = new Uint8Array(CHUNK_RECORDS);
  expiresAt: Float64Array | undefined;
  seqBase = 0;
  start = 0;
  end = 0;

  accepts(seq: number): boolean {
    if (this.end === CHUNK_RECORDS) return false;
    return this.end === 0 || (seq >= this.seqBase && seq - this.seqBase <= MAX_SEQ_DELTA);
  }
}

/**
 * Paged-out messages of one queue level in order, as columns of typed arrays in
 * chunks rather than one object per message: about 20 bytes a message, and
 * nothing for the garbage collector to trace. Push at the back, shift at the front.
 */
export class PagedDeque {
  private readonly chunks = new Deque<PagedChunk>();
  /** One emptied chunk kept for reuse, so a queue hovering at a chunk edge does not churn. */
  private spare: PagedChunk | undefined;
  private count = 0;

  get length(): number {
    return this.count;
  }

  push(ref: StoredRef, size: number, seq: number, expiresAt: number, transient: boolean): void {
    let chunk = this.chunks.peekLast();
    if (chunk === undefined || !chunk.accepts(seq)) {
      chunk = this.spare ?? new PagedChunk();
      this.spare = undefined;
      this.chunks.push(chunk);
    }
    const i = chunk.end++;
    if (i === 0) chunk.seqBase = seq;
    chunk.segment[i] = ref.segment;
    chunk.position[i] = ref.position;
    chunk.length[i] = ref.length;
    chunk.size[i] = size;
    chunk.seqDelta[i] = seq - chunk.seqBase;
    chunk.transient[i] = transient ? 1 : 0;
    if (expiresAt !== Infinity) {
      chunk.expiresAt ??= new Float64Array(CHUNK_RECORDS).fill(Infinity);
      chunk.expiresAt[i] = expiresAt;
    } else if (chunk.expiresAt !== undefined) {
      chunk.expiresAt[i] = Infinity;
    }
    this.count++;
  }

  shift(): PagedRecord | undefined {
    const chunk = this.chunks.peek();
    if (chunk === undefined) return undefined;
    const i = chunk.start++;
    const record: PagedRecord = {
      ref: { segment: chunk.segment[i]!, position: chunk.position[i]!, length: chunk.length[i]! },
      size: chunk.size[i]!,
      seq: chunk.seqBase + chunk.seqDelta[i]!,
      expiresAt: chunk.expiresAt === undefined ? Infinity : chunk.expiresAt[i]!,
      transient: chunk.transient[i] === 1,
    };
    this.count--;
    if (chunk.start === chunk.end) {
      this.chunks.shift();
      chunk.start = chunk.end = 0;
      chunk.expiresAt = undefined;
      this.spare = chunk;
    }
    return record;
  }

  /** Visits the refs of the records in the paging area (to release them before a clear). */
  forEachTransient(fn: (ref: StoredRef) => void): void {
    for (const chunk of this.chunks) {
      for (let i = chunk.start; i < chunk.end; i++) {
        if (chunk.transient[i] === 1) {
          fn({
            segment: chunk.segment[i]!,
            position: chunk.position[i]!,
            length: chunk.length[i]!,
          });
        }
      }
    }
  }

  /** Visits the refs of the records in the durable store (a purge releases them one by one). */
  forEachStored(fn: (ref: StoredRef) => void): void {
    for (const chunk of this.chunks) {
      for (let i = chunk.start; i < chunk.end; i++) {
        if (chunk.transient[i] === 0) {
          fn({
            segment: chunk.segment[i]!,
            position: chunk.position[i]!,
            length: chunk.length[i]!,
          });
        }
      }
    }
  }

  clear(): void {
    this.chunks.clear();
    this.spare = undefined;
    this.count = 0;
  }
}
