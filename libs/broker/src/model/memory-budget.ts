import type { QueueEntry } from './queue-entry';

/**
 * What one in-memory ready message costs beyond its body and header bytes: the
 * Message, two Buffer objects, the QueueEntry and its store ref, the store's index
 * entry and garbage-collector headroom. Measured: 1M queued 256-byte persistent
 * messages took ~990 MiB RSS, about 700 bytes a message more than the bytes sent.
 */
export const ENTRY_OVERHEAD = 640;

const MAX_WINDOW = 512;
const MIN_WINDOW = 16;
/** A typical small message's cost, to size head windows from the budget. */
const WINDOW_ENTRY_BYTES = 1024;

/** Estimated memory an in-memory ready entry holds (see ENTRY_OVERHEAD). */
export function entryCost(entry: QueueEntry): number {
  const message = entry.message;
  return message.body.length + message.header.length + ENTRY_OVERHEAD;
}

/**
 * The broker-wide memory budget for ready messages held in memory. Queues charge
 * every ready entry they keep in memory (body + header + ENTRY_OVERHEAD) and refund
 * it when the entry leaves or is paged out; crossing the limit calls `onOverrun`
 * (the broker's pager, which moves the bodies of never-delivered messages to disk).
 * Unacknowledged deliveries are not charged: prefetch bounds them.
 */
export class MemoryBudget {
  /** Estimated bytes of ready entries held in memory, over all queues. */
  used = 0;
  /** Ready messages whose body is on disk only (paged out), over all queues. */
  paged = 0;
  /** Called (synchronously, so keep it cheap) whenever a charge leaves `used` above `limit`. */
  onOverrun: (() => void) | undefined;

  constructor(
    /** Bytes; Infinity = never page. */
    public limit: number = Infinity,
  ) {}

  /**
   * Ready entries each queue level keeps in memory at its head (paging never takes
   * them, page-in refills below it, one page-in reads at most this many): up to 512,
   * fewer for a small budget so that one queue's window stays a fraction of it.
   */
  get window(): number {
    const fit = Math.floor(this.limit / (4 * WINDOW_ENTRY_BYTES));
    return Math.max(MIN_WINDOW, Math.min(MAX_WINDOW, fit));
  }

  get over(): boolean {
    return this.used > this.limit;
  }

  charge(bytes: number): void {
    this.used += bytes;
    if (this.used > this.limit) this.onOverrun?.();
  }

  refund(bytes: number): void {
    this.used -= bytes;
  }
}
