import type { DurableStore, PersistedMessage } from '../store';
import { encodeTable } from '../protocol';
import type { Binding } from '../model/binding';
import type { Durability } from '../model/durability';
import type { Exchange } from '../model/exchange';
import type { DelayedEntry, DelayedMessageExchange } from '../model/exchanges/delayed-message';
import { Message } from '../model/message';
import type { Queue } from '../model/queue';
import type { StoredRef } from '../model/queue-entry';
import type { GroupCommit } from './group-commit';

/** Hidden durable queue holding a durable delayed exchange's persistent messages. */
export const DELAYED_QUEUE_PREFIX = 'amq.surety.delayed.';
/** Header carrying a held message's due time in its persisted copy. */
export const DELAYED_DUE_HEADER = 'x-surety-delayed-until';

/**
 * The model's Durability on top of the store: definitions are written in order
 * (the store serialises them), appends are buffered and made durable by the
 * group commit, removals are batched by the store.
 */
export class StoreDurability implements Durability {
  private definitionWrites: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: DurableStore,
    private readonly commit: GroupCommit,
    private readonly onError: (error: unknown) => void,
    private readonly onReadError: (error: unknown) => void = onError,
  ) {}

  /** Resolves when every definition change so far is on disk. */
  definitionsSettled(): Promise<void> {
    return this.definitionWrites;
  }

  exchangeDeclared(x: Exchange): void {
    this.track(
      this.store.putExchange({
        vhost: x.vhost,
        name: x.name,
        type: x.type,
        durable: true,
        autoDelete: x.autoDelete,
        internal: x.internal,
        arguments: encodeTable(x.args),
      }),
    );
    // its held messages live in a hidden queue, defined up front so appends recover
    if (x.type === 'x-delayed-message') this.defineDelayedQueue(x.vhost, x.name);
  }

  private defineDelayedQueue(vhost: string, exchange: string): void {
    const key = `${vhost}/${DELAYED_QUEUE_PREFIX}${exchange}`;
    if (this.delayedQueues.has(key)) return;
    this.delayedQueues.add(key);
    this.track(
      this.store.putQueue({
        vhost,
        name: DELAYED_QUEUE_PREFIX + exchange,
        durable: true,
        autoDelete: false,
        exclusive: false,
        arguments: encodeTable({}),
      }),
    );
  }

  exchangeDeleted(x: Exchange): void {
    this.track(this.store.removeExchange(x.vhost, x.name));
    if (x.type === 'x-delayed-message') {
      this.delayedQueues.delete(`${x.vhost}/${DELAYED_QUEUE_PREFIX}${x.name}`);
      this.track(this.store.removeQueue(x.vhost, DELAYED_QUEUE_PREFIX + x.name));
    }
  }

  queueDeclared(q: Queue): void {
    this.track(
      this.store.putQueue({
        vhost: q.vhost,
        name: q.name,
        durable: true,
        autoDelete: q.autoDelete,
        exclusive: false,
        arguments: encodeTable(q.args),
      }),
    );
  }

  queueDeleted(q: Queue): void {
    this.track(this.store.removeQueue(q.vhost, q.name));
  }

  bindingAdded(b: Binding): void {
    this.track(this.store.putBinding(definitionOf(b)));
  }

  bindingRemoved(b: Binding): void {
    this.track(this.store.removeBinding(definitionOf(b)));
  }

  append(queue: Queue, message: Message): StoredRef {
    const ref = this.store.append(queue.key, message);
    this.commit.ticket();
    return ref;
  }

  remove(queue: Queue, ref: StoredRef): void {
    this.store.remove(queue.key, ref);
  }

  delivered(_queue: Queue, ref: StoredRef): void {
    this.store.markDelivered(ref);
  }

  isReadable(ref: StoredRef): boolean {
    return this.store.isReadable(ref);
  }

  read(refs: readonly StoredRef[]): Promise<Message[]> {
    return this.store.readMany(refs).then(
      (persisted) => persisted.map(messageOf),
      (error: unknown) => {
        this.onReadError(error);
        throw error;
      },
    );
  }

  readSync(ref: StoredRef): Message {
    try {
      return messageOf(this.store.readSync(ref));
    } catch (error) {
      this.onReadError(error);
      throw error;
    }
  }

  delayedHeld(exchange: DelayedMessageExchange, entry: DelayedEntry): void {
    const key = `${exchange.vhost}/${DELAYED_QUEUE_PREFIX}${exchange.name}`;
    this.defineDelayedQueue(exchange.vhost, exchange.name);
    const props = entry.message.properties;
    const stamped = entry.message.withProperties(entry.message.exchange, entry.message.routingKey, {
      ...props,
      headers: {
        ...(props.headers ?? {}),
        [DELAYED_DUE_HEADER]: { type: 'l', value: BigInt(entry.dueAt) },
      },
    });
    const handle: DelayedHandle = { key, ref: this.store.append(key, stamped), released: false };
    entry.handle = handle;
    this.commit.ticket();
  }

  delayedReleased(_exchange: DelayedMessageExchange, entry: DelayedEntry): void {
    const handle = entry.handle as DelayedHandle | undefined;
    if (handle === undefined || handle.released) return;
    handle.released = true;
    if (handle.ref !== undefined) this.store.remove(handle.key, handle.ref);
  }

  /** Remembers delayed pseudo-queues already defined in the store (recovery seeds it). */
  readonly delayedQueues = new Set<string>();

  private track(write: Promise<void>): void {
    this.definitionWrites = this.definitionWrites.then(() => write).catch(this.onError);
  }
}

/** Where a held delayed message's persisted copy lives (once appended). */
export interface DelayedHandle {
  key: string;
  ref: StoredRef | undefined;
  released: boolean;
}

function messageOf(p: PersistedMessage): Message {
  return new Message(p.exchange, p.routingKey, p.header, p.body);
}

function definitionOf(b: Binding) {
  return {
    vhost: b.source.vhost,
    source: b.source.name,
    destination: b.destination.name,
    destinationKind: b.destination.kind,
    routingKey: b.routingKey,
    arguments: encodeTable(b.args),
  };
}
