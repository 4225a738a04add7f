import type { Message } from './message';

/** A store position of a persisted copy (opaque to the model; see store/ MessageRef). */
export interface StoredRef {
  readonly segment: number;
  readonly position: number;
  readonly length: number;
}

/**
 * One message's place in one queue: its order (seq), its expiry, its store ref
 * when persisted there, and how often it came back (redelivered, delivery limit).
 */
export class QueueEntry {
  redelivered = false;
  /** Times the message came back unacknowledged (quorum x-delivery-count). */
  returns = 0;

  constructor(
    public message: Message,
    readonly seq: number,
    /** Epoch ms when it expires; Infinity when it never does. */
    readonly expiresAt: number,
    readonly ref: StoredRef | undefined,
  ) {}

  get priority(): number {
    return this.message.priority;
  }

  get size(): number {
    return this.message.body.length;
  }
}
