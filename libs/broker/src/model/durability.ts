import type { Binding } from './binding';
import type { Exchange } from './exchange';
import type { DelayedEntry, DelayedMessageExchange } from './exchanges/delayed-message';
import type { Message } from './message';
import type { Queue } from './queue';
import type { StoredRef } from './queue-entry';

/**
 * How the model reports what must survive a restart. The broker implements it on
 * top of the store (definitions, appends, removals, group commit); unit specs and
 * purely transient setups use {@link NO_DURABILITY}. The model calls it only for
 * durable entities and persistent messages in durable queues.
 */
export interface Durability {
  exchangeDeclared(exchange: Exchange): void;
  exchangeDeleted(exchange: Exchange): void;
  queueDeclared(queue: Queue): void;
  queueDeleted(queue: Queue): void;
  bindingAdded(binding: Binding): void;
  bindingRemoved(binding: Binding): void;
  append(queue: Queue, message: Message): StoredRef;
  remove(queue: Queue, ref: StoredRef): void;
  /** First delivery of a persisted message to a consumer that acks (lazy; see store markDelivered). */
  delivered(queue: Queue, ref: StoredRef): void;
  /** The appended copy is written out, so it can be read back (a queue may then page it). */
  isReadable(ref: StoredRef): boolean;
  /** Reads persisted messages back (paged-out bodies), in the order given. */
  read(refs: readonly StoredRef[]): Promise<Message[]>;
  /** Reads one persisted message back synchronously (basic.get on a paged-out head). */
  readSync(ref: StoredRef): Message;
  /** A durable delayed exchange holds a persistent message until it is due. */
  delayedHeld(exchange: DelayedMessageExchange, entry: DelayedEntry): void;
  delayedReleased(exchange: DelayedMessageExchange, entry: DelayedEntry): void;
}

const NO_REF: StoredRef = { segment: 0, position: 0, length: 0 };

/** Keeps nothing: everything is transient. */
export const NO_DURABILITY: Durability = {
  exchangeDeclared: () => undefined,
  exchangeDeleted: () => undefined,
  queueDeclared: () => undefined,
  queueDeleted: () => undefined,
  bindingAdded: () => undefined,
  bindingRemoved: () => undefined,
  append: () => NO_REF,
  remove: () => undefined,
  delivered: () => undefined,
  isReadable: () => false,
  read: () => Promise.reject(new Error('nothing is stored: there is no durable store')),
  readSync: () => {
    throw new Error('nothing is stored: there is no durable store');
  },
  delayedHeld: () => undefined,
  delayedReleased: () => undefined,
};
