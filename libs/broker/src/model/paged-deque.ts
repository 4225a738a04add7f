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
}

/** Records per chunk: 32 bytes each, so a chunk is 32 KiB of typed arrays. */
const CHUNK_RECORDS = 1024;

/** Fixed-size columns for CHUNK_RECORDS records, filled from `end`, consumed from `start`. */
class PagedChunk {
  readonly segment = new Uint32Array(CHUNK_RECORDS);
  readonly position = new Uint32Array(CHUNK_RECORDS);
  readonly length = new Uint32Array(CHUNK_RECORDS);
  readonly size = new Uint32Array(CHUNK_RECORDS);
  readonly seq = new Float64Array(CHUNK_RECORDS);
  readonly expiresAt = new Float64Array(CHUNK_RECORDS);
  start = 0;
  end = 0;
}

/**
 * Paged-out messages of one queue level in order, as columns of typed arrays in
 * chunks rather than one object per message: about 32 bytes a message, and
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

  push(ref: StoredRef, size: number, seq: number, expiresAt: number): void {
    let chunk = this.chunks.peekLast();
    if (chunk === undefined || chunk.end === CHUNK_RECORDS) {
      chunk = this.spare ?? new PagedChunk();
      this.spare = undefined;
      this.chunks.push(chunk);
    }
    const i = chunk.end++;
    chunk.segment[i] = ref.segment;
    chunk.position[i] = ref.position;
    chunk.length[i] = ref.length;
    chunk.size[i] = size;
    chunk.seq[i] = seq;
    chunk.expiresAt[i] = expiresAt;
    this.count++;
  }

  /** Body size of the first record (undefined when empty), without taking it. */
  peekSize(): number | undefined {
    const chunk = this.chunks.peek();
    return chunk === undefined ? undefined : chunk.size[chunk.start];
  }

  shift(): PagedRecord | undefined {
    const chunk = this.chunks.peek();
    if (chunk === undefined) return undefined;
    const i = chunk.start++;
    const record: PagedRecord = {
      ref: { segment: chunk.segment[i]!, position: chunk.position[i]!, length: chunk.length[i]! },
      size: chunk.size[i]!,
      seq: chunk.seq[i]!,
      expiresAt: chunk.expiresAt[i]!,
    };
    this.count--;
    if (chunk.start === chunk.end) {
      this.chunks.shift();
      chunk.start = chunk.end = 0;
      this.spare = chunk;
    }
    return record;
  }

  clear(): void {
    this.chunks.clear();
    this.spare = undefined;
    this.count = 0;
  }
}
