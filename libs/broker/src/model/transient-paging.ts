import type { Message } from './message';
import type { StoredRef } from './queue-entry';

/**
 * Where ready messages without a durable copy (transient, or in a non-durable queue)
 * go when the broker is over its memory budget: scratch files that are never fsync'd
 * and never recovered. The broker implements it on top of store/PagingStore; unit
 * specs and setups without one use {@link NO_TRANSIENT_PAGING} (such messages then
 * stay in memory).
 */
export interface TransientPaging {
  /** True while messages can be written out (an area is open and no write failed). */
  readonly available: boolean;
  /** Writes the message out (buffered, no fsync) and returns where. Only while available. */
  write(message: Message): StoredRef;
  /** Reads written-out messages back, in the order given. */
  read(refs: readonly StoredRef[]): Promise<Message[]>;
  /** Reads one back synchronously (basic.get on a paged-out head). */
  readSync(ref: StoredRef): Message;
  /** The written-out copy is no longer needed (read back, dropped, purged). */
  release(ref: StoredRef): void;
}

function unavailable(): never {
  throw new Error('transient messages are not paged: there is no paging area');
}

/** No paging area: transient messages stay in memory. */
export const NO_TRANSIENT_PAGING: TransientPaging = {
  available: false,
  write: unavailable,
  read: () =>
    Promise.reject(new Error('transient messages are not paged: there is no paging area')),
  readSync: unavailable,
  release: () => undefined,
};
