import { SegmentPositions } from './segment-positions';
import type { MessageRef } from './types';

/** One durable queue's live records, grouped by segment (what purge and removeQueue need). */
export class QueueEntry {
  readonly keyBytes: Buffer;
  readonly bySegment = new Map<number, SegmentPositions>();
  size = 0;
  // The segment being appended to is hit on every append: skip the map lookup for it.
  private lastSegment = -1;
  private lastPositions: SegmentPositions | undefined;

  constructor(readonly key: string) {
    this.keyBytes = Buffer.from(key, 'utf8');
  }

  add(segment: number, position: number): void {
    let positions = this.lastSegment === segment ? this.lastPositions : undefined;
    if (positions === undefined) {
      positions = this.bySegment.get(segment);
      if (positions === undefined) {
        positions = new SegmentPositions();
        this.bySegment.set(segment, positions);
      }
      this.lastSegment = segment;
      this.lastPositions = positions;
    }
    positions.add(position);
    this.size++;
  }

  delete(ref: MessageRef): boolean {
    const positions = this.bySegment.get(ref.segment);
    if (positions === undefined || !positions.delete(ref.position)) return false;
    this.size--;
    if (positions.size === 0 && ref.segment !== this.lastSegment) {
      this.bySegment.delete(ref.segment);
    }
    return true;
  }

  /** Empties the entry, returning what it held. */
  drain(): Map<number, SegmentPositions> {
    const drained = new Map(this.bySegment);
    this.bySegment.clear();
    this.size = 0;
    this.lastSegment = -1;
    this.lastPositions = undefined;
    return drained;
  }
}

/** Live records per queue key. */
export class QueueIndex {
  private readonly queues = new Map<string, QueueEntry>();

  entry(key: string): QueueEntry {
    let entry = this.queues.get(key);
    if (entry === undefined) {
      entry = new QueueEntry(key);
      this.queues.set(key, entry);
    }
    return entry;
  }

  delete(key: string, ref: MessageRef): boolean {
    return this.queues.get(key)?.delete(ref) ?? false;
  }

  drain(key: string): Map<number, SegmentPositions> {
    return this.queues.get(key)?.drain() ?? new Map();
  }

  forget(key: string): void {
    this.queues.delete(key);
  }

  /** Every live position in the segment, over all queues, ascending (file order). */
  positionsIn(segment: number): number[] {
    const out: number[] = [];
    for (const entry of this.queues.values()) {
      const positions = entry.bySegment.get(segment);
      if (positions !== undefined) for (const position of positions) out.push(position);
    }
    return out.sort((a, b) => a - b);
  }
}
