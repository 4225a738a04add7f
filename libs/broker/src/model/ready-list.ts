import { Deque } from './deque';
import type { QueueEntry } from './queue-entry';

/**
 * The ready (not yet delivered) messages of a queue in delivery order. Without
 * x-max-priority it is one deque; with it, one deque per priority level, highest
 * first. A requeued entry goes back to its original position (by seq).
 */
export class ReadyList {
  private readonly levels: Deque<QueueEntry>[];
  private count = 0;
  private byteCount = 0;

  constructor(private readonly maxPriority: number) {
    this.levels = [];
    for (let i = 0; i <= maxPriority; i++) this.levels.push(new Deque<QueueEntry>());
  }

  get length(): number {
    return this.count;
  }

  /** Sum of body sizes (x-max-length-bytes counts bodies only, as RabbitMQ does). */
  get bytes(): number {
    return this.byteCount;
  }

  push(entry: QueueEntry): void {
    this.levelOf(entry).push(entry);
    this.count++;
    this.byteCount += entry.size;
  }

  peek(): QueueEntry | undefined {
    if (this.count === 0) return undefined;
    for (let i = this.maxPriority; i >= 0; i--) {
      const head = this.levels[i]!.peek();
      if (head !== undefined) return head;
    }
    return undefined;
  }

  shift(): QueueEntry | undefined {
    if (this.count === 0) return undefined;
    for (let i = this.maxPriority; i >= 0; i--) {
      const level = this.levels[i]!;
      if (level.length > 0) {
        const entry = level.shift()!;
        this.count--;
        this.byteCount -= entry.size;
        return entry;
      }
    }
    return undefined;
  }

  /** Puts an entry back where its seq says it was. */
  requeue(entry: QueueEntry): void {
    const level = this.levelOf(entry);
    let low = 0;
    let high = level.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (level.at(mid)!.seq < entry.seq) low = mid + 1;
      else high = mid;
    }
    level.insert(low, entry);
    this.count++;
    this.byteCount += entry.size;
  }

  /** Removes everything, returning the entries (to release store refs). */
  clear(): QueueEntry[] {
    const all = [...this];
    for (const level of this.levels) level.clear();
    this.count = 0;
    this.byteCount = 0;
    return all;
  }

  *[Symbol.iterator](): IterableIterator<QueueEntry> {
    for (let i = this.maxPriority; i >= 0; i--) yield* this.levels[i]!;
  }

  private levelOf(entry: QueueEntry): Deque<QueueEntry> {
    const priority = entry.priority;
    return this.levels[priority > this.maxPriority ? this.maxPriority : priority]!;
  }
}
